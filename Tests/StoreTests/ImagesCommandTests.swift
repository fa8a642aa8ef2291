import Foundation
import ImageModel
import Store
import Testing

/// The built `gantry` binary: `$GANTRY_BIN`, else next to the test executable.
var gantryBinary: String? {
    if let path = ProcessInfo.processInfo.environment["GANTRY_BIN"], !path.isEmpty { return path }
    guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
        return nil
    }
    // The test executable is <scratch>/debug/<package>PackageTests.xctest; gantry sits beside it.
    let candidate = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("gantry").path
    return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
}

func gantry(_ arguments: [String], home: URL) throws -> ProcessResult {
    let binary = try #require(gantryBinary, "cannot find the gantry binary; build it or set GANTRY_BIN")
    var environment = ProcessInfo.processInfo.environment
    environment["GANTRY_HOME"] = home.path
    return try run(binary, arguments, environment: environment)
}

@Suite("gantry images")
struct ImagesCommandTests {
    @Test("--json lists every tagged image with full reference and digest, media type, size and created time",
          .enabled(if: gantryBinary != nil || Tools.inCI, "the gantry binary is not built"))
    func jsonListsImages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let store = try ImageStore(root: home)
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: ImageReference(parsing: "localhost/gantry/apache-wsgi"))
        try store.tag(image.manifest, as: ImageReference(parsing: "debian:bookworm-slim"))

        let result = try gantry(["images", "--json"], home: home)
        try #require(result.status == 0, "gantry images --json failed: \(result.errors)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["reference"] as? String } == [
            "docker.io/library/debian:bookworm-slim", "localhost/gantry/apache-wsgi:latest",
        ])
        for entry in listed {
            #expect(entry["digest"] as? String == image.manifest.digest.description)
            #expect(entry["mediaType"] as? String == MediaType.ociManifest)
            #expect((entry["size"] as? NSNumber)?.int64Value == image.config.size + image.layer.size)
            #expect(entry["created"] as? String == TinyImage.created)
        }
    }

    @Test("the table has a header and one row per image with a 12-hex digest, a human size and an age",
          .enabled(if: gantryBinary != nil || Tools.inCI, "the gantry binary is not built"))
    func tableListsImages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let store = try ImageStore(root: home)
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: ImageReference(parsing: "localhost/gantry/test:1"))

        let result = try gantry(["images"], home: home)
        try #require(result.status == 0, "gantry images failed: \(result.errors)")
        let lines = result.output.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["REFERENCE", "DIGEST", "SIZE", "CREATED"])
        let cells = lines[1].components(separatedBy: "   ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(cells.count == 4)
        #expect(cells.first == "localhost/gantry/test:1")
        #expect(cells.dropFirst().first == String(image.manifest.digest.encoded.prefix(12)))
        #expect(cells.dropFirst(2).first == "\(image.config.size + image.layer.size) B")
        #expect(cells.last?.hasSuffix("years ago") == true)
    }

    @Test("an empty store prints only the header, or [] with --json",
          .enabled(if: gantryBinary != nil || Tools.inCI, "the gantry binary is not built"))
    func emptyStore() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let table = try gantry(["images"], home: home)
        #expect(table.status == 0)
        #expect(table.output.split(separator: " ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .newlines) }
                == ["REFERENCE", "DIGEST", "SIZE", "CREATED"])
        let json = try gantry(["images", "--json"], home: home)
        #expect(json.status == 0)
        #expect(json.output == "[]\n")
    }

    @Test("a corrupt index.json makes gantry images fail with one line naming the file",
          .enabled(if: gantryBinary != nil || Tools.inCI, "the gantry binary is not built"))
    func corruptIndexFails() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        _ = try ImageStore(root: home)
        try Data("not json".utf8).write(to: home.appendingPathComponent("index.json"))
        let result = try gantry(["images"], home: home)
        #expect(result.status != 0)
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(result.errors.contains(home.appendingPathComponent("index.json").path))
    }
}
