import Archive
import Foundation

extension IgnoreFile {
    /// The rules of an `.ebignore`, which the EB CLI reads with gitignore
    /// semantics (the `pathspec` package's gitwildmatch), made into docker
    /// rules that mean the same for files:
    ///
    /// - a pattern with no `/` but a trailing one matches at any depth, so
    ///   `*.pyc` becomes `**/*.pyc`;
    /// - a pattern with a `/` elsewhere, or a leading `/`, is anchored to the
    ///   app folder, as in docker;
    /// - `!` re-includes, `#` starts a comment, `\#` and `\!` escape them.
    ///
    /// What docker cannot say: a trailing `/` (directories only) here matches
    /// a file of that name too.
    ///
    /// - Parameters:
    ///   - contents: The text of `.ebignore`.
    ///   - fileName: The name errors give it.
    /// - Throws: `IgnoreFileError` naming the first bad line.
    public init(ebignore contents: String, fileName: String = ".ebignore") throws(IgnoreFileError) {
        var lines: [String] = []
        for rawLine in contents.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            // gitignore keeps leading spaces and drops unescaped trailing ones.
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") {
                lines.append("")
                continue
            }
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line.removeFirst()
            } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
                line.removeFirst()
            }
            var pattern = line
            while pattern.count > 1, pattern.hasSuffix("/") { pattern.removeLast() }
            if !pattern.contains("/") && !pattern.hasPrefix("**") { pattern = "**/" + pattern }
            lines.append((negated ? "!" : "") + pattern)
        }
        // One output line per input line, so errors name the line of .ebignore.
        try self.init(contents: lines.joined(separator: "\n"), fileName: fileName)
    }
}
