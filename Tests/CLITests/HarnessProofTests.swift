import Foundation
import Testing

// Temporary: proves the support code end to end before `gantry base init` lands.
@Suite struct HarnessProofTests {
    @Test func busyboxImageServesMountedApp() async throws {
        let podman = try Podman.require()
        let clock = ContinuousClock()
        var start = clock.now
        try await debianSlim()
        print("proof: fixture ready after \(clock.now - start)")
        try await withTemporaryDirectory { root in
            let context = root.appendingPathComponent("context")
            let app = root.appendingPathComponent("app")
            try context.write("""
                FROM debian:bookworm-slim
                RUN apt-get update && apt-get install -y --no-install-recommends busybox && rm -rf /var/lib/apt/lists/*
                EXPOSE 8080
                CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/app"]
                """, to: "Dockerfile")
            let marker = uniqueName("marker")
            try app.write("<p>\(marker)</p>\n", to: "index.html")

            let tag = "gantry-test/proof:\(uniqueName("tag"))"
            defer { podman.removeImage(tag) }
            start = clock.now
            try await podman.checked("build", "--pull=never", "-t", tag, context.path, timeout: .seconds(900))
            print("proof: built in \(clock.now - start)")

            let name = uniqueName("proof")
            defer { podman.removeContainer(name) }
            let port = try freeLoopbackPort()
            try await podman.checked(
                "run", "--detach", "--name", name, "-v", "\(app.path):/app", "-p", "127.0.0.1:\(port):8080", tag)
            let answer = try await waitForHTTP(
                try #require(URL(string: "http://127.0.0.1:\(port)/")),
                isAlive: { await podman.isRunning(name) })
            #expect(answer.status == 200)
            #expect(answer.body.contains(marker))
        }
    }
}
