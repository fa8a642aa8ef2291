import ImageModel
import Store

extension ImageStore {
    /// Which repositories of a registry hold each blob, as far as the store knows: every stored image
    /// named in that registry (a base pulled from it, an earlier push) lends its blobs for
    /// cross-repository mounts, so a push to the base's registry never re-uploads the base's layers.
    /// - Parameters:
    ///   - domain: the registry's name in references (`127.0.0.1:5000`, `docker.io`).
    ///   - host: the host its API answers on (as `RegistrySession.registry` names it).
    /// - Returns: the repositories per blob digest; empty when the store cannot be read.
    public func mountCandidates(domain: String, host: String) -> [Digest: [RepositoryLocation]] {
        var candidates: [Digest: [RepositoryLocation]] = [:]
        // Only the manifests of images named in that registry are read (no configs, no other images).
        for entry in (try? index().manifests) ?? [] where RegistrySession.manifestTypes.contains(entry.mediaType) {
            guard let name = entry.refName, let reference = try? ImageReference(parsing: name), reference.domain == domain,
                  let manifest = try? decodeBlob(ImageManifest.self, digest: entry.digest) else { continue }
            let location = RepositoryLocation(registry: host, repository: reference.path)
            for blob in [manifest.config] + manifest.layers where candidates[blob.digest]?.contains(location) != true {
                candidates[blob.digest, default: []].append(location)
            }
        }
        return candidates
    }
}
