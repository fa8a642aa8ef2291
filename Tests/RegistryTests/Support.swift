import Foundation
import Testing

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-registry-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func appending(_ component: String) -> String { url.appendingPathComponent(component).path }

    /// Writes a file (making its folder), optionally executable.
    @discardableResult
    func write(_ component: String, _ text: String, executable: Bool = false) throws -> String {
        let path = appending(component)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs a shell command line to completion and returns its standard output; fails the test on a non-zero exit.
@discardableResult
func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "`\(command)` failed with status \(process.terminationStatus)")
    return String(decoding: data, as: UTF8.self)
}

/// A URL from a string the test built; a bad one fails the test instead of crashing it.
func makeURL(_ text: String) throws -> URL {
    try #require(URL(string: text), "not a URL: \(text)")
}
