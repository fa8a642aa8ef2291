import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written atomically: bytes go to a temporary file beside it, which
/// replaces the file only on `commit()`; otherwise it is removed.
final class OutputFile {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    /// Whether the temporary file is gone: renamed into place or removed.
    private var isSettled = false

    /// Creates the temporary file for `path`, with permission bits `mode` (before the umask).
    ///
    /// - Throws: `ArchiveError.cannotWrite` when it cannot be created.
    init(replacing path: String, mode: mode_t = 0o644) throws(ArchiveError) {
        let url = URL(fileURLWithPath: path)
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent("." + url.lastPathComponent + ".tmp-" + UUID().uuidString).path
        var descriptor: Int32
        repeat {
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .cannotWrite(path, errno: errno) }
        self.path = path
        self.temporaryPath = temporaryPath
        self.descriptor = descriptor
    }

    deinit {
        discard()
    }

    /// The temporary file's descriptor, for writers that write to it themselves (libarchive).
    var fileDescriptor: Int32 { descriptor }

    /// Appends `bytes` to the temporary file.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let count = writeBytes(descriptor, base + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path, errno: errno)
            }
            offset += count
        }
    }

    /// Flushes the temporary file to disk, renames it to `path` and syncs the folder,
    /// so that neither missing bytes nor a lost rename can follow a crash.
    func commit() throws(ArchiveError) {
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw .cannotWrite(path, errno: errno)
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else { throw .cannotWrite(path, errno: errno) }
        isSettled = true
        syncFolder()
    }

    /// Syncs the folder holding `path`, so that the rename into it is on disk; best effort.
    private func syncFolder() {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderDescriptor >= 0 else { return }
        _ = fsync(folderDescriptor)
        close(folderDescriptor)
    }

    /// Closes and removes the temporary file, unless it was committed.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        if !isSettled {
            unlink(temporaryPath)
            isSettled = true
        }
    }
}

/// `write(2)`, under a name the methods called `write` do not hide.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Writes small files whole and atomically: a reader sees the old file or the new one, never a part.
public enum AtomicFile {
    /// Writes `data` to `path` through a temporary file beside it, synced to disk, renamed into place.
    ///
    /// - Parameters:
    ///   - data: The bytes.
    ///   - path: The file; an existing one is replaced.
    ///   - mode: Permission bits of the new file (before the umask); `0o600` for a secret.
    /// - Throws: `ArchiveError.cannotWrite`; no temporary file is left behind.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws(ArchiveError) {
        let file = try OutputFile(replacing: path, mode: mode)
        do {
            try data.withUnsafeBytes { try file.write($0) }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw .cannotWrite(path, errno: EIO)
        }
        try file.commit()
    }
}
