import Foundation
import ImageModel

/// What a push, pull or copy did with one blob or manifest, for the caller to report.
public enum CopyEvent: Sendable, Equatable {
    /// Bytes of a blob went through: the count so far in the current attempt.
    case transferring(Descriptor, bytes: Int64)
    /// A blob's transfer failed and is tried again (attempt 1 is the first retry).
    case retrying(Descriptor, attempt: Int)
    /// The destination had the blob.
    case exists(Descriptor)
    /// The registry mounted the blob from another of its repositories.
    case mounted(Descriptor, from: String)
    /// The blob was sent (or, in a pull, received).
    case copied(Descriptor)
    /// A manifest was stored.
    case manifest(Descriptor)
    /// The destination held the image already, under the same name and digest: nothing was sent.
    case upToDate(Descriptor)
}

/// Copies an image from a source to a destination: blobs first (skipping what the destination has,
/// mounting what the same registry holds elsewhere, a few at a time), then the manifests an index
/// points at, then the root manifest, byte for byte. An index is kept whole unless a platform is
/// asked for or the destination holds one image only.
public struct ImageCopy<Source: ImageSource, Destination: ImageDestination>: Sendable {
    /// Where the image comes from.
    public let source: Source
    /// Where it goes.
    public let destination: Destination
    /// The one platform to copy from an index; nil keeps every platform.
    public var platform: Platform?
    /// How many blobs are in flight at once (`--jobs`).
    public var concurrency = 4

    /// Makes a copy.
    public init(from source: Source, to destination: Destination, platform: Platform? = nil, concurrency: Int = 4) {
        self.source = source
        self.destination = destination
        self.platform = platform
        self.concurrency = concurrency
    }

    /// Runs the copy.
    /// - Parameter progress: told about each blob and manifest.
    /// - Returns: the root manifest as it was stored at the destination.
    /// - Throws: `PullError.noMatchingPlatform` when the index has no manifest for `platform`,
    ///   `TransferError`, `PushError`, `PullError`, `RegistryError` and `StoreError` from the endpoints.
    @discardableResult
    public func run(progress: @escaping @Sendable (CopyEvent) -> Void = { _ in }) async throws -> ManifestDocument {
        var root = try await source.rootManifest()
        var children: [ManifestDocument] = []
        if root.isIndex {
            let index = try decode(ImageIndex.self, root)
            if platform != nil || !destination.acceptsIndex {
                let chosen = try index.manifest(for: platform ?? .host, reference: source.name)
                root = try await source.manifest(chosen)
            } else {
                for entry in index.manifests {
                    children.append(try await source.manifest(entry))
                }
            }
        }
        // A warm push is one HEAD: the tag already names these bytes (a registry stores a manifest
        // only once every blob and manifest it names is there), so nothing below needs doing.
        if try await destination.holds(root: root) {
            progress(.upToDate(root.descriptor))
            try await destination.finish()
            return root
        }
        var blobs: [Descriptor] = []
        var seen = Set<Digest>()
        for document in children + [root] where !document.isIndex {
            let manifest = try decode(ImageManifest.self, document)
            for blob in manifest.blobs where seen.insert(blob.digest).inserted {
                blobs.append(blob)
            }
        }
        try await copyBlobs(blobs, progress: progress)
        for child in children {
            try await destination.putManifest(child, isRoot: false)
            progress(.manifest(child.descriptor))
        }
        try await destination.putManifest(root, isRoot: true)
        progress(.manifest(root.descriptor))
        try await destination.finish()
        return root
    }

    private func copyBlobs(_ blobs: [Descriptor], progress: @escaping @Sendable (CopyEvent) -> Void) async throws {
        try await withThrowingTaskGroup(of: CopyEvent.self) { group in
            var pending = blobs[...]
            for _ in 0..<max(1, concurrency) {
                guard let blob = pending.popFirst() else { break }
                group.addTask { try await copyBlob(blob, progress: progress) }
            }
            while let event = try await group.next() {
                progress(event)
                if let blob = pending.popFirst() { group.addTask { try await copyBlob(blob, progress: progress) } }
            }
        }
    }

    private func copyBlob(_ blob: Descriptor, progress: @escaping @Sendable (CopyEvent) -> Void) async throws -> CopyEvent {
        if try await destination.hasBlob(blob) { return .exists(blob) }
        var candidates = destination.mountSources(for: blob.digest)
        if let origin = source.location { candidates.insert(origin, at: 0) }
        for candidate in candidates where try await destination.mountBlob(blob, from: candidate) {
            return .mounted(blob, from: candidate.repository)
        }
        let observer = BlobObserver(blob, progress)
        try await destination.putBlob(blob, file: try await source.blobFile(blob, observer: observer), observer: observer)
        return .copied(blob)
    }

    private func decode<Document: Decodable>(_ type: Document.Type, _ document: ManifestDocument) throws -> Document {
        do { return try JSONDecoder().decode(type, from: document.bytes) } catch {
            throw PullError.invalidDocument(reference: source.name, object: "manifest \(document.descriptor.digest)", reason: "\(error)")
        }
    }
}

/// Hears how one blob's transfer goes: bytes so far and retries, as `CopyEvent`s.
public struct BlobObserver: Sendable {
    /// Told the bytes transferred so far in the current attempt.
    public let bytes: @Sendable (Int64) -> Void
    /// Told that the transfer starts again (attempt 1 is the first retry).
    public let retrying: @Sendable (Int) -> Void

    /// An observer that reports `blob`'s progress to `progress`.
    public init(_ blob: Descriptor, _ progress: @escaping @Sendable (CopyEvent) -> Void) {
        bytes = { progress(.transferring(blob, bytes: $0)) }
        retrying = { progress(.retrying(blob, attempt: $0)) }
    }

    /// This observer, also keeping in `mark` the most bytes an attempt reported.
    func counting(into mark: HighWaterMark) -> BlobObserver {
        BlobObserver(bytes: { [bytes] in mark.raise(to: $0); bytes($0) }, retrying: retrying)
    }

    /// An observer that hears nothing.
    public static let none = BlobObserver(bytes: { _ in }, retrying: { _ in })

    private init(bytes: @escaping @Sendable (Int64) -> Void, retrying: @escaping @Sendable (Int) -> Void) {
        self.bytes = bytes
        self.retrying = retrying
    }
}

/// The highest count reported so far, from any thread.
final class HighWaterMark: @unchecked Sendable {
    private let lock = NSLock()
    private var highest: Int64 = 0

    func raise(to count: Int64) { lock.withLock { highest = max(highest, count) } }
    var value: Int64 { lock.withLock { highest } }
}
