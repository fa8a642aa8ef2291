import Foundation
import Testing

/// `gantry base build` with the native builder: mmdebstrap, no daemon, the image in gantry's store.
@Suite struct NativeBaseBuildTests {
    @Test func nativeBuildStoresAnImageSkopeoAndUmociRead() async throws {
        let base = try await NativeBase.shared()
        let skopeo = try requireTool("skopeo")
        let umoci = try requireTool("umoci")
        let location = "\(NativeBase.home.path):\(NativeBase.reference)"

        let inspected = try await Subprocess.run(skopeo, ["inspect", "oci:\(location)"]).check()
        let info = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        #expect(info["Digest"] as? String == base.manifestDigest)
        #expect(info["Layers"] as? [String] == [base.layerDigest])
        let labels = try #require(info["Labels"] as? [String: String])
        #expect(labels["io.gantry.template"] == "apache-wsgi")
        #expect(labels["io.gantry.mount"] == "/app")
        #expect(labels["io.gantry.dev-env"] == #"{"GANTRY_RELOAD":"1"}"#)

        let configText = try await Subprocess.run(skopeo, ["inspect", "--config", "oci:\(location)"]).check().stdout
        let config = try #require(try JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any])
        let run = try #require(config["config"] as? [String: Any])
        #expect(run["User"] as? String == "www-data")
        #expect(run["StopSignal"] as? String == "SIGWINCH")
        #expect(run["WorkingDir"] as? String == "/app")
        #expect((run["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["8080/tcp"])
        #expect((run["Volumes"] as? [String: Any])?.keys.sorted() == ["/app"])
        #expect(run["Cmd"] as? [String] == ["/usr/local/bin/gantry-entrypoint"])

        let stat = try await Subprocess.run(umoci, ["stat", "--image", location]).check()
        #expect(stat.stdout.contains(String(base.layerDigest)))
        #expect(stat.stdout.contains("gantry base build: mmdebstrap"))

        let listed = try await gantry("images", "--json", environment: ["GANTRY_HOME": NativeBase.home.path]).check()
        #expect(listed.stdout.contains(NativeBase.reference))
    }

    @Test func inspectShowsTheStoredManifestAndConfig() async throws {
        let base = try await NativeBase.shared()
        let home = ["GANTRY_HOME": NativeBase.home.path]
        let text = try await gantry("inspect", NativeBase.reference, environment: home).check().stdout
        #expect(text.contains("Digest:     \(base.manifestDigest)"))
        #expect(text.contains("  \(base.layerDigest)  "))
        #expect(text.contains("User:       www-data"))
        #expect(text.contains("Stop:       SIGWINCH"))

        let json = try await gantry("inspect", NativeBase.reference, "--json", environment: home).check().stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["digest"] as? String == base.manifestDigest)
        let layers = try #require((object["manifest"] as? [String: Any])?["layers"] as? [[String: Any]])
        #expect(layers.compactMap { $0["digest"] as? String } == [base.layerDigest])
        let config = try #require((object["config"] as? [String: Any])?["config"] as? [String: Any])
        #expect(config["WorkingDir"] as? String == "/app")

        let missing = try await gantry("inspect", "localhost/gantry-test/not-there:1", environment: home)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("gantry: error: image localhost/gantry-test/not-there:1 is not in the store at "))
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }

    @Test func theLayerDigestIsTheSameForASecondBuild() async throws {
        let first = try await NativeBase.shared()
        let second = try await NativeBase.build(in: first.specFolder.deletingLastPathComponent(),
                                                tag: "localhost/gantry-test/apache-wsgi:second")
        #expect(second.layerDigest == first.layerDigest)
    }

    @Test func theNativeBaseRunsInPodmanAndServesTheMountedApp() async throws {
        _ = try await NativeBase.shared()
        let podman = try Podman.require()
        let name = uniqueName("native")
        let image = "localhost/gantry-test/native-run:\(name)"
        defer {
            podman.removeContainer(name)
            podman.removeImage(image)
        }
        // skopeo puts the stored image into podman's storage as it is (podman's own oci: pull
        // names the image after the layout's folder, which a dot-folder makes invalid).
        let skopeo = try requireTool("skopeo")
        try await Subprocess.run(skopeo, ["copy", "oci:\(NativeBase.home.path):\(NativeBase.reference)", "containers-storage:\(image)"],
                                 environment: podman.environment, timeout: .seconds(300)).check()
        try await withTemporaryDirectory { app in
            let marker = uniqueName("answer")
            try BaseImageBuildTests.writeSampleApp(for: "apache-wsgi", saying: marker, into: app)
            let port = try freeLoopbackPort()
            try await podman.checked("run", "--detach", "--name", name, "--volume", "\(app.path):/app",
                                     "--publish", "127.0.0.1:\(port):8080", "--user", "12345:12345", image)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/"))
            let answer = try await waitForHTTP(url, within: .seconds(60), isAlive: { await podman.isRunning(name) })
            #expect(answer.status == 200)
            #expect(answer.body.contains(marker))
        }
    }

    @Test func aPackageThatDoesNotExistFailsWithMmdebstrapsReasonAndTagsNothing() async throws {
        try requireTool("mmdebstrap")
        try await withTemporaryDirectory { root in
            try await gantry("base", "init", "base", "--template", "static", in: root).check()
            let yaml = root.appendingPathComponent("base/base.yml")
            let text = try String(contentsOf: yaml, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "packages: [", with: "packages: [no-such-package-gantry, ").utf8).write(to: yaml)
            #expect(try String(contentsOf: yaml, encoding: .utf8).contains("no-such-package-gantry"))
            let home = root.appendingPathComponent("home")
            let output = try await gantry("base", "build", "base", "--tag", "localhost/gantry-test/broken:1",
                                          environment: ["GANTRY_HOME": home.path], in: root, timeout: .seconds(600))
            #expect(output.status != 0)
            let errorLine = try #require(output.stderr.split(separator: "\n").last { $0.hasPrefix("gantry: error: ") })
            #expect(errorLine.contains("mmdebstrap failed"))
            #expect(errorLine.contains("no-such-package-gantry"), "\(errorLine)")
            let listed = try await gantry("images", "--json", environment: ["GANTRY_HOME": home.path]).check()
            #expect(!listed.stdout.contains("broken"))
        }
    }
}
