import Foundation
import Testing

/// A TCP proxy that passes client bytes on at a limited rate, so that a push takes long enough to be
/// interrupted in the middle of an upload.
private let throttleScript = #"""
import socket, sys, threading, time
listen, upstream, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def pipe(src, dst, limit):
    try:
        while True:
            data = src.recv(65536)
            if not data: break
            dst.sendall(data)
            if limit: time.sleep(len(data) / limit)
    except OSError: pass
    for s in (src, dst):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen)); server.listen(64)
while True:
    client, _ = server.accept()
    target = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=pipe, args=(client, target, rate), daemon=True).start()
    threading.Thread(target=pipe, args=(target, client, 0), daemon=True).start()
"""#


@Suite struct InterruptTests {
    @Test func ctrlCDuringAPushCancelsTheUploadSessionsAndARerunFinishes() async throws {
        try await withTemporaryDirectory { root in
            let registry = try await TestRegistry.start(in: root)
            defer { Task { await registry.stop() } }
            let proxyPort = try freeLoopbackPort()
            try Data(throttleScript.utf8).write(to: root.appendingPathComponent("throttle.py"))
            let proxy = try BackgroundProcess("python3", [root.appendingPathComponent("throttle.py").path, "\(proxyPort)", "\(registry.port)", "\(4 << 20)"])
            defer { Task { await proxy.terminate() } }
            _ = try await waitForHTTP(try URLFromText("http://127.0.0.1:\(proxyPort)/v2/"), within: .seconds(20))

            let home = root.appendingPathComponent("home")
            let reference = "localhost/gantry-test/big:1"
            // scripts/random-image.py, as the push benchmark and the soak make their images.
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/random-image.py").path
            let digest = "sha256:" + (try await Subprocess.run("python3", [script, home.path, reference, "\(24 << 20)"])
                .check().stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            let target = "127.0.0.1:\(proxyPort)/news/big:1"

            let push = try BackgroundProcess(try gantryBinary(), ["push", "--jobs", "1", reference, target], environment: ["GANTRY_HOME": home.path])
            // A gantry that ignored SIGINT would go on pushing through the throttle after the test.
            defer {
                if push.exitStatus() == nil {
                    kill(-push.pid, SIGKILL)  // its own process group: gantry and anything it started
                    _ = Subprocess.waitForExit(push.pid, within: .seconds(5))
                }
            }
            // The upload session shows in the registry's storage once the POST is answered.
            let uploads = root.appendingPathComponent("registry-\(registry.port)/docker/registry/v2/repositories/news/big/_uploads").path
            var started = false
            for _ in 0..<100 where !started {
                started = ((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []).count > 0
                if !started { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(started, "no upload started: \(push.stderr)")
            try await Task.sleep(for: .milliseconds(800))
            push.signal(SIGINT)
            let status = await push.waitForExit(within: .seconds(20))
            #expect(status == 130, "\(push.stdout)\n\(push.stderr)")
            let lines = push.stderr.split(separator: "\n")
            #expect(lines.count == 1 && push.stderr.contains("interrupted by SIGINT"), "\(push.stderr)")
            // The registry was told to drop the session it had opened (its access log shows the DELETE;
            // distribution 2.8 refuses to drop a session whose PUT was cut off, and purges it later).
            let log = registry.process.stdout + registry.process.stderr
            #expect(log.contains("\"DELETE /v2/news/big/blobs/uploads/"), "no DELETE in the registry's log")

            let again = try await gantry("push", reference, target, environment: ["GANTRY_HOME": home.path], timeout: .seconds(120)).check()
            #expect(again.stdout.contains("\(target)@\(digest)"), "\(again.excerpt)")
            let skopeo = try requireTool("skopeo")
            let remote = try await Subprocess.run(skopeo, ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://\(registry.host)/news/big:1"]).check()
            #expect(remote.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == digest)
        }
    }
}
