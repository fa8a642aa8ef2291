import ImageModel

/// How a layer's tar stream is compressed, and so which media type the layer blob has.
public enum LayerCompression: Hashable, Sendable, CustomStringConvertible {
    /// gzip at `level` 1 (fastest) to 9 (smallest), as concatenated members of
    /// 1 MiB of tar each, compressed on all cores; headers have no file name
    /// and a zero timestamp, so the same tar always compresses to the same bytes.
    case gzip(level: Int = 6)
    /// zstd at `level` 1 (fastest) to 19 (smallest).
    case zstd(level: Int = 3)
    /// No compression: the blob is the tar itself, and its digest is the diffID.
    case none

    /// The OCI media type of a layer blob compressed this way.
    public var mediaType: String {
        switch self {
        case .gzip: MediaType.ociLayerGzip
        case .zstd: MediaType.ociLayerZstd
        case .none: MediaType.ociLayer
        }
    }

    /// The compression and level, e.g. `gzip level 6`.
    public var description: String {
        switch self {
        case .gzip(let level): "gzip level \(level)"
        case .zstd(let level): "zstd level \(level)"
        case .none: "no compression"
        }
    }

    /// Checks the level against the range the compressor accepts.
    func validated() throws(ArchiveError) -> LayerCompression {
        switch self {
        case .gzip(let level) where !(1...9).contains(level): throw .invalidCompressionLevel(self)
        case .zstd(let level) where !(1...19).contains(level): throw .invalidCompressionLevel(self)
        default: return self
        }
    }
}
