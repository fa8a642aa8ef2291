import Archive
@testable import Beanstalk
import Foundation
import Testing

/// `SourceBundle`: the zip's layout, read back with libarchive, and what it refuses.
@Suite struct SourceBundleTests {
    static let dockerrun = Dockerrun.make(.v1, DockerrunFixtures.settings).rendered()

    /// A scratch app folder with files at the given paths (an executable bit for paths ending in `*`).
    static func withApp<Result>(_ files: [String: String], _ body: (URL) throws -> Result) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-bundle-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files {
            let executable = name.hasSuffix("*")
            let url = folder.appendingPathComponent(executable ? String(name.dropLast()) : name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        }
        return try body(folder)
    }

    /// Every entry of a zip, read with libarchive: path, permissions and text.
    static func entries(of zip: String) throws -> [(path: String, permissions: UInt32, text: String)] {
        let reader = try TarReader(path: zip, acceptingZip: true)
        var result: [(String, UInt32, String)] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let header = try reader.nextHeader() {
            var data: [UInt8] = []
            while true {
                let count = try buffer.withUnsafeMutableBytes { try reader.readData(into: $0) }
                if count == 0 { break }
                data += buffer[0..<count]
            }
            result.append((header.path.description, header.permissions, String(decoding: data, as: UTF8.self)))
        }
        return result
    }

    static let app: [String: String] = [
        "gantry.yml": "name: results\n",
        "Dockerfile": "FROM base\n",
        "wsgi.py": "app = None\n",
        ".ebextensions/01-options.config": "option_settings: []\n",
        ".platform/hooks/predeploy/01-migrate.sh*": "#!/bin/sh\necho migrate\n",
        ".platform/nginx/conf.d/proxy.conf": "client_max_body_size 20M;\n",
        "static/app.css": "body {}\n",
        "static/cache/x.pyc": "junk",
        ".ebignore": "# compiled\n*.pyc\n",
    ]

