import Foundation
import Testing

/// `gantry build` through the built binary, on the natively built apache-wsgi base.
@Suite struct AppBuildTests {
    /// A store of its own for one test, holding the base: the base's blobs hard-linked from the
    /// shared test store, so that cache entries and tags of one test never reach another.
    static func freshStore(in root: URL, writableBy uid: UInt32? = nil) async throws -> URL {
        let home = root.appendingPathComponent("home-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try await Subprocess.run("cp", ["-al", NativeBase.home.appendingPathComponent("blobs").path, home.path]).check()
        for file in ["index.json", "oci-layout"] {
            try FileManager.default.copyItem(at: NativeBase.home.appendingPathComponent(file), to: home.appendingPathComponent(file))
        }
        if let uid {
            // The folders and the index only: the blob files are links shared with the test store.
            for folder in ["ingest", "cache", "cache/layers"] {
                try FileManager.default.createDirectory(at: home.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for path in ["", "/blobs", "/blobs/sha256", "/index.json", "/ingest", "/cache", "/cache/layers"].map({ home.path + $0 }) {
                chown(path, uid, uid)
            }
        }
        return home
    }

    /// A scaffolded app whose page shows a marker and a winner read from a baked SQLite file.
    static func makeApp(in root: URL, marker: String) async throws -> URL {
        try await gantry("init", "results", "--base", NativeBase.reference, in: root).check()
        let app = root.appendingPathComponent("results")
        try app.write(
            """
            import os, sqlite3

            HERE = os.path.dirname(os.path.abspath(__file__))

            def application(environ, start_response):
                db = sqlite3.connect("file:" + os.path.join(HERE, "data", "results.sqlite3") + "?mode=ro&immutable=1", uri=True)
                (winner,) = db.execute("SELECT name FROM winners").fetchone()
                body = ("\(marker) " + winner).encode()
                start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
                return [body]

            """, to: "wsgi.py")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("data"), withIntermediateDirectories: true)
        try await Subprocess.run("python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE winners (name TEXT)")
            db.execute("INSERT INTO winners VALUES ('Ada Lovelace')")
            # 3 MiB more, so that the gzip data layer is several members (1 MiB of tar each).
            db.execute("CREATE TABLE padding (bytes BLOB)")
            db.execute("INSERT INTO padding VALUES (randomblob(3 * 1024 * 1024))")
            db.commit()
            """, app.appendingPathComponent("data/results.sqlite3").path]).check()
        try app.write("SECRET=1\n", to: ".env")
        try app.write("compiled", to: "__pycache__/wsgi.cpython-311.pyc")
        return app
    }

    /// What `gantry build` printed: each layer's role, state and digest, and the image digest.
    struct BuildOutput {
        var layers: [String: (state: String, digest: String)] = [:]
        var image: String = ""

        init(_ output: ProcessOutput) throws {
            for line in output.stdout.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count >= 4, fields[1] == "layer" {
                    layers[String(fields[0])] = (String(fields[2]), String(fields[3]))
                } else if line.hasPrefix("  image "), let at = line.lastIndex(of: "@") {
                    image = String(line[line.index(after: at)...])
                }
            }
            guard image.hasPrefix("sha256:") else { throw HarnessError.failed(command: output.command, status: output.status, output: output.excerpt) }
        }
    }

    static func build(_ app: URL, home: URL, tag: String, epoch: String = "1700000000", extra: [String] = []) async throws -> BuildOutput {
        let output = try await gantry("build", "--tag", tag, environment: ["GANTRY_HOME": home.path, "SOURCE_DATE_EPOCH": epoch],
                                      in: app, timeout: .seconds(300)).check()
        return try BuildOutput(output)
    }

    @Test func buildsAreReproducibleCachedAndOnlyTheCodeLayerChangesWithTheCode() async throws {
        _ = try await NativeBase.shared()
        try await withTemporaryDirectory { root in
            let app = try await Self.makeApp(in: root, marker: "repro")
            let home = try await Self.freshStore(in: root)
            let tag = "localhost/gantry-test/results:1"

            let first = try await Self.build(app, home: home, tag: tag)
            #expect(first.layers["data"]?.state == "new" && first.layers["code"]?.state == "new")

            let second = try await Self.build(app, home: home, tag: tag)
            #expect(second.image == first.image)
            #expect(second.layers["data"]?.state == "reused" && second.layers["code"]?.state == "reused", "cache not used")

            // Only the mtime changes: the cache key does, the bytes do not.
            try await Subprocess.run("touch", ["-d", "2001-02-03 04:05:06", app.appendingPathComponent("wsgi.py").path]).check()
            let touched = try await Self.build(app, home: home, tag: tag)
            #expect(touched.layers["code"]?.state == "new")
            #expect(touched.image == first.image)

            // Another store, no cache: the same bytes from scratch.
            let elsewhere = try await Self.build(app, home: try await Self.freshStore(in: root), tag: tag)
            #expect(elsewhere.image == first.image)

            // A code edit: the data layer stays as it is.
            try app.write("# edited\n" + (try String(contentsOf: app.appendingPathComponent("wsgi.py"), encoding: .utf8)), to: "wsgi.py")
            let edited = try await Self.build(app, home: home, tag: tag)
            #expect(edited.layers["data"]?.state == "reused")
            #expect(edited.layers["data"]?.digest == first.layers["data"]?.digest)
            #expect(edited.layers["code"]?.digest != first.layers["code"]?.digest)
            #expect(edited.image != first.image)

            // The code layer as tar lists it: ignore rules applied, headers normalised.
            let code = try #require(edited.layers["code"]?.digest.split(separator: ":").last)
            let listing = try await Subprocess.run("tar", ["--numeric-owner", "--utc", "-tvzf", home.path + "/blobs/sha256/" + code]).check().stdout
            let lines = listing.split(separator: "\n").map(String.init)
            let names = lines.compactMap { $0.split(separator: " ").last.map(String.init) }
            #expect(names.contains("app/wsgi.py") && names.contains("app/gantry.yml") && names.contains("app/Dockerfile"), "\(listing)")
            #expect(!names.contains { $0.contains(".env") || $0.contains("__pycache__") || $0.contains("sqlite3") }, "\(listing)")
            #expect(lines.allSatisfy { $0.contains(" 0/0 ") && $0.contains("2023-11-14 22:13") }, "\(listing)")
            #expect(lines.first?.hasPrefix("drwxr-xr-x") == true && lines.first?.hasSuffix(" app/") == true, "\(listing)")
            let data = try #require(edited.layers["data"]?.digest.split(separator: ":").last)
            let dataListing = try await Subprocess.run("tar", ["-tzf", home.path + "/blobs/sha256/" + data]).check().stdout
            #expect(dataListing == "app/\napp/data/\napp/data/results.sqlite3\n")

            // The peers read the result.
            let skopeo = try requireTool("skopeo")
            let inspected = try await Subprocess.run(skopeo, ["inspect", "oci:\(home.path):\(tag)"]).check().stdout
            let json = try #require(try JSONSerialization.jsonObject(with: Data(inspected.utf8)) as? [String: Any])
            #expect((json["Layers"] as? [String])?.count == 3)
            #expect(json["Digest"] as? String == edited.image)
            let umoci = try requireTool("umoci")
            let stat = try await Subprocess.run(umoci, ["stat", "--image", "\(home.path):\(tag)"]).check().stdout
            #expect(stat.contains("gantry build: code layer"), "\(stat)")
            // Go's gzip reader, in umoci, takes the multi-member data layer whole.
            let bundle = root.appendingPathComponent("bundle").path
            try await Subprocess.run(umoci, ["unpack", "--image", "\(home.path):\(tag)", bundle], timeout: .seconds(300)).check()
            try await Subprocess.run("cmp", [app.appendingPathComponent("data/results.sqlite3").path, bundle + "/rootfs/app/data/results.sqlite3"]).check()
        }
    }

    @Test func theLoadedImageServesTheAppAndItsBakedSQLiteDataInPodman() async throws {
        _ = try await NativeBase.shared()
        let podman = try Podman.require()
        try await withTemporaryDirectory { root in
            let marker = uniqueName("baked")
            let app = try await Self.makeApp(in: root, marker: marker)
            let home = try await Self.freshStore(in: root)
            let tag = "localhost/gantry-test/\(marker):1"
            let built = try await gantry("build", "--tag", tag, "--load", "--engine", "podman",
                                         environment: ["GANTRY_HOME": home.path, "CONTAINERS_CONF": podman.environment["CONTAINERS_CONF"] ?? ""],
                                         in: app, timeout: .seconds(300))
            #expect(built.status == 0, "\(built.excerpt)")
            #expect(built.stdout.contains("Loaded \(tag) into podman"))
            defer { podman.removeImage(tag) }
            let port = try freeLoopbackPort()
            let name = uniqueName("run")
            defer { podman.removeContainer(name) }
            try await podman.checked("run", "-d", "--name", name, "-p", "127.0.0.1:\(port):8080", tag)
            let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(60),
                                               isAlive: { await podman.isRunning(name) })
            let logs = await podman.logs(name)
            #expect(answer.body == "\(marker) Ada Lovelace", "\(logs)")
        }
    }

    @Test func buildPushSendsOnlyTheChangedCodeLayerAndPodmanServesThePushedImage() async throws {
        _ = try await NativeBase.shared()
        let podman = try Podman.require()
        try await withTemporaryDirectory { root in
            let registry = try await TestRegistry.start(in: root)
            defer { Task { await registry.stop() } }
            let marker = uniqueName("pushed")
            let app = try await Self.makeApp(in: root, marker: marker)
            let home = try await Self.freshStore(in: root)
            let environment = ["GANTRY_HOME": home.path, "SOURCE_DATE_EPOCH": "1700000000"]
            let first = try await gantry("build", "--push", "--tag", "\(registry.host)/news/results:1", environment: environment,
                                         in: app, timeout: .seconds(300)).check()
            // Base layer, data layer, code layer and config: all new to this registry.
            #expect(first.stdout.components(separatedBy: ": pushed ").count - 1 == 4, "\(first.stdout)")
            #expect(first.stdout.contains("\(registry.host)/news/results:1@sha256:"))

            try app.write(String(try String(contentsOf: app.appendingPathComponent("wsgi.py"), encoding: .utf8)
                .replacingOccurrences(of: marker, with: marker + "-edited")), to: "wsgi.py")
            let second = try await gantry("build", "--push", "--tag", "\(registry.host)/news/results:2", environment: environment,
                                          in: app, timeout: .seconds(300)).check()
            let output = try BuildOutput(second)
            let pushed = second.stdout.split(separator: "\n").filter { $0.contains(": pushed ") }.map { String($0.prefix(71)) }
            // Only the new code layer and the new config travel; the base and data layers exist already.
            #expect(pushed.count == 2, "\(second.stdout)")
            #expect(pushed.contains(output.layers["code"]?.digest ?? "none"), "\(second.stdout)")
            #expect(second.stdout.contains("\(output.layers["data"]?.digest ?? "none"): exists"), "\(second.stdout)")

            // gantry beanstalk deploys what was pushed last: push :1 again, and it names :1's digest.
            let firstDigest = try #require(first.stdout.split(separator: "\n").last.flatMap { $0.split(separator: "@").last }.map(String.init))
            try await gantry("push", "\(registry.host)/news/results:1", environment: environment, timeout: .seconds(120)).check()
            try await Subprocess.run("sed", ["-i", "s|^image: .*|image: \(registry.host)/news/results|", app.appendingPathComponent("gantry.yml").path]).check()
            let dockerrun = try await gantry("beanstalk", "--out", "-", environment: environment, in: app).check()
            #expect(dockerrun.stdout.contains("\(registry.host)/news/results@\(firstDigest)"), "\(dockerrun.excerpt)")

            let tag = "\(registry.host)/news/results:2"
            try await podman.checked("pull", "--quiet", "--tls-verify=false", tag, timeout: .seconds(120))
            defer { podman.removeImage(tag) }
            let digest = try await podman.checked("image", "inspect", "--format", "{{.Digest}}", tag).stdout
            #expect(digest.trimmingCharacters(in: .whitespacesAndNewlines) == output.image)
            let port = try freeLoopbackPort()
            let name = uniqueName("pushed-run")
            defer { podman.removeContainer(name) }
            try await podman.checked("run", "-d", "--name", name, "-p", "127.0.0.1:\(port):8080", tag)
            let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(60),
                                               isAlive: { await podman.isRunning(name) })
            let logs = await podman.logs(name)
            #expect(answer.body == "\(marker)-edited Ada Lovelace", "\(logs)")
        }
    }

    /// Runs `gantry build` expecting a failure: one line on stderr, a non-zero exit, the tag absent.
    static func expectRefused(_ app: URL, home: URL, mentioning text: String, as user: String? = nil) async throws {
        let tag = "localhost/gantry-test/refused:1"
        let output: ProcessOutput
        if let user {
            let setpriv = try requireTool("setpriv")
            output = try await Subprocess.run(
                setpriv, ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", try gantryBinary(), "build", "--tag", tag],
                environment: ["GANTRY_HOME": home.path, "HOME": "/tmp"], in: app, timeout: .seconds(120))
        } else {
            output = try await gantry("build", "--tag", tag, environment: ["GANTRY_HOME": home.path], in: app, timeout: .seconds(120))
        }
        #expect(output.status != 0)
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("gantry: error: ") == true, "\(output.excerpt)")
        #expect(output.stderr.contains(text), "\(output.excerpt)")
        let index = try String(contentsOf: home.appendingPathComponent("index.json"), encoding: .utf8)
        #expect(!index.contains("refused"))
        let ingest = (try? FileManager.default.contentsOfDirectory(atPath: home.path + "/ingest")) ?? []
        #expect(ingest.isEmpty, "left in ingest: \(ingest)")
    }

    @Test func aMissingBaseIsRefusedSayingHowToGetIt() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("init", "nobase", "--base", "localhost/gantry-test/no-such-base:1", in: root).check()
            let home = root.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try "{\"schemaVersion\":2,\"manifests\":[]}".write(to: home.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
            try await Self.expectRefused(root.appendingPathComponent("nobase"), home: home, mentioning: "gantry pull localhost/gantry-test/no-such-base:1")
        }
    }

    @Test func aSymlinkLeavingTheAppAnIgnoreFileExcludingEverythingAndAnUnreadableFileAreRefused() async throws {
        _ = try await NativeBase.shared()
        try await withTemporaryDirectory { root in
            let app = try await Self.makeApp(in: root, marker: "bad")
            let home = try await Self.freshStore(in: root, writableBy: 65534)

            try FileManager.default.createSymbolicLink(atPath: app.path + "/passwd", withDestinationPath: "/etc/passwd")
            try await Self.expectRefused(app, home: home, mentioning: "passwd points outside")
            try FileManager.default.removeItem(atPath: app.path + "/passwd")

            let ignore = try String(contentsOf: app.appendingPathComponent(".dockerignore"), encoding: .utf8)
            try app.write("*\n", to: ".dockerignore")
            try await Self.expectRefused(app, home: home, mentioning: "would be empty")
            try app.write(ignore, to: ".dockerignore")

            try app.write("private", to: "private.txt")
            chmod(app.path + "/private.txt", 0o000)
            try await Self.expectRefused(app, home: home, mentioning: "private.txt", as: "65534")
        }
    }
}
