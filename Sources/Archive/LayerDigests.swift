import ImageModel

/// What a finished layer is: the two digests an image needs and the sizes.
public struct LayerDigests: Hashable, Sendable {
    /// The digest of the uncompressed tar, which the image config lists in `rootfs.diff_ids`.
    public let diffID: Digest
    /// The digest of the compressed blob, which the manifest lists and the store files it under.
    public let digest: Digest
    /// The size of the compressed blob in bytes.
    public let size: Int64
    /// The size of the uncompressed tar in bytes.
    public let uncompressedSize: Int64
    /// The OCI media type of the blob, from the compression.
    public let mediaType: String

    /// Makes the description of a layer.
    ///
    /// - Parameters:
    ///   - diffID: The digest of the uncompressed tar.
    ///   - digest: The digest of the compressed blob.
    ///   - size: The blob's size in bytes.
    ///   - uncompressedSize: The tar's size in bytes.
    ///   - mediaType: The blob's media type.
    public init(diffID: Digest, digest: Digest, size: Int64, uncompressedSize: Int64, mediaType: String) {
        self.diffID = diffID
        self.digest = digest
        self.size = size
        self.uncompressedSize = uncompressedSize
        self.mediaType = mediaType
    }
}
