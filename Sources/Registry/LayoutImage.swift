import Foundation
import ImageModel
import Store

/// An image in an OCI image layout: gantry's store (images named by their full reference) or
/// a folder given as `oci:DIR[:TAG]` (images named by a plain tag, as skopeo and umoci name them).
public struct LayoutImage: ImageSource, ImageDestination {
    /// How the image is named in the layout's `index.json`.
    public enum Naming: Sendable, Equatable {
        /// gantry's store: the full normalized reference.
        case reference(ImageReference)
        /// An OCI layout: a plain tag, or none (the layout's only image when reading; unnamed when writing).
        case tag(String?)
    }

    /// The layout.
    public let layout: ImageStore
    /// The image's name in it.
    public let naming: Naming
    /// How the user named the image.
    public let name: String
    /// Whether the layout is gantry's own store (its work files stay).
    let isStore: Bool
    /// Where blobs the store names but lacks (a lazily pulled base's layers) are fetched from; nil: nowhere.
    public var absentBlobs: AbsentBlobs?

    /// An image of gantry's store.
    public init(store: ImageStore, reference: ImageReference) {
        layout = store
        naming = .reference(reference)
        name = reference.description
        isStore = true
    }

    /// An image of an OCI layout folder: read as it is for a source, created when it is a destination.
    /// - Throws: `StoreError` when the folder cannot be read or created.
    public init(directory: String, tag: String?, forWriting: Bool = true) throws {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        layout = forWriting ? try ImageStore(root: url) : try ImageStore(readingLayoutAt: url)
        naming = .tag(tag)
        name = "oci:" + directory + (tag.map { ":" + $0 } ?? "")
        isStore = false
    }

    public var location: RepositoryLocation? { nil }
    public var acceptsIndex: Bool { true }

    public func rootManifest() async throws -> ManifestDocument {
        let descriptor = try resolveRoot()
        return ManifestDocument(descriptor: descriptor, bytes: try layout.readBlob(descriptor.digest))
    }

    public func manifest(_ descriptor: Descriptor) async throws -> ManifestDocument {
        guard layout.hasBlob(descriptor.digest) else {
            throw TransferError.manifestMissing(source: name, digest: descriptor.digest.description, platform: descriptor.platform?.shortName)
        }
        return ManifestDocument(descriptor: descriptor, bytes: try layout.readBlob(descriptor.digest))
    }

    public func blobFile(_ descriptor: Descriptor, observer: BlobObserver) async throws -> URL {
        if !layout.hasBlob(descriptor.digest), let absentBlobs {
            try await absentBlobs.fetch(descriptor, for: name, observer: observer)
        }
        guard layout.hasBlob(descriptor.digest) else { throw TransferError.blobMissing(source: name, digest: descriptor.digest.description) }
        return layout.blobURL(descriptor.digest)
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool { layout.hasBlob(descriptor.digest) }

    public func putBlob(_ descriptor: Descriptor, file: URL, observer: BlobObserver) async throws {
        try layout.importBlob(from: file, digest: descriptor.digest, size: descriptor.size)
    }

    @discardableResult
    public func putManifest(_ document: ManifestDocument, isRoot: Bool) async throws -> Digest {
        let stored = try layout.writeBlob(document.bytes, mediaType: document.descriptor.mediaType, expected: document.descriptor.digest)
        if isRoot {
            // The root entry carries no platform: it names the image as a whole.
            let entry = Descriptor(mediaType: document.descriptor.mediaType, digest: stored.digest, size: stored.size)
            switch naming {
            case let .reference(reference): try layout.tag(entry, as: reference)
            case let .tag(tag): try layout.tag(entry, refName: tag)
            }
        }
        return stored.digest
    }

    public func finish() async throws {
        if !isStore { layout.removeWorkFiles() }
    }

    /// The descriptor the name points at; an untagged `oci:DIR` means the layout's only image.
    private func resolveRoot() throws -> Descriptor {
        switch naming {
        case let .reference(reference):
            guard let found = try layout.resolve(reference.normalized) else {
                throw StoreError.imageNotFound(reference.normalized, store: layout.root.path)
            }
            return found
        case let .tag(tag?):
            guard let found = try layout.resolve(refName: tag) else {
                throw TransferError.imageNotInLayout(source: name, available: try layout.index().manifests.compactMap(\.refName))
            }
            return found
        case .tag(nil):
            let entries = try layout.index().manifests
            guard entries.count == 1, let only = entries.first else {
                throw TransferError.imageNotInLayout(source: name, available: entries.compactMap(\.refName))
            }
            return only
        }
    }
}
