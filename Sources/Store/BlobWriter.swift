import Archive
import Foundation
import ImageModel
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// Streams one blob into the store, hashing it as it goes.
///
/// Bytes go to a temporary file in the store's `ingest/` folder. Only
/// `commit` moves the file to `blobs/sha256/<hex>`, after syncing it to disk
/// and checking the expected digest, so a blob's name always matches its
/// content, even after a crash. A writer that is aborted, fails, or is
/// released without a commit removes its temporary file.
///
/// Use one writer from one task at a time; get one from `ImageStore.beginBlob()`.
public final class BlobWriter {
    private let store: ImageStore
    private let temporaryPath: String
    private var file: POSIXFile?
    private var hasher = Digester()

    /// How many bytes were written so far.
    public var bytesWritten: Int64 { hasher.count }

    init(store: ImageStore) throws(StoreError) {
        self.store = store
        temporaryPath = store.ingestPath + "/blob-\(UUID().uuidString)"
        file = try POSIXFile.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL, writing: true)
    }

    deinit {
        abort()
    }

    /// Appends bytes to the blob.
    ///
    /// - Parameter bytes: The next bytes of the blob.
    /// - Throws: `StoreError.writerFinished` after `commit` or `abort`;
    ///   `StoreError.fileSystem` (e.g. a full disk) or `notWritable`, after
    ///   which the writer is aborted.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        guard let file else { throw .writerFinished }
        do throws(StoreError) {
            try file.write(bytes)
        } catch {
            abort()
            throw error
        }
        hasher.update(bytes)
    }

    /// Appends bytes to the blob.
    ///
    /// - Parameter data: The next bytes of the blob.
    /// - Throws: As `write(_:)` for a buffer.
    public func write(_ data: Data) throws(StoreError) {
        // `withUnsafeBytes` rethrows untyped errors, so the error is carried out by hand.
        let failure: StoreError? = data.withUnsafeBytes { bytes in
            do throws(StoreError) { try write(bytes) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Finishes the blob and moves it into the store under its digest.
    ///
    /// When the blob is already in the store (another writer committed the
    /// same content), the rename replaces it with identical bytes.
    ///
    /// - Parameters:
    ///   - expected: The digest the content must have, e.g. from a manifest; nil to accept any.
    ///   - expectedSize: The size the content must have; nil to accept any.
    /// - Returns: The blob's digest and size.
    /// - Throws: `StoreError.digestMismatch` or `sizeMismatch` when the content
    ///   is not what was expected, `unsupportedAlgorithm` when `expected` is not
    ///   sha256, `writerFinished` after `commit` or `abort`, or a file system
    ///   error. On any error nothing is stored and the temporary file is gone.
    @discardableResult
    public func commit(expected: Digest? = nil, expectedSize: Int64? = nil) throws(StoreError) -> (digest: Digest, size: Int64) {
        guard let file else { throw .writerFinished }
        do throws(StoreError) {
            guard let digest = try? hasher.finalize() else {
                // Unreachable: 32 bytes always give 64 lowercase hex digits.
                throw StoreError.fileSystem(operation: "hash", path: temporaryPath, reason: "SHA-256 gave no digest")
            }
            if let expected {
                guard expected.algorithm == .sha256 else { throw StoreError.unsupportedAlgorithm(expected) }
                guard expected == digest else { throw StoreError.digestMismatch(expected: expected, actual: digest) }
            }
            if let expectedSize, expectedSize != bytesWritten {
                throw StoreError.sizeMismatch(digest, expected: expectedSize, actual: bytesWritten)
            }
            try file.sync()
            file.close()
            self.file = nil
            try POSIXFile.rename(temporaryPath, to: store.blobURL(digest).path)
            return (digest, bytesWritten)
        } catch {
            abort()
            throw error
        }
    }

    /// Drops the blob: closes and removes the temporary file. Calling it again does nothing.
    public func abort() {
        file?.close()
        file = nil
        POSIXFile.remove(temporaryPath)
    }
}
