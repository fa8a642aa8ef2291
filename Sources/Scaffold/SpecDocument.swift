import Foundation
import Yams

/// A YAML spec file read into nodes that remember their line and key path,
/// so every validation error can name the file, the line and the key.
struct SpecDocument {
    let file: String
    let root: SpecNode

    /// Parses `text`; a syntax error or an empty document becomes a `SpecError`.
    init(file: String, text: String) throws(SpecError) {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SpecDocument.describe(error, file: file)
        } catch {
            throw SpecError(file: file, line: nil, key: nil, problem: "cannot be read as YAML: \(error)")
        }
        guard let node else {
            throw SpecError(file: file, line: nil, key: nil, problem: "is empty; it must hold a mapping of keys")
        }
        root = SpecNode(node: node, file: file, path: "")
    }

    private static func describe(_ error: YamlError, file: String) -> SpecError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return SpecError(file: file, line: mark.line, key: nil,
                             problem: "invalid YAML (column \(mark.column)): \(detail); fix the syntax at that spot")
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.sorted().first
            return SpecError(file: file, line: context.mark.line, key: key,
                             problem: "given twice in one mapping; keep one")
        default:
            let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
            return SpecError(file: file, line: nil, key: nil, problem: "invalid YAML: \(text)")
        }
    }
}

/// One node of a spec file with the key path that leads to it.
struct SpecNode {
    let node: Node
    let file: String
    /// Key path from the root, such as `files[1].mode`; empty for the root.
    let path: String

    var line: Int? { node.mark?.line }

    /// True for an explicit YAML null (`key:` with nothing after it, or `~`).
    var isNull: Bool {
        guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func error(_ problem: String) -> SpecError {
        SpecError(file: file, line: line, key: path.isEmpty ? nil : path, problem: problem)
    }

    private var kind: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return isNull ? "nothing" : "\"\(node.scalar?.string ?? "")\""
        case .alias: return "an alias"
        }
    }

    /// The node as a mapping whose keys are all in `allowed`.
    func mapping(allowed: [String]) throws(SpecError) -> SpecMapping {
        guard case let .mapping(mapping) = node else {
            throw error("expected a mapping of keys, found \(kind)")
        }
        var entries: [(key: String, line: Int?, value: SpecNode)] = []
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line
            guard let key = keyNode.scalar?.string else {
                throw SpecError(file: file, line: keyLine, key: path.isEmpty ? nil : path, problem: "keys must be plain strings")
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if !allowed.isEmpty && !allowed.contains(key) {
                throw SpecError(file: file, line: keyLine, key: childPath,
                                problem: "unknown key; allowed keys here are \(allowed.joined(separator: ", "))")
            }
            if entries.contains(where: { $0.key == key }) {
                throw SpecError(file: file, line: keyLine, key: childPath, problem: "given twice; keep one")
            }
            entries.append((key, keyLine, SpecNode(node: valueNode, file: file, path: childPath)))
        }
        return SpecMapping(owner: self, entries: entries)
    }

    /// The node as a scalar string (any YAML scalar: numbers and booleans keep their text).
    func string() throws(SpecError) -> String {
        guard case let .scalar(scalar) = node, !isNull else {
            throw error("expected a string, found \(kind)")
        }
        return scalar.string
    }

    /// The node as a non-empty single-line string.
    func line(_ what: String = "a value") throws(SpecError) -> String {
        let value = try string()
        if value.trimmingCharacters(in: .whitespaces).isEmpty { throw error("must not be empty; give \(what)") }
        if value.contains("\n") || value.contains("\r") { throw error("must be a single line") }
        return value
    }

    /// The node as a decimal integer.
    func int() throws(SpecError) -> Int {
        guard case let .scalar(scalar) = node, !isNull, let value = Int(scalar.string) else {
            throw error("expected an integer, found \(kind)")
        }
        return value
    }

    /// The node as a list of nodes.
    func list() throws(SpecError) -> [SpecNode] {
        guard case let .sequence(sequence) = node else {
            throw error("expected a list, found \(kind)")
        }
        return sequence.enumerated().map { index, child in
            SpecNode(node: child, file: file, path: "\(path)[\(index)]")
        }
    }

    /// The node as a list of strings.
    func stringList() throws(SpecError) -> [String] {
        var values: [String] = []
        for item in try list() { values.append(try item.string()) }
        return values
    }

    /// The node as a mapping of string to string, in file order, with each key's line.
    func stringPairs() throws(SpecError) -> [(pair: KeyValue, line: Int?)] {
        let mapping = try self.mapping(allowed: [])
        var pairs: [(pair: KeyValue, line: Int?)] = []
        for entry in mapping.entries {
            let value = entry.value.isNull ? "" : try entry.value.string()
            pairs.append((KeyValue(key: entry.key, value: value), entry.line))
        }
        return pairs
    }
}

/// A mapping node whose keys were checked against the allowed set.
struct SpecMapping {
    let owner: SpecNode
    let entries: [(key: String, line: Int?, value: SpecNode)]

    /// The value at `key`, or nil when the key is absent or null.
    subscript(key: String) -> SpecNode? {
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    /// The value at `key`; a missing key is an error that says what to add.
    func required(_ key: String, hint: String) throws(SpecError) -> SpecNode {
        guard let value = self[key] else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw SpecError(file: owner.file, line: owner.line, key: path, problem: "missing; add \(hint)")
        }
        return value
    }
}

/// An ordered key and value pair (environment variables, labels).
public struct KeyValue: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Creates a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
