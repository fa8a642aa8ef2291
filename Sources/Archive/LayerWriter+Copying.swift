/// How headers change when a tar stream is re-written into a layer.
public struct TarNormalization: Hashable, Sendable {
    /// What happens to modification times.
    public enum Timestamps: Hashable, Sendable {
        /// Keep them as they are.
        case keep
        /// Replace times later than `epoch` with `epoch`, as `tar --clamp-mtime` does.
        case clamp(to: Int64)
        /// Replace every time with `epoch`.
        case set(to: Int64)
    }

    /// What happens to modification times; access and change times are always dropped.
    public var timestamps: Timestamps
    /// Whether uid and gid are kept (a root file system needs them) or set to 0.
    public var keepsOwners: Bool
    /// Whether user and group names are kept or cleared, leaving only the numbers.
    public var keepsOwnerNames: Bool
    /// Whether extended attributes such as `security.capability` are kept.
    public var keepsExtendedAttributes: Bool

    /// Makes a normalization.
    ///
    /// - Parameters:
    ///   - timestamps: What happens to modification times.
    ///   - keepsOwners: Whether uid and gid are kept.
    ///   - keepsOwnerNames: Whether user and group names are kept.
    ///   - keepsExtendedAttributes: Whether extended attributes are kept.
    public init(timestamps: Timestamps, keepsOwners: Bool = true, keepsOwnerNames: Bool = false, keepsExtendedAttributes: Bool = true) {
        self.timestamps = timestamps
        self.keepsOwners = keepsOwners
        self.keepsOwnerNames = keepsOwnerNames
        self.keepsExtendedAttributes = keepsExtendedAttributes
    }

    /// For a root file system: times clamped to `epoch`, uid/gid and extended attributes kept, names cleared.
    ///
    /// - Parameter epoch: The latest modification time, e.g. `SOURCE_DATE_EPOCH`.
    /// - Returns: The normalization.
    public static func rootFileSystem(epoch: Int64) -> TarNormalization {
        TarNormalization(timestamps: .clamp(to: epoch))
    }

    /// The header as it goes into the layer.
    func apply(to header: TarHeader) -> TarHeader {
        var header = header
        switch timestamps {
        case .keep: break
        case .clamp(let epoch): header.modificationTime = min(header.modificationTime, epoch)
        case .set(let epoch): header.modificationTime = epoch
        }
        if !keepsOwners {
            header.uid = 0
            header.gid = 0
        }
        if !keepsOwnerNames {
            header.userName = ""
            header.groupName = ""
        }
        if !keepsExtendedAttributes {
            header.extendedAttributes = []
        }
        return header
    }
}

extension LayerWriter {
    /// Re-writes every entry of a tar stream into the layer, in order, with normalized headers.
    ///
    /// Paths, kinds (hard links stay hard links, device nodes and FIFOs stay),
    /// permissions and data are kept; times, owners, names and extended
    /// attributes follow `normalization`. The same input bytes always give the
    /// same layer.
    ///
    /// - Parameters:
    ///   - reader: The tar stream, e.g. `mmdebstrap`'s output on a pipe.
    ///   - normalization: How headers change, e.g. `.rootFileSystem(epoch:)`.
    /// - Returns: The number of entries copied.
    /// - Throws: `ArchiveError` when the stream cannot be read or holds an
    ///   entry a layer cannot hold; whatever the sink throws. The writer is
    ///   unusable afterwards.
    @discardableResult
    public func copyEntries(from reader: TarReader, normalization: TarNormalization) throws -> Int {
        try whileUsable {
            var count = 0
            let buffer = tar.chunkBuffer()
            while let original = try reader.nextHeader() {
                let header = normalization.apply(to: original)
                try tar.writeHeader(header)
                if header.kind == .regularFile {
                    var copied: Int64 = 0
                    while true {
                        let read = try reader.readData(into: buffer)
                        if read == 0 { break }
                        let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<min(read, Int(clamping: header.size - copied))])
                        try tar.writeData(chunk)
                        copied += Int64(chunk.count)
                    }
                    guard copied == header.size else {
                        throw ArchiveError.readFailed(
                            source: reader.source,
                            message: "\(header.path) has \(copied) data bytes where its header says \(header.size)")
                    }
                    try tar.writePadding(after: header.size)
                }
                count += 1
            }
            return count
        }
    }
}
