import Foundation
import Testing

/// The apache-wsgi base built natively (`gantry base build`, mmdebstrap, no
/// daemon) once per test run into the tests' own gantry store, shared by
/// every test that needs a base image.
///
/// The store lives in the checkout's git-ignored `.gantry-test/home`, so the
/// `.deb` files mmdebstrap downloads are kept between local runs.
struct NativeBase: Sendable {
    /// The reference the fixture is stored under.
    static let reference = "localhost/gantry-test/apache-wsgi:native"

    /// `GANTRY_HOME` of the tests.
    static let home: URL = {
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return checkout.appendingPathComponent(".gantry-test/home", isDirectory: true)
    }()

    /// The spec folder the fixture was built from.
    let specFolder: URL
    /// The layer digest the build printed.
    let layerDigest: String
    /// The manifest digest the build printed.
    let manifestDigest: String
    /// What the build printed.
    let output: ProcessOutput

    /// Builds the base, once per test run.
    static func shared() async throws -> NativeBase {
        try requireTool("mmdebstrap")
        return try await NativeBaseBuilds.shared.first()
    }

    /// Runs `gantry base init` and `gantry base build` into `folder`.
    static func build(in folder: URL, tag: String) async throws -> NativeBase {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let spec = folder.appendingPathComponent("base")
        if !FileManager.default.fileExists(atPath: spec.appendingPathComponent("base.yml").path) {
            try await gantry("base", "init", spec.path).check()
        }
        let output = try await gantry("base", "build", spec.path, "--tag", tag,
                                      environment: ["GANTRY_HOME": home.path], timeout: .seconds(900)).check()
        func value(after marker: String) throws -> String {
            guard let range = output.stdout.range(of: marker) else { throw HarnessError.failed(command: "gantry base build", status: 0, output: output.stdout) }
            return String(output.stdout[range.upperBound...].prefix { !$0.isWhitespace && $0 != ")" })
        }
        return NativeBase(specFolder: spec, layerDigest: try value(after: "layer "), manifestDigest: try value(after: "@"), output: output)
    }
}

private actor NativeBaseBuilds {
    static let shared = NativeBaseBuilds()
    private var task: Task<NativeBase, any Error>?
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-native-base-\(getpid())")

    func first() async throws -> NativeBase {
        let task = self.task ?? Task { [folder] in try await NativeBase.build(in: folder, tag: NativeBase.reference) }
        self.task = task
        return try await task.value
    }
}
