import Foundation

/// Runs `body` with a new empty directory, and removes the directory and
/// everything in it afterwards, whether `body` returns or throws.
///
/// A closure rather than an object with `deinit`: Swift may end an object's
/// lifetime at its last use, which would delete a folder a container still mounts.
func withTemporaryDirectory<Result>(
    _ body: (URL) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gantry-test-\(UUID().uuidString.prefix(8).lowercased())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

extension URL {
    /// Writes `text` to the file at `relativePath` below this directory, making folders on the way.
    func write(_ text: String, to relativePath: String) throws {
        let file = appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
    }
}
