import Foundation

/// Runs blocking work (a curl transfer, a child process) on a thread of its own, so that it never
/// holds one of the few threads of Swift's cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: work())
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
