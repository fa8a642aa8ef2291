import Archive
import Foundation
import ImageModel
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

extension ImageStore {
    /// Where the blob with `digest` is (or would be): `ROOT/blobs/<algorithm>/<hex>`.
    ///
    /// - Parameter digest: The blob's digest.
    /// - Returns: The file URL; the file may not exist.
    public func blobURL(_ digest: Digest) -> URL {
        root.appendingPathComponent("blobs", isDirectory: true)
            .appendingPathComponent(digest.algorithm.rawValue, isDirectory: true)
            .appendingPathComponent(digest.encoded, isDirectory: false)
    }

    /// Whether the blob with `digest` is in the store.
    ///
    /// - Parameter digest: The blob's digest.
    public func hasBlob(_ digest: Digest) -> Bool {
        FileManager.default.fileExists(atPath: blobURL(digest).path)
    }

    /// The size in bytes of the blob with `digest`.
    ///
    /// - Parameter digest: The blob's digest.
    /// - Throws: `StoreError.blobMissing` when the blob is not in the store.
    public func blobSize(_ digest: Digest) throws(StoreError) -> Int64 {
        let file = try openBlob(digest)
        defer { file.close() }
        return try file.size()
    }

    /// Reads a small blob whole, such as a manifest or config, and checks that its bytes match its digest.
    ///
    /// Layers are streamed from `blobURL(_:)` instead.
    ///
    /// - Parameters:
    ///   - digest: The blob's digest.
    ///   - maximumSize: The largest size to load; `maximumDocumentSize` by default.
    /// - Returns: The blob's bytes.
    /// - Throws: `StoreError.blobMissing` when the blob is not in the store,
    ///   `blobTooLarge` when it is over `maximumSize`, `corruptBlob` when its
    ///   bytes do not hash to `digest`.
    public func readBlob(_ digest: Digest, maximumSize: Int64 = ImageStore.maximumDocumentSize) throws(StoreError) -> Data {
        let file = try openBlob(digest)
        defer { file.close() }
        let size = try file.size()
        guard size <= maximumSize else { throw .blobTooLarge(digest, size: size, limit: maximumSize) }
        let data = try file.read(upTo: Int(size))
        let actual = Digester.hex(of: data, algorithm: digest.algorithm)
        guard actual == digest.encoded else {
            throw .corruptBlob(digest, file: file.path, problem: "its content has \(digest.algorithm.rawValue) \(actual)")
        }
        return data
    }

    /// Stores `data` as a blob.
    ///
    /// - Parameters:
    ///   - data: The blob's bytes, e.g. a manifest or config.
    ///   - mediaType: The media type for the returned descriptor.
    ///   - expected: The digest the bytes must have, when known (a manifest pulled by digest).
    /// - Returns: A descriptor of the stored blob.
    /// - Throws: `StoreError.notWritable` or `fileSystem` when the blob cannot be written,
    ///   `digestMismatch` when the bytes are not `expected`'s (nothing is stored then).
    @discardableResult
    public func writeBlob(_ data: Data, mediaType: String, expected: Digest? = nil) throws(StoreError) -> Descriptor {
        // A blob already stored is not written (and synced) again: a rebuild with nothing changed
        // makes the same config and manifest.
        if let digest = try? Digester.digest(of: data), hasBlob(digest) {
            if let expected, expected != digest { throw .digestMismatch(expected: expected, actual: digest) }
            return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
        }
        let writer = try beginBlob()
        try writer.write(data)
        let (digest, size) = try writer.commit(expected: expected)
        return Descriptor(mediaType: mediaType, digest: digest, size: size)
    }

    /// Starts streaming a blob into the store; see `BlobWriter`.
    ///
    /// - Returns: A writer whose `commit` stores the blob.
    /// - Throws: `StoreError.notWritable` when the store's `ingest/` folder cannot be written.
    public func beginBlob() throws(StoreError) -> BlobWriter {
        try BlobWriter(store: self)
    }

    /// A fresh path in the store's `ingest/` folder, for a writer that hashes
    /// its own output and hands the file to `commitFile(at:digest:size:)`.
    ///
    /// The file is on the same file system as the blobs, so committing it is a rename.
    ///
    /// - Returns: A path that no file has yet.
    /// - Throws: `StoreError.notWritable` when `ingest/` cannot be created.
    public func makeIngestFileURL() throws(StoreError) -> URL {
        try POSIXFile.makeFolder(ingestPath)
        return URL(fileURLWithPath: ingestPath + "/file-\(UUID().uuidString)", isDirectory: false)
    }

