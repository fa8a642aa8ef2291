import Foundation
import Testing
@testable import Scaffold

/// A template built in the test, so these tests do not depend on the shipped ones.
func testTemplate() throws -> BaseTemplate {
    let spec = try BaseSpec.parse(yaml: validBaseYAML, file: "base.yml")
    let files = [
        EmbeddedResources.File(path: "base.yml", mode: 0o644, contents: Data(validBaseYAML.utf8)),
        EmbeddedResources.File(path: "files/entry.sh", mode: 0o755, contents: Data("#!/bin/sh\nexec true\n".utf8)),
        EmbeddedResources.File(path: "files/site.conf", mode: 0o644, contents: Data("# site\n".utf8)),
        EmbeddedResources.File(path: "app/wsgi.py", mode: 0o644, contents: Data("BODY = b'Hello from {{app}}'\n".utf8)),
        EmbeddedResources.File(path: "app/static/app.css", mode: 0o644, contents: Data("body {}\n".utf8)),
    ]
    return BaseTemplate(name: "demo", spec: spec, files: files)
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-scaffold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Every file below the folder with its contents, to compare before and after.
    func snapshot() -> [String: Data] {
        var result: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: url.path)
        while let relative = walker?.nextObject() as? String {
            let full = url.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            result[relative] = isDirectory.boolValue ? Data("<dir>".utf8) : FileManager.default.contents(atPath: full)
        }
        return result
    }
}

@Suite("app scaffold")
struct AppScaffoldTests {
    let spec = AppSpec(name: "results", image: "localhost:5000/results", base: "localhost/gantry/apache-wsgi:latest",
                       port: 8080, mount: "/app", env: [])

