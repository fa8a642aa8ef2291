import Foundation
import ImageModel
import Store

extension ImageStore {
    /// The stored images (single-platform manifests) that name each blob, read from the index and
    /// the manifests only (no configs).
    /// - Parameter include: which references count; the others' manifests are not read.
    /// - Returns: the references per blob digest, each once; empty when the store cannot be read.
    public func blobOwners(where include: (ImageReference) -> Bool = { _ in true }) -> [Digest: [ImageReference]] {
        var owners: [Digest: [ImageReference]] = [:]
        for entry in (try? index().manifests) ?? [] where MediaType.imageManifests.contains(entry.mediaType) {
            guard let name = entry.refName, let reference = try? ImageReference(parsing: name), include(reference),
                  let manifest = try? decodeBlob(ImageManifest.self, digest: entry.digest) else { continue }
            for blob in manifest.blobs where owners[blob.digest]?.contains(reference) != true {
                owners[blob.digest, default: []].append(reference)
            }
        }
        return owners
    }

    /// Which repositories of a registry hold each blob, as far as the store knows: every stored image
    /// named in that registry (a base pulled from it, an earlier push) lends its blobs for
    /// cross-repository mounts, so a push to the base's registry never re-uploads the base's layers.
    /// - Parameters:
    ///   - domain: the registry's name in references (`127.0.0.1:5000`, `docker.io`).
    ///   - host: the host its API answers on (as `RegistrySession.registry` names it).
    /// - Returns: the repositories per blob digest; empty when the store cannot be read.
    public func mountCandidates(domain: String, host: String) -> [Digest: [RepositoryLocation]] {
        blobOwners { $0.domain == domain }.mapValues { references in
            var locations: [RepositoryLocation] = []
            for reference in references {
                let location = RepositoryLocation(registry: host, repository: reference.path)
                if !locations.contains(location) { locations.append(location) }
            }
            return locations
        }
    }
}

/// A table read from the store at its first use, then shared by the blobs of one transfer (which
/// ask from several tasks at once).
final class ReadOnce<Table: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var table: Table?

    /// The table, read by `reading` the first time.
    func value(reading: () -> Table) -> Table {
        lock.withLock {
            if let table { return table }
            let read = reading()
            table = read
            return read
        }
    }
}
