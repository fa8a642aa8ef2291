import Foundation
import ImageModel

/// A manifest or index exactly as its source holds it: the bytes its digest names, and a descriptor.
public struct ManifestDocument: Sendable {
    /// The manifest's media type, digest and size (and platform, for an index entry).
    public var descriptor: Descriptor
    /// The manifest's bytes, unchanged, so that a copy keeps its digest.
    public var bytes: Data

    /// Makes a document.
    public init(descriptor: Descriptor, bytes: Data) {
        self.descriptor = descriptor
        self.bytes = bytes
    }

    /// Whether the document is an OCI index or a Docker manifest list.
    public var isIndex: Bool { MediaType.indexes.contains(descriptor.mediaType) }
}

/// A repository of a registry: where a blob may be mounted from.
public struct RepositoryLocation: Hashable, Sendable {
    /// The registry host, `HOST[:PORT]`.
    public var registry: String
    /// The repository path, `news/app`.
    public var repository: String

    /// Makes a location.
    public init(registry: String, repository: String) {
        self.registry = registry
        self.repository = repository
    }
}

/// Where `ImageCopy` reads an image: a registry, an OCI layout, a docker-archive, gantry's store.
public protocol ImageSource: Sendable {
    /// The source as the user named it, for messages (`oci:/tmp/app:1`).
    var name: String { get }
    /// The registry repository the blobs live in, for cross-repository mounts; nil off registries.
    var location: RepositoryLocation? { get }
    /// The image's top manifest or index, byte for byte.
    func rootManifest() async throws -> ManifestDocument
    /// A manifest an index points at.
    func manifest(_ descriptor: Descriptor) async throws -> ManifestDocument
    /// A local file holding the blob's bytes, verified against its digest (a registry source
    /// downloads it first).
    func blobFile(_ descriptor: Descriptor, observer: BlobObserver) async throws -> URL
}

/// Where `ImageCopy` writes an image. Blobs come first, then the manifests an index points at,
/// then the root manifest, then `finish`.
public protocol ImageDestination: Sendable {
    /// The destination as the user named it, for messages.
    var name: String { get }
    /// Whether the destination keeps an index; a docker-archive holds one image only.
    var acceptsIndex: Bool { get }
    /// Whether the destination has the blob already (a copy skips it).
    func hasBlob(_ descriptor: Descriptor) async throws -> Bool
    /// Whether the destination holds `root` already under the name the copy would store it at (a
    /// registry's tag answering with the same digest, which vouches for every manifest and blob it
    /// names): the copy then sends nothing.
    func holds(root: ManifestDocument) async throws -> Bool
    /// Other repositories of the destination's registry known to hold the blob, to mount it from.
    func mountSources(for digest: Digest) -> [RepositoryLocation]
    /// Tries to take the blob from another repository of the same registry without sending it;
    /// true when the destination has it now.
    func mountBlob(_ descriptor: Descriptor, from location: RepositoryLocation) async throws -> Bool
    /// Stores a blob from a local file, telling `observer` how it goes.
    func putBlob(_ descriptor: Descriptor, file: URL, observer: BlobObserver) async throws
    /// Stores a manifest: by digest for one an index points at, under the destination's tag for the root.
    /// - Returns: the digest the destination reports for it.
    @discardableResult
    func putManifest(_ document: ManifestDocument, isRoot: Bool) async throws -> Digest
    /// Completes the image (an archive is written, a layout's index named).
    func finish() async throws
}

extension ImageDestination {
    /// Destinations off registries are written whole.
    public func holds(root: ManifestDocument) async throws -> Bool { false }
    /// Destinations off registries know no repositories.
    public func mountSources(for digest: Digest) -> [RepositoryLocation] { [] }
    /// Destinations off registries mount nothing.
    public func mountBlob(_ descriptor: Descriptor, from location: RepositoryLocation) async throws -> Bool { false }
    /// Nothing to complete by default.
    public func finish() async throws {}
}
