import Archive
import Foundation
import ImageModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("DirectoryWalker")
struct DirectoryWalkerTests {
    /// A small app folder: nested directories, a plain and an executable file.
    private func makeApp(in folder: TemporaryFolder, reversed: Bool = false) throws -> String {
        let files: [(String, String, Int)] = [
            ("app/wsgi.py", "def application(env, start): pass\n", 0o644),
            ("app/bin/run", "#!/bin/sh\nexec true\n", 0o700),
            ("app/static/css/site.css", "body {}\n", 0o600),
            ("app/a.txt", "a\n", 0o664),
        ]
        for (name, text, mode) in reversed ? files.reversed() : files {
            try folder.write(name, text, mode: mode)
        }
        try folder.makeFolder("app/empty")
        return folder.file("app")
    }

    private func layer(of root: String, in folder: TemporaryFolder, name: String = "layer.tar.gz",
                       outsideSymlinks: DirectoryWalker.OutsideSymlinks = .refuse,
                       filter: ((String, Bool) -> Bool)? = nil) throws -> (LayerDigests, [DirectoryWalker.Warning], String) {
        let blob = folder.file(name)
        var warnings: [DirectoryWalker.Warning] = []
        let walker = DirectoryWalker(
            root: PathBytes(root), prefix: "/app/", modificationTime: testEpoch, outsideSymlinks: outsideSymlinks, filter: filter)
        let digests = try writeLayer(to: blob) { warnings = try $0.append(contentsOf: walker) }
        return (digests, warnings, blob)
    }

    private func listing(_ blob: String) throws -> String {
        try check("TZ=UTC tar --full-time -tvzf '\(blob)'")
    }

