import Archive
import Crypto
import Foundation
import ImageModel
import Store

/// Remembers the layers `gantry build` wrote, by a fingerprint of their
/// inputs, so that a rebuild with nothing changed reuses a layer without
/// reading the files again.
///
/// The fingerprint covers what makes the layer's bytes: every entry's path,
/// kind, mode, and for files size, mtime, ctime and inode (from `stat`), plus
/// the mount point, the ignore and data rules, the compression and the epoch.
/// The key may depend on mtimes even though the layer does not: a touched file
/// costs one rewrite, which gives the same digest. Entries live in the store
/// as `cache/layers/KEY.json`; one whose blob is gone is not used.
public struct LayerCache: Sendable {
    /// The store that holds the blobs and the cache folder.
    public let store: ImageStore

    /// What a cache entry records.
    struct Record: Codable {
        var diffID: String
        var digest: String
        var size: Int64
        var uncompressedSize: Int64
        var mediaType: String
    }

    /// Makes a cache in `store`.
    public init(store: ImageStore) {
        self.store = store
    }

    /// The cache key of a layer: SHA-256 of its inputs and settings, hex.
    ///
    /// - Parameters:
    ///   - inputs: The layer's entry lines (`AppLayerPlan.Layer.inputs`).
    ///   - settings: Everything else that changes the bytes (mount, rules, compression, epoch).
    public static func key(inputs: [String], settings: [String]) -> String {
        var hasher = SHA256()
        for line in ["gantry layer cache v1"] + settings + ["--"] + inputs {
            hasher.update(data: Data(line.utf8))
            hasher.update(data: Data([0]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func file(_ key: String) -> URL {
        store.root.appendingPathComponent("cache/layers/\(key).json")
    }

    /// The layer stored under `key`, when its blob is still in the store with its size.
    public func lookUp(_ key: String) -> LayerDigests? {
        guard let data = try? Data(contentsOf: file(key)),
              let record = try? JSONDecoder().decode(Record.self, from: data),
              let digest = try? ImageModel.Digest(parsing: record.digest),
              let diffID = try? ImageModel.Digest(parsing: record.diffID),
              (try? store.blobSize(digest)) == record.size
        else { return nil }
        return LayerDigests(diffID: diffID, digest: digest, size: record.size,
                            uncompressedSize: record.uncompressedSize, mediaType: record.mediaType)
    }

    /// Records `layer` under `key`, atomically; a cache that cannot be written is only slower, so errors are dropped.
    public func remember(_ layer: LayerDigests, as key: String) {
        let record = Record(diffID: layer.diffID.description, digest: layer.digest.description, size: layer.size,
                            uncompressedSize: layer.uncompressedSize, mediaType: layer.mediaType)
        guard let data = try? JSONEncoder().encode(record) else { return }
        let url = file(key)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }
}
