import Foundation
import ImageModel
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// What `ImageStore.prune` removed, or would remove.
public struct PruneReport: Sendable, Equatable {
    /// The blobs no name reaches, with their sizes in bytes.
    public var removed: [Digest: Int64]
    /// The blobs kept, because a name in the index reaches them.
    public var kept: Int

    /// The bytes the removed blobs took.
    public var bytes: Int64 { removed.values.reduce(0, +) }
}

extension ImageStore {
    /// Removes every blob that no entry of `index.json` reaches (through an index's manifests, a
    /// manifest's config and layers), as `docker image prune` and a registry's garbage collection
    /// do: the layers and configs of images built again under the same name, or untagged.
    ///
    /// The caller must hold the store exclusively (`ImageStore.default(use: .exclusive)`), so that
    /// no other gantry command is writing a blob it has not named yet.
    ///
    /// - Parameter dryRun: only report what would go.
    /// - Returns: the blobs removed (or that would be) and how many were kept.
    /// - Throws: `StoreError.corruptBlob` when a named manifest or index cannot be read (nothing is
    ///   removed then: its blobs cannot be told apart), `corruptIndex`, and file system errors.
    public func prune(dryRun: Bool = false) throws(StoreError) -> PruneReport {
        try indexLock.withLock { () throws(StoreError) -> PruneReport in
            let reachable = try reachableBlobs()
            var report = PruneReport(removed: [:], kept: 0)
            let folder = root.appendingPathComponent("blobs/sha256").path
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
                return report  // no blobs yet
            }
            for name in names.sorted() {
                guard let digest = try? Digest(parsing: "sha256:\(name)") else { continue }  // not a blob of ours
                if reachable.contains(digest) {
                    report.kept += 1
                    continue
                }
                let path = "\(folder)/\(name)"
                var status = stat()
                guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
                report.removed[digest] = Int64(status.st_size)
                if !dryRun && unlink(path) != 0 && errno != ENOENT {
                    throw StoreError.posix("remove", path: path, errno: errno, writing: true)
                }
            }
            if !dryRun { removeLeftoverIngestFiles() }
            return report
        }
    }

    /// The digests the index's entries reach: manifests and indexes, configs, layers. A blob the
    /// store lacks (the layers of a base pulled without them) is reached but not read.
    private func reachableBlobs() throws(StoreError) -> Set<Digest> {
        var reached = Set<Digest>()
        var pending = try index().manifests
        while let descriptor = pending.popLast() {
            guard reached.insert(descriptor.digest).inserted, hasBlob(descriptor.digest) else { continue }
            if MediaType.indexes.contains(descriptor.mediaType) {
                pending += try decodeBlob(ImageIndex.self, digest: descriptor.digest).manifests
            } else if MediaType.imageManifests.contains(descriptor.mediaType) {
                reached.formUnion(try decodeBlob(ImageManifest.self, digest: descriptor.digest).blobs.map(\.digest))
            } else if let manifest = try? decodeBlob(ImageManifest.self, digest: descriptor.digest) {
                // Another kind (an artifact): whatever it names the way a manifest or an index does is kept too.
                reached.formUnion(manifest.blobs.map(\.digest))
            } else if let index = try? decodeBlob(ImageIndex.self, digest: descriptor.digest) {
                pending += index.manifests
            }
        }
        return reached
    }

    /// Files an interrupted write left in `ingest/` (nobody else is writing: the store is held alone).
    private func removeLeftoverIngestFiles() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: ingestPath)) ?? [] {
            unlink("\(ingestPath)/\(name)")
        }
    }
}
