import Archive
import Foundation
import Store

/// Writing one layer into the store, shared by `AppBuild` and `NativeBaseBuild`.
enum LayerIngest {
    /// Writes a layer through a `LayerWriter` into an ingest file of `store` and commits it as a blob.
    ///
    /// The layer writer hashes what it compresses, so the file goes into the
    /// store as it is (`commitFile`) instead of being hashed a second time.
    /// Any failure removes the ingest file. This blocks: call it through `BlockingWork.run`.
    ///
    /// - Parameters:
    ///   - store: Where the blob goes.
    ///   - compression: The layer's compression.
    ///   - fill: Appends the layer's entries to the writer; `finish()` is called after it.
    /// - Throws: `StoreError.notWritable` when the ingest file cannot be created,
    ///   else whatever `fill`, the writer or the store throws.
    static func writeLayer(into store: ImageStore, compression: LayerCompression,
                           _ fill: (LayerWriter) throws -> Void) throws -> LayerDigests {
        let url = try store.makeIngestFileURL()
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw StoreError.notWritable(folder: url.deletingLastPathComponent().path)
        }
        do {
            let file = try FileHandle(forWritingTo: url)
            defer { try? file.close() }
            let writer = try LayerWriter(compression: compression) { bytes in try file.write(contentsOf: bytes) }
            try fill(writer)
            let digests = try writer.finish()
            try file.close()
            try store.commitFile(at: url, digest: digests.digest, size: digests.size)
            return digests
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }
}
