/// One pattern of a `.dockerignore`, matched the way docker's `patternmatcher` does.
///
/// The syntax is Go's `filepath.Match` over slash-separated paths relative to the
/// context root: `*` is any run of characters but `/`, `?` one character but `/`,
/// `[...]` a class with ranges and `^` negation, `\` escapes the next character.
/// `**` matches any number of directories (`**/x`, `a/**/x`) or, at the end, anything.
public struct IgnorePattern: Hashable, Sendable, CustomStringConvertible {
    /// The cleaned pattern, without its `!`.
    public let pattern: String
    /// Whether the pattern re-includes what it matches (a line starting with `!`).
    public let isException: Bool

    private let tokens: [Token]
    /// Set for `**` followed by plain characters only, which docker matches as a suffix.
    private let literalSuffix: [Unicode.Scalar]?

    /// Parses a cleaned pattern.
    ///
    /// - Parameters:
    ///   - pattern: The pattern, already cleaned, without a leading `!`.
    ///   - isException: Whether it re-includes what it matches.
    /// - Throws: `IgnorePattern.SyntaxError` when the pattern is not valid `filepath.Match` syntax.
    public init(_ pattern: String, isException: Bool) throws(SyntaxError) {
        self.pattern = pattern
        self.isException = isException
        let parsed = try Self.parse(Array(pattern.unicodeScalars))
        tokens = parsed.tokens
        literalSuffix = parsed.literalSuffix
    }

    /// The pattern as written in the file, with `!` for an exception.
    public var description: String { isException ? "!" + pattern : pattern }

    /// Why a pattern is not valid syntax.
    public enum SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A `[` without its `]`.
        case unterminatedClass
        /// A class with nothing in it, or a range missing an end (`[]`, `[a-]`, `[-a]`).
        case malformedClass
        /// A `\` at the end of the pattern, escaping nothing.
        case trailingEscape

