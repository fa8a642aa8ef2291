#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open regular file whose bytes go into an archive, read in chunks.
struct SourceFile: ~Copyable {
    let path: PathBytes
    private let descriptor: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: `ArchiveError.cannotOpen` when it cannot be opened.
    init(opening path: PathBytes) throws(ArchiveError) {
        let descriptor = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .cannotOpen(path, errno: errno) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The file's size, checking that it is a regular file.
    ///
    /// - Throws: `ArchiveError.cannotRead` when `fstat` fails, `ArchiveError.notRegularFile` for anything else.
    func regularFileSize() throws(ArchiveError) -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotRead(path, errno: errno) }
        guard UInt32(status.st_mode) & FileType.mask == FileType.regular else { throw .notRegularFile(path) }
        return Int64(status.st_size)
    }

    /// Reads up to `buffer.count` bytes; 0 means the end of the file.
    ///
    /// - Throws: `ArchiveError.cannotRead` when `read` fails.
    func readChunk(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw .cannotRead(path, errno: errno) }
        }
    }
}
