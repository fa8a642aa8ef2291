import Archive

/// The `layers.data` patterns of `gantry.yml`: which app files go into the
/// data layer rather than the code layer.
///
/// The syntax is `.dockerignore`'s (`*`, `?`, `[...]`, `**`), with one
/// difference that suits data files: a pattern without a `/` matches a name at
/// any depth (`*.sqlite3` takes `db/app.sqlite3` too), as in `.gitignore`. A
/// pattern with a `/` is anchored at the app folder. A pattern that matches a
/// directory takes everything below it.
public struct DataPatterns: Sendable {
    /// The patterns as `gantry.yml` gives them.
    public let patterns: [String]
    private let compiled: [IgnorePattern]

    /// Compiles `patterns`.
    ///
    /// - Parameter patterns: `.dockerignore`-style patterns, without `!`.
    /// - Throws: `IgnorePattern.SyntaxError` for a pattern that is not valid syntax
    ///   (`AppSpec` has already refused those with the file and line).
    public init(_ patterns: [String]) throws {
        self.patterns = patterns
        compiled = try patterns.map { pattern in
            var cleaned = pattern
            while cleaned.hasPrefix("./") { cleaned.removeFirst(2) }
            while cleaned.hasPrefix("/") { cleaned.removeFirst() }
            while cleaned.count > 1, cleaned.hasSuffix("/") { cleaned.removeLast() }
            return try IgnorePattern(cleaned.contains("/") ? cleaned : "**/" + cleaned, isException: false)
        }
    }

    /// The index of the first pattern that takes `relativePath` (itself or one of its parents), or nil for code.
    ///
    /// - Parameter relativePath: A slash-separated path relative to the app folder.
    public func match(_ relativePath: String) -> Int? {
        let components = relativePath.split(separator: "/")
        guard !components.isEmpty else { return nil }
        var candidates = [relativePath]
        for end in components.indices.dropLast() { candidates.append(components[...end].joined(separator: "/")) }
        return compiled.firstIndex { pattern in candidates.contains(where: pattern.matches) }
    }
}
