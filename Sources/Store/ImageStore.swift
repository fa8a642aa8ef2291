import Foundation
import ImageModel
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// gantry's local image store: an OCI image layout in a folder.
///
/// The layout is the one skopeo, umoci and podman read through their `oci:`
/// transport: `oci-layout`, `index.json` naming each image by its full
/// reference in `org.opencontainers.image.ref.name`, and content-addressed
/// blobs in `blobs/sha256/`. gantry also keeps `ingest/` for blobs being
/// written, `index.json.lock` for serializing index updates and `store.lock`
/// (`StoreUse`) so that a prune never runs beside another command.
///
/// The store holds no state in memory: every call reads the files, so any
/// number of `ImageStore` values and gantry processes can share one root.
public struct ImageStore: Sendable {
    /// The folder holding the layout.
    public let root: URL

    /// The content of `oci-layout`.
    static let layoutFileContent = Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)

    /// The largest blob `readBlob` loads into memory by default: manifests and
    /// configs are small, and registries refuse manifests over 4 MiB.
    public static let maximumDocumentSize: Int64 = 16 << 20

    /// Opens the store in `root`, creating the layout when it is missing.
    ///
    /// Nothing is written when the layout is complete, so a read-only store
    /// can still be listed.
    ///
    /// - Parameter root: The folder holding (or to hold) the layout.
    /// - Throws: `StoreError.notWritable` when the layout is missing and the
    ///   folder cannot be written; `StoreError.fileSystem` for other failures.
    public init(root: URL) throws(StoreError) {
        self.root = root.standardizedFileURL
        try createLayout()
    }

    /// Opens a layout only to read it, writing nothing (not even `ingest/`): an `oci:DIR` that
    /// skopeo or umoci wrote stays as it was.
    ///
    /// - Parameter root: The folder holding the layout.
    /// - Throws: `StoreError.corruptIndex` when the folder has no `index.json`.
    public init(readingLayoutAt root: URL) throws(StoreError) {
        self.root = root.standardizedFileURL
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw .corruptIndex(file: indexPath, problem: "the file is missing: this is not an OCI image layout")
        }
    }

    /// Opens the store where the environment says: `$GANTRY_HOME`, else
    /// `$XDG_CACHE_HOME/gantry`, else `~/.cache/gantry`.
    ///
    /// The process holds the store (`StoreUse`) until it exits: shared by default, so that a
    /// running `gantry prune` is waited for.
    ///
    /// - Parameters:
    ///   - environment: The process environment to read.
    ///   - use: Shared with other commands, or exclusive (`gantry prune`).
    /// - Returns: The store, with its layout created when missing.
    /// - Throws: `StoreError.notWritable` when the layout is missing and the
    ///   folder cannot be written; `.storeBusy` when `use` is exclusive and
    ///   another gantry command holds the store.
    public static func `default`(
        environment: [String: String] = ProcessInfo.processInfo.environment, use: StoreUse = .shared
    ) throws(StoreError) -> ImageStore {
        let store = try ImageStore(root: StoreLocation.resolve(environment: environment))
        try store.hold(use)
        return store
    }

    // The layout's paths.
    var rootPath: String { root.path }
    var layoutFilePath: String { root.appendingPathComponent("oci-layout").path }
    var indexPath: String { root.appendingPathComponent("index.json").path }
    var indexLock: IndexLock { IndexLock(path: root.appendingPathComponent("index.json.lock").path) }
    var blobsPath: String { root.appendingPathComponent("blobs", isDirectory: true).path }
    var ingestPath: String { root.appendingPathComponent("ingest", isDirectory: true).path }

    private func createLayout() throws(StoreError) {
        let fileManager = FileManager.default
        try POSIXFile.makeFolder(blobsPath + "/sha256")
        try POSIXFile.makeFolder(ingestPath)
        if !fileManager.fileExists(atPath: layoutFilePath) {
            // Every writer writes the same bytes, so racing here is harmless.
            try POSIXFile.writeAtomically(Self.layoutFileContent, to: layoutFilePath)
        }
        if !fileManager.fileExists(atPath: indexPath) {
            // Under the lock, so that an empty index never replaces one another process just wrote.
            try indexLock.withLock { () throws(StoreError) in
                if !fileManager.fileExists(atPath: indexPath) {
                    try writeIndex(ImageIndex())
                }
            }
        }
    }
}
