import Foundation
import Testing

/// `gantry dev` on a base that gantry built natively: the store is where the
/// base comes from, and an engine's copy of another image by that name is replaced.
@Suite struct DevStoreBaseTests {
    @Test func devReplacesAStaleEngineCopyOfTheBaseWithTheStoresAndServes() async throws {
        let base = try await NativeBase.shared()
        let podman = try Podman.require()
        let slim = try await debianSlim()
        let reference = NativeBase.reference
        try await withTemporaryDirectory { root in
            // podman holds some other image under the base's name.
            try await podman.checked("tag", slim, reference)
            defer { podman.removeImage(reference) }

            try await gantry("init", "storebase", "--base", reference, in: root).check()
            let app = root.appendingPathComponent("storebase")
            let marker = uniqueName("store-answer")
            try app.write("TEXT = \"\(marker)\"\n", to: "greeting.py")
            try app.write(
                """
                import greeting

                def application(environ, start_response):
                    body = greeting.TEXT.encode()
                    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
                    return [body]

                """, to: "wsgi.py")
            let port = try freeLoopbackPort()
            let environment = ["GANTRY_HOME": NativeBase.home.path, "CONTAINERS_CONF": podman.environment["CONTAINERS_CONF"] ?? ""]
            defer { podman.removeContainer("gantry-storebase") }
            let started = try await gantry("dev", "--detach", "--engine", "podman", "--port", String(port),
                                           environment: environment, in: app, timeout: .seconds(300))
            #expect(started.status == 0, "\(started.excerpt)")
            #expect(started.stderr.contains("\(reference) in podman is not the image in gantry's store; loading the store's"), "\(started.excerpt)")
            #expect(started.stdout.contains("Serving storebase at http://127.0.0.1:\(port)"))

            let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(30),
                                               isAlive: { await podman.isRunning("gantry-storebase") })
            #expect(answer.body.contains(marker))

            // The reload monitor: an edit to an imported module is served, same container. About a second
            // on an idle machine (scripts/bench dev); the bound leaves room for a CI machine running the
            // other suites at once, as DevCommandTests does (2 s failed once there, at 2.26 s).
            let before = try await podman.checked("container", "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", "gantry-storebase").stdout
            let edited = uniqueName("edited")
            try app.write("TEXT = \"\(edited)\"\n", to: "greeting.py")
            let clock = ContinuousClock()
            let start = clock.now
            var served = false
            for _ in 0..<60 where clock.now - start < .seconds(6) {
                if let next = try? await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(2)),
                   next.body.contains(edited) {
                    served = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let took = clock.now - start
            #expect(served, "the edit was not served within 6 s (\(took))")
            let after = try await podman.checked("container", "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", "gantry-storebase").stdout
            #expect(after == before, "the container was restarted")

            let id = try await podman.checked("image", "inspect", "--format", "{{.Id}}", reference).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let skopeo = try requireTool("skopeo")
            let raw = try await Subprocess.run(skopeo, ["inspect", "--raw", "oci:\(NativeBase.home.path):\(reference)"]).check().stdout
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])
            let config = try #require((manifest["config"] as? [String: Any])?["digest"] as? String)
            #expect("sha256:\(id)" == config || id == config)
            #expect(base.manifestDigest.hasPrefix("sha256:"))

            try await gantry("dev", "stop", "--engine", "podman", environment: environment, in: app).check()
            #expect(!(await podman.isRunning("gantry-storebase")))
        }
    }
}
