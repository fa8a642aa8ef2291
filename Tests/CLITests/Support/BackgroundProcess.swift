import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program left running while the test goes on (a foreground `gantry dev`,
/// a `dockerd`): output in files the test can read as it grows, signals by
/// hand, and a bounded wait for the exit. It leads its own process group.
final class BackgroundProcess: Sendable {
    let pid: pid_t
    let command: String
    let stdoutPath: String
    let stderrPath: String
    private let scratch: URL

    /// Starts `program` with `arguments`, its environment this process's plus `environment`.
    init(_ program: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, added in added }
        guard let executable = Subprocess.locate(program, path: env["PATH"]) else {
            throw HarnessError.missingTool(program)
        }
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-test-background-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutPath = scratch.appendingPathComponent("stdout").path
        stderrPath = scratch.appendingPathComponent("stderr").path
        command = ([program] + arguments).joined(separator: " ")
        pid = try Subprocess.spawn(
            executable, arguments: [program] + arguments, environment: env.map { "\($0.key)=\($0.value)" },
            directory: directory?.path, stdin: "/dev/null", stdout: stdoutPath, stderr: stderrPath)
    }

    /// What it has written to stdout so far.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// What it has written to stderr so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the program itself (not its group: the program decides what its children get).
    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits until `text` shows in its stdout or stderr, polling every 100 ms.
    /// - Throws: `HarnessError.timedOut` with its output when `limit` passes or it exits first.
    func waitForOutput(containing text: String, within limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if stdout.contains(text) || stderr.contains(text) { return }
            if exitStatus() != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        if stdout.contains(text) || stderr.contains(text) { return }
        throw HarnessError.timedOut(command: "\(command) (waiting for \"\(text)\")", limit: limit, output: excerpt)
    }

    private let reaped = ReapedStatus()

    /// The exit status if it has exited (reaping it), else nil.
    func exitStatus() -> Int32? {
        if let status = reaped.value { return status }
        guard let status = Subprocess.waitForExit(pid, within: .zero) else { return nil }
        reaped.value = status
        return status
    }

    /// Waits for it to exit; nil when `limit` passes first.
    func waitForExit(within limit: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if let status = exitStatus() { return status }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return exitStatus()
    }

    /// Stops it if it still runs (SIGTERM to its group, then SIGKILL) and removes its output files.
    func terminate() async {
        if exitStatus() == nil {
            kill(-pid, SIGTERM)
            if await waitForExit(within: .seconds(10)) == nil {
                kill(-pid, SIGKILL)
                _ = await waitForExit(within: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Its output so far, for failure messages.
    var excerpt: String {
        ProcessOutput(command: command, status: exitStatus() ?? -1, stdout: stdout, stderr: stderr).excerpt
    }
}

/// The exit status once reaped: `waitpid` gives it only once.
private final class ReapedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32?
    var value: Int32? {
        get { lock.lock(); defer { lock.unlock() }; return status }
        set { lock.lock(); status = newValue; lock.unlock() }
    }
}
