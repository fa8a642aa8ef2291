import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished child process left behind.
struct ProcessOutput: Sendable {
    /// The command line, for messages.
    var command: String
    var status: Int32
    var stdout: String
    var stderr: String

    /// Returns self when the status is 0; throws `HarnessError.failed` with the output's tail otherwise.
    @discardableResult
    func check() throws -> ProcessOutput {
        guard status == 0 else {
            throw HarnessError.failed(command: command, status: status, output: excerpt)
        }
        return self
    }

    /// The last lines of stdout and stderr, for failure messages.
    var excerpt: String {
        [("stdout", stdout), ("stderr", stderr)]
            .filter { !$0.1.isEmpty }
            .map { "--- \($0.0) ---\n\(Self.tail($0.1))" }
            .joined(separator: "\n")
    }

    static func tail(_ text: String, lines: Int = 40) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines).joined(separator: "\n")
    }
}

/// Runs programs for tests: output captured in temp files (so a daemon that
/// inherits them, like podman's conmon, cannot hold the test), stdin from a
/// given string (empty by default, never the terminal), and a time limit after
/// which the process group is killed and the run throws.
enum Subprocess {
    /// How long a process may take to exit after SIGTERM before it gets SIGKILL.
    static let termGrace: Duration = .seconds(5)

    /// Runs `program` (a path, or a name looked up on PATH) and waits for it off the cooperative pool.
    ///
    /// - Parameters:
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - stdin: what the program reads; nil gives it an empty file.
    ///   - directory: the working directory; nil keeps this process's.
    ///   - timeout: after this long the process group gets SIGTERM, then SIGKILL.
    /// - Throws: `HarnessError.timedOut` when the limit passes, `HarnessError.missingTool` when
    ///   the program cannot be found, or the error of spawning it. A non-zero status is not thrown;
    ///   call `check()` on the result for that.
    static func run(
        _ program: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        stdin: String? = nil,
        in directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try runBlocking(
                        program, arguments, environment: environment, stdin: stdin,
                        in: directory, timeout: timeout)
                })
            }
        }
    }

    /// `run`, blocking the calling thread: for `defer` blocks, which cannot await.
    static func runBlocking(
        _ program: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        stdin: String? = nil,
        in directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> ProcessOutput {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, added in added }
        guard let executable = locate(program, path: env["PATH"]) else {
            throw HarnessError.missingTool(program)
        }
        let command = ([program] + arguments).map(quoted).joined(separator: " ")

        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-test-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        let inPath = scratch.appendingPathComponent("stdin").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))

        let pid = try spawn(
            executable, arguments: [program] + arguments,
            environment: env.map { "\($0.key)=\($0.value)" },
            directory: directory?.path, stdin: inPath, stdout: outPath, stderr: errPath)

        let read = { (path: String) in
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
        guard let status = waitForExit(pid, within: timeout) else {
            // The child leads its own process group, so the whole tree it spawned is signalled.
            kill(-pid, SIGTERM)
            if waitForExit(pid, within: termGrace) == nil {
                kill(-pid, SIGKILL)
                _ = waitForExit(pid, within: termGrace)
            }
            let partial = ProcessOutput(command: command, status: -1, stdout: read(outPath), stderr: read(errPath))
            throw HarnessError.timedOut(command: command, limit: timeout, output: partial.excerpt)
        }
        return ProcessOutput(command: command, status: status, stdout: read(outPath), stderr: read(errPath))
    }

    /// The absolute path of `program`: itself when it has a slash, else the first match on `path`.
    static func locate(_ program: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories
            .map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func quoted(_ argument: String) -> String {
        let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) }
        return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

// posix_spawn rather than Foundation's Process: on Linux, Process learns of the
// exit through a socket the child inherits, so it waits for every descendant
// that keeps it open, and `podman run --detach` (whose conmon lives on) never
// returns. Spawning directly also lets the child open its own output files and
// inherit no other descriptor.
extension Subprocess {
    /// Starts `executable` in its own process group with default signal handling
    /// and only the three standard descriptors; returns its pid.
    static func spawn(
        _ executable: String, arguments: [String], environment: [String],
        directory: String?, stdin: String, stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let directory {
            guard let addChdir = FileActions.addChdir else {
                throw HarnessError.failed(
                    command: executable, status: -1,
                    output: "this C library cannot set a child's working directory")
            }
            try posixCheck(addChdir(&actions, directory))
        }
        try posixCheck(posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0))
        try posixCheck(posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        try posixCheck(posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        if let addClosefrom = FileActions.addClosefrom {
            try posixCheck(addClosefrom(&actions, 3))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        // Ignored signals (SIGPIPE in a Swift process) would stay ignored across exec.
        try posixCheck(posix_spawnattr_setsigmask(&attributes, &noSignals))
        try posixCheck(posix_spawnattr_setsigdefault(&attributes, &allSignals))
        try posixCheck(posix_spawnattr_setpgroup(&attributes, 0))
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        try posixCheck(posix_spawnattr_setflags(&attributes, Int16(flags)))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        try posixCheck(posix_spawn(&pid, executable, &actions, &attributes, argv, envp))
        return pid
    }

    /// Waits for `pid` to exit and reaps it; nil when it is still running after `limit`.
    /// The exit status, or 128 + the signal that ended it, as shells report it.
    static func waitForExit(_ pid: pid_t, within limit: Duration) -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var pause: Duration = .milliseconds(5)
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if reaped < 0, errno != EINTR {
                return -1
            }
            if clock.now >= deadline {
                return nil
            }
            usleep(UInt32(pause / .microseconds(1)))
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    private static func posixCheck(_ result: Int32) throws {
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` and `_addclosefrom_np`, which
/// Swift's Glibc module does not declare (they need _GNU_SOURCE): found at run time.
private enum FileActions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        #if canImport(Darwin)
        let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
        let handle: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
