import Foundation

/// The rules of a `.dockerignore`, read and applied the way `docker build` does.
///
/// Reading (docker's `ignorefile.ReadAll`): one pattern a line; a line starting
/// with `#` is a comment; whitespace around a pattern is trimmed and blank lines
/// skipped; a leading `!` makes an exception; each pattern is cleaned like Go's
/// `filepath.Clean` (`./a` is `a`, `a/` is `a`, `a//b/../c` is `a/c`) and a
/// leading `/` dropped.
///
/// Applying (`patternmatcher.MatchesOrParentMatches`): a pattern excludes the
/// paths it matches and everything below them; the last pattern that matches a
/// path or one of its parents decides, so `!` re-includes. No name is special:
/// `.dockerignore` and `Dockerfile` are excluded only when a pattern says so.
public struct IgnoreFile: Hashable, Sendable {
    /// The patterns in file order.
    public let patterns: [IgnorePattern]

    /// Reads the rules from the text of an ignore file.
    ///
    /// - Parameters:
    ///   - contents: The file's text.
    ///   - fileName: The name errors give the file.
    /// - Throws: `IgnoreFileError` naming the first bad line.
    public init(contents: String, fileName: String = ".dockerignore") throws(IgnoreFileError) {
        var patterns: [IgnorePattern] = []
        var text = Substring(contents)
        if text.unicodeScalars.first == "\u{FEFF}" { text = Substring(text.unicodeScalars.dropFirst()) }
        // Split on "\n" only: a "\r" before it is whitespace and trimmed, as bufio.ScanLines drops it.
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // A comment only when `#` is the very first character, as in docker.
            if rawLine.hasPrefix("#") { continue }
            var line = Self.trimmed(rawLine)
            if line.isEmpty { continue }
            let isException = line.hasPrefix("!")
            if isException { line = Self.trimmed(line.dropFirst()) }
            guard !line.isEmpty else {
                throw .emptyException(file: fileName, line: offset + 1)
            }
            var cleaned = Self.clean(String(line))
            if cleaned.count > 1, cleaned.hasPrefix("/") { cleaned.removeFirst() }
            do {
                patterns.append(try IgnorePattern(cleaned, isException: isException))
            } catch {
                throw .badPattern(file: fileName, line: offset + 1, pattern: String(rawLine).trimmingCharacters(in: .whitespaces), problem: error)
            }
        }
        self.patterns = patterns
    }

    /// Reads `.dockerignore` from a directory; a missing file means no patterns.
    ///
    /// - Parameter directory: The build context's root.
    /// - Throws: `IgnoreFileError.cannotRead` when the file exists but cannot be read,
    ///   or the file's first bad line.
    public static func load(from directory: String) throws(IgnoreFileError) -> IgnoreFile {
        let path = directory.hasSuffix("/") ? directory + ".dockerignore" : directory + "/.dockerignore"
        guard FileManager.default.fileExists(atPath: path) else { return try IgnoreFile(contents: "") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path: path, reason: error.localizedDescription)
        }
        return try IgnoreFile(contents: String(decoding: data, as: UTF8.self), fileName: path)
    }

    /// Whether any pattern is an exception (`!`).
    public var hasExceptions: Bool { patterns.contains { $0.isException } }

    /// Whether docker leaves `relativePath` out of the build context.
    ///
    /// - Parameters:
    ///   - relativePath: A slash-separated path relative to the context root.
    ///   - isDirectory: Whether it is a directory; docker's rules do not depend on it
    ///     (a trailing `/` in a pattern is dropped), so it only documents the call.
    public func isExcluded(_ relativePath: String, isDirectory: Bool = false) -> Bool {
        let path = Self.clean(relativePath)
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty, path != ".", path != "/" else { return false }
        let relative = components.joined(separator: "/")
        var parents: [String] = []
        for index in components.indices.dropLast() {
            parents.append(components[...index].joined(separator: "/"))
        }
        var excluded = false
        for pattern in patterns {
            // Like docker: only an exception can undo an exclusion, and only a plain pattern can make one.
            guard pattern.isException == excluded else { continue }
            if pattern.matches(relative) || parents.contains(where: pattern.matches) {
                excluded = !pattern.isException
            }
        }
        return excluded
    }

    /// Whether a walk must look inside `directory`: it is not excluded, or an
    /// exception pattern may re-include something below it.
    ///
    /// This is docker's rule for skipping an excluded directory: it descends
    /// only when an exception pattern's text starts with the directory's path
    /// (`!docs/keep.md` keeps `docs` open; `!**/keep.md` does not, and docker
    /// leaves `docs/keep.md` out).
    ///
    /// - Parameter directory: A slash-separated path relative to the context root.
    public func mayContainIncludedPaths(directory: String) -> Bool {
        guard isExcluded(directory, isDirectory: true) else { return true }
        let prefix = Self.clean(directory).split(separator: "/").joined(separator: "/") + "/"
        return patterns.contains { $0.isException && ($0.pattern + "/").hasPrefix(prefix) }
    }

    /// Go's `filepath.Clean` for slash-separated paths.
    static func clean(_ path: String) -> String {
        guard !path.isEmpty else { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.unicodeScalars.first, first.properties.isWhitespace { text = Substring(text.unicodeScalars.dropFirst()) }
        while let last = text.unicodeScalars.last, last.properties.isWhitespace { text = Substring(text.unicodeScalars.dropLast()) }
        return text
    }
}

/// Why a `.dockerignore` cannot be used.
public enum IgnoreFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A line's pattern is not valid `filepath.Match` syntax.
    case badPattern(file: String, line: Int, pattern: String, problem: IgnorePattern.SyntaxError)
    /// A line holds `!` and nothing to re-include.
    case emptyException(file: String, line: Int)
    /// The file exists but could not be read.
    case cannotRead(path: String, reason: String)

    /// A one-line explanation naming the file, the line and the fix.
    public var description: String {
        switch self {
        case .badPattern(let file, let line, let pattern, let problem):
            return "\(file) line \(line): pattern '\(pattern)' is not valid: \(problem)"
        case .emptyException(let file, let line):
            return "\(file) line \(line): '!' alone re-includes nothing; write the path after it, as in '!README.md'"
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason); make it readable or remove it"
        }
    }
}
