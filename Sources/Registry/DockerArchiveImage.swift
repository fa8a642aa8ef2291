import Archive
import Foundation
import ImageModel
import Store

/// An image read from a docker-archive tar (`docker save`, `podman save`, skopeo's
/// `docker-archive:`). Opening it copies the config and layers into gantry's store (each hashed on
/// the way) and makes a Docker schema 2 manifest for them, as skopeo does: the archive keeps no
/// manifest of its own, so its layers keep their bytes but the manifest is new.
public struct DockerArchiveSource: ImageSource {
    public let name: String
    public var location: RepositoryLocation? { nil }
    private let root: ManifestDocument
    private let store: ImageStore
    /// The names the archive gives the image (`RepoTags`).
    public let repoTags: [String]

    /// Reads the archive at `file` and picks its image named `reference` (or its only image).
    /// - Throws: `TransferError.invalidArchive` for a tar without a readable `manifest.json` or with
    ///   missing files, `.ambiguousArchive` for several images and no name; `ArchiveError` and
    ///   `StoreError` for read and write failures.
    public static func open(file: String, reference: String?, store: ImageStore) async throws -> DockerArchiveSource {
        let outcome: Result<DockerArchiveSource, any Error> = await BlockingWork.run(stackSize: 1 << 20) {
            Result { try DockerArchiveSource(file: file, reference: reference, store: store) }
        }
        return try outcome.get()
    }

    private struct Entry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    private init(file: String, reference: String?, store: ImageStore) throws {
        name = "docker-archive:" + file + (reference.map { ":" + $0 } ?? "")
        self.store = store
        // First pass: the manifest (docker writes it last) and where links point.
        var links: [String: String] = [:]
        var manifestData: Data?
        var reader = try TarReader(path: file)
        while let header = try reader.nextHeader() {
            let path = Self.clean(header.path.description)
            switch header.kind {
            case .regularFile where path == "manifest.json":
                manifestData = try Self.readAll(reader, limit: 16 << 20, file: file)
            case let .symbolicLink(target):
                links[path] = Self.clean(((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target.description))
            case let .hardLink(target):
                links[path] = Self.clean(target.description)
            default:
                break
            }
        }
        guard let manifestData else { throw TransferError.invalidArchive(file: file, reason: "it has no manifest.json") }
        let entries: [Entry]
        do { entries = try JSONDecoder().decode([Entry].self, from: manifestData) } catch {
            throw TransferError.invalidArchive(file: file, reason: "manifest.json is not docker's format")
        }
        let chosen: Entry
        if let reference {
            let wanted = (try? ImageReference(parsing: reference))?.normalized.description
            guard let match = entries.first(where: { entry in
                (entry.RepoTags ?? []).contains { $0 == reference || (try? ImageReference(parsing: $0))?.normalized.description == wanted }
            }) else {
                throw TransferError.ambiguousArchive(file: file, images: entries.flatMap { $0.RepoTags ?? [] })
            }
            chosen = match
        } else {
            guard entries.count == 1, let only = entries.first else {
                throw TransferError.ambiguousArchive(file: file, images: entries.map { ($0.RepoTags ?? []).first ?? $0.Config })
            }
            chosen = only
        }
        repoTags = chosen.RepoTags ?? []

        // Second pass: the config and layers into the store.
        func resolved(_ path: String) -> String {
            var current = Self.clean(path)
            for _ in 0..<16 { guard let next = links[current] else { break }; current = next }
            return current
        }
        let wanted = Set(([chosen.Config] + chosen.Layers).map(resolved))
        var stored: [String: (digest: Digest, size: Int64)] = [:]
        reader = try TarReader(path: file)
        while let header = try reader.nextHeader() {
            let path = Self.clean(header.path.description)
            guard header.kind == .regularFile, wanted.contains(path), stored[path] == nil else { continue }
            let writer = try store.beginBlob()
            try reader.readData(chunkSize: 1 << 20) { try writer.write($0) }
            stored[path] = try writer.commit()
        }
        guard let config = stored[resolved(chosen.Config)] else {
            throw TransferError.invalidArchive(file: file, reason: "its config \(chosen.Config) is missing")
        }
        var layers: [Descriptor] = []
        for layer in chosen.Layers {
            guard let blob = stored[resolved(layer)] else { throw TransferError.invalidArchive(file: file, reason: "its layer \(layer) is missing") }
            layers.append(Descriptor(mediaType: try Self.layerType(store.blobURL(blob.digest)), digest: blob.digest, size: blob.size))
        }
        let oci = layers.contains { $0.mediaType == MediaType.ociLayerZstd }
        if oci {
            layers = layers.map { layer in
                var converted = layer
                converted.mediaType = layer.mediaType == MediaType.dockerLayerGzip ? MediaType.ociLayerGzip
                    : layer.mediaType == MediaType.dockerLayer ? MediaType.ociLayer : layer.mediaType
                return converted
            }
        }
        let manifest = ImageManifest(
            mediaType: oci ? MediaType.ociManifest : MediaType.dockerManifest,
            config: Descriptor(mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig, digest: config.digest, size: config.size),
            layers: layers)
        let bytes = try CanonicalJSON.encode(manifest)
        let descriptor = try store.writeBlob(bytes, mediaType: manifest.mediaType ?? MediaType.dockerManifest)
        root = ManifestDocument(descriptor: descriptor, bytes: bytes)
    }

