import Foundation

/// Runs blocking work (a curl transfer, a child process, compressing a layer, reading a pipe) on a
/// thread of its own, so that it never holds one of the few threads of Swift's cooperative pool.
public enum BlockingWork {
    /// Runs `work` on a new thread and returns its result.
    /// - Parameters:
    ///   - stackSize: the thread's stack in bytes; 0 for the system's default.
    ///   - work: the blocking work.
    public static func run<T: Sendable>(stackSize: Int = 0, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: work())
            }
            if stackSize > 0 { thread.stackSize = stackSize }
            thread.start()
        }
    }
}
