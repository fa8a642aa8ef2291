import Foundation
import ImageModel
import Store

/// An image in a registry repository, read or written through a `RegistrySession`. Blobs read for a
/// copy are downloaded into gantry's store first (verified, and kept: the next copy finds them there).
public struct RegistryImage: ImageSource, ImageDestination {
    /// The session with the image's registry.
    public let session: RegistrySession
    /// The image.
    public let reference: ImageReference
    /// Where downloaded manifests and blobs go; its images named in this registry lend their blobs
    /// for cross-repository mounts.
    public let store: ImageStore
    private let mounts = ReadOnce<[Digest: [RepositoryLocation]]>()

    /// Makes an endpoint.
    public init(session: RegistrySession, reference: ImageReference, store: ImageStore) {
        self.session = session
        self.reference = reference
        self.store = store
    }

    /// The repositories of this registry that the store's images say hold the blob; the store is read
    /// once, at the first blob a push cannot skip.
    public func mountSources(for digest: Digest) -> [RepositoryLocation] {
        mounts.value { store.mountCandidates(domain: reference.domain, host: session.registry) }[digest] ?? []
    }

    var repository: String { reference.path }
    public var name: String { reference.description }
    public var location: RepositoryLocation? { RepositoryLocation(registry: session.registry, repository: repository) }
    public var acceptsIndex: Bool { true }

    public func rootManifest() async throws -> ManifestDocument {
        try await session.fetchManifest(reference.manifestSelector, expected: reference.digest, reference: name, repository: repository, store: store)
    }

    public func manifest(_ descriptor: Descriptor) async throws -> ManifestDocument {
        var fetched = try await session.fetchManifest(descriptor.digest.description, expected: descriptor.digest, reference: name,
                                                      repository: repository, store: store)
        fetched.descriptor.platform = descriptor.platform
        return fetched
    }

    public func blobFile(_ descriptor: Descriptor, observer: BlobObserver) async throws -> URL {
        if !store.hasBlob(descriptor.digest) {
            try await session.fetchBlob(descriptor, reference: name, repository: repository, store: store, observer: observer)
        }
        return store.blobURL(descriptor.digest)
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        try await session.hasBlob(descriptor.digest, repository: repository)
    }

    public func mountBlob(_ descriptor: Descriptor, from location: RepositoryLocation) async throws -> Bool {
        guard location.registry == session.registry, location.repository != repository else { return false }
        return try await session.mountBlob(descriptor.digest, repository: repository, from: location.repository)
    }

    public func putBlob(_ descriptor: Descriptor, file: URL, observer: BlobObserver) async throws {
        try await session.uploadBlob(descriptor, file: file, repository: repository, observer: observer)
    }

    public func holds(root: ManifestDocument) async throws -> Bool {
        let stored = try await session.manifestDigest(target(of: root, isRoot: true), repository: repository)
        return stored == root.descriptor.digest
    }

    @discardableResult
    public func putManifest(_ document: ManifestDocument, isRoot: Bool) async throws -> Digest {
        try await session.putManifest(document, reference: target(of: document, isRoot: isRoot), repository: repository)
    }

    /// The root goes under the tag asked for; a digest-only reference and index entries go by digest.
    private func target(of document: ManifestDocument, isRoot: Bool) -> String {
        isRoot ? (reference.tag ?? (reference.digest == nil ? ImageReference.defaultTag : document.descriptor.digest.description))
               : document.descriptor.digest.description
    }
}
