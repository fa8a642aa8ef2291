import CZlib

/// One block of a layer's tar stream and the gzip member it compresses to.
///
/// A block owns its input buffer, an output buffer large enough for the whole
/// member (`deflateBound`) and a zlib stream that is reset, not rebuilt, for
/// each use. The member's header has no name, no extra field, mtime 0 and OS
/// 3 (Unix), so the member depends only on the input bytes and the level.
///
/// Ownership passes by hand: the `ParallelGzipCompressor` fills a block and
/// reads its member; a compressing thread runs `compress()` in between. The
/// work queue's lock orders the two, which is why the class may be shared
/// (`@unchecked Sendable`) although it is mutable.
final class GzipBlock: @unchecked Sendable {
    /// The uncompressed bytes: `input[..<inputCount]`.
    let input: UnsafeMutableRawBufferPointer
    /// How many bytes of `input` are filled.
    var inputCount = 0
    /// The member after `compress()`: `output[..<outputCount]`.
    private let output: UnsafeMutableRawBufferPointer
    private var outputCount = 0
    /// zlib's status when `compress()` failed, else nil.
    private(set) var failure: Int32?
    /// Set by the work queue, under its lock, once `compress()` returned.
    var isCompressed = false

    private let level: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private let header: UnsafeMutablePointer<gz_header>

    /// Makes a block of `capacity` input bytes compressing at gzip `level`.
    ///
    /// - Throws: `ArchiveError.compressionFailed` when zlib cannot set up a stream.
    init(capacity: Int, level: Int) throws(ArchiveError) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        header = .allocate(capacity: 1)
        header.initialize(to: Self.reproducibleHeader)
        // windowBits 15 + 16: a gzip wrapper (header, CRC-32, ISIZE) around the deflate data.
        let status = deflateInit2_(stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            header.deallocate()
            throw .compressionFailed(.gzip(level: level), message: "zlib deflateInit2 returned \(status)")
        }
        deflateSetHeader(stream, header)
        let bound = Int(deflateBound(stream, uLong(capacity)))
        input = .allocate(byteCount: capacity, alignment: 16)
        output = .allocate(byteCount: bound, alignment: 16)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        header.deallocate()
        input.deallocate()
        output.deallocate()
    }

    /// No name, comment or extra field; mtime 0; OS 3 (Unix) whatever the platform zlib was built for.
    private static var reproducibleHeader: gz_header {
        var header = gz_header()
        header.os = 3
        return header
    }

    /// The room left in `input`.
    var spareCapacity: Int { input.count - inputCount }

    /// Compresses `input[..<inputCount]` into one complete gzip member, in one `deflate` call.
    ///
    /// Runs on a compressing thread; records a zlib failure in `failure` rather than throwing.
    func compress() {
        failure = nil
        outputCount = 0
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(inputCount)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        // With the whole input and deflateBound's room, one Z_FINISH call ends the member.
        let status = deflate(stream, Z_FINISH)
        guard status == Z_STREAM_END else {
            failure = status
            return
        }
        outputCount = output.count - Int(stream.pointee.avail_out)
    }

    /// The member `compress()` made.
    var member: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: output[..<outputCount])
    }

    /// Makes the block empty and ready to be filled and compressed again.
    ///
    /// - Throws: `ArchiveError.compressionFailed` when zlib cannot reset the stream.
    func reset() throws(ArchiveError) {
        inputCount = 0
        outputCount = 0
        isCompressed = false
        failure = nil
        // deflateReset also drops the header set before; set it again.
        guard deflateReset(stream) == Z_OK, deflateSetHeader(stream, header) == Z_OK else {
            throw .compressionFailed(.gzip(level: level), message: "zlib could not reset a deflate stream")
        }
    }
}
