import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A docker daemon of the test run's own, started in a temp folder as
/// DESIGN.md says (cgroupfs, explicit ulimits), the first time a test asks,
/// and stopped by `stop()` at the end of the run (see `EngineFixtureScope`).
actor DockerDaemon {
    static let shared = DockerDaemon()

    /// What a client needs: `DOCKER_HOST`.
    struct Endpoint: Sendable {
        let host: String
    }

    private var starting: Task<(BackgroundProcess, URL, Endpoint), any Error>?

    /// The running daemon, started on first use; a failure is kept so every test reports the same cause.
    /// - Throws: a skip (a failure under CI) without dockerd; `HarnessError` when it does not come up.
    func endpoint() async throws -> Endpoint {
        try requireTool("dockerd")
        try requireTool("docker")
        let task = starting ?? Task { try await Self.start() }
        starting = task
        return try await task.value.2
    }

    /// Stops the daemon if this run started one, and removes its folder.
    func stop() async {
        guard let task = starting, let (daemon, directory, _) = try? await task.value else { return }
        starting = nil
        daemon.signal(SIGTERM)
        if await daemon.waitForExit(within: .seconds(30)) == nil {
            print("dockerd did not stop within 30 s; killing it. Its log:\n\(ProcessOutput.tail(daemon.stderr))")
        }
        await daemon.terminate()
        // Overlay mounts under the data root go with a clean stop; whatever is left is left to /tmp.
        try? FileManager.default.removeItem(at: directory)
    }

    private static func start() async throws -> (BackgroundProcess, URL, Endpoint) {
        // Short: the daemon's unix sockets live below it, and those paths are limited to 108 bytes.
        let directory = URL(fileURLWithPath: "/tmp/gantry-dockerd-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let socket = directory.appendingPathComponent("docker.sock").path
        let daemon = try BackgroundProcess("dockerd", [
            "--data-root", directory.appendingPathComponent("data").path,
            "--exec-root", directory.appendingPathComponent("exec").path,
            "--pidfile", directory.appendingPathComponent("dockerd.pid").path,
            "-H", "unix://\(socket)",
            "--exec-opt", "native.cgroupdriver=cgroupfs",
            "--default-ulimit", "nofile=1024:1024",
            "--default-ulimit", "nproc=1024:1024",
        ])
        let endpoint = Endpoint(host: "unix://\(socket)")
        let clock = ContinuousClock()
        let start = clock.now
        var last = ""
        for _ in 0..<120 {
            if daemon.exitStatus() != nil { break }
            let answer = try await Subprocess.run(
                "docker", ["version", "--format", "{{.Server.Version}}"],
                environment: ["DOCKER_HOST": endpoint.host], timeout: .seconds(10))
            if answer.status == 0 {
                print("fixture: dockerd \(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) up at \(endpoint.host) after \(clock.now - start)")
                return (daemon, directory, endpoint)
            }
            last = answer.stderr
            try await Task.sleep(for: .milliseconds(500))
        }
        let log = ProcessOutput.tail(daemon.stderr)
        await daemon.terminate()
        try? FileManager.default.removeItem(at: directory)
        throw HarnessError.failed(command: "dockerd (at \(endpoint.host))", status: daemon.exitStatus() ?? -1,
                                  output: "it did not answer within 60 s: \(last)\n--- dockerd log ---\n\(log)")
    }
}
