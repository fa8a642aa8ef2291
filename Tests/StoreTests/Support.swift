import Foundation
import ImageModel
import Store
import Testing

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func appending(_ component: String) -> URL { url.appendingPathComponent(component) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// What a finished child process left.
struct ProcessResult {
    let status: Int32
    let output: String
    let errors: String
}

/// Runs a program to completion; output goes through files so that a chatty child never blocks on a full pipe.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let outputURL = folder.appending("stdout")
    let errorsURL = folder.appending("stderr")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
    let output = try FileHandle(forWritingTo: outputURL)
    let errors = try FileHandle(forWritingTo: errorsURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    try output.close()
    try errors.close()
    return ProcessResult(
        status: process.terminationStatus,
        output: try String(contentsOf: outputURL, encoding: .utf8),
        errors: try String(contentsOf: errorsURL, encoding: .utf8))
}

/// Runs a shell command line and returns its standard output; fails the test on a non-zero exit.
func shell(_ command: String) throws -> String {
    let result = try run("/bin/sh", ["-c", command])
    try #require(result.status == 0, "`\(command)` failed: \(result.errors)")
    return result.output
}

/// External tools the interoperability tests use.
enum Tools {
    /// Whether the tests run in CI, where missing tools are failures rather than skips.
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// The full path of `name` on `PATH`, if any.
    static func path(of name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when every tool is installed, or when in CI (so that the test runs and fails on the missing one).
    static func availableOrRequired(_ names: String...) -> Bool {
        inCI || names.allSatisfy { path(of: $0) != nil }
    }

    /// The full path of `name`; fails the test when it is missing.
    static func require(_ name: String) throws -> String {
        try #require(path(of: name), "\(name) is not installed; install it to run the interoperability tests")
    }
}

/// The SHA-256 of a file according to `sha256sum`, as a digest.
func sha256sum(_ url: URL) throws -> Digest {
    let line = try shell("sha256sum '\(url.path)'")
    return try Digest.sha256(hex: String(line.prefix(64)))
}

/// A real, minimal image: one gzip layer made by `tar -czf`, an OCI config and manifest.
struct TinyImage {
    let manifest: Descriptor
    let config: Descriptor
    let layer: Descriptor
    let diffID: Digest
    /// The file the layer holds, relative to the root file system.
    static let fileName = "hello.txt"
    static let fileContent = "hello from gantry\n"
    static let created = "2024-05-01T12:00:00Z"

    /// Builds the image's blobs into `store` (not tagged), using `scratch` for the layer's files.
    static func make(in store: ImageStore, scratch: TemporaryFolder, label: String = "tiny") throws -> TinyImage {
        let rootfs = scratch.appending("rootfs-\(label)")
        try FileManager.default.createDirectory(at: rootfs, withIntermediateDirectories: true)
        try Data((fileContent + label + "\n").utf8).write(to: rootfs.appendingPathComponent(fileName))
        let layerFile = scratch.appending("layer-\(label).tar.gz")
        _ = try shell("tar -czf '\(layerFile.path)' -C '\(rootfs.path)' .")
        let diffHex = try shell("gzip -dc '\(layerFile.path)' | sha256sum")
        let diffID = try Digest.sha256(hex: String(diffHex.prefix(64)))

        // Stream the layer in, as a pull or build would.
        let writer = try store.beginBlob()
        let input = try FileHandle(forReadingFrom: layerFile)
        while let chunk = try input.read(upToCount: 4096), !chunk.isEmpty {
            try writer.write(chunk)
        }
        try input.close()
        let (layerDigest, layerSize) = try writer.commit()
        let layer = Descriptor(mediaType: MediaType.ociLayerGzip, digest: layerDigest, size: layerSize)

        let configuration = ImageConfiguration(
            created: created, architecture: "amd64", os: "linux",
            config: .init(env: ["PATH=/usr/local/bin:/usr/bin:/bin"], cmd: ["/bin/sh"], workingDir: "/"),
            rootfs: .init(diffIDs: [diffID]),
            history: [.init(created: created, createdBy: "gantry test: add \(fileName)", comment: label)])
        let config = try store.writeBlob(CanonicalJSON.encode(configuration), mediaType: MediaType.ociConfig)
        let manifestDocument = ImageManifest(config: config, layers: [layer])
        let manifest = try store.writeBlob(CanonicalJSON.encode(manifestDocument), mediaType: MediaType.ociManifest)
        return TinyImage(manifest: manifest, config: config, layer: layer, diffID: diffID)
    }
}

/// Files in a folder, ignoring a missing folder.
func contents(of url: URL) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
}
