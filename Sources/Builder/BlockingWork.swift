import Foundation

/// Runs long blocking work (compressing a layer, reading a pipe, waiting) on a thread of its own,
/// so that it never holds one of the few threads of Swift's cooperative pool.
///
/// The builder's only way off the pool; Registry has its own `BlockingWork` (it does not
/// depend on Builder), which a shared lower module could hold one day.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: work())
            }.start()
        }
    }
}