    @Test("init writes gantry.yml, Dockerfile, Makefile, .dockerignore and the starter app")
    func writesTheScaffold() throws {
        let folder = try TemporaryFolder()
        let written = try AppScaffold(spec: spec, template: try testTemplate()).write(to: folder.path("results"), force: false)
        #expect(Set(written) == ["gantry.yml", "Dockerfile", "Makefile", ".dockerignore", "wsgi.py", "static/app.css"])
        let files = folder.snapshot()
        #expect(files["results/wsgi.py"] == Data("BODY = b'Hello from results'\n".utf8))
        let dockerfile = String(decoding: try #require(files["results/Dockerfile"]), as: UTF8.self)
        #expect(dockerfile.contains("FROM localhost/gantry/apache-wsgi:latest\nCOPY . /app\n"))
        let makefile = String(decoding: try #require(files["results/Makefile"]), as: UTF8.self)
        #expect(makefile.contains("APP       ?= results"))
        #expect(makefile.contains("IMAGE     ?= localhost:5000/results"))
        #expect(!makefile.contains("{{"))
        let ignore = String(decoding: try #require(files["results/.dockerignore"]), as: UTF8.self).split(separator: "\n")
        for pattern in [".git", ".env", "**/__pycache__", "**/*.pyc", ".gantry"] {
            #expect(ignore.contains(Substring(pattern)))
        }
        let yaml = String(decoding: try #require(files["results/gantry.yml"]), as: UTF8.self)
        #expect(try AppSpec.parse(yaml: yaml, file: "gantry.yml") == spec)
    }

    @Test("a second init without --force is refused and changes nothing")
    func secondInitChangesNothing() throws {
        let folder = try TemporaryFolder()
        let scaffold = try AppScaffold(spec: spec, template: try testTemplate())
        _ = try scaffold.write(to: folder.path("results"), force: false)
        try Data("edited\n".utf8).write(to: folder.url.appendingPathComponent("results/wsgi.py"))
        let before = folder.snapshot()
        let error = try #require(throws: ScaffoldError.self) { try scaffold.write(to: folder.path("results"), force: false) }
        #expect(error == .directoryNotEmpty(folder.path("results")))
        #expect(folder.snapshot() == before)
    }

    @Test("--force writes only the scaffold's files and leaves the others alone")
    func forceTouchesOnlyScaffoldFiles() throws {
        let folder = try TemporaryFolder()
        let target = folder.url.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: target.appendingPathComponent("data/results.sqlite3"))
        try Data("mine\n".utf8).write(to: target.appendingPathComponent("notes.txt"))
        try Data("old\n".utf8).write(to: target.appendingPathComponent("Makefile"))
        _ = try AppScaffold(spec: spec, template: try testTemplate()).write(to: target.path, force: true)
        let files = folder.snapshot()
        #expect(files["results/data/results.sqlite3"] == Data("keep me\n".utf8))
        #expect(files["results/notes.txt"] == Data("mine\n".utf8))
        #expect(files["results/Makefile"] != Data("old\n".utf8))
        #expect(files["results/wsgi.py"] != nil)
    }

    @Test("a target that is a file is refused")
    func fileTargetRefused() throws {
        let folder = try TemporaryFolder()
        try Data("x".utf8).write(to: folder.url.appendingPathComponent("results"))
        let error = try #require(throws: ScaffoldError.self) {
            try AppScaffold(spec: spec, template: try testTemplate()).write(to: folder.path("results"), force: true)
        }
        #expect(error == .notADirectory(folder.path("results")))
    }

    @Test("an app name that is not a repository component is refused", arguments: ["Results", "my app", "-x", "a__-b", "", "ab/cd"])
    func badNamesRefused(_ name: String) throws {
        var bad = spec
        bad.name = name
        #expect(throws: ScaffoldError.invalidAppName(name)) { try AppScaffold(spec: bad, template: try testTemplate()) }
    }

    @Test("a write that fails halfway leaves nothing behind")
    func failedWriteLeavesNothing() throws {
        let folder = try TemporaryFolder()
        let target = folder.url.appendingPathComponent("results")
        // 'static' is a file, so writing static/app.css fails after other files were staged.
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("in the way\n".utf8).write(to: target.appendingPathComponent("static"))
        let before = folder.snapshot()
        #expect(throws: ScaffoldError.self) {
            try AppScaffold(spec: spec, template: try testTemplate()).write(to: target.path, force: true)
        }
        #expect(folder.snapshot() == before)
    }
}

@Suite("base spec folder")
struct BaseSpecFolderTests {
    @Test("base init writes base.yml, the copied files and a Dockerfile, then refuses to overwrite")
    func initThenRefuse() throws {
        let folder = try TemporaryFolder()
        let base = BaseSpecFolder(path: folder.path("base"))
        let written = try base.initialize(from: try testTemplate(), force: false)
        #expect(Set(written) == ["base.yml", "files/entry.sh", "files/site.conf", "Dockerfile"])
        let snapshot = folder.snapshot()
        #expect(snapshot["base/app/wsgi.py"] == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path("base/files/entry.sh"))
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
        let error = try #require(throws: ScaffoldError.self) { try base.initialize(from: try testTemplate(), force: false) }
        guard case let .filesExist(_, files) = error else { Issue.record("unexpected \(error)"); return }
        #expect(files.contains("base.yml"))
        #expect(folder.snapshot() == snapshot)
    }

    @Test("render writes the Dockerfile again from an edited base.yml")
    func renderAfterEdit() throws {
        let folder = try TemporaryFolder()
        let base = BaseSpecFolder(path: folder.path("base"))
        _ = try base.initialize(from: try testTemplate(), force: false)
        let yamlURL = folder.url.appendingPathComponent("base/base.yml")
        let edited = try String(contentsOf: yamlURL, encoding: .utf8).replacingOccurrences(of: "port: 8080", with: "port: 9090")
        try Data(edited.utf8).write(to: yamlURL)
        _ = try base.render()
        let dockerfile = try String(contentsOf: folder.url.appendingPathComponent("base/Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("EXPOSE 9090"))
    }

    @Test("render names the file and line of a mistake in base.yml")
    func renderReportsMistakes() throws {
        let folder = try TemporaryFolder()
        let base = BaseSpecFolder(path: folder.path("base"))
        _ = try base.initialize(from: try testTemplate(), force: false)
        let yamlURL = folder.url.appendingPathComponent("base/base.yml")
        let edited = try String(contentsOf: yamlURL, encoding: .utf8).replacingOccurrences(of: "port: 8080", with: "port: eighty")
        try Data(edited.utf8).write(to: yamlURL)
        let error = try #require(throws: SpecError.self) { try base.render() }
        #expect(error.description == "\(folder.path("base"))/base.yml:23: 'port': expected a port number from 1 to 65535, found \"eighty\"")
    }
}
