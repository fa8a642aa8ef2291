import Archive
import Foundation
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// An open file descriptor and the few POSIX calls the store needs that
/// Foundation does not offer: `fsync`, `flock`, exclusive creation, `rename`.
///
/// Every failure becomes a `StoreError` naming the path; permission errors on
/// writes become `notWritable` naming the folder.
struct POSIXFile {
    let descriptor: Int32
    let path: String

    /// Opens `path` with `flags` (`O_CLOEXEC` is always added).
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644, writing: Bool) throws(StoreError) -> POSIXFile {
        while true {
            let descriptor = SystemCall.open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return POSIXFile(descriptor: descriptor, path: path) }
            if errno == EINTR { continue }
            throw .posix("open", path: path, errno: errno, writing: writing)
        }
    }

    /// Writes all of `bytes`, continuing after short writes and interruptions.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = SystemCall.write(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw .posix("write", path: path, errno: errno, writing: true)
            }
            next += written
            remaining -= written
        }
    }

    /// Writes all of `data`.
    func write(_ data: Data) throws(StoreError) {
        // `withUnsafeBytes` rethrows untyped errors, so the error is carried out by hand.
        let failure: StoreError? = data.withUnsafeBytes { bytes in
            do throws(StoreError) { try write(bytes) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Reads up to `limit` bytes from the current offset; fewer only at the end of the file.
    func read(upTo limit: Int) throws(StoreError) -> Data {
        var data = Data(count: limit)
        var total = 0
        var failure: Int32 = 0
        data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while total < limit {
                let count = SystemCall.read(descriptor, base + total, limit - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if count == 0 { return }
                total += count
            }
        }
        if failure != 0 { throw .posix("read", path: path, errno: failure, writing: false) }
        data.count = total
        return data
    }

    /// The file's size in bytes.
    func size() throws(StoreError) -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .posix("inspect", path: path, errno: errno, writing: false)
        }
        return Int64(status.st_size)
    }

    /// Flushes the file's data to the disk, so that a rename after it never publishes missing bytes.
    func sync() throws(StoreError) {
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw .posix("sync", path: path, errno: errno, writing: true)
        }
    }

    /// Takes an exclusive `flock`, waiting for other holders.
    func lockExclusively() throws(StoreError) {
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw .posix("lock", path: path, errno: errno, writing: true)
        }
    }

    /// Takes a shared `flock`, waiting while another process holds it exclusively.
    func lockShared() throws(StoreError) {
        while flock(descriptor, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            throw .posix("lock", path: path, errno: errno, writing: false)
        }
    }

    /// Takes an exclusive `flock` if nobody holds it; false when somebody does.
    func tryLockExclusively() throws(StoreError) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw .posix("lock", path: path, errno: errno, writing: true)
        }
        return true
    }

    /// Closes the descriptor, which also releases a `flock` held through it.
    func close() {
        _ = SystemCall.close(descriptor)
    }

    /// Renames `source` to `destination` atomically, replacing it, and syncs the destination's folder.
    static func rename(_ source: String, to destination: String) throws(StoreError) {
        guard SystemCall.rename(source, destination) == 0 else {
            throw .posix("rename into place", path: destination, errno: errno, writing: true)
        }
        syncFolder(of: destination)
    }

    /// Syncs the folder holding `path`, so that a rename into it survives a crash; best effort.
    static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = SystemCall.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = SystemCall.close(descriptor)
    }

    /// Removes `path` if it exists; failures are ignored, since this only cleans up.
    static func remove(_ path: String) {
        _ = SystemCall.unlink(path)
    }

    /// Creates `path` and its missing parents, like `mkdir -p`.
    static func makeFolder(_ path: String) throws(StoreError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        guard SystemCall.mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw .posix("create folder", path: path, errno: errno, writing: true)
        }
    }

    /// Writes `data` to `path` through a temporary file in the same folder, so readers see the old or the new content, never a mix.
    ///
    /// `AtomicFile` does the work (temporary file, `fsync`, rename, folder sync); its
    /// error becomes a `StoreError` like the other calls here.
    static func writeAtomically(_ data: Data, to path: String) throws(StoreError) {
        do throws(ArchiveError) {
            try AtomicFile.write(data, to: path)
        } catch {
            switch error {
            case let .cannotWrite(_, code):
                throw .posix("write", path: path, errno: code, writing: true)
            default:
                throw .fileSystem(operation: "write", path: path, reason: error.description)
            }
        }
    }
}

extension StoreError {
    /// The error for a failed system call: `notWritable` for permission errors while writing, else `fileSystem`.
    static func posix(_ operation: String, path: String, errno code: Int32, writing: Bool) -> StoreError {
        if writing && (code == EACCES || code == EPERM || code == EROFS) {
            return .notWritable(folder: (path as NSString).deletingLastPathComponent)
        }
        return .fileSystem(operation: operation, path: path, reason: String(cString: strerror(code)))
    }
}

/// The C library's calls, under names that do not clash with `POSIXFile`'s methods.
private enum SystemCall {
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        #if canImport(Darwin)
        Darwin.open(path, flags, mode)
        #else
        Glibc.open(path, flags, mode)
        #endif
    }
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.write(descriptor, bytes, count)
        #else
        Glibc.write(descriptor, bytes, count)
        #endif
    }
    static func read(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.read(descriptor, bytes, count)
        #else
        Glibc.read(descriptor, bytes, count)
        #endif
    }
    static func close(_ descriptor: Int32) -> Int32 {
        #if canImport(Darwin)
        Darwin.close(descriptor)
        #else
        Glibc.close(descriptor)
        #endif
    }
    static func rename(_ source: String, _ destination: String) -> Int32 {
        #if canImport(Darwin)
        Darwin.rename(source, destination)
        #else
        Glibc.rename(source, destination)
        #endif
    }
    static func mkdir(_ path: String, _ mode: mode_t) -> Int32 {
        #if canImport(Darwin)
        Darwin.mkdir(path, mode)
        #else
        Glibc.mkdir(path, mode)
        #endif
    }
    static func unlink(_ path: String) -> Int32 {
        #if canImport(Darwin)
        Darwin.unlink(path)
        #else
        Glibc.unlink(path)
        #endif
    }
}
