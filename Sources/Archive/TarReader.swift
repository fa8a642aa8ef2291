import CArchive

/// Reads a tar stream entry by entry with libarchive: any tar dialect (ustar,
/// pax, GNU, v7) under any compression libarchive detects (gzip, zstd, xz,
/// bzip2, ...), from a file or a pipe.
///
/// Paths come back as the bytes in the archive, whatever the locale, so names
/// that are not UTF-8 survive. Call `nextHeader()`, then `readData(into:)`
/// until it returns 0, or skip to the next header.
///
/// A reader is used from one task at a time.
public final class TarReader {
    /// What the reader reads from, for messages: a path or `file descriptor N`.
    public let source: String

    private let archive: OpaquePointer
    private var currentEntry: OpaquePointer?

    /// Bytes libarchive reads from the source at a time.
    private static let readBlockSize = 64 * 1024

    /// Reads from an open file descriptor, such as the read end of a pipe
    /// from `mmdebstrap`; the caller keeps ownership and closes it.
    ///
    /// - Parameters:
    ///   - fileDescriptor: The descriptor to read from.
    ///   - name: What to call the stream in messages; `file descriptor N` by default.
    /// - Throws: `ArchiveError.readFailed` when libarchive cannot start reading.
    public init(fileDescriptor: Int32, name: String? = nil) throws(ArchiveError) {
        source = name ?? "file descriptor \(fileDescriptor)"
        archive = try Self.makeArchive(source: source)
        try open(archive_read_open_fd(archive, fileDescriptor, Self.readBlockSize))
    }

    /// Reads the file at `path`.
    ///
    /// - Parameters:
    ///   - path: The tar file, compressed or not.
    ///   - acceptingZip: Also read a zip file (such as an Elastic Beanstalk source bundle).
    /// - Throws: `ArchiveError.readFailed` when the file cannot be opened or is not a tar stream.
    public init(path: String, acceptingZip: Bool = false) throws(ArchiveError) {
        source = path
        archive = try Self.makeArchive(source: source)
        if acceptingZip { archive_read_support_format_zip(archive) }
        try open(archive_read_open_filename(archive, path, Self.readBlockSize))
    }

    deinit {
        archive_read_free(archive)
    }

    /// Moves to the next entry and returns its header, or nil at the end of the stream.
    ///
    /// Data of the previous entry that was not read is skipped. Access and
    /// change times, sub-second times, ACLs and file flags are not part of
    /// the header.
    ///
    /// - Returns: The header, or nil after the last entry.
    /// - Throws: `ArchiveError.readFailed` for a damaged or truncated stream,
    ///   `ArchiveError.unsupportedEntry` for a socket or an unknown file type.
    public func nextHeader() throws(ArchiveError) -> TarHeader? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        switch status {
        case ARCHIVE_EOF:
            currentEntry = nil
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            // A warning is usually a name that does not convert to the locale's
            // charset; the raw bytes are still there, and they are what we want.
            guard let entry else { throw .readFailed(source: source, message: "libarchive returned no entry") }
            currentEntry = entry
            return try header(of: entry)
        default:
            currentEntry = nil
            throw .readFailed(source: source, message: errorMessage)
        }
    }

    /// Reads the current entry's data; returns 0 at the end of the entry's data.
    ///
    /// Holes in sparse files come back as zeros.
    ///
    /// - Parameter buffer: Where to put the bytes.
    /// - Returns: The number of bytes read, 0 at the end.
    /// - Throws: `ArchiveError.readFailed` for a damaged or truncated stream.
    public func readData(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard currentEntry != nil, let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let count = archive_read_data(archive, base, buffer.count)
        guard count >= 0 else { throw .readFailed(source: source, message: errorMessage) }
        return count
    }

    /// Reads the current entry's data to its end, handing it to `body` a chunk at a time.
    ///
    /// - Parameters:
    ///   - chunkSize: The most bytes handed over at once.
    ///   - body: Takes each chunk; the buffer is valid only during the call.
    /// - Throws: `ArchiveError.readFailed` for a damaged stream, and what `body` throws.
    public func readData(chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try readData(into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    private func header(of entry: OpaquePointer) throws(ArchiveError) -> TarHeader {
        guard let pathPointer = archive_entry_pathname(entry) else {
            throw .readFailed(source: source, message: "an entry has no path")
        }
        let path = PathBytes(cString: pathPointer)
        let kind = try kind(of: entry, path: path)
        guard let uid = UInt32(exactly: archive_entry_uid(entry)), let gid = UInt32(exactly: archive_entry_gid(entry)) else {
            throw .readFailed(source: source, message: "\(path) has a uid or gid outside 0...\(UInt32.max)")
        }
        return TarHeader(
            path: path,
            kind: kind,
            permissions: UInt32(archive_entry_perm(entry)) & 0o7777,
            uid: uid,
            gid: gid,
            userName: archive_entry_uname(entry).map { String(cString: $0) } ?? "",
            groupName: archive_entry_gname(entry).map { String(cString: $0) } ?? "",
            modificationTime: archive_entry_mtime_is_set(entry) != 0 ? Int64(archive_entry_mtime(entry)) : 0,
            size: kind == .regularFile ? max(0, archive_entry_size(entry)) : 0,
            extendedAttributes: extendedAttributes(of: entry))
    }

    private func kind(of entry: OpaquePointer, path: PathBytes) throws(ArchiveError) -> TarHeader.Kind {
        if let target = archive_entry_hardlink(entry) {
            return .hardLink(target: PathBytes(cString: target))
        }
        let major = UInt32(truncatingIfNeeded: archive_entry_rdevmajor(entry))
        let minor = UInt32(truncatingIfNeeded: archive_entry_rdevminor(entry))
        switch UInt32(archive_entry_filetype(entry)) & FileType.mask {
        case FileType.regular: return .regularFile
        case FileType.directory: return .directory
        case FileType.symbolicLink:
            guard let target = archive_entry_symlink(entry) else {
                throw .readFailed(source: source, message: "symlink \(path) has no target")
            }
            return .symbolicLink(target: PathBytes(cString: target))
        case FileType.characterDevice: return .characterDevice(major: major, minor: minor)
        case FileType.blockDevice: return .blockDevice(major: major, minor: minor)
        case FileType.fifo: return .fifo
        case FileType.socket: throw .unsupportedEntry(source: source, path: path, kind: "socket")
        default: throw .unsupportedEntry(source: source, path: path, kind: "an entry of unknown type")
        }
    }

    private func extendedAttributes(of entry: OpaquePointer) -> [ExtendedAttribute] {
        var attributes: [ExtendedAttribute] = []
        var remaining = archive_entry_xattr_reset(entry)
        while remaining > 0 {
            remaining -= 1
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK, let name else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            attributes.append(ExtendedAttribute(name: String(cString: name), value: bytes))
        }
        return attributes
    }

    private static func makeArchive(source: String) throws(ArchiveError) -> OpaquePointer {
        guard let archive = archive_read_new() else {
            throw .readFailed(source: source, message: "libarchive could not allocate a reader")
        }
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        return archive
    }

    private func open(_ status: Int32) throws(ArchiveError) {
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            throw .readFailed(source: source, message: errorMessage)
        }
    }

    private var errorMessage: String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error"
    }
}
