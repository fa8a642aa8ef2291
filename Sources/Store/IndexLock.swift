#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// The exclusive lock that serializes changes to a store's `index.json`.
///
/// An advisory `flock` on `index.json.lock` in the store's root: it excludes
/// other gantry processes and other `ImageStore` values in this process alike,
/// since each acquisition opens its own file description. The kernel drops the
/// lock when its holder exits, so a crash never leaves the store locked.
struct IndexLock {
    /// The lock file, `ROOT/index.json.lock`.
    let path: String

    /// Runs `body` while holding the lock, waiting for other holders first.
    ///
    /// `body` blocks other writers of the index, so it should only read and
    /// write `index.json`.
    func withLock<Result>(_ body: () throws(StoreError) -> Result) throws(StoreError) -> Result {
        let file = try POSIXFile.open(path, flags: O_RDWR | O_CREAT, writing: true)
        defer { file.close() }
        try file.lockExclusively()
        return try body()
    }
}