    @Test("entries are sorted like tar --sort=name, under the prefix, with owner 0/0, the fixed mtime and normalized modes")
    func normalizedListing() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        let (_, warnings, blob) = try layer(of: root, in: folder)
        #expect(warnings.isEmpty)
        let expected = """
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/
            -rw-r--r-- 0/0               2 2024-01-02 03:04:05 app/a.txt
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/bin/
            -rwxr-xr-x 0/0              20 2024-01-02 03:04:05 app/bin/run
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/empty/
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/static/
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/static/css/
            -rw-r--r-- 0/0               8 2024-01-02 03:04:05 app/static/css/site.css
            -rw-r--r-- 0/0              34 2024-01-02 03:04:05 app/wsgi.py
            """
        #expect(try listing(blob) == expected)
        // bsdtar prints user and group names when a header has them: numbers mean the names are empty.
        #expect(try check("bsdtar -tvzf '\(blob)' | awk '{print $3 \"/\" $4}' | sort -u") == "0/0")
    }

    @Test("the same files give the same digest, after touching their times and when created in another order")
    func sameFilesSameDigest() throws {
        let first = try TemporaryFolder()
        let (original, _, _) = try layer(of: try makeApp(in: first), in: first)

        let root = first.file("app")
        _ = try check("find '\(root)' -exec touch -d '2031-05-06 07:08:09' {} +")
        let (touched, _, _) = try layer(of: root, in: first, name: "touched.tar.gz")
        #expect(touched == original)

        let second = try TemporaryFolder()
        let otherRoot = try makeApp(in: second, reversed: true)
        _ = try check("chmod 0640 '\(otherRoot)/wsgi.py' && chmod 0750 '\(otherRoot)/bin/run' && chmod 0700 '\(otherRoot)/static'")
        let (reordered, _, _) = try layer(of: otherRoot, in: second)
        #expect(reordered == original)
    }

    @Test("a symlink inside the folder stays a link; one pointing outside is refused with its name")
    func outsideSymlinkRefused() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        _ = try check("ln -s wsgi.py '\(root)/main.py' && ln -s ../a.txt '\(root)/static/a-link'")
        let (_, _, blob) = try layer(of: root, in: folder)
        let lines = try listing(blob)
        #expect(lines.contains("lrwxrwxrwx 0/0               0 2024-01-02 03:04:05 app/main.py -> wsgi.py"))
        #expect(lines.contains("app/static/a-link -> ../a.txt"))

        _ = try check("ln -s ../../outside.txt '\(root)/static/escape'")
        let error = #expect(throws: ArchiveError.self) { _ = try layer(of: root, in: folder, name: "refused.tar.gz") }
        #expect(error == .symlinkOutsideFolder(link: PathBytes(root + "/static/escape"), target: "../../outside.txt"))
        #expect(error?.description.hasPrefix("symlink \(root)/static/escape points outside the folder (to ../../outside.txt)") == true)

        _ = try check("rm '\(root)/static/escape' && ln -s /etc/hostname '\(root)/absolute'")
        let absolute = #expect(throws: ArchiveError.self) { _ = try layer(of: root, in: folder, name: "refused2.tar.gz") }
        #expect(absolute == .symlinkOutsideFolder(link: PathBytes(root + "/absolute"), target: "/etc/hostname"))
    }

    @Test("with .follow, a link outside the folder is archived as what it points to, file or directory")
    func followsOutsideSymlinks() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        try folder.write("shared/config.ini", "[main]\n")
        try folder.write("shared/lib/util.py", "x = 1\n")
        _ = try check("ln -s ../shared/config.ini '\(root)/config.ini' && ln -s '\(folder.file("shared/lib"))' '\(root)/lib'")
        let (_, _, blob) = try layer(of: root, in: folder, outsideSymlinks: .follow)
        let lines = try listing(blob)
        #expect(lines.contains("-rw-r--r-- 0/0               7 2024-01-02 03:04:05 app/config.ini"))
        #expect(lines.contains("drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/lib/"))
        #expect(lines.contains("-rw-r--r-- 0/0               6 2024-01-02 03:04:05 app/lib/util.py"))
    }

    @Test("following a link back into its own parent is a loop error naming the link")
    func followedLoopIsAnError() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        _ = try check("ln -s '\(root)' '\(root)/static/again'")
        let error = #expect(throws: ArchiveError.self) { _ = try layer(of: root, in: folder, outsideSymlinks: .follow) }
        #expect(error == .symlinkLoop(link: PathBytes(root + "/static/again")))
    }

    @Test("a FIFO is skipped with a warning naming it; the layer has everything else")
    func fifoSkippedWithWarning() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        _ = try check("mkfifo '\(root)/static/pipe'")
        let (_, warnings, blob) = try layer(of: root, in: folder)
        #expect(warnings == [DirectoryWalker.Warning(path: PathBytes(root + "/static/pipe"), reason: "a FIFO cannot be part of an image layer")])
        #expect(warnings.first?.description == "skipped \(root)/static/pipe: a FIFO cannot be part of an image layer")
        #expect(!(try listing(blob)).contains("pipe"))
        #expect(try listing(blob).split(separator: "\n").count == 9)
    }

    @Test("a hard-linked pair becomes two regular files with the same contents")
    func hardLinksBecomeFiles() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        _ = try check("ln '\(root)/wsgi.py' '\(root)/wsgi-copy.py'")
        let (_, _, blob) = try layer(of: root, in: folder)
        let lines = try listing(blob)
        #expect(lines.contains("-rw-r--r-- 0/0              34 2024-01-02 03:04:05 app/wsgi-copy.py"))
        #expect(lines.contains("-rw-r--r-- 0/0              34 2024-01-02 03:04:05 app/wsgi.py"))
        #expect(!lines.contains("link to"))
    }

    @Test("the filter sees paths relative to the folder and keeps excluded directories unwalked")
    func filterExcludes() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        try folder.write("app/node_modules/pkg/index.js", "x\n")
        try folder.write("app/cache.pyc", "x\n")
        nonisolated(unsafe) var seen: [String] = []
        let (_, _, blob) = try layer(of: root, in: folder) { path, isDirectory in
            seen.append(path + (isDirectory ? "/" : ""))
            return path != "node_modules" && !path.hasSuffix(".pyc")
        }
        let lines = try listing(blob)
        #expect(!lines.contains("node_modules"))
        #expect(!lines.contains("cache.pyc"))
        #expect(seen.contains("static/css/site.css"))
        #expect(seen.contains("node_modules/"))
        #expect(!seen.contains("node_modules/pkg/"))
    }

    @Test("without a prefix, entries sit at the layer root with no ./ entry")
    func emptyPrefix() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        let walker = DirectoryWalker(root: PathBytes(root), modificationTime: 0)
        var paths: [String] = []
        _ = try walker.walk { paths.append($0.header.path.description) }
        #expect(paths == ["a.txt", "bin", "bin/run", "empty", "static", "static/css", "static/css/site.css", "wsgi.py"])
    }

    @Test("a nested prefix writes each of its directories first")
    func nestedPrefix() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        let walker = DirectoryWalker(root: PathBytes(root), prefix: "srv/www/", modificationTime: 0)
        var entries: [LayerEntry] = []
        _ = try walker.walk { entries.append($0) }
        #expect(entries.prefix(3).map(\.header.path.description) == ["srv", "srv/www", "srv/www/a.txt"])
        #expect(entries.prefix(2).allSatisfy { $0.header.kind == .directory && $0.header.permissions == 0o755 })
    }

    @Test("a prefix that climbs out with .. is refused")
    func climbingPrefixRefused() throws {
        let folder = try TemporaryFolder()
        let walker = DirectoryWalker(root: PathBytes(try makeApp(in: folder)), prefix: "app/../../etc", modificationTime: 0)
        let error = #expect(throws: ArchiveError.self) { _ = try walker.walk { _ in } }
        #expect(error == .invalidEntryPath("app/../../etc", problem: "the prefix climbs out of the layer with \"..\""))
    }

    @Test("a file that cannot be read when it is appended is an error naming it")
    func unreadableFileIsNamed() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        let walker = DirectoryWalker(root: PathBytes(root), prefix: "app", modificationTime: 0)
        let writer = try LayerWriter { _ in }
        let error = #expect(throws: ArchiveError.self) {
            _ = try walker.walk { entry in
                // Gone between the walk and the read, as when a build races an editor.
                if entry.header.path == "app/wsgi.py" { try FileManager.default.removeItem(atPath: root + "/wsgi.py") }
                try writer.append(entry)
            }
        }
        #expect(error == .cannotOpen(PathBytes(root + "/wsgi.py"), errno: ENOENT))
        #expect(error?.description == "cannot open \(root)/wsgi.py: No such file or directory; make it readable or exclude it")
    }

    @Test("a folder that cannot be opened is an error naming it")
    func unreadableFolderIsNamed() throws {
        let walker = DirectoryWalker(root: "/nonexistent/gantry-app", modificationTime: 0)
        #expect(throws: ArchiveError.cannotOpen("/nonexistent/gantry-app", errno: ENOENT)) { _ = try walker.walk { _ in } }
    }

    @Test("without root's override, a file with mode 000 is an error naming it", .enabled(if: getuid() != 0))
    func permissionDeniedIsNamed() throws {
        let folder = try TemporaryFolder()
        let root = try makeApp(in: folder)
        _ = try check("chmod 000 '\(root)/wsgi.py'")
        let error = #expect(throws: ArchiveError.self) { _ = try layer(of: root, in: folder) }
        #expect(error == .cannotOpen(PathBytes(root + "/wsgi.py"), errno: EACCES))
    }
}