        /// What is wrong and how to fix it.
        public var description: String {
            switch self {
            case .unterminatedClass: return "'[' opens a character class that is never closed; close it with ']' or escape it as '\\['"
            case .malformedClass: return "a character class is empty or has a range without an end; write ranges as '[a-z]', escape '-' and ']' as '\\-' and '\\]'"
            case .trailingEscape: return "the pattern ends with '\\', which escapes nothing; remove it or write '\\\\' for a backslash"
            }
        }
    }

    /// Whether the pattern matches `path` itself (not its parents).
    ///
    /// - Parameter path: A cleaned, slash-separated path relative to the context root.
    public func matches(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        if let suffix = literalSuffix {
            // Docker's suffix shortcut: `**foo` also matches `barfoo`; `**/foo` matches `foo`.
            if scalars.count >= suffix.count, Array(scalars.suffix(suffix.count)) == suffix { return true }
            return suffix.first == "/" && scalars == Array(suffix.dropFirst())
        }
        var matcher = Matcher(tokens: tokens, path: scalars)
        return matcher.match(0, 0)
    }

    // MARK: Parsing

    fileprivate enum Token: Hashable, Sendable {
        case literal(Unicode.Scalar)
        /// `?`
        case oneCharacter
        /// `*`
        case anyRun
        /// `**` inside the pattern: nothing, or anything ending in `/`.
        case anyDirectories
        /// `**` at the end: anything.
        case anything
        case characterClass(CharacterClass)
    }

    fileprivate struct CharacterClass: Hashable, Sendable {
        var negated: Bool
        var ranges: [ClosedRange<Unicode.Scalar>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(scalar) } != negated
        }
    }

    private static func parse(_ scalars: [Unicode.Scalar]) throws(SyntaxError) -> (tokens: [Token], literalSuffix: [Unicode.Scalar]?) {
        var tokens: [Token] = []
        var index = 0
        var plainAfterLeadingStars = true
        var startsWithStars = false
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                guard index < scalars.count, scalars[index] == "*" else {
                    tokens.append(.anyRun)
                    plainAfterLeadingStars = false
                    continue
                }
                if index == 1 { startsWithStars = true }
                index += 1
                if index < scalars.count, scalars[index] == "/" { index += 1 }
                if index == scalars.count {
                    tokens.append(.anything)
                } else {
                    tokens.append(.anyDirectories)
                }
                if tokens.count > 1 { plainAfterLeadingStars = false }
            case "?":
                tokens.append(.oneCharacter)
                plainAfterLeadingStars = false
            case "\\":
                guard index < scalars.count else { throw .trailingEscape }
                tokens.append(.literal(scalars[index]))
                index += 1
                plainAfterLeadingStars = false
            case "[":
                let (characterClass, next) = try parseClass(scalars, from: index)
                tokens.append(.characterClass(characterClass))
                index = next
                plainAfterLeadingStars = false
            case "]":
                tokens.append(.literal(scalar))
                plainAfterLeadingStars = false
            default:
                tokens.append(.literal(scalar))
            }
        }
        guard startsWithStars, plainAfterLeadingStars else { return (tokens, nil) }
        return (tokens, Array(scalars.dropFirst(2)))
    }

    /// Parses a class after its `[`, returning it and the index after its `]`.
    private static func parseClass(_ scalars: [Unicode.Scalar], from start: Int) throws(SyntaxError) -> (CharacterClass, Int) {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        while true {
            guard index < scalars.count else { throw .unterminatedClass }
            if scalars[index] == "]", !ranges.isEmpty { return (CharacterClass(negated: negated, ranges: ranges), index + 1) }
            let low = try classCharacter(scalars, at: &index)
            var high = low
            if index < scalars.count, scalars[index] == "-" {
                index += 1
                high = try classCharacter(scalars, at: &index)
            }
            // Go accepts a reversed range and matches nothing with it.
            if low <= high { ranges.append(low...high) } else { ranges.append("\u{0}"..."\u{0}") }
        }
    }

    private static func classCharacter(_ scalars: [Unicode.Scalar], at index: inout Int) throws(SyntaxError) -> Unicode.Scalar {
        guard index < scalars.count else { throw .unterminatedClass }
        var scalar = scalars[index]
        if scalar == "-" || scalar == "]" { throw .malformedClass }
        if scalar == "\\" {
            index += 1
            guard index < scalars.count else { throw .unterminatedClass }
            scalar = scalars[index]
        }
        index += 1
        return scalar
    }

    /// Matches tokens against a path, remembering results so `*` and `**` stay polynomial.
    private struct Matcher {
        let tokens: [Token]
        let path: [Unicode.Scalar]
        var memo: [Int8]

        init(tokens: [Token], path: [Unicode.Scalar]) {
            self.tokens = tokens
            self.path = path
            memo = Array(repeating: -1, count: (tokens.count + 1) * (path.count + 1))
        }

        mutating func match(_ token: Int, _ position: Int) -> Bool {
            let key = token * (path.count + 1) + position
            if memo[key] >= 0 { return memo[key] == 1 }
            let result = compute(token, position)
            memo[key] = result ? 1 : 0
            return result
        }

        private mutating func compute(_ token: Int, _ position: Int) -> Bool {
            guard token < tokens.count else { return position == path.count }
            let atEnd = position == path.count
            switch tokens[token] {
            case .literal(let scalar):
                return !atEnd && path[position] == scalar && match(token + 1, position + 1)
            case .oneCharacter:
                return !atEnd && path[position] != "/" && match(token + 1, position + 1)
            case .characterClass(let characterClass):
                return !atEnd && characterClass.contains(path[position]) && match(token + 1, position + 1)
            case .anyRun:
                if match(token + 1, position) { return true }
                return !atEnd && path[position] != "/" && match(token, position + 1)
            case .anything:
                return true
            case .anyDirectories:
                if match(token + 1, position) { return true }
                var next = position
                while next < path.count {
                    if path[next] == "/", match(token + 1, next + 1) { return true }
                    next += 1
                }
                return false
            }
        }
    }
}
