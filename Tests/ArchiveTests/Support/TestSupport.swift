import Archive
import Foundation
import ImageModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under the system temp folder, removed when the value goes away.
final class TemporaryFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-archive-tests-" + UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` (creating parent folders) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let path = file(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// Makes the folder `name` (with parents) and returns its path.
    @discardableResult
    func makeFolder(_ name: String) throws -> String {
        let path = file(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// What a command printed and how it ended.
struct ToolResult {
    let status: Int32
    let output: Data
    let errorOutput: String
    var text: String { String(decoding: output, as: UTF8.self) }
}

/// Runs a shell command line with bash (`pipefail` on) and returns its output.
@discardableResult
func shell(_ command: String, in folder: String? = nil) throws -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-o", "pipefail", "-c", command]
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting, so a chatty command cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errorData = Data()
    group.enter()
    DispatchQueue.global().async {
        errorData = errors.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus, output: outputData, errorOutput: String(decoding: errorData, as: UTF8.self))
}

/// Runs a command that must succeed and returns what it printed, trimmed.
func check(_ command: String, in folder: String? = nil) throws -> String {
    let result = try shell(command, in: folder)
    guard result.status == 0 else {
        throw TestFailure("`\(command)` exited \(result.status): \(result.errorOutput)")
    }
    return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The `sha256:<hex>` that `sha256sum` prints for what `command` writes to stdout.
func sha256(ofOutputOf command: String) throws -> String {
    let line = try check("\(command) | sha256sum")
    return "sha256:" + (line.split(separator: " ").first.map(String.init) ?? "")
}

/// The `sha256:<hex>` of a file, by `sha256sum`.
func sha256(ofFile path: String) throws -> String {
    try sha256(ofOutputOf: "cat '\(path)'")
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A sink that writes a layer to a file with plain `write(2)` calls.
final class FileSink {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw TestFailure("cannot create \(path)") }
    }

    deinit { close(descriptor) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            guard count > 0 else { throw TestFailure("write to \(path) failed") }
            offset += count
        }
    }
}

/// Writes a layer to `path` with `body` appending the entries.
func writeLayer(
    to path: String, compression: LayerCompression = .gzip(), _ body: (LayerWriter) throws -> Void
) throws -> LayerDigests {
    let sink = try FileSink(path: path)
    let writer = try LayerWriter(compression: compression) { try sink.write($0) }
    try body(writer)
    return try writer.finish()
}

/// The fixed time the tests normalize to: 2024-01-02 03:04:05 UTC.
let testEpoch: Int64 = 1_704_164_645
