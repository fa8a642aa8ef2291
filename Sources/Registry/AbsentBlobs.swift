import Foundation
import ImageModel
import Store

/// Fetches blobs that gantry's store names but does not hold, from the registries the store names
/// them under.
///
/// A base pulled lazily (`RegistrySession.pull(_:into:platform:layers:progress:)` with `layers:
/// false`) is tagged in the store under its registry name with its manifest and config only; an app
/// built on it names the same layers. Whatever needs their bytes (a load into an engine, a push to
/// another registry) asks this for each absent blob: every stored image whose manifest lists the
/// blob and whose name is a registry's is a place to fetch it from, tried in turn. Fetched blobs
/// stay in the store.
public struct AbsentBlobs: Sendable {
    /// The store the blobs go into.
    public let store: ImageStore
    private let sessions: SessionPool
    private let owners = ReadOnce<[Digest: [ImageReference]]>()

    /// Makes a fetcher.
    /// - Parameters:
    ///   - store: gantry's store.
    ///   - session: makes the session for an image's registry (with its credentials and transport options).
    public init(store: ImageStore, session: @escaping @Sendable (ImageReference) async throws -> RegistrySession) {
        self.store = store
        sessions = SessionPool(make: session)
    }

    /// Whether a stored name is a registry's: `localhost/...` without a port is podman's name for a
    /// local image, and gantry's for a base it built.
    public static func isRegistryName(_ reference: ImageReference) -> Bool {
        reference.domain != "localhost"
    }

    /// The stored images, registry-named, whose manifest lists `digest`: where it can be fetched from.
    /// The store is read once, at the first blob asked for.
    public func origins(of digest: Digest) -> [ImageReference] {
        owners.value { store.blobOwners(where: Self.isRegistryName) }[digest] ?? []
    }

    /// Makes sure the store holds `blob`, fetching it from a registry that has it when it does not.
    /// - Parameters:
    ///   - blob: the blob, with its size.
    ///   - name: the image that needs it, for messages.
    ///   - observer: told how the download goes.
    /// - Throws: `TransferError.blobMissing` when no stored image names a registry to fetch it from,
    ///   `TransferError.blobUnavailable` when none could supply it.
    public func fetch(_ blob: Descriptor, for name: String, observer: BlobObserver = .none) async throws {
        guard !store.hasBlob(blob.digest) else { return }
        let origins = origins(of: blob.digest)
        guard !origins.isEmpty else { throw TransferError.blobMissing(source: name, digest: blob.digest.description) }
        var reasons: [String] = []
        for origin in origins {
            do {
                let session = try await sessions.session(for: origin)
                try await session.fetchBlob(blob, reference: origin.description, repository: origin.path, store: store, observer: observer)
                return
            } catch {
                if Task.isCancelled { throw error }
                reasons.append("\(error)")
            }
        }
        throw TransferError.blobUnavailable(digest: blob.digest.description, origins: origins.map(\.description), reason: reasons.last ?? "")
    }

    /// Makes sure the store holds every blob of `image` (config and layers), fetching the absent ones.
    /// - Parameter progress: told about each blob fetched (`copied`) or found (`exists`).
    /// - Throws: as `fetch(_:for:observer:)`, or `TransferError.blobMissing` for an entry that is no image manifest.
    public func complete(_ image: StoredImage, progress: @escaping @Sendable (CopyEvent) -> Void = { _ in }) async throws {
        guard let manifest = image.manifest else {
            throw TransferError.blobMissing(source: image.reference.description, digest: image.digest.description)
        }
        for blob in manifest.blobs {
            if store.hasBlob(blob.digest) {
                progress(.exists(blob))
                continue
            }
            try await fetch(blob, for: image.reference.description, observer: BlobObserver(blob, progress))
            progress(.copied(blob))
        }
    }
}

/// One session per registry, made on first use, so that a token serves every blob.
private actor SessionPool {
    private let make: @Sendable (ImageReference) async throws -> RegistrySession
    private var sessions: [String: Task<RegistrySession, any Error>] = [:]

    init(make: @escaping @Sendable (ImageReference) async throws -> RegistrySession) {
        self.make = make
    }

    func session(for reference: ImageReference) async throws -> RegistrySession {
        if let task = sessions[reference.domain] { return try await task.value }
        let make = self.make
        let task = Task { try await make(reference) }
        sessions[reference.domain] = task
        return try await task.value
    }
}
