import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A started program: it can be waited for with a time limit, signalled,
/// and stopped.
///
/// A thread blocks in `waitpid` for it, so the exit is seen at once and the
/// child is always reaped.
public final class ChildProcess: Sendable {
    /// Where a child's stdout or stderr goes.
    public enum Output: Sendable {
        /// The same as gantry's own.
        case inherit
        /// `/dev/null`.
        case discard
        /// An open descriptor of the caller's, which stays the caller's to close.
        case descriptor(Int32)
        /// A file, created or truncated.
        case file(String)
    }

    /// The process id.
    public let pid: pid_t
    /// The command line, for messages.
    public let command: String
    /// Whether it leads its own process group (and its descendants are in it).
    public let leadsProcessGroup: Bool
    private let exitWatch = ExitWatch()

    private init(pid: pid_t, command: String, leadsProcessGroup: Bool) {
        self.pid = pid
        self.command = command
        self.leadsProcessGroup = leadsProcessGroup
        let exitWatch = self.exitWatch
        let thread = Thread {
            var status: Int32 = 0
            var reaped: pid_t
            repeat {
                reaped = waitpid(pid, &status, 0)
            } while reaped < 0 && errno == EINTR
            let signal = status & 0x7f
            exitWatch.finish(reaped == pid ? (signal == 0 ? (status >> 8) & 0xff : 128 + signal) : -1)
        }
        thread.name = "gantry-wait-\(pid)"
        thread.start()
    }

    /// Starts `executable` with stdin from `/dev/null`.
    ///
    /// - Parameters:
    ///   - executable: a path, or a name looked up on `PATH`.
    ///   - arguments: the arguments, without the program name.
    ///   - environment: replaces the environment when given.
    ///   - stdout: where its stdout goes.
    ///   - stderr: where its stderr goes.
    ///   - ownProcessGroup: start it in a process group of its own, so the
    ///     terminal's Ctrl-C reaches gantry and not it: for commands gantry
    ///     must finish or stop itself. Otherwise it shares gantry's group and
    ///     its fate, as a shell's foreground job does.
    /// - Throws: `EngineError.cannotStart` when it is not found or cannot be spawned.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdout: Output = .inherit, stderr: Output = .inherit, ownProcessGroup: Bool = true
    ) throws(EngineError) -> ChildProcess {
        let command = Subprocess.commandLine(executable, arguments)
        let env = environment ?? ProcessInfo.processInfo.environment
        guard let path = Subprocess.locate(executable, path: env["PATH"]) else {
            throw EngineError.cannotStart(command: command, reason: "\(executable) is not on PATH")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        func check(_ result: Int32) throws(EngineError) {
            guard result == 0 else { throw EngineError.cannotStart(command: command, reason: String(cString: strerror(result))) }
        }
        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        for (target, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .inherit: break
            case .discard: try check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0))
            case .descriptor(let fd): try check(posix_spawn_file_actions_adddup2(&actions, fd, target))
            case .file(let file): try check(posix_spawn_file_actions_addopen(&actions, target, file, O_WRONLY | O_CREAT | O_TRUNC, 0o644))
            }
        }
        if let closeFrom = SpawnExtras.addClosefrom {
            try check(closeFrom(&actions, 3))
        }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        // Signals gantry ignores (SIGPIPE, SIGINT while it handles them) would stay ignored across exec.
        try check(posix_spawnattr_setsigmask(&attributes, &noSignals))
        try check(posix_spawnattr_setsigdefault(&attributes, &allSignals))
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            try check(posix_spawnattr_setpgroup(&attributes, 0))
            flags |= POSIX_SPAWN_SETPGROUP
        }
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        // ETXTBSY: a program just written is still open for writing in a child another thread forked
        // at that moment; the descriptor closes at that child's exec, so try again a few times.
        var result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        for _ in 0..<20 where result == ETXTBSY {
            usleep(10_000)
            result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        }
        try check(result)
        return ChildProcess(pid: pid, command: command, leadsProcessGroup: ownProcessGroup)
    }

    /// The exit status once it has exited (128 + signal when a signal ended it), else nil.
    public var exitStatus: Int32? { exitWatch.status }

    /// Waits for the exit; nil when `timeout` passes first or the task is cancelled.
    public func wait(timeout: Duration? = nil) async -> Int32? {
        if let status = exitWatch.status { return status }
        guard let timeout else { return await exitWatch.wait() }
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exitWatch.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? exitWatch.status
        }
    }

    /// Sends `signal` to the child, and to its process group when it leads one.
    public func signal(_ signal: Int32) {
        guard exitWatch.status == nil else { return }
        _ = kill(leadsProcessGroup ? -pid : pid, signal)
    }

    /// Stops it: SIGTERM, then SIGKILL when it has not exited after `grace`.
    /// Waits even when the calling task is cancelled: stopping is cleanup.
    public func terminate(grace: Duration = .seconds(2)) async {
        guard exitWatch.status == nil else { return }
        signal(SIGTERM)
        let exited = await Task.detached { await self.wait(timeout: grace) }.value
        if exited == nil {
            signal(SIGKILL)
            _ = await Task.detached { await self.wait(timeout: grace) }.value
        }
    }
}

/// The exit status of one child, and the tasks waiting for it.
private final class ExitWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: Int32?
    private var waiters: [UUID: CheckedContinuation<Int32?, Never>] = [:]

    var status: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    func finish(_ status: Int32) {
        lock.lock()
        finished = status
        let waiting = waiters
        waiters = [:]
        lock.unlock()
        for continuation in waiting.values { continuation.resume(returning: status) }
    }

    /// The status once it is known; nil if the task is cancelled first.
    func wait() async -> Int32? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                lock.lock()
                if let finished {
                    lock.unlock()
                    continuation.resume(returning: finished)
                } else if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiters[id] = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let continuation = waiters.removeValue(forKey: id)
            lock.unlock()
            continuation?.resume(returning: nil)
        }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc
/// module does not declare (it needs _GNU_SOURCE): found at run time, so the
/// child inherits no descriptor of gantry's beyond the three it is given.
private enum SpawnExtras {
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addClosefrom: AddClosefrom? = {
        #if canImport(Darwin)
        return nil
        #else
        guard let address = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(address, to: AddClosefrom.self)
        #endif
    }()
}
