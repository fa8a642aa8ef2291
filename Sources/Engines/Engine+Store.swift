import Archive
import Foundation
import ImageModel
import Store

extension Engine {
    /// Copies `image` from gantry's store into the engine, under its reference.
    ///
    /// gantry writes a docker-archive of the image from the store
    /// (`DockerArchiveWriter`) to a temp file and runs `load -i` on it, for
    /// podman as for docker. (podman could read the store's OCI layout itself,
    /// `podman pull oci:ROOT:REF`, but names the result after the layout's
    /// folder, `localhost/root/.cache/gantry:latest`, rather than REF.)
    ///
    /// - Parameters:
    ///   - image: the image as the store resolved it.
    ///   - store: gantry's store.
    /// - Throws: `EngineError.unloadableStoreImage` for an index; `StoreError` when
    ///   its config blob cannot be read; `EngineError.commandFailed` when the engine refuses it;
    ///   an `ArchiveError` when the archive cannot be written.
    public func load(_ image: StoredImage, from store: ImageStore) async throws {
        let reference = image.reference
        guard let manifest = image.manifest else {
            throw EngineError.unloadableStoreImage(reference.description, mediaType: image.descriptor.mediaType)
        }
        let config = try store.readBlob(manifest.config.digest)
        let layers = manifest.layers.map {
            DockerArchiveWriter.Layer(file: store.blobURL($0.digest), digest: $0.digest, mediaType: $0.mediaType)
        }
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-load-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: archive) }
        try DockerArchiveWriter(config: config, layers: layers, repoTags: [reference.normalized]).write(toFile: archive.path)
        try await load(archive: archive)
    }
}
