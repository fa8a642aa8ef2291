import Beanstalk
import Foundation
import Testing

/// `gantry beanstalk` through the built binary, and what gantry writes read by
/// the real peers: the EB CLI's own Dockerrun reader, unzip, Python's zipfile and bsdtar.
@Suite struct BeanstalkCommandTests {
    static let digest = "sha256:" + String(repeating: "cd", count: 32)
    static let gantryYML = """
        name: results
        image: registry.example.com/news/results
        base: localhost/gantry/apache-wsgi:latest
        port: 8080
        env:
          DJANGO_SETTINGS_MODULE: results.settings
        beanstalk:
          volumes:
            - {host: /var/app/current/static, container: /app/static}
          sidecars:
            - {name: proxy, image: "nginx:1.25", memory: 64, ports: ["80:80"], mounts: ["static:/srv/static"]}
          include: [static]

        """

    /// An app folder with gantry.yml, a hook and static files, and an empty gantry store.
    static func withApp(_ body: (URL, [String: String]) async throws -> Void) async throws {
        try await withTemporaryDirectory { root in
            let app = root.appendingPathComponent("results")
            try app.write(gantryYML, to: "gantry.yml")
            try app.write("FROM base\n", to: "Dockerfile")
            try app.write("#!/bin/sh\necho migrate\n", to: ".platform/hooks/predeploy/01-migrate.sh")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: app.appendingPathComponent(".platform/hooks/predeploy/01-migrate.sh").path)
            try app.write("body {}\n", to: "static/app.css")
            try await body(app, ["GANTRY_HOME": root.appendingPathComponent("store").path, "TZ": "America/New_York"])
        }
    }

    /// The EB CLI's python from scripts/setup; under CI its absence fails the test.
    static func ebcliPython() throws -> String {
        let fromSetup = ProcessInfo.processInfo.environment["GANTRY_EBCLI_PYTHON"] ?? ""
        let inCheckout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".gantry-test/ebcli-venv/bin/python").path
        for candidate in [fromSetup, inCheckout] where !candidate.isEmpty && FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        if isCI { throw HarnessError.missingTool("awsebcli venv (.gantry-test/ebcli-venv)") }
        try Test.cancel("awsebcli is not installed (run scripts/setup); skipped")
    }

    static let ebcliScript = """
        import sys
        from ebcli.containers import dockerrun
        d = dockerrun.get_dockerrun(sys.argv[1])
        if sys.argv[2] == "1":
            dockerrun.validate_dockerrun_v1(d, True)
            print("image", dockerrun.get_base_img(d))
            print("port", dockerrun.get_exposed_port(d))
            print("pull", dockerrun.require_docker_pull(d))
            print("logs", dockerrun.get_logdir(d))
        else:
            dockerrun.validate_dockerrun_v2(d)
            print("containers", ",".join(c["name"] for c in d["containerDefinitions"]))
        print("auth", dockerrun.require_auth_download(d), dockerrun.get_auth_bucket_name(d), dockerrun.get_auth_key(d))
        """

    @Test(arguments: ["v1", "v2"])
    func theEBCLIReadsWhatGantryWrites(format: String) async throws {
        let python = try Self.ebcliPython()
        try await Self.withApp { app, environment in
            let out = try await gantry("beanstalk", "--format", format, "--image", "registry.example.com/news/results@\(Self.digest)",
                                       "--bucket", "news-eb", "--key", "auth/registry.json", environment: environment, in: app).check()
            #expect(out.stdout.contains("Wrote Dockerrun.aws.json"))
            let read = try await Subprocess.run(python, ["-c", Self.ebcliScript, app.appendingPathComponent("Dockerrun.aws.json").path, String(format.dropFirst())]).check()
            if format == "v1" {
                #expect(read.stdout.contains("image registry.example.com/news/results@\(Self.digest)"))
                #expect(read.stdout.contains("port 8080"))
                #expect(read.stdout.contains("pull True"))
            } else {
                #expect(read.stdout.contains("containers results,proxy"))
            }
            #expect(read.stdout.contains("auth True news-eb auth/registry.json"))
        }
    }

    @Test func theBundleIsReadByUnzipPythonAndBsdtarWithDockerrunAtTheRoot() async throws {
        let unzip = try requireTool("unzip")
        let bsdtar = try requireTool("bsdtar")
        let python = try requireTool("python3")
        try await Self.withApp { app, environment in
            let out = try await gantry("beanstalk", "bundle", "--format", "v2", "--image", "registry.example.com/news/results@\(Self.digest)",
                                       "--out", "app.zip", environment: environment, in: app).check()
            #expect(out.stderr.contains("left out Dockerfile"))
            let zip = app.appendingPathComponent("app.zip").path
            let listed = try await Subprocess.run(unzip, ["-l", zip]).check()
            #expect(listed.stdout.contains(" Dockerrun.aws.json\n"))
            #expect(!listed.stdout.contains("Dockerfile"))
            let names = try await Subprocess.run(python, ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print('\\n'.join(z.namelist())); print(oct(z.getinfo('.platform/hooks/predeploy/01-migrate.sh').external_attr >> 16))", zip]).check()
            #expect(names.stdout.split(separator: "\n").contains("Dockerrun.aws.json"))
            #expect(names.stdout.contains("0o100755"))
            let tar = try await Subprocess.run(bsdtar, ["-tvf", zip]).check()
            #expect(tar.stdout.contains("static/app.css"))
            let extracted = try await Subprocess.run(bsdtar, ["-xOf", zip, "Dockerrun.aws.json"]).check()
            #expect(extracted.stdout.contains("\"AWSEBDockerrunVersion\": 2"))
            // The same app and TZ-independent bytes: a second bundle in another time zone is identical.
            var utc = environment
            utc["TZ"] = "Asia/Tokyo"
            _ = try await gantry("beanstalk", "bundle", "--format", "v2", "--image", "registry.example.com/news/results@\(Self.digest)",
                                 "--out", "again.zip", environment: utc, in: app).check()
            #expect(FileManager.default.contents(atPath: zip) == FileManager.default.contents(atPath: app.appendingPathComponent("again.zip").path))
        }
    }

    @Test func checkExitsNonZeroNamingTheKeyPathAndZeroForWarnings() async throws {
        try await withTemporaryDirectory { root in
            try root.write(#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64}, {"name": "b", "image": "nginx"}]}"#, to: "bad.json")
            let bad = try await gantry("beanstalk", "check", "bad.json", in: root)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("bad.json: error: containerDefinitions[1].memory: missing"))
            try root.write(#"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "nginx", "Update": true}, "Ports": [{"ContainerPort": 80}]}"#, to: "warn.json")
            let warn = try await gantry("beanstalk", "check", "warn.json", in: root).check()
            #expect(warn.stderr.contains("warning: Image.Update"))
            #expect(warn.stdout.contains("fits the Docker platform"))
            try root.write("{\n  \"AWSEBDockerrunVersion\": \"1\",\n}\n", to: "broken.json")
            let broken = try await gantry("beanstalk", "check", "broken.json", in: root)
            #expect(broken.status != 0)
            #expect(broken.stderr.contains("broken.json:3:1: invalid JSON"))
        }
    }

    @Test func aBadHookIsRefusedAndNoZipIsLeft() async throws {
        try await Self.withApp { app, environment in
            try app.write("echo no interpreter\n", to: ".platform/hooks/postdeploy/02.sh")
            let out = try await gantry("beanstalk", "bundle", "--image", "registry.example.com/news/results@\(Self.digest)",
                                       "--out", "app.zip", environment: environment, in: app)
            #expect(out.status != 0)
            #expect(out.stderr.contains("platform hook .platform/hooks/postdeploy/02.sh has no '#!' line"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: app.path).filter { $0.contains("zip") }.isEmpty)
        }
    }

    @Test func withoutAStoredImageTheErrorSaysHowToPinOne() async throws {
        try await Self.withApp { app, environment in
            let out = try await gantry("beanstalk", environment: environment, in: app)
            #expect(out.status != 0)
            #expect(out.stderr.contains("has no image of registry.example.com/news/results"))
            #expect(!FileManager.default.fileExists(atPath: app.appendingPathComponent("Dockerrun.aws.json").path))
        }
    }

    @Test func authFileIsDockerConfigJSONWithMode0600AndAWarning() async throws {
        try await withTemporaryDirectory { root in
            let secret = Data("news:s3cret".utf8).base64EncodedString()
            try root.write(#"{"auths": {"registry.example.com": {"auth": "\#(secret)"}}}"#, to: "docker/config.json")
            let environment = ["DOCKER_CONFIG": root.appendingPathComponent("docker").path, "REGISTRY_AUTH_FILE": "", "XDG_RUNTIME_DIR": ""]
            let out = try await gantry("beanstalk", "auth-file", "--registry", "registry.example.com", "--out", "auth.json",
                                       environment: environment, in: root).check()
            #expect(out.stderr.contains("warning: auth.json holds the secret"))
            #expect(!out.stdout.contains("s3cret") && !out.stderr.contains("s3cret"))
            let path = root.appendingPathComponent("auth.json").path
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: [String: [String: String]]]
            #expect(json?["auths"]?["registry.example.com"]?["auth"] == secret)
            let again = try await gantry("beanstalk", "auth-file", "--registry", "registry.example.com", "--out", "auth.json",
                                         environment: environment, in: root)
            #expect(again.status != 0 && again.stderr.contains("--force"))
        }
    }
}
