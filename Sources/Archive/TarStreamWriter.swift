import Foundation

/// Writes tar entries as one byte stream to `output`, never holding more than
/// a small staging buffer and one read chunk in memory.
///
/// Headers and padding collect in the staging buffer so that the output sees
/// few, large writes; file data larger than the buffer goes straight through.
final class TarStreamWriter {
    /// Bytes staged before they go to the output.
    static let stagingCapacity = 256 * 1024
    /// Bytes read from a source file at a time.
    static let readChunkSize = 1024 * 1024

    private let output: (UnsafeRawBufferPointer) throws -> Void
    private var staging: [UInt8] = []
    private var readBuffer: UnsafeMutableRawBufferPointer?

    /// Makes a writer that hands the tar stream to `output` in order.
    init(output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.output = output
        staging.reserveCapacity(Self.stagingCapacity)
    }

    deinit {
        readBuffer?.deallocate()
    }

    /// Writes a header whose entry has no data, or whose data the caller writes next.
    func writeHeader(_ header: TarHeader) throws {
        try stage(header.encoded())
    }

    /// Writes an entry whose data is `data`; the header's size is set to its length.
    func writeEntry(_ header: TarHeader, data: UnsafeRawBufferPointer) throws {
        var header = header
        header.size = header.kind == .regularFile ? Int64(data.count) : 0
        try writeHeader(header)
        guard header.kind == .regularFile else { return }
        try writeData(data)
        try writePadding(after: header.size)
    }

    /// Writes a regular-file entry whose data is streamed from the file at `path`;
    /// the header's size is set to the file's size.
    ///
    /// - Returns: The digest of the file's bytes, when `hashing` is true.
    /// - Throws: `ArchiveError` when the file cannot be opened or read, is not a
    ///   regular file, or changes size while it is read; whatever `output` throws.
    @discardableResult
    func writeFile(_ header: TarHeader, contentsOf path: PathBytes, hashing: Bool = false) throws -> Digester? {
        let file = try SourceFile(opening: path)
        var header = header
        header.size = try file.regularFileSize()
        try writeHeader(header)
        var digester = hashing ? Digester() : nil
        let buffer = chunkBuffer()
        var written: Int64 = 0
        while true {
            let count = try file.readChunk(into: buffer)
            if count == 0 { break }
            guard written + Int64(count) <= header.size else {
                throw ArchiveError.fileChanged(path, expectedSize: header.size, actualSize: written + Int64(count))
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            digester?.update(chunk)
            try writeData(chunk)
            written += Int64(count)
        }
        guard written == header.size else {
            throw ArchiveError.fileChanged(path, expectedSize: header.size, actualSize: written)
        }
        try writePadding(after: header.size)
        return digester
    }

    /// Writes an entry's data bytes; the caller writes exactly the header's size, then the padding.
    func writeData(_ bytes: UnsafeRawBufferPointer) throws {
        if staging.count + bytes.count <= Self.stagingCapacity {
            staging.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count < Self.stagingCapacity {
            staging.append(contentsOf: bytes)
        } else {
            try output(bytes)
        }
    }

    /// Writes the zeros that end the block of an entry with `size` data bytes.
    func writePadding(after size: Int64) throws {
        try stage([UInt8](repeating: 0, count: TarHeader.paddingSize(for: size)))
    }

    /// Writes the end-of-archive marker, two zero blocks, and hands over all staged bytes.
    func finish() throws {
        try stage([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
        try flush()
    }

    /// A reusable buffer of `readChunkSize` bytes for reading file data.
    func chunkBuffer() -> UnsafeMutableRawBufferPointer {
        if let readBuffer { return readBuffer }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkSize, alignment: 16)
        readBuffer = buffer
        return buffer
    }

    private func stage(_ bytes: [UInt8]) throws {
        if staging.count + bytes.count > Self.stagingCapacity { try flush() }
        staging.append(contentsOf: bytes)
    }

    private func flush() throws {
        guard !staging.isEmpty else { return }
        try staging.withUnsafeBytes { try output($0) }
        staging.removeAll(keepingCapacity: true)
    }
}
