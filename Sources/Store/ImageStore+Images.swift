import Foundation
import ImageModel

extension ImageStore {
    /// The image that `reference` names, with its manifest and config decoded.
    ///
    /// - Parameter reference: The image's name, e.g. `localhost/gantry/app:latest`.
    /// - Returns: The image; `manifest` and `configuration` are nil when the
    ///   entry is not an image manifest (e.g. a multi-platform index).
    /// - Throws: `StoreError.imageNotFound` when the store has no such name,
    ///   `blobMissing` or `corruptBlob` when its manifest or config is missing
    ///   or unreadable, `corruptIndex` when `index.json` is not an OCI index.
    public func image(for reference: ImageReference) throws(StoreError) -> StoredImage {
        guard let descriptor = try resolve(reference) else {
            throw .imageNotFound(reference.normalized, store: rootPath)
        }
        return try load(descriptor, as: reference)
    }

    /// Every named image in the store, sorted by reference.
    ///
    /// An entry whose manifest or config is missing or unreadable is still
    /// listed, with only its descriptor; `image(for:)` reports what is wrong.
    ///
    /// - Returns: The images, in order of their normalized reference.
    /// - Throws: `StoreError.corruptIndex` when `index.json` is not an OCI index.
    public func images() throws(StoreError) -> [StoredImage] {
        var images: [StoredImage] = []
        for descriptor in try index().manifests {
            guard let name = descriptor.refName, let reference = try? ImageReference(parsing: name) else { continue }
            let image = (try? load(descriptor, as: reference))
                ?? StoredImage(reference: reference, descriptor: descriptor, manifest: nil, configuration: nil)
            images.append(image)
        }
        return images.sorted { $0.reference.description < $1.reference.description }
    }


    private func load(_ descriptor: Descriptor, as reference: ImageReference) throws(StoreError) -> StoredImage {
        guard MediaType.imageManifests.contains(descriptor.mediaType) else {
            return StoredImage(reference: reference, descriptor: descriptor, manifest: nil, configuration: nil)
        }
        let manifest = try decodeBlob(ImageManifest.self, digest: descriptor.digest)
        let configuration = try decodeBlob(ImageConfiguration.self, digest: manifest.config.digest)
        return StoredImage(reference: reference, descriptor: descriptor, manifest: manifest, configuration: configuration)
    }
}
