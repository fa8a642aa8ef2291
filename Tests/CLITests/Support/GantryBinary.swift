import Foundation

/// The path of the built `gantry` executable: `GANTRY_BIN` when set, else the
/// `gantry` next to the test bundle in the build products folder.
///
/// - Throws: `HarnessError.missingGantry` naming the places it looked, or
///   `HarnessError.badGantryOverride`.
func gantryBinary() throws -> String {
    if let override = ProcessInfo.processInfo.environment["GANTRY_BIN"], !override.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: override) else {
            throw HarnessError.badGantryOverride(override)
        }
        return override
    }
    let candidates = productsDirectories().map { $0.appendingPathComponent("gantry").path }
    if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) {
        return found
    }
    throw HarnessError.missingGantry(searched: candidates)
}

/// Runs the built `gantry` with `arguments`.
func gantry(
    _ arguments: String...,
    environment: [String: String] = [:],
    stdin: String? = nil,
    in directory: URL? = nil,
    timeout: Duration = .seconds(60)
) async throws -> ProcessOutput {
    try await Subprocess.run(
        try gantryBinary(), arguments, environment: environment, stdin: stdin,
        in: directory, timeout: timeout)
}

/// The folders the test bundle may have been loaded from. On Linux the bundle
/// is itself the running executable (`gantryPackageTests.xctest`); on macOS it
/// is a `.xctest` bundle loaded into a runner.
private func productsDirectories() -> [URL] {
    var directories: [URL] = []
    if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        directories.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent())
    }
    directories.append(Bundle.main.bundleURL)
    return directories
}