    public func rootManifest() async throws -> ManifestDocument { root }

    public func manifest(_ descriptor: Descriptor) async throws -> ManifestDocument {
        throw TransferError.manifestMissing(source: name, digest: descriptor.digest.description, platform: descriptor.platform?.shortName)
    }

    public func blobFile(_ descriptor: Descriptor, observer: BlobObserver) async throws -> URL {
        guard store.hasBlob(descriptor.digest) else { throw TransferError.blobMissing(source: name, digest: descriptor.digest.description) }
        return store.blobURL(descriptor.digest)
    }

    /// The layer's media type from its first bytes: gzip, zstd or a plain tar.
    private static func layerType(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let magic = [UInt8](try handle.read(upToCount: 4) ?? Data())
        if magic.starts(with: [0x1f, 0x8b]) { return MediaType.dockerLayerGzip }
        if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return MediaType.ociLayerZstd }
        return MediaType.dockerLayer
    }

    private static func readAll(_ reader: TarReader, limit: Int, file: String) throws -> Data {
        var data = Data()
        try reader.readData(chunkSize: 64 << 10) { chunk in
            data.append(contentsOf: chunk)
            guard data.count <= limit else { throw TransferError.invalidArchive(file: file, reason: "manifest.json is larger than \(limit) bytes") }
        }
        return data
    }

    /// `./a/../b/` as `b`.
    private static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}

/// Writes an image as a docker-archive tar that `docker load` and `podman load` read. The archive
/// holds one image, so an index is resolved to one platform before it gets here.
public actor DockerArchiveDestination: ImageDestination {
    public nonisolated let name: String
    public nonisolated var acceptsIndex: Bool { false }
    private let file: String
    private let repoTag: ImageReference?
    private var blobs: [Digest: URL] = [:]
    private var manifest: ImageManifest?

    /// A destination writing `file` (replaced only once complete), naming the image `repoTag`.
    public init(file: String, repoTag: ImageReference?) {
        self.file = file
        self.repoTag = repoTag
        name = "docker-archive:" + file + (repoTag.map { ":" + $0.description } ?? "")
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool { false }

    public func putBlob(_ descriptor: Descriptor, file: URL, observer: BlobObserver) async throws {
        blobs[descriptor.digest] = file
    }

    @discardableResult
    public func putManifest(_ document: ManifestDocument, isRoot: Bool) async throws -> Digest {
        guard !document.isIndex else {
            throw TransferError.unsupportedConversion(source: name, reason: "a docker-archive holds one image, not an index; pass --platform")
        }
        manifest = try JSONDecoder().decode(ImageManifest.self, from: document.bytes)
        return document.descriptor.digest
    }

    public func finish() async throws {
        guard let manifest, let configFile = blobs[manifest.config.digest] else {
            throw TransferError.unsupportedConversion(source: name, reason: "no image was copied")
        }
        var layers: [DockerArchiveWriter.Layer] = []
        for layer in manifest.layers {
            guard let url = blobs[layer.digest] else { throw TransferError.blobMissing(source: name, digest: layer.digest.description) }
            layers.append(DockerArchiveWriter.Layer(file: url, digest: layer.digest, mediaType: layer.mediaType))
        }
        let writer = DockerArchiveWriter(config: try Data(contentsOf: configFile), layers: layers, repoTags: repoTag.map { [$0] } ?? [])
        let path = file
        let outcome: Result<Void, any Error> = await BlockingWork.run(stackSize: 1 << 20) { Result { try writer.write(toFile: path) } }
        try outcome.get()
    }
}
