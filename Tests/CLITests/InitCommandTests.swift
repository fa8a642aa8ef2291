import Foundation
import Testing

/// `gantry init` and `gantry base init` through the built binary: what a user types.
@Suite struct InitCommandTests {
    /// Every file below `folder` with its bytes and permission bits, to compare before and after.
    static func snapshot(_ folder: URL) -> [String: String] {
        var result: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: folder.path)
        while let relative = walker?.nextObject() as? String {
            let path = folder.appendingPathComponent(relative).path
            let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
            let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            let contents = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "<dir>"
            result[relative] = "\(mode) \(contents)"
        }
        return result
    }

    @Test func initScaffoldsAnAppWhoseMakefileShowsSaneCommands() async throws {
        try requireTool("make")
        try await withTemporaryDirectory { root in
            let output = try await gantry("init", "results", "--image", "registry.example.com/news/results", in: root).check()
            #expect(output.stdout.contains("Created results"))
            let app = root.appendingPathComponent("results")
            for file in ["gantry.yml", "Dockerfile", "Makefile", ".dockerignore", "wsgi.py", "static/app.css"] {
                #expect(FileManager.default.fileExists(atPath: app.appendingPathComponent(file).path), "\(file) missing")
            }
            let wsgi = try String(contentsOf: app.appendingPathComponent("wsgi.py"), encoding: .utf8)
            #expect(wsgi.contains("NAME = \"results\""))

            let dry = try await Subprocess.run("make", ["-n", "dev", "build", "push", "beanstalk", "stop", "shell", "logs"], in: app).check()
            let lines = dry.stdout.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("gantry dev --port 8080 --engine ") })
            #expect(lines.contains { $0.hasPrefix("gantry build --tag registry.example.com/news/results:") })
            #expect(lines.contains { $0.hasPrefix("gantry push registry.example.com/news/results:") })
            #expect(lines.contains("gantry beanstalk"))
            #expect(lines.contains("gantry dev stop"))
            #expect(lines.contains { $0.hasSuffix("exec -it gantry-results /bin/bash") })
            #expect(lines.contains { $0.hasSuffix("logs -f gantry-results") })
            #expect(!dry.stdout.contains("{{"))
        }
    }

    @Test func initTwiceWithoutForceChangesNothing() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("init", "results", in: root).check()
            let app = root.appendingPathComponent("results")
            try app.write("my edit\n", to: "wsgi.py")
            let before = Self.snapshot(root)
            let again = try await gantry("init", "results", in: root)
            #expect(again.status != 0)
            #expect(again.stderr == "gantry: error: results exists and is not empty; nothing was written; use --force to write the scaffold's files into it (other files are left alone)\n")
            #expect(Self.snapshot(root) == before)
        }
    }

    @Test func forceRewritesOnlyTheScaffoldsFiles() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("init", "results", in: root).check()
            let app = root.appendingPathComponent("results")
            try app.write("keep\n", to: "data/results.sqlite3")
            try app.write("changed\n", to: "Makefile")
            try await gantry("init", "results", "--force", in: root).check()
            #expect(try String(contentsOf: app.appendingPathComponent("data/results.sqlite3"), encoding: .utf8) == "keep\n")
            #expect(try String(contentsOf: app.appendingPathComponent("Makefile"), encoding: .utf8) != "changed\n")
        }
    }

    /// Each mistake: the arguments, and words the one-line error must contain.
    static let badInput: [(arguments: [String], mentions: String)] = [
        (["init", "Results"], "invalid app name \"Results\""),
        (["init", "my app"], "invalid app name \"my app\""),
        (["init", "results", "--port", "70000"], "--port 70000 is out of range"),
        (["init", "results", "--image", "localhost:5000/results:v1"], "has a tag or digest"),
        (["init", "results", "--image", "Bad Image"], "--image Bad Image:"),
        (["init", "results", "--template", "django"], "unknown template \"django\"; choose one of: apache-wsgi, static"),
        (["base", "init", "base", "--template", "nginx"], "unknown template \"nginx\""),
    ]

    @Test(arguments: badInput.indices)
    func badInputGetsOneLineAndWritesNothing(case index: Int) async throws {
        let (arguments, mentions) = Self.badInput[index]
        try await withTemporaryDirectory { root in
            let output = try await Subprocess.run(try gantryBinary(), arguments, in: root)
            #expect(output.status != 0)
            #expect(output.stderr.hasPrefix("gantry: error: "))
            #expect(output.stderr.contains(mentions), "stderr: \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1, "stderr: \(output.stderr)")
            #expect(Self.snapshot(root).isEmpty, "files were left: \(Self.snapshot(root).keys.sorted())")
        }
    }

    @Test func aTargetThatIsAFileIsRefused() async throws {
        try await withTemporaryDirectory { root in
            try root.write("not a folder\n", to: "base")
            let output = try await gantry("base", "init", "base", in: root)
            #expect(output.status != 0)
            #expect(output.stderr == "gantry: error: base exists and is not a folder; choose another path\n")
            #expect(try String(contentsOf: root.appendingPathComponent("base"), encoding: .utf8) == "not a folder\n")
        }
    }

    @Test func aFolderWithoutWritePermissionIsRefusedCleanly() async throws {
        // Tests run as root, who may write anywhere: run gantry as nobody.
        let setpriv = try requireTool("setpriv")
        try await withTemporaryDirectory { root in
            let locked = root.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
            let output = try await Subprocess.run(
                setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", try gantryBinary(), "init", "results"],
                environment: ["HOME": "/nonexistent"], in: locked)
            #expect(output.status != 0)
            #expect(output.stderr.hasPrefix("gantry: error: cannot write results"), "stderr: \(output.stderr)")
            #expect(output.stderr.contains("Permission denied"))
            #expect(output.stderr.split(separator: "\n").count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked.path).isEmpty)
        }
    }

    @Test func baseInitTwiceWithoutForceIsRefusedAndChangesNothing() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("base", "init", in: root).check()
            let base = root.appendingPathComponent("base")
            let entry = try FileManager.default.attributesOfItem(atPath: base.appendingPathComponent("files/gantry-entrypoint").path)
            #expect((entry[.posixPermissions] as? Int) == 0o755)
            let before = Self.snapshot(root)
            let again = try await gantry("base", "init", in: root)
            #expect(again.status != 0)
            #expect(again.stderr.contains("base already has base.yml"))
            #expect(again.stderr.contains("use --force"))
            #expect(Self.snapshot(root) == before)
            try await gantry("base", "init", "--force", in: root).check()
        }
    }

    @Test func baseRenderReportsTheLineAndKeyOfAMistake() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("base", "init", in: root).check()
            let yaml = root.appendingPathComponent("base/base.yml")
            let text = try String(contentsOf: yaml, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "port: 8080", with: "port: 8080x").utf8).write(to: yaml)
            let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0 == "port: 8080" }) + 1
            let before = Self.snapshot(root)
            let output = try await gantry("base", "render", "base", in: root)
            #expect(output.status != 0)
            #expect(output.stderr == "gantry: error: base/base.yml:\(line): 'port': expected a port number from 1 to 65535, found \"8080x\"\n")
            #expect(Self.snapshot(root) == before)
        }
    }
}
