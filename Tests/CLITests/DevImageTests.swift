import Foundation
import Testing

/// `gantry dev --image`: the built app image run as it is, from gantry's store, next to the
/// source-mounted dev container and stopped by the same `gantry dev stop`.
@Suite struct DevImageTests {
    @Test func devImageServesTheBuiltImageNotTheEditedSourceAndDevStopRemovesIt() async throws {
        _ = try await NativeBase.shared()
        let podman = try Podman.require()
        try await withTemporaryDirectory { root in
            let marker = uniqueName("devimage")
            let app = try await AppBuildTests.makeApp(in: root, marker: marker)
            // A repository of this test's own: podman's image storage is shared by every test.
            let gantryYML = app.appendingPathComponent("gantry.yml")
            let yml = try String(contentsOf: gantryYML, encoding: .utf8)
            try #require(yml.contains("image: localhost:5000/results\n"), "the scaffold's gantry.yml changed:\n\(yml)")
            try Data(yml.replacingOccurrences(of: "image: localhost:5000/results\n", with: "image: localhost/gantry-test/\(marker)\n").utf8)
                .write(to: gantryYML)
            let home = try await AppBuildTests.freshStore(in: root)
            let environment = ["GANTRY_HOME": home.path, "GANTRY_ENGINE": "", "CONTAINERS_CONF": podman.environment["CONTAINERS_CONF"] ?? ""]
            // Outside git, the default tag is 'latest': what 'gantry dev --image' runs without a value.
            let tag = "localhost/gantry-test/\(marker):latest"
            let container = "gantry-results-image"
            defer { podman.removeContainer(container) }
            defer { podman.removeImage(tag) }

            let missing = try await gantry("dev", "--image", "--engine", "podman", environment: environment, in: app)
            #expect(missing.status != 0)
            #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.excerpt)")
            #expect(missing.stderr.contains("image \(tag) is not in gantry's store") && missing.stderr.contains("run 'gantry build'"),
                    "\(missing.excerpt)")

            let built = try await gantry("build", environment: environment, in: app, timeout: .seconds(300)).check()
            #expect(built.stdout.contains("Built \(tag) "), "\(built.excerpt)")

            // An edit after the build: the mounted source would serve it, the image must not.
            let wsgi = app.appendingPathComponent("wsgi.py")
            try Data(try String(contentsOf: wsgi, encoding: .utf8).replacingOccurrences(of: marker, with: "edited").utf8).write(to: wsgi)

            let port = try freeLoopbackPort()
            let started = try await gantry("dev", "--image", "--detach", "--engine", "podman", "--port", String(port),
                                           environment: environment, in: app, timeout: .seconds(300))
            #expect(started.status == 0, "\(started.excerpt)")
            #expect(started.stdout.contains("Serving results at http://127.0.0.1:\(port) (image \(tag))"), "\(started.excerpt)")
            #expect(started.stderr.contains("\(tag) is not in podman; loading it from gantry's store"), "\(started.excerpt)")

            let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(30),
                                               isAlive: { await podman.isRunning(container) })
            let logs = await podman.logs(container)
            #expect(answer.body == "\(marker) Ada Lovelace", "\(logs)")

            // Run as deployed: no mount, no dev environment.
            let inspected = try await podman.checked("container", "inspect", "--format", "{{len .Mounts}} {{.Config.Env}}", container).stdout
            #expect(inspected.hasPrefix("0 "), "\(inspected)")
            #expect(!inspected.contains("GANTRY_RELOAD"), "\(inspected)")

            let stopped = try await gantry("dev", "stop", "--engine", "podman", environment: environment, in: app).check()
            #expect(stopped.stdout.contains("Stopped and removed \(container)"), "\(stopped.excerpt)")
            let gone = try await podman.run(["container", "exists", container])
            #expect(gone.status != 0, "\(container) is still there")
        }
    }
}
