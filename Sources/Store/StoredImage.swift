import Foundation
import ImageModel

/// An image in the store, as `gantry images` lists it.
///
/// For an image manifest, `manifest` and `configuration` are decoded; for an
/// entry that is not one (an index, an artifact) or whose blobs are missing,
/// they are nil and only the descriptor is known.
public struct StoredImage: Hashable, Sendable {
    /// The image's name in the store.
    public var reference: ImageReference
    /// The descriptor of the image's manifest, as `index.json` has it.
    public var descriptor: Descriptor
    /// The decoded manifest, when the entry is an image manifest.
    public var manifest: ImageManifest?
    /// The decoded config, when the entry is an image manifest.
    public var configuration: ImageConfiguration?

    /// Makes a stored image.
    ///
    /// - Parameters:
    ///   - reference: The image's name.
    ///   - descriptor: Its manifest descriptor.
    ///   - manifest: The decoded manifest, if known.
    ///   - configuration: The decoded config, if known.
    public init(
        reference: ImageReference, descriptor: Descriptor, manifest: ImageManifest?, configuration: ImageConfiguration?
    ) {
        self.reference = reference
        self.descriptor = descriptor
        self.manifest = manifest
        self.configuration = configuration
    }

    /// The manifest's digest, which identifies the image in a registry.
    public var digest: Digest { descriptor.digest }

    /// The compressed size in bytes, config plus layers, as a registry stores it; nil when the manifest is not known.
    public var size: Int64? {
        manifest.map { manifest in manifest.layers.reduce(manifest.config.size) { $0 + $1.size } }
    }

    /// When the image was made, from its config; nil when not known.
    public var created: Date? { configuration?.createdDate }
}