    /// Moves a finished file into the store as the blob `digest`, without reading it.
    ///
    /// The caller vouches for the digest: it hashed the bytes while writing
    /// them (as the layer writer does while compressing). Only the size is
    /// checked. The file is synced to disk, then renamed; it must be on the
    /// store's file system, e.g. at `makeIngestFileURL()`. The file is consumed
    /// either way: moved in on success, removed on failure.
    ///
    /// - Parameters:
    ///   - url: The finished file.
    ///   - digest: The sha256 digest of its bytes.
    ///   - size: Its size in bytes.
    /// - Throws: `StoreError.sizeMismatch` when the file has another size,
    ///   `unsupportedAlgorithm` for a digest other than sha256, `fileSystem`
    ///   when the file is missing or on another file system.
    public func commitFile(at url: URL, digest: Digest, size: Int64) throws(StoreError) {
        let path = url.path
        do throws(StoreError) {
            guard digest.algorithm == .sha256 else { throw StoreError.unsupportedAlgorithm(digest) }
            let file = try POSIXFile.open(path, flags: O_RDONLY, writing: false)
            defer { file.close() }
            let actual = try file.size()
            guard actual == size else { throw StoreError.sizeMismatch(digest, expected: size, actual: actual) }
            try file.sync()
            try POSIXFile.rename(path, to: blobURL(digest).path)
        } catch {
            POSIXFile.remove(path)
            throw error
        }
    }

    /// Reads a stored JSON document, such as a manifest or config, as `type`.
    ///
    /// - Parameters:
    ///   - type: The document type, e.g. `ImageManifest.self`.
    ///   - digest: The blob's digest.
    /// - Returns: The decoded document.
    /// - Throws: As `readBlob(_:maximumSize:)`, and `StoreError.corruptBlob`
    ///   when the bytes are not a `type`.
    public func decodeBlob<Document: Decodable>(_ type: Document.Type, digest: Digest) throws(StoreError) -> Document {
        let data = try readBlob(digest)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .corruptBlob(digest, file: blobURL(digest).path, problem: "not a \(type): \(Self.explain(error))")
        }
    }

    private func openBlob(_ digest: Digest) throws(StoreError) -> POSIXFile {
        let path = blobURL(digest).path
        do throws(StoreError) {
            return try POSIXFile.open(path, flags: O_RDONLY, writing: false)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { throw .blobMissing(digest, store: rootPath) }
            throw error
        }
    }

    /// A short, one-line account of a decoding error.
    static func explain(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "" : " at " + keys.joined(separator: ".")
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            return "member \"\(key.stringValue)\" is missing" + path(context)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type" + path(context) + ": " + context.debugDescription
        case .dataCorrupted(let context):
            return (context.underlyingError.map { "\($0)" } ?? context.debugDescription) + path(context)
        @unknown default:
            return "\(decodingError)"
        }
    }
}

extension ImageStore {
    /// Copies a blob into the store from a file elsewhere (another OCI layout, a download),
    /// streaming it and checking its digest and size; a blob the store has is not copied again.
    ///
    /// - Parameters:
    ///   - file: The file holding the blob's bytes.
    ///   - digest: The digest the bytes must have.
    ///   - size: The size they must have.
    /// - Throws: `StoreError.digestMismatch` or `sizeMismatch` when the file holds other bytes
    ///   (nothing is stored then), `fileSystem` when it cannot be read.
    public func importBlob(from file: URL, digest: Digest, size: Int64) throws(StoreError) {
        if hasBlob(digest) { return }
        let input = try POSIXFile.open(file.path, flags: O_RDONLY, writing: false)
        defer { input.close() }
        let writer = try beginBlob()
        while true {
            let chunk = try input.read(upTo: 1 << 20)
            if chunk.isEmpty { break }
            try writer.write(chunk)
        }
        try writer.commit(expected: digest, expectedSize: size)
    }

    /// Removes gantry's work files (`ingest/` when empty, `index.json.lock`) from a layout gantry
    /// wrote for another tool, such as `gantry copy … oci:DIR`.
    public func removeWorkFiles() {
        rmdir(ingestPath)
        unlink(root.appendingPathComponent("index.json.lock").path)
    }
}
