import Foundation
import ImageModel

/// Writes one container image layer in a single streaming pass: tar entries go
/// in, compressed bytes come out to a sink, and the writer computes the diffID
/// (SHA-256 of the tar), the blob digest (SHA-256 of the compressed bytes) and
/// both sizes on the way.
///
/// Nothing holds the layer in memory: a file's bytes are read in 1 MiB chunks
/// and pass through the hash, the compressor and the sink before the next
/// chunk is read. The tar is POSIX pax, with entries in the order they are
/// appended, so the same entries always give the same digests.
///
/// gzip uses every core: the tar is compressed in 1 MiB blocks, one gzip
/// member each, written in order (`ParallelGzipCompressor`); a few blocks are
/// in flight at a time, whatever the layer's size.
///
/// ```swift
/// let writer = try LayerWriter(compression: .gzip(level: 6)) { try blob.write($0) }
/// try writer.append(.directory("app/", modificationTime: epoch))
/// try writer.append(.file("app/wsgi.py", contents: .file("/src/wsgi.py"), modificationTime: epoch))
/// let layer = try writer.finish()
/// ```
///
/// A writer is used from one task at a time; after `finish()` or an error it
/// refuses further use.
public final class LayerWriter {
    /// How the tar stream is compressed.
    public let compression: LayerCompression

    private let pipeline: LayerPipeline
    let tar: TarStreamWriter
    private var isUsable = true

    /// Makes a writer whose compressed bytes go to `sink`.
    ///
    /// - Parameters:
    ///   - compression: gzip (the default, level 6), zstd or none.
    ///   - sink: Receives the compressed layer in order, in chunks of up to
    ///     about 1 MiB; the buffer is valid only during the call. An error it
    ///     throws stops the writer and reaches the caller of the method that
    ///     was writing.
    /// - Throws: `ArchiveError.invalidCompressionLevel` for a level out of
    ///   range, `ArchiveError.compressionFailed` when zlib or libarchive cannot
    ///   set up the compressor.
    public init(compression: LayerCompression = .gzip(), sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws(ArchiveError) {
        self.compression = try compression.validated()
        let pipeline = try LayerPipeline(compression: compression, sink: sink)
        self.pipeline = pipeline
        self.tar = TarStreamWriter(output: { try pipeline.writeTar($0) })
    }

    /// Appends an entry: its header, then, for a regular file, its bytes.
    ///
    /// The header's size is taken from the contents; a file's bytes are read
    /// from its path now, in chunks.
    ///
    /// - Parameter entry: The entry to append.
    /// - Throws: `ArchiveError` when the entry cannot be written (an empty
    ///   path, contents on an entry that is not a regular file, a file that
    ///   cannot be read or changes size while it is read); whatever the sink
    ///   throws. The writer is unusable afterwards.
    public func append(_ entry: LayerEntry) throws {
        try whileUsable {
            let header = entry.header
            switch entry.contents {
            case .none:
                try tar.writeEntry(header, data: UnsafeRawBufferPointer(start: nil, count: 0))
            case .data(let data):
                try requireRegularFile(header)
                try data.withUnsafeBytes { try tar.writeEntry(header, data: $0) }
            case .file(let path):
                try requireRegularFile(header)
                try tar.writeFile(header, contentsOf: path)
            }
        }
    }

    /// Ends the tar stream, flushes the compressor and returns the layer's digests and sizes.
    ///
    /// - Returns: The diffID, blob digest, sizes and media type.
    /// - Throws: `ArchiveError.compressionFailed` or whatever the sink throws;
    ///   `ArchiveError.writerClosed` when called twice.
    public func finish() throws -> LayerDigests {
        try whileUsable {
            try tar.finish()
            let digests = try pipeline.finish(mediaType: compression.mediaType)
            isUsable = false
            return digests
        }
    }

    /// Runs `body` if the writer is still usable, and makes it unusable when `body` throws.
    func whileUsable<Result>(_ body: () throws -> Result) throws -> Result {
        guard isUsable else { throw ArchiveError.writerClosed }
        do {
            return try body()
        } catch {
            isUsable = false
            throw error
        }
    }

    private func requireRegularFile(_ header: TarHeader) throws(ArchiveError) {
        guard header.kind == .regularFile else {
            throw .invalidEntryPath(header.path, problem: "only a regular file can have contents")
        }
    }
}

/// Hashes the tar stream, compresses it, and hashes and counts the compressed bytes on their way to the sink.
private final class LayerPipeline {
    private var tarDigester = Digester()
    private let compressor: (any StreamCompressor)?
    private let blob: BlobOutput

    init(compression: LayerCompression, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws(ArchiveError) {
        switch compression {
        case .none:
            // The blob is the tar: one hash serves as both digests.
            blob = BlobOutput(sink: sink, hashes: false)
            compressor = nil
        case .gzip(let level):
            let blob = BlobOutput(sink: sink, hashes: true)
            self.blob = blob
            compressor = ParallelGzipCompressor(level: level, output: { try blob.write($0) })
        case .zstd:
            let blob = BlobOutput(sink: sink, hashes: true)
            self.blob = blob
            compressor = try FilterCompressor(compression: compression, output: { try blob.write($0) })
        }
    }

    func writeTar(_ bytes: UnsafeRawBufferPointer) throws {
        tarDigester.update(bytes)
        if let compressor {
            try compressor.write(bytes)
        } else {
            try blob.write(bytes)
        }
    }

    func finish(mediaType: String) throws -> LayerDigests {
        try compressor?.finish()
        let diffID = try tarDigester.finalize()
        let digest = try blob.digester.map { try $0.finalize() } ?? diffID
        return LayerDigests(
            diffID: diffID, digest: digest, size: blob.size, uncompressedSize: tarDigester.count, mediaType: mediaType)
    }
}

/// The compressed end: hashes and counts what goes to the sink.
private final class BlobOutput {
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private(set) var digester: Digester?
    private(set) var size: Int64 = 0

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void, hashes: Bool) {
        self.sink = sink
        self.digester = hashes ? Digester() : nil
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        digester?.update(bytes)
        size += Int64(bytes.count)
        try sink(bytes)
    }
}
