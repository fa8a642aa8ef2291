import CArchive
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a zip file with libarchive (deflate), atomically: entries go to a
/// temporary file beside the destination, which replaces it only on
/// `finish()`; on an error or without `finish()` nothing is left behind.
///
/// Entries keep their order and their permission bits (Unix attributes, so
/// `unzip` restores an executable bit); owners are root. libarchive writes the
/// DOS time of each entry in the process's local time zone besides the UTC
/// time in an extra field, so identical bytes across machines need the same
/// `TZ` (gantry sets `UTC`).
///
/// ```swift
/// let zip = try ZipWriter(path: "app.zip", maximumSize: 500_000_000)
/// try zip.append(.file("Dockerrun.aws.json", contents: .data(json), modificationTime: epoch))
/// try zip.finish()
/// ```
public final class ZipWriter {
    /// The zip's path.
    public let path: String
    /// The largest zip allowed, in bytes; writing more fails with `ArchiveError.archiveTooLarge`.
    public let maximumSize: Int64?

    private let output: OutputFile
    private let archive: OpaquePointer
    private var isOpen = true

    /// Bytes read from a source file at a time.
    static let readChunkSize = 1024 * 1024

    /// Starts a zip at `path`.
    ///
    /// - Parameters:
    ///   - path: Where the zip goes; an existing file is replaced by `finish()`.
    ///   - maximumSize: The largest zip allowed, or nil for no limit.
    /// - Throws: `ArchiveError.cannotWrite` when the temporary file cannot be
    ///   made, `.compressionFailed` when libarchive cannot set up the zip writer.
    public init(path: String, maximumSize: Int64? = nil) throws(ArchiveError) {
        self.path = path
        self.maximumSize = maximumSize
        output = try OutputFile(replacing: path)
        guard let archive = archive_write_new() else {
            output.discard()
            throw .compressionFailed(.none, message: "libarchive could not allocate a zip writer")
        }
        self.archive = archive
        let setUp = archive_write_set_format_zip(archive) == ARCHIVE_OK
            && archive_write_zip_set_compression_deflate(archive) == ARCHIVE_OK
            // No padding after the last byte: a zip is not a tape.
            && archive_write_set_bytes_in_last_block(archive, 1) == ARCHIVE_OK
            && archive_write_open_fd(archive, output.fileDescriptor) == ARCHIVE_OK
        guard setUp else {
            let message = Self.message(of: archive)
            archive_write_free(archive)
            output.discard()
            isOpen = false
            throw .compressionFailed(.none, message: "zip: \(message)")
        }
    }

    deinit {
        if isOpen { archive_write_free(archive) }
        output.discard()
    }

    /// Appends a directory, regular file or symbolic link; the header's size is taken from the contents.
    ///
    /// - Parameter entry: The entry; its owner and extended attributes are not written.
    /// - Throws: `ArchiveError` when a file cannot be read or the zip cannot be
    ///   written, `.archiveTooLarge` past `maximumSize`. The writer is discarded afterwards.
    public func append(_ entry: LayerEntry) throws(ArchiveError) {
        guard isOpen else { throw .writerClosed }
        do {
            try write(entry)
            try checkSize()
        } catch {
            close()
            throw error
        }
    }

    /// Ends the zip and renames it into place.
    ///
    /// - Returns: The zip's size in bytes.
    /// - Throws: `ArchiveError.cannotWrite` or `.archiveTooLarge`; nothing is left behind then.
    @discardableResult
    public func finish() throws(ArchiveError) -> Int64 {
        guard isOpen else { throw .writerClosed }
        let closed = archive_write_close(archive) == ARCHIVE_OK
        let message = Self.message(of: archive)
        close()
        guard closed else { throw .cannotWrite(path + " (" + message + ")", errno: EIO) }
        let size: Int64
        do throws(ArchiveError) {
            size = try currentSize()
            if let maximumSize, size > maximumSize { throw ArchiveError.archiveTooLarge(path, limit: maximumSize) }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        return size
    }

    /// Stops writing; the temporary file is removed.
    public func discard() {
        close()
        output.discard()
    }

    private func close() {
        guard isOpen else { return }
        isOpen = false
        archive_write_free(archive)
    }

    private func write(_ layerEntry: LayerEntry) throws(ArchiveError) {
        let header = layerEntry.header
        guard let entry = archive_entry_new() else { throw .cannotWrite(path, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        var name = header.path.bytes
        let fileType: UInt32
        var source: SourceFile?
        var data: Data?
        switch header.kind {
        case .directory:
            if name.last != UInt8(ascii: "/") { name.append(UInt8(ascii: "/")) }
            fileType = FileType.directory
        case .regularFile:
            fileType = FileType.regular
            switch layerEntry.contents {
            case .none: data = Data()
            case .data(let bytes): data = bytes
            case .file(let path): source = try SourceFile(opening: path)
            }
            archive_entry_set_size(entry, try source?.regularFileSize() ?? Int64(data?.count ?? 0))
        case .symbolicLink(let target):
            fileType = FileType.symbolicLink
            target.withCString { archive_entry_set_symlink(entry, $0) }
        default:
            throw .invalidEntryPath(header.path, problem: "a zip holds only directories, regular files and symbolic links")
        }
        PathBytes(bytes: name).withCString { archive_entry_copy_pathname(entry, $0) }
        archive_entry_set_filetype(entry, fileType)
        archive_entry_set_perm(entry, mode_t(header.permissions & 0o7777))
        archive_entry_set_mtime(entry, time_t(header.modificationTime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw .cannotWrite("\(path) (entry \(header.path): \(Self.message(of: archive)))", errno: EIO)
        }
        if let data, !data.isEmpty {
            // withUnsafeBytes rethrows untyped errors; writeData throws only ArchiveError.
            do {
                try data.withUnsafeBytes { try writeData($0) }
            } catch let error as ArchiveError {
                throw error
            } catch {
                throw .cannotWrite(path, errno: EIO)
            }
        }
        if let source {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkSize, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = try source.readChunk(into: buffer)
                if count == 0 { break }
                try writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                try checkSize()
            }
        }
        guard archive_write_finish_entry(archive) == ARCHIVE_OK else {
            throw .cannotWrite("\(path) (entry \(header.path): \(Self.message(of: archive)))", errno: EIO)
        }
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let written = archive_write_data(archive, base, bytes.count)
        guard written == bytes.count else { throw .cannotWrite("\(path) (\(Self.message(of: archive)))", errno: EIO) }
    }

    private func checkSize() throws(ArchiveError) {
        if let maximumSize, try currentSize() > maximumSize { throw .archiveTooLarge(path, limit: maximumSize) }
    }

    private func currentSize() throws(ArchiveError) -> Int64 {
        var status = stat()
        guard fstat(output.fileDescriptor, &status) == 0 else { throw .cannotWrite(path, errno: errno) }
        return Int64(status.st_size)
    }

    private static func message(of archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error"
    }
}
