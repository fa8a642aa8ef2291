import Foundation
import Testing

/// Debian's docker-registry (distribution 2.8) on a free loopback port with its storage in `root`,
/// for the app-level tests that push. Stopped by `stop()`.
struct TestRegistry {
    let port: Int
    let process: BackgroundProcess
    var host: String { "127.0.0.1:\(port)" }

    static func start(in root: URL) async throws -> TestRegistry {
        let registry = try requireTool("docker-registry")
        let port = try freeLoopbackPort()
        let config = root.appendingPathComponent("registry-\(port).yml")
        try Data("""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(root.appendingPathComponent("registry-\(port)").path)
            http:
              addr: 127.0.0.1:\(port)
            """.utf8).write(to: config)
        let process = try BackgroundProcess(registry, ["serve", config.path])
        let answer = try await waitForHTTP(try URLFromText("http://127.0.0.1:\(port)/v2/"), within: .seconds(20),
                                           isAlive: { process.exitStatus() == nil })
        guard answer.status == 200 else { throw HarnessError.failed(command: process.command, status: Int32(answer.status), output: process.stderr) }
        // The answer must be this registry's: two suites at once can be handed the same free port.
        let listeners = try await Subprocess.run("ss", ["-Hltnp", "sport = :\(port)"]).stdout
        guard listeners.contains("pid=\(process.pid),") else {
            throw HarnessError.failed(command: process.command, status: 1, output: "port \(port) is another process's: \(listeners)\n\(process.stderr)")
        }
        return TestRegistry(port: port, process: process)
    }

    func stop() async { await process.terminate() }
}

/// A URL from text the test built.
func URLFromText(_ text: String) throws -> URL {
    guard let url = URL(string: text) else { throw HarnessError.failed(command: "URL(\(text))", status: 1, output: "") }
    return url
}
