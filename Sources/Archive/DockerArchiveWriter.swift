import Foundation
import ImageModel

/// Writes an image as a docker-archive tar, the format `docker save` writes and
/// `docker load` and `podman load` read:
///
/// ```
/// <config hex>.json          the image config, as given
/// <layer hex>.tar.gz ...     each layer blob as it is (gzip, zstd or plain tar)
/// manifest.json              [{"Config":"<config hex>.json","Layers":[...],"RepoTags":[...]}]
/// repositories               {"<name>":{"<tag>":"<top layer hex>"}}, for old loaders
/// ```
///
/// Layer files are streamed in chunks and checked against their sha256
/// digests on the way; entries are owned by root and dated 1970-01-01, so the
/// same image always gives the same bytes.
public struct DockerArchiveWriter: Sendable {
    /// A layer blob on this machine and what it should be.
    public struct Layer: Hashable, Sendable {
        /// The blob file, e.g. in the store's `blobs/sha256/`.
        public var file: URL
        /// The blob's digest, which names the file in the archive and is checked while it is copied.
        public var digest: Digest
        /// The blob's media type, which picks the file extension (`.tar.gz`, `.tar.zst`, `.tar`).
        public var mediaType: String

        /// Makes a layer description.
        ///
        /// - Parameters:
        ///   - file: The blob file.
        ///   - digest: The blob's digest.
        ///   - mediaType: The blob's media type.
        public init(file: URL, digest: Digest, mediaType: String) {
            self.file = file
            self.digest = digest
            self.mediaType = mediaType
        }

        /// The file's name in the archive.
        var archiveName: String {
            let fileExtension =
                if mediaType.hasSuffix("gzip") { ".tar.gz" } else if mediaType.hasSuffix("zstd") { ".tar.zst" } else { ".tar" }
            return digest.encoded + fileExtension
        }
    }

    /// The image config JSON, written byte for byte.
    public let config: Data
    /// The layers, bottom first.
    public let layers: [Layer]
    /// The names the loaded image gets, each with a tag; written in full
    /// (`docker.io/news/app:1.0`), which docker and podman both load as that name.
    public let repoTags: [ImageReference]

    /// Describes the archive to write.
    ///
    /// - Parameters:
    ///   - config: The image config JSON.
    ///   - layers: The layer blobs, bottom first, as the config's `rootfs.diff_ids` lists them.
    ///   - repoTags: The names to tag the loaded image with; each needs a tag
    ///     (a reference without tag or digest means `:latest`).
    public init(config: Data, layers: [Layer], repoTags: [ImageReference]) {
        self.config = config
        self.layers = layers
        self.repoTags = repoTags
    }

    /// Writes the archive as one tar stream to `sink`, e.g. the standard input of `docker load`.
    ///
    /// - Parameter sink: Receives the archive's bytes in order; the buffer is valid only during the call.
    /// - Throws: `ArchiveError.untaggedReference` for a repo tag with only a
    ///   digest, `ArchiveError.layerDigestMismatch` for a damaged layer file,
    ///   other `ArchiveError`s when a layer file cannot be read; whatever `sink` throws.
    public func write(to sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let tags = try repoTags.map { reference throws(ArchiveError) -> (name: String, tag: String) in
            guard let tag = reference.tagOrDefault else { throw .untaggedReference(reference.description) }
            // The full name: docker shows it in its familiar form, and podman
            // would otherwise put a familiar name under localhost/.
            return (reference.name, tag)
        }
        let tar = TarStreamWriter(output: sink)
        let configName = try Digester.digest(of: config).encoded + ".json"
        try config.withUnsafeBytes { try tar.writeEntry(Self.header(configName), data: $0) }

        var written = Set<String>()
        for layer in layers where written.insert(layer.archiveName).inserted {
            let digester = try tar.writeFile(
                Self.header(layer.archiveName), contentsOf: PathBytes(layer.file.path), hashing: layer.digest.algorithm == .sha256)
            if let actual = try digester?.finalize(), actual != layer.digest {
                throw ArchiveError.layerDigestMismatch(file: layer.file.path, expected: layer.digest.description, actual: actual.description)
            }
        }

        let manifest = [Manifest(config: configName, repoTags: tags.map { $0.name + ":" + $0.tag }, layers: layers.map(\.archiveName))]
        try Self.json(manifest).withUnsafeBytes { try tar.writeEntry(Self.header("manifest.json"), data: $0) }

        var repositories: [String: [String: String]] = [:]
        if let top = layers.last {
            for (name, tag) in tags { repositories[name, default: [:]][tag] = top.digest.encoded }
        }
        try Self.json(repositories).withUnsafeBytes { try tar.writeEntry(Self.header("repositories"), data: $0) }
        try tar.finish()
    }

    /// Writes the archive to the file at `path`, through a temporary file in
    /// the same folder that replaces `path` only once complete.
    ///
    /// - Parameter path: Where the archive goes; an existing file there is replaced.
    /// - Throws: `ArchiveError.cannotWrite` when the file cannot be written,
    ///   and what `write(to:)` throws. No partial file stays behind.
    public func write(toFile path: String) throws {
        let output = try OutputFile(replacing: path)
        do {
            try write(to: { try output.write($0) })
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    /// `manifest.json`'s one element, with docker's key names.
    private struct Manifest: Encodable {
        let config: String
        let repoTags: [String]
        let layers: [String]

        enum CodingKeys: String, CodingKey {
            case config = "Config"
            case repoTags = "RepoTags"
            case layers = "Layers"
        }
    }

    private static func header(_ name: String) -> TarHeader {
        TarHeader(path: PathBytes(name), kind: .regularFile, permissions: 0o644)
    }

    private static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