    @Test func theZipHasDockerrunAtTheRootAndThePlatformFoldersSorted() throws {
        try Self.withApp(Self.app) { app in
            var bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            bundle.includes = ["static"]
            let zip = app.appendingPathComponent("app.zip").path
            let summary = try bundle.write(to: zip)
            let entries = try Self.entries(of: zip)
            #expect(entries.map(\.path) == [
                ".ebextensions/", ".ebextensions/01-options.config",
                ".platform/", ".platform/hooks/", ".platform/hooks/predeploy/", ".platform/hooks/predeploy/01-migrate.sh",
                ".platform/nginx/", ".platform/nginx/conf.d/", ".platform/nginx/conf.d/proxy.conf",
                "Dockerrun.aws.json", "static/", "static/app.css", "static/cache/",
            ])
            #expect(summary.entries.count == entries.count)
            #expect(entries.first { $0.path == "Dockerrun.aws.json" }?.text == Self.dockerrun)
            #expect(entries.first { $0.path.hasSuffix("01-migrate.sh") }?.permissions == 0o755)
            #expect(entries.first { $0.path.hasSuffix("proxy.conf") }?.permissions == 0o644)
            #expect(summary.notes.contains { $0.contains("left out Dockerfile") })
        }
    }

    @Test func theSameAppGivesTheSameBytes() throws {
        try Self.withApp(Self.app) { app in
            let bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            let first = app.appendingPathComponent("1.zip").path, second = app.appendingPathComponent("2.zip").path
            _ = try bundle.write(to: first)
            try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: app.appendingPathComponent(".ebextensions/01-options.config").path)
            _ = try bundle.write(to: second)
            #expect(FileManager.default.contents(atPath: first) == FileManager.default.contents(atPath: second))
        }
    }

    @Test func theDockerfileGoesInOnlyWhenAskedAndThenWarns() throws {
        try Self.withApp(Self.app) { app in
            var bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            bundle.includeDockerfile = true
            let zip = app.appendingPathComponent("app.zip").path
            let summary = try bundle.write(to: zip)
            #expect(try Self.entries(of: zip).contains { $0.path == "Dockerfile" })
            #expect(summary.notes.contains { $0.contains("builds the image on the instance") })
        }
    }

    @Test func aHookWithoutAShebangIsRefusedAndNoZipIsLeft() throws {
        var files = Self.app
        files[".platform/hooks/postdeploy/02-notify.sh*"] = "echo done\n"
        try Self.withApp(files) { app in
            let bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            let zip = app.appendingPathComponent("app.zip").path
            #expect(throws: BeanstalkError.hookWithoutInterpreter(path: ".platform/hooks/postdeploy/02-notify.sh")) {
                try bundle.write(to: zip)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: app.path).filter { $0.contains("zip") }
            #expect(left.isEmpty)
        }
    }

    @Test func aHookWithoutTheExecutableBitGetsItInTheZipWithANote() throws {
        var files = Self.app
        files[".platform/hooks/predeploy/01-migrate.sh*"] = nil
        files[".platform/hooks/predeploy/01-migrate.sh"] = "#!/bin/sh\n"
        try Self.withApp(files) { app in
            let bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            let zip = app.appendingPathComponent("app.zip").path
            let summary = try bundle.write(to: zip)
            #expect(try Self.entries(of: zip).first { $0.path.hasSuffix("01-migrate.sh") }?.permissions == 0o755)
            #expect(summary.notes.contains { $0.contains("made .platform/hooks/predeploy/01-migrate.sh executable") })
        }
    }

    @Test func aBundleOverTheLimitIsRefusedAndNoZipIsLeft() throws {
        var files = Self.app
        files["static/big.bin"] = String((0..<200_000).map { _ in "0123456789abcdef".randomElement() ?? "0" })
        try Self.withApp(files) { app in
            var bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            bundle.includes = ["static"]
            bundle.maximumSize = 50_000
            let zip = app.appendingPathComponent("app.zip").path
            #expect(throws: BeanstalkError.bundleTooLarge(path: zip, limit: 50_000)) { try bundle.write(to: zip) }
            let left = try FileManager.default.contentsOfDirectory(atPath: app.path).filter { $0.contains("zip") }
            #expect(left.isEmpty)
        }
    }

    @Test func ebignoreFollowsGitignoreRules() throws {
        let ignore = try IgnoreFile(ebignore: "*.pyc\n/static/private\nbuild/\n!keep.pyc\n\\#literal\n")
        #expect(ignore.isExcluded("static/cache/x.pyc"))
        #expect(ignore.isExcluded("x.pyc"))
        #expect(!ignore.isExcluded("static/keep.pyc"))
        #expect(ignore.isExcluded("static/private/a"))
        #expect(!ignore.isExcluded("other/static/private/a"))
        #expect(ignore.isExcluded("a/build/out.txt"))
        #expect(ignore.isExcluded("#literal"))
    }

    @Test func composeGoesInForVersion3Only() throws {
        var files = Self.app
        files["docker-compose.yml"] = "services: {}\n"
        try Self.withApp(files) { app in
            let zip = app.appendingPathComponent("app.zip").path
            _ = try SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1).write(to: zip)
            #expect(try !Self.entries(of: zip).contains { $0.path == "docker-compose.yml" })
            _ = try SourceBundle(appDirectory: app.path, dockerrun: "{\"AWSEBDockerrunVersion\": \"3\"}\n", version: .v3).write(to: zip)
            #expect(try Self.entries(of: zip).contains { $0.path == "docker-compose.yml" })
        }
    }

    @Test func anIncludeOutsideTheAppIsRefused() throws {
        try Self.withApp(Self.app) { app in
            var bundle = SourceBundle(appDirectory: app.path, dockerrun: Self.dockerrun, version: .v1)
            bundle.includes = ["../etc"]
            #expect(throws: BeanstalkError.self) { try bundle.write(to: app.appendingPathComponent("a.zip").path) }
        }
    }
}
