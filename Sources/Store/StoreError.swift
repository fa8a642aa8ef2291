import ImageModel

/// Why a store operation failed.
///
/// Each description is one line that names the file, blob or image and says
/// what to do about it.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No image of that name is in the store at `store`.
    case imageNotFound(ImageReference, store: String)
    /// `index.json` at `file` cannot be read as an OCI image index.
    case corruptIndex(file: String, problem: String)
    /// The blob is not in the store at `store`.
    case blobMissing(Digest, store: String)
    /// Content written for `expected` has the digest `actual`; nothing was stored.
    case digestMismatch(expected: Digest, actual: Digest)
    /// Content for `digest` has `actual` bytes where `expected` were announced; nothing was stored.
    case sizeMismatch(Digest, expected: Int64, actual: Int64)
    /// A blob read whole into memory (a manifest or config) is larger than the limit.
    case blobTooLarge(Digest, size: Int64, limit: Int64)
    /// A stored blob's bytes do not hash to its name, or a manifest or config in it cannot be decoded.
    case corruptBlob(Digest, file: String, problem: String)
    /// The store only computes and keeps sha256 digests.
    case unsupportedAlgorithm(Digest)
    /// The process may not write in `folder`.
    case notWritable(folder: String)
    /// A blob writer was used after `commit` or `abort`.
    case writerFinished
    /// Another gantry command holds the store, so it cannot be pruned now.
    case storeBusy(store: String)
    /// A file system call failed for another reason, e.g. a full disk.
    case fileSystem(operation: String, path: String, reason: String)

    /// A one-line explanation naming the object and the fix.
    public var description: String {
        switch self {
        case .imageNotFound(let reference, let store):
            return "image \(reference) is not in the store at \(store); "
                + "run 'gantry images' to see what is there, or 'gantry pull \(reference)' to fetch it"
        case .corruptIndex(let file, let problem):
            return "the store's index \(file) is not a valid OCI image index (\(problem)); "
                + "restore it from a backup, or move it away and pull or build the images again"
        case .blobMissing(let digest, let store):
            return "blob \(digest) is missing from the store at \(store); pull or build the image that needs it again"
        case .digestMismatch(let expected, let actual):
            return "content expected to be \(expected) has digest \(actual), so it was not stored; "
                + "the source sent different bytes: retry, and check that the source is the one you meant"
        case .sizeMismatch(let digest, let expected, let actual):
            return "content for \(digest) is \(actual) bytes where \(expected) were expected, so it was not stored; "
                + "retry, and check that the source is complete"
        case .blobTooLarge(let digest, let size, let limit):
            return "blob \(digest) is \(size) bytes, more than the \(limit) bytes a manifest or config may have; "
                + "check that the image's descriptor points at a manifest or config"
        case .corruptBlob(let digest, let file, let problem):
            return "blob \(digest) at \(file) is corrupt (\(problem)); delete the file and pull or build the image again"
        case .unsupportedAlgorithm(let digest):
            return "blob \(digest) uses \(digest.algorithm.rawValue), but the store keeps sha256 blobs only; "
                + "use the image's sha256 digest"
        case .notWritable(let folder):
            return "cannot write to the gantry store folder \(folder) (permission denied); "
                + "make it writable, or set GANTRY_HOME to a folder you can write"
        case .writerFinished:
            return "the blob writer was already committed or aborted; begin a new blob with 'beginBlob()'"
        case .storeBusy(let store):
            return "another gantry command (build, pull, push, dev…) is using the store at \(store); "
                + "prune when it has finished"
        case .fileSystem(let operation, let path, let reason):
            return "could not \(operation) \(path): \(reason); fix that and retry, or set GANTRY_HOME to use another store folder"
        }
    }
}
