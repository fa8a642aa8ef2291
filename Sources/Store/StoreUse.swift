import Foundation
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// How a gantry process holds its store: every command shares it for as long as it runs, and
/// `gantry prune` alone holds it exclusively, so that a prune never deletes a blob a build, pull,
/// push or dev run is about to name or read.
///
/// An advisory `flock` on `ROOT/store.lock`, taken once per process and root and kept until the
/// process exits (the kernel drops it then, so a crash never leaves the store held).
public enum StoreUse: Sendable {
    /// Shared with other commands; waits while a prune runs.
    case shared
    /// Alone: fails at once when another command holds the store.
    case exclusive

    /// The lock file of a store.
    static func lockPath(root: URL) -> String { root.appendingPathComponent("store.lock").path }

    /// Takes the lock on `root` for the rest of the process.
    /// - Throws: `StoreError.storeBusy` for `.exclusive` when another process holds the store.
    func hold(root: URL) throws(StoreError) {
        try HeldStores.shared.hold(StoreUse.lockPath(root: root), as: self, store: root.path)
    }
}

extension ImageStore {
    /// Holds this store for the rest of the process (`ImageStore.default` does it for commands).
    /// - Throws: `StoreError.storeBusy` for `.exclusive` when another process holds the store.
    public func hold(_ use: StoreUse) throws(StoreError) {
        try use.hold(root: root)
    }
}

/// The store locks this process holds, by lock path: their descriptors stay open until exit.
private final class HeldStores: @unchecked Sendable {
    static let shared = HeldStores()
    private let lock = NSLock()
    private var held: [String: (file: POSIXFile, use: StoreUse)] = [:]

    func hold(_ path: String, as use: StoreUse, store: String) throws(StoreError) {
        lock.lock()
        defer { lock.unlock() }
        if let current = held[path] {
            // Held shared already, this process cannot have it alone without letting go first, and a
            // prune then could slip in between: it is busy.
            if case .shared = current.use, case .exclusive = use { throw .storeBusy(store: store) }
            return
        }
        let file: POSIXFile
        do {
            file = try POSIXFile.open(path, flags: O_RDWR | O_CREAT, writing: true)
        } catch {
            // A store this user cannot write is still read (gantry images); nobody prunes it through us.
            guard case .shared = use, case .notWritable = error else { throw error }
            guard let readOnly = try? POSIXFile.open(path, flags: O_RDONLY, writing: false) else { return }
            file = readOnly
        }
        switch use {
        case .shared:
            do { try file.lockShared() } catch { file.close(); throw error }
        case .exclusive:
            let alone: Bool
            do { alone = try file.tryLockExclusively() } catch { file.close(); throw error }
            guard alone else {
                file.close()
                throw .storeBusy(store: store)
            }
        }
        held[path] = (file, use)
    }
}
