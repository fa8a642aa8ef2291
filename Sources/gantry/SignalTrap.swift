import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Catches SIGINT and SIGTERM so gantry can clean up before it exits:
/// while a trap is installed the signals no longer end the process; they
/// queue here and `next()` hands them out.
final class SignalTrap: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int32] = []
    private var waiters: [UUID: CheckedContinuation<Int32?, Never>] = [:]
    private var sources: [DispatchSourceSignal] = []

    /// Installs the trap for `signals`.
    init(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func deliver(_ number: Int32) {
        lock.lock()
        if let (id, waiter) = waiters.first {
            waiters.removeValue(forKey: id)
            lock.unlock()
            waiter.resume(returning: number)
        } else {
            pending.append(number)
            lock.unlock()
        }
    }

    /// The next signal caught; nil when the calling task is cancelled first.
    func next() async -> Int32? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                lock.lock()
                if !pending.isEmpty {
                    let number = pending.removeFirst()
                    lock.unlock()
                    continuation.resume(returning: number)
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

    /// The exit status a shell reports for a process ended by `signal`.
    static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    /// `SIGINT` or `SIGTERM`, for messages.
    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }
}
