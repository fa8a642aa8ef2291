import Archive
import Foundation
import Testing

/// A `.dockerignore`, a path and whether docker leaves the path out of the context.
struct IgnoreCase: CustomTestStringConvertible, Sendable {
    let file: String
    let path: String
    let excluded: Bool

    init(_ file: String, _ path: String, _ excluded: Bool) {
        self.file = file
        self.path = path
        self.excluded = excluded
    }

    var testDescription: String { "\(file.debugDescription) \(excluded ? "excludes" : "keeps") \(path)" }
}

@Suite("IgnoreFile")
struct IgnoreFileTests {
    /// The examples of docker's .dockerignore documentation.
    static let documented: [IgnoreCase] = [
        .init("# comment\n*/temp*", "somedir/temporary.txt", true),
        .init("# comment\n*/temp*", "somedir/temp", true),
        .init("# comment\n*/temp*", "somedir/temp/inside.txt", true),
        .init("# comment\n*/temp*", "temporary.txt", false),
        .init("# comment\n*/temp*", "a/b/temporary.txt", false),
        .init("*/*/temp*", "somedir/subdir/temporary.txt", true),
        .init("*/*/temp*", "somedir/temporary.txt", false),
        .init("temp?", "tempa", true),
        .init("temp?", "tempb", true),
        .init("temp?", "temp", false),
        .init("temp?", "tempab", false),
        .init("temp?", "dir/tempa", false),
        .init("**/*.go", "main.go", true),
        .init("**/*.go", "a/b/c/main.go", true),
        .init("**/*.go", "a/b/c/main.py", false),
        .init("*.md\n!README.md", "README.md", false),
        .init("*.md\n!README.md", "CHANGES.md", true),
        .init("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true),
        .init("*.md\n!README*.md\nREADME-secret.md", "README-public.md", false),
        .init("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", false),
        .init("docs\n!docs/keep.md", "docs/keep.md", false),
        .init("docs\n!docs/keep.md", "docs/other.md", true),
        .init("docs\n!docs/keep.md", "docs", true),
    ]

    /// Reading rules: comments, blank lines, whitespace, `!`, cleaning, leading and trailing `/`.
    static let reading: [IgnoreCase] = [
        .init("/foo", "foo", true),
        .init("/foo", "bar/foo", false),
        .init("./foo", "foo", true),
        .init("foo/", "foo", true),
        .init("foo/", "foo/bar", true),
        .init("a//b/../c/./", "a/c", true),
        .init("a//b/../c/./", "a/b", false),
        .init("\n\n   \n*.log   \n", "x.log", true),
        .init("  *.log\r\n", "x.log", true),
        .init("#*.log", "x.log", false),
        .init(" #x", "#x", true),
        .init("\u{FEFF}*.log", "x.log", true),
        .init("*.log\n! keep.log", "keep.log", false),
        .init("!/keep.log\n*.log", "keep.log", true),
        .init("foo", "foo/bar/baz", true),
        .init("foo", "foofoo", false),
        .init("", "anything", false),
        .init("*", "anything/below", true),
        .init("*\n!app\n", "app/wsgi.py", false),
    ]

    /// Matching cases from moby's patternmatcher tests: `**`, classes, escapes, regexp metacharacters.
    static let matching: [IgnoreCase] = [
        .init("**", "file", true),
        .init("**/", "dir/file", true),
        .init("**/**", "dir/file", true),
        .init("dir/**", "dir/file", true),
        .init("dir/**", "dir/dir2/file", true),
        .init("**/dir", "dir", true),
        .init("**/dir", "dir/file", true),
        .init("**/dir2/*", "dir/dir2/file", true),
        .init("**/dir2/**", "dir/dir2/dir3/file", true),
        .init("**file", "file", true),
        .init("**file", "dir/file", true),
        .init("**/file", "dir/dir/file", true),
        .init("**/file*", "dir/dir/file.txt", true),
        .init("**/file*txt", "dir/dir/file.txt", true),
        .init("**/file*.txt*", "dir/dir/file.txt", true),
        .init("**/**/*.txt", "dir/dir/file.txt", true),
        .init("**/**/*.txt2", "dir/dir/file.txt", false),
        .init("**/*.txt", "file.txt", true),
        .init("**/**/*.txt", "file.txt", true),
        .init("a**/*.txt", "a/file.txt", true),
        .init("a**/*.txt", "a/dir/dir/file.txt", true),
        .init("a/*.txt", "a/dir/file.txt", false),
        .init("a/*.txt", "a/file.txt", true),
        .init("a/*.txt**", "a/file.txt", true),
        .init("a/**/b", "a/b", true),
        .init("a/**/b", "a/x/y/b", true),
        .init("a/**/b", "a/x/y/c", false),
        .init("abc/**", "abc", false),
        .init("abc/**", "abc/def/ghi", true),
        .init("**/foo/bar", "foo/bar", true),
        .init("**/foo/bar", "dir/dir2/foo/bar", true),
        .init("**/.foo", ".foo", true),
        .init("**/.foo", "bar.foo", false),
        .init("a[b-d]e", "ace", true),
        .init("a[b-d]e", "ae", false),
        .init("a[b-d]e", "aae", false),
        .init("a[^b-d]e", "aze", true),
        .init("a[^b-d]e", "ace", false),
        .init("file[0-9].txt", "file7.txt", true),
        .init("file[0-9].txt", "fileX.txt", false),
        .init("[\\]a]", "]", true),
        .init(".*", ".foo", true),
        .init(".*", "foo", false),
        .init("abc.def", "abcZdef", false),
        .init("abc.def", "abc.def", true),
        .init("abc?def", "abcZdef", true),
        .init("abc?def", "abcdef", false),
        .init("a?b", "a/b", false),
        .init("a*b", "a/b", false),
        .init("a\\*b", "a*b", true),
        .init("a\\*b", "axb", false),
        .init("a\\[b", "a[b", true),
        .init("a\\\\", "a\\", true),
        .init("a(b)c/def", "a(b)c/def", true),
        .init("a(b)c/def", "a(b)c/xyz", false),
        .init("a.|)$(}+{bc", "a.|)$(}+{bc", true),
        .init("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true),
        .init("*.txt", "héllo wörld.txt", true),
        .init("**\n!util/docker/web", "util/docker/web/foo", false),
        .init("**\n!util/docker/web\nutil/docker/web/foo", "util/docker/web/foo", true),
        .init("**\n!dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false),
        // Go's own filepath.Match table, as moby's tests run it.
        .init("a*", "ab/c", true),
        .init("a*/b", "abc/b", true),
        .init("a*/b", "a/c/b", false),
        .init("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
        .init("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
        .init("a*b?c*x", "abxbbxdbxebxczzx", true),
        .init("a*b?c*x", "abxbbxdbxebxczzy", false),
        .init("ab[^e-g]", "abc", true),
        .init("a?b", "a\u{263A}b", true),
        .init("a???b", "a\u{263A}b", false),
        .init("[a-\u{3B6}]*", "\u{3B1}", true),
        .init("*[a-\u{3B6}]", "A", false),
        .init("[\\-x]", "-", true),
        .init("[x\\-]", "z", false),
        .init("*x", "xxx", true),
        .init("h?llo", "h\u{E9}llo", true),
        // moby's quirks, kept: a leading `**` before plain text is a suffix test,
        // and `**` inside a name stands for "nothing, or directories".
        .init("**file", "dir/myfile", true),
        .init("a**b", "axb", false),
        .init("a**b", "ax/b", true),
        .init("a**b", "ab", true),
        .init("h??llo", "h\u{E9}llo", false),
    ]

    @Test("docker's documented examples", arguments: documented)
    func documentedExample(_ example: IgnoreCase) throws {
        #expect(try IgnoreFile(contents: example.file).isExcluded(example.path) == example.excluded)
    }

    @Test("reading: comments, blank lines, whitespace, cleaning", arguments: reading)
    func readingRule(_ example: IgnoreCase) throws {
        #expect(try IgnoreFile(contents: example.file).isExcluded(example.path) == example.excluded)
    }

    @Test("matching: **, classes, escapes, metacharacters", arguments: matching)
    func matchingRule(_ example: IgnoreCase) throws {
        #expect(try IgnoreFile(contents: example.file).isExcluded(example.path) == example.excluded)
    }

    @Test("patterns are cleaned as docker cleans them")
    func cleanedPatterns() throws {
        let file = try IgnoreFile(contents: "# c\n/a/b/\n ./c//d/../e \n!  /f\n")
        #expect(file.patterns.map(\.description) == ["a/b", "c/e", "!f"])
    }

    @Test(".dockerignore and Dockerfile stay in the context unless a pattern names them")
    func dockerFilesAreNotSpecial() throws {
        let plain = try IgnoreFile(contents: "*.md\n")
        #expect(!plain.isExcluded(".dockerignore"))
        #expect(!plain.isExcluded("Dockerfile"))
        #expect(!plain.isExcluded("gantry.yml"))
        let naming = try IgnoreFile(contents: ".dockerignore\nDockerfile\n")
        #expect(naming.isExcluded(".dockerignore"))
        #expect(naming.isExcluded("Dockerfile"))
    }

    @Test("the context root is never excluded")
    func rootIsKept() throws {
        let file = try IgnoreFile(contents: "*\n**\n.\n")
        #expect(!file.isExcluded(".", isDirectory: true))
        #expect(!file.isExcluded("", isDirectory: true))
        #expect(file.isExcluded("x"))
    }

    @Test("an excluded directory is skipped unless an exception's text starts with its path")
    func directorySkipRule() throws {
        let noExceptions = try IgnoreFile(contents: "docs\n")
        #expect(!noExceptions.mayContainIncludedPaths(directory: "docs"))
        #expect(noExceptions.mayContainIncludedPaths(directory: "src"))

        let keep = try IgnoreFile(contents: "docs\n!docs/sub/keep.md\n")
        #expect(keep.mayContainIncludedPaths(directory: "docs"))
        #expect(keep.mayContainIncludedPaths(directory: "docs/sub"))
        #expect(!keep.mayContainIncludedPaths(directory: "docs/other"))
        #expect(!keep.isExcluded("docs/sub/keep.md"))

        // Docker only looks at the exception's text, so a wildcard exception does not open `docs`.
        let wildcard = try IgnoreFile(contents: "docs\n!**/keep.md\n")
        #expect(!wildcard.mayContainIncludedPaths(directory: "docs"))
    }

    @Test("a bad pattern is an error naming its line, the pattern and the fix")
    func badPatterns() throws {
        let cases: [(String, IgnorePattern.SyntaxError)] = [
            ("ok\nfile[a", .unterminatedClass),
            ("ok\n[]", .malformedClass),
            ("ok\n[a-]", .malformedClass),
            ("ok\nend\\", .trailingEscape),
            ("ok\n[-x]", .malformedClass),
            ("ok\n[a-b-c]", .malformedClass),
            ("ok\n[^bc", .unterminatedClass),
        ]
        for (text, problem) in cases {
            let pattern = String(text.split(separator: "\n")[1])
            #expect(throws: IgnoreFileError.badPattern(file: ".dockerignore", line: 2, pattern: pattern, problem: problem)) {
                try IgnoreFile(contents: text)
            }
        }
        do {
            _ = try IgnoreFile(contents: "# c\n\nfile[a\n")
            Issue.record("an unterminated class was accepted")
        } catch {
            #expect(String(describing: error) == ".dockerignore line 3: pattern 'file[a' is not valid: '[' opens a character class that is never closed; close it with ']' or escape it as '\\['")
        }
        #expect(throws: IgnoreFileError.emptyException(file: ".dockerignore", line: 1)) {
            try IgnoreFile(contents: " ! \n")
        }
    }

    @Test("load(from:) reads .dockerignore and treats a missing one as no patterns")
    func loading() throws {
        let folder = try TemporaryFolder()
        #expect(try IgnoreFile.load(from: folder.path).patterns.isEmpty)
        try folder.write(".dockerignore", "*.pyc\n")
        let file = try IgnoreFile.load(from: folder.path)
        #expect(file.isExcluded("x.pyc"))
        // As in docker, a pattern without `**/` applies at the context root only.
        #expect(!file.isExcluded("app/x.pyc"))
        try folder.write(".dockerignore", "[\n")
        #expect(throws: IgnoreFileError.badPattern(
            file: folder.file(".dockerignore"), line: 1, pattern: "[", problem: .unterminatedClass)) {
            try IgnoreFile.load(from: folder.path)
        }
    }

    @Test("a walk filtered by the ignore file keeps what docker keeps, walking into a directory only for an exception")
    func walkKeepsWhatDockerKeeps() throws {
        let folder = try TemporaryFolder()
        for name in [".dockerignore", "Dockerfile", "wsgi.py", "x.pyc", "docs/keep.md", "docs/other.md",
                     "docs/sub/deep.md", "build/out.o", "data/news.sqlite3"] {
            try folder.write("ctx/" + name, name + "\n")
        }
        try folder.write("ctx/.dockerignore", "*.pyc\ndocs\n!docs/keep.md\nbuild/\n")
        let ignore = try IgnoreFile.load(from: folder.file("ctx"))
        let walker = DirectoryWalker(root: PathBytes(folder.file("ctx")), modificationTime: 0) { path, isDirectory in
            ignore.keepsInWalk(path, isDirectory: isDirectory)
        }
        var paths: [String] = []
        _ = try walker.walk { paths.append($0.header.path.description) }
        #expect(paths == [".dockerignore", "Dockerfile", "data", "data/news.sqlite3", "docs", "docs/keep.md", "wsgi.py"])
    }
}
