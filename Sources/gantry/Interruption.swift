import ArgumentParser
import Foundation
import Registry

/// Runs a transfer so that Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the work is cancelled,
/// which aborts its HTTP transfers and cancels the registry's upload sessions; nothing in the store
/// is half-written (blobs are renamed into place only when complete), so running the command
/// again finishes the job and skips what already arrived.
enum Interruption {
    /// Runs `work`; on a signal, cancels it, says so in one line and exits 128 + the signal.
    static func run<Value: Sendable>(_ what: String, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let trap = SignalTrap()
        let task = Task { try await work() }
        let watcher = Task { () -> Int32? in
            guard let signal = await trap.next() else { return nil }
            task.cancel()
            return signal
        }
        let result = await task.result
        watcher.cancel()
        if let signal = await watcher.value {
            Terminal.error("\(what) interrupted by \(SignalTrap.name(signal)); run the command again to finish (what arrived is kept)")
            throw ExitCode(SignalTrap.exitStatus(for: signal))
        }
        return try result.get()
    }
}

extension ImageCopy {
    /// Runs the copy under `Interruption`.
    func runInterruptibly(_ what: String, progress: @escaping @Sendable (CopyEvent) -> Void) async throws -> ManifestDocument {
        let copy = self
        return try await Interruption.run(what) { try await copy.run(progress: progress) }
    }
}
