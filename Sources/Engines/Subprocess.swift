import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished program printed and how it ended.
public struct ProcessOutput: Sendable, Hashable {
    /// The command as a shell would show it, for messages.
    public var command: String
    /// The exit status, or 128 + the signal that ended it.
    public var status: Int32
    /// Everything it wrote to stdout (with `mergeOutput`, stdout and stderr interleaved).
    public var stdout: String
    /// Everything it wrote to stderr.
    public var stderr: String

    /// A finished program's output.
    public init(command: String, status: Int32, stdout: String, stderr: String) {
        self.command = command
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether it exited 0.
    public var succeeded: Bool { status == 0 }

    /// The last non-empty line of stderr, else of stdout: where engines say
    /// what went wrong. docker's closing "Run 'docker run --help' for more
    /// information" is passed over for the line before it.
    public var lastErrorLine: String {
        for text in [stderr, stdout] {
            let lines = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !($0.hasPrefix("Run '") && $0.hasSuffix("--help' for more information")) }
            if let line = lines.last { return line }
        }
        return ""
    }
}

/// Runs programs as a user would type them: without a shell, each in its own
/// process group (so the terminal's Ctrl-C reaches gantry only, and gantry
/// decides what to stop), with bounded time.
///
/// Built on `posix_spawn` rather than Foundation's `Process`: on Linux,
/// `Process` learns of the exit through a descriptor the child inherits, so
/// it waits for every descendant that keeps it, and `podman run --detach`
/// leaves `conmon` running. For the same reason output goes to unlinked
/// temp files, not pipes, whose write end a lingering descendant could hold.
public enum Subprocess {
    /// Runs `executable` and returns its output, whatever its exit status.
    ///
    /// - Parameters:
    ///   - executable: a path, or a name looked up on `PATH`.
    ///   - arguments: the arguments, without the program name.
    ///   - environment: replaces the environment when given.
    ///   - timeout: how long it may run; then it is sent SIGTERM, and SIGKILL 2 s later.
    ///   - mergeOutput: stdout and stderr into one stream, as a terminal shows them.
    /// The child leads its own process group; when the calling task is
    /// cancelled, it is stopped and `EngineError.interrupted` thrown.
    ///
    /// - Throws: `EngineError.cannotStart`, `.timedOut` or `.interrupted`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration, mergeOutput: Bool = false
    ) async throws(EngineError) -> ProcessOutput {
        let command = commandLine(executable, arguments)
        let out = try TempCapture(command: command)
        let err = mergeOutput ? out : try TempCapture(command: command)
        let child = try ChildProcess.spawn(
            executable, arguments, environment: environment,
            stdout: .descriptor(out.fd), stderr: .descriptor(err.fd))
        guard let status = await child.wait(timeout: timeout) else {
            await child.terminate()
            if Task.isCancelled { throw EngineError.interrupted(command: command) }
            throw EngineError.timedOut(command: command, seconds: Int(timeout.components.seconds))
        }
        return ProcessOutput(command: command, status: status, stdout: out.contents(),
                             stderr: mergeOutput ? "" : err.contents())
    }

    /// Runs `executable` with its stdout on the terminal's stdout and its
    /// stderr copied to the terminal's stderr as it comes, keeping the last
    /// lines of stderr for the error message.
    ///
    /// The child shares gantry's process group, as a shell's foreground job:
    /// the terminal's Ctrl-C stops both.
    ///
    /// - Returns: the exit status in `status` and the end of stderr in `stderr`.
    /// - Throws: `EngineError.cannotStart`, or `EngineError.timedOut`.
    public static func stream(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Duration
    ) async throws(EngineError) -> ProcessOutput {
        let command = commandLine(executable, arguments)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw EngineError.cannotStart(command: command, reason: String(cString: strerror(errno)))
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let tee = StderrTee(readEnd: fds[0])
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable, arguments, environment: environment, stdout: .inherit, stderr: .descriptor(fds[1]),
                ownProcessGroup: false)
        } catch {
            close(fds[1])
            tee.finish(within: .zero)
            throw error
        }
        close(fds[1])
        let status = await child.wait(timeout: timeout)
        if status == nil { await child.terminate() }
        let tail = await tee.finishAsync(within: .seconds(2))
        guard let status else {
            if Task.isCancelled { throw EngineError.interrupted(command: command) }
            throw EngineError.timedOut(command: command, seconds: Int(timeout.components.seconds))
        }
        return ProcessOutput(command: command, status: status, stdout: "", stderr: tail)
    }

    /// The absolute path of `program`: itself when it has a slash, else the first executable match on `PATH`.
    public static func locate(_ program: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        let directories = (path.flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories
            .map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `program arg…` with arguments quoted where a shell would need it.
    public static func commandLine(_ program: String, _ arguments: [String]) -> String {
        let name = program.split(separator: "/").last.map(String.init) ?? program
        return ([name] + arguments).map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,{}".contains($0) }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

/// An unlinked temp file a child writes its output to; read back once it exits.
private final class TempCapture: @unchecked Sendable {
    let fd: Int32

    init(command: String) throws(EngineError) {
        var template = Array((NSTemporaryDirectory() + "/gantry-output-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else {
            throw EngineError.cannotStart(command: command, reason: "cannot make a temp file: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
    }

    deinit { close(fd) }

    func contents() -> String {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            offset += off_t(count)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Copies a child's stderr to ours as it comes and keeps its last 8 KiB.
private final class StderrTee: @unchecked Sendable {
    private let readEnd: Int32
    private let lock = NSLock()
    private var tail = Data()
    private var done = false
    private let finished = DispatchSemaphore(value: 0)

    init(readEnd: Int32) {
        self.readEnd = readEnd
        let thread = Thread { [self] in pump() }
        thread.name = "gantry-stderr-tee"
        thread.start()
    }

    private func pump() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var written = 0
                while written < count {
                    let result = write(2, raw.baseAddress.map { $0 + written }, count - written)
                    if result < 0 && errno == EINTR { continue }
                    if result <= 0 { break }
                    written += result
                }
            }
            lock.lock()
            tail.append(contentsOf: buffer[0..<count])
            if tail.count > 8192 { tail.removeFirst(tail.count - 8192) }
            lock.unlock()
        }
        close(readEnd)
        lock.lock()
        done = true
        lock.unlock()
        finished.signal()
    }

    /// Waits up to `limit` for the stream to end and returns what was kept.
    /// A descendant still holding the pipe is left to it; the thread ends with the pipe.
    @discardableResult
    func finish(within limit: Duration) -> String {
        _ = finished.wait(timeout: .now() + .milliseconds(Int(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)))
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: tail, as: UTF8.self)
    }

    func finishAsync(within limit: Duration) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.finish(within: limit)) }
        }
    }
}
