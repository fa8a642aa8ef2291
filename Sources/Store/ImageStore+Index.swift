import Foundation
import ImageModel

extension ImageStore {
    /// The store's `index.json` as it is now.
    ///
    /// - Returns: The index; one manifest descriptor per named image.
    /// - Throws: `StoreError.corruptIndex` when the file is not an OCI index.
    public func index() throws(StoreError) -> ImageIndex {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        } catch {
            // Before the first image the file may not exist yet, e.g. in a read-only store.
            if !FileManager.default.fileExists(atPath: indexPath) { return ImageIndex() }
            throw .fileSystem(operation: "read", path: indexPath, reason: "\(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(ImageIndex.self, from: data)
        } catch {
            throw .corruptIndex(file: indexPath, problem: Self.explain(error))
        }
    }

    /// The manifest descriptor that `reference` names, if the store has one.
    ///
    /// Matches the reference's normalized form (`debian` is
    /// `docker.io/library/debian:latest`) against `org.opencontainers.image.ref.name`.
    /// A reference with a digest also matches an entry of the same repository with that digest.
    ///
    /// - Parameter reference: The image's reference.
    /// - Returns: The descriptor, with its annotations, or nil.
    /// - Throws: `StoreError.corruptIndex` when `index.json` is not an OCI index.
    public func resolve(_ reference: ImageReference) throws(StoreError) -> Descriptor? {
        let manifests = try index().manifests
        let name = Self.refName(reference)
        if let exact = manifests.first(where: { $0.refName == name }) { return exact }
        guard let digest = reference.digest else { return nil }
        return manifests.first { entry in
            guard entry.digest == digest, let entryName = entry.refName,
                  let entryReference = try? ImageReference(parsing: entryName) else { return false }
            return entryReference.name == reference.name
        }
    }

    /// Names `descriptor` as `reference`, replacing what the name pointed at before.
    ///
    /// The entry is the descriptor with `org.opencontainers.image.ref.name`
    /// set to the reference's normalized form. The update holds the index lock
    /// and replaces `index.json` atomically, so concurrent gantry processes
    /// never lose each other's tags.
    ///
    /// - Parameters:
    ///   - descriptor: The image's manifest (or index) descriptor; its blob must be in the store.
    ///   - reference: The name to give it, e.g. `localhost/gantry/app:latest`.
    /// - Throws: `StoreError.blobMissing` when the manifest is not in the store,
    ///   `corruptIndex` when `index.json` is not an OCI index, `notWritable`
    ///   when the store cannot be written.
    public func tag(_ descriptor: Descriptor, as reference: ImageReference) throws(StoreError) {
        try tag(descriptor, refName: Self.refName(reference))
    }

    /// The manifest descriptor whose `org.opencontainers.image.ref.name` is exactly `name`, as in an
    /// OCI layout that skopeo or umoci wrote (`oci:DIR:TAG` names an image `TAG`).
    ///
    /// - Parameter name: The annotation's value.
    /// - Returns: The descriptor, or nil.
    /// - Throws: `StoreError.corruptIndex` when `index.json` is not an OCI index.
    public func resolve(refName name: String) throws(StoreError) -> Descriptor? {
        try index().manifests.first { $0.refName == name }
    }

    /// Names `descriptor` with the plain `org.opencontainers.image.ref.name` value `name` (an OCI
    /// layout's tag), or adds it without a name when `name` is nil, replacing an entry of that name.
    ///
    /// - Parameters:
    ///   - descriptor: The manifest (or index) descriptor; its blob must be in the layout.
    ///   - name: The tag, or nil for an unnamed entry.
    /// - Throws: as `tag(_:as:)`.
    public func tag(_ descriptor: Descriptor, refName name: String?) throws(StoreError) {
        guard hasBlob(descriptor.digest) else { throw .blobMissing(descriptor.digest, store: rootPath) }
        var entry = descriptor
        if let name { entry.annotations = (entry.annotations ?? [:]).merging([Descriptor.refNameAnnotation: name]) { $1 } }
        try updateIndex { (index: inout ImageIndex) in
            if let name, let position = index.manifests.firstIndex(where: { $0.refName == name }) {
                index.manifests[position] = entry
            } else if name != nil || !index.manifests.contains(entry) {
                index.manifests.append(entry)
            }
        }
    }

    /// Removes the name `reference`; its blobs stay.
    ///
    /// - Parameter reference: The name to remove.
    /// - Returns: Whether the store had the name.
    /// - Throws: `StoreError.corruptIndex` when `index.json` is not an OCI index,
    ///   `notWritable` when the store cannot be written.
    @discardableResult
    public func untag(_ reference: ImageReference) throws(StoreError) -> Bool {
        let name = Self.refName(reference)
        var removed = false
        try updateIndex { (index: inout ImageIndex) in
            let before = index.manifests.count
            index.manifests.removeAll { $0.refName == name }
            removed = index.manifests.count != before
        }
        return removed
    }

    /// The names of the images in the store, sorted.
    ///
    /// Entries without a name, or whose name is not a valid reference, are left out.
    ///
    /// - Returns: The references, in order of their normalized form.
    /// - Throws: `StoreError.corruptIndex` when `index.json` is not an OCI index.
    public func references() throws(StoreError) -> [ImageReference] {
        try index().manifests
            .compactMap { $0.refName.flatMap { try? ImageReference(parsing: $0) } }
            .sorted { $0.description < $1.description }
    }

    /// The name an image has in `index.json`: its full normalized reference.
    static func refName(_ reference: ImageReference) -> String {
        reference.normalized.description
    }

    /// Reads, changes and rewrites `index.json` under the index lock.
    func updateIndex(_ change: (inout ImageIndex) throws(StoreError) -> Void) throws(StoreError) {
        try indexLock.withLock { () throws(StoreError) in
            let before = try index()
            var index = before
            try change(&index)
            if index != before { try writeIndex(index) }  // a tag moved to where it already was writes nothing
        }
    }

    /// Replaces `index.json` atomically; call it under the index lock.
    func writeIndex(_ index: ImageIndex) throws(StoreError) {
        let data: Data
        do {
            data = try CanonicalJSON.encode(index)
        } catch {
            throw .fileSystem(operation: "encode", path: indexPath, reason: "\(error)")
        }
        try POSIXFile.writeAtomically(data, to: indexPath)
    }
}
