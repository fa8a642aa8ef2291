import Archive
import Foundation
import Testing
@testable import Builder

/// A folder of files for one test, removed afterwards.
func withAppFolder<Result>(_ files: [String: String], _ body: (String) throws -> Result) throws -> Result {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-plan-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: folder) }
    for (path, text) in files {
        let url = folder.appendingPathComponent(path)
        if path.hasSuffix("/") {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            continue
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    return try body(folder.path)
}

@Suite("app layer plan")
struct AppLayerPlanTests {
    static let defaults = AppSpecDefaults.patterns

    func plan(_ folder: String, ignore: String = "", data: [String] = AppSpecDefaults.patterns, mount: String = "/app") throws -> AppLayerPlan {
        try AppLayerPlan(folder: folder, mount: mount, ignore: try IgnoreFile(contents: ignore), data: try DataPatterns(data), modificationTime: 0)
    }

    func paths(_ layer: AppLayerPlan.Layer?) -> [String] {
        layer?.entries.map { $0.header.path.description } ?? []
    }

    @Test("data files at any depth and under data/ go to the data layer with their parents; the rest to the code layer")
    func splitsDataFromCode() throws {
        try withAppFolder([
            "wsgi.py": "app", "results.sqlite3": "db", "db/archive.db": "db", "data/2024/a.csv": "csv",
            "static/app.css": "css", "static/empty/": "",
        ]) { folder in
            let plan = try plan(folder, mount: "/srv/app")
            #expect(plan.layers.map(\.role) == [.data, .code])
            #expect(paths(plan.layers.first) == [
                "srv", "srv/app", "srv/app/data", "srv/app/data/2024", "srv/app/data/2024/a.csv",
                "srv/app/db", "srv/app/db/archive.db", "srv/app/results.sqlite3",
            ])
            #expect(paths(plan.layers.last) == [
                "srv", "srv/app", "srv/app/static", "srv/app/static/app.css", "srv/app/static/empty", "srv/app/wsgi.py",
            ])
            #expect(plan.layers.map(\.fileCount) == [3, 2])
            #expect(plan.unmatchedDataPatterns == ["*.sqlite"])
        }
    }

    @Test("without data files there is only a code layer")
    func noDataLayer() throws {
        try withAppFolder(["wsgi.py": "app"]) { folder in
            let plan = try plan(folder)
            #expect(plan.layers.map(\.role) == [.code])
            #expect(paths(plan.layers.first) == ["app", "app/wsgi.py"])
        }
    }

    @Test("an ignore file that excludes everything is refused: the layers would be empty")
    func ignoreEverything() throws {
        try withAppFolder(["wsgi.py": "app", "a.db": "db"]) { folder in
            let error = try #require(throws: BuilderError.self) { try plan(folder, ignore: "*\n") }
            #expect(error.description.contains("would be empty"))
        }
    }

    @Test("ignored files stay out of both layers")
    func ignoreApplies() throws {
        try withAppFolder(["wsgi.py": "app", "secret.db": "db", ".env": "X=1", "keep.db": "db"]) { folder in
            let plan = try plan(folder, ignore: ".env\nsecret.db\n")
            #expect(paths(plan.layers.first) == ["app", "app/keep.db"])
            #expect(paths(plan.layers.last) == ["app", "app/wsgi.py"])
        }
    }

    @Test("the cache inputs change with a file's size or mtime, not with an unrelated file's bytes elsewhere")
    func inputsFollowMetadata() throws {
        try withAppFolder(["wsgi.py": "app", "a.db": "db"]) { folder in
            let before = try plan(folder)
            try Data("app!".utf8).write(to: URL(fileURLWithPath: folder + "/wsgi.py"))
            let after = try plan(folder)
            #expect(before.layers[0].inputs == after.layers[0].inputs)
            #expect(before.layers[1].inputs != after.layers[1].inputs)
        }
    }
}

/// The defaults, spelled here so the tests read without Scaffold.
enum AppSpecDefaults {
    static let patterns = ["*.sqlite3", "*.sqlite", "*.db", "data/**"]
}

@Suite("data patterns")
struct DataPatternsTests {
    @Test("a pattern without a slash matches at any depth; one with a slash is anchored; a directory takes what is below")
    func matching() throws {
        let patterns = try DataPatterns(["*.db", "data/**", "/exports/", "csv"])
        #expect(patterns.match("a.db") == 0)
        #expect(patterns.match("x/y/a.db") == 0)
        #expect(patterns.match("data/2024/a.csv") == 1)
        #expect(patterns.match("sub/data/a.csv") == nil)
        #expect(patterns.match("exports/a.json") == 2)
        #expect(patterns.match("sub/csv/a.txt") == 3)
        #expect(patterns.match("wsgi.py") == nil)
    }
}

@Suite("git revision")
struct GitRevisionTests {
    @Test("credentials in the origin URL never reach the source label")
    func stripsCredentials() {
        #expect(GitRevision.withoutCredentials("https://bot:s3cret@github.com/news/app.git") == "https://github.com/news/app.git")
        #expect(GitRevision.withoutCredentials("git@github.com:news/app.git") == "git@github.com:news/app.git")
        #expect(GitRevision.withoutCredentials("https://github.com/news/a@b.git") == "https://github.com/news/a@b.git")
    }
}
