import CArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Compresses a byte stream with libarchive's zstd filter and hands the
/// compressed bytes to `output`, in order, as they come.
///
/// libarchive compresses through a writer in `raw` format: one pseudo-entry
/// whose data is the tar stream. gzip goes through `ParallelGzipCompressor`
/// instead, which uses every core.
final class FilterCompressor: StreamCompressor {
    private let compression: LayerCompression
    private let archive: OpaquePointer
    private let sink: CompressedSink

    /// Makes a zstd compressor that writes to `output`.
    ///
    /// - Throws: `ArchiveError.compressionFailed` when libarchive cannot set up the filter,
    ///   or for a compression other than zstd.
    init(compression: LayerCompression, output: @escaping (UnsafeRawBufferPointer) throws -> Void) throws(ArchiveError) {
        guard let archive = archive_write_new() else {
            throw .compressionFailed(compression, message: "libarchive could not allocate a writer")
        }
        self.archive = archive
        self.compression = compression
        self.sink = CompressedSink(output: output)

        try check(archive_write_set_format_raw(archive))
        switch compression {
        case .zstd(let level):
            try check(archive_write_add_filter_zstd(archive))
            try check(archive_write_set_filter_option(archive, "zstd", "compression-level", String(level)))
        case .gzip, .none:
            throw .compressionFailed(compression, message: "the libarchive filter stage is for zstd only")
        }
        // No blocking and no padding: the blob ends where the compressed stream ends.
        try check(archive_write_set_bytes_per_block(archive, 0))
        try check(archive_write_set_bytes_in_last_block(archive, 1))
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(archive_write_open(archive, context, nil, { _, context, buffer, length in
            guard let context, let buffer else { return -1 }
            let sink = Unmanaged<CompressedSink>.fromOpaque(context).takeUnretainedValue()
            return sink.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
        }, nil))

        guard let entry = archive_entry_new() else {
            throw .compressionFailed(compression, message: "libarchive could not allocate an entry")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "layer.tar")
        archive_entry_set_filetype(entry, FileType.regular)
        archive_entry_set_perm(entry, 0o644)
        try check(archive_write_header(archive, entry))
    }

    deinit {
        archive_write_free(archive)
    }

    /// Compresses `bytes`; compressed output reaches `output` as libarchive's buffer fills.
    ///
    /// - Throws: Whatever `output` threw, or `ArchiveError.compressionFailed`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let written = archive_write_data(archive, base, bytes.count)
        if written < 0 || written != bytes.count { try rethrow() }
    }

    /// Flushes the compressor and writes the stream's trailer.
    ///
    /// - Throws: Whatever `output` threw, or `ArchiveError.compressionFailed`.
    func finish() throws {
        if archive_write_close(archive) != ARCHIVE_OK { try rethrow() }
    }

    /// Throws the output's error when there was one, else libarchive's.
    private func rethrow() throws {
        if let error = sink.error { throw error }
        throw ArchiveError.compressionFailed(compression, message: errorMessage)
    }

    private func check(_ status: Int32) throws(ArchiveError) {
        guard status == ARCHIVE_OK else {
            throw .compressionFailed(compression, message: errorMessage)
        }
    }

    private var errorMessage: String {
        guard let message = archive_error_string(archive) else { return "libarchive error" }
        return String(cString: message)
    }
}

/// Where libarchive's write callback delivers compressed bytes; keeps the
/// output's error, since a C callback cannot throw.
private final class CompressedSink {
    let output: (UnsafeRawBufferPointer) throws -> Void
    var error: (any Error)?

    init(output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.output = output
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            try output(bytes)
            return true
        } catch {
            self.error = error
            return false
        }
    }
}
