import Foundation

/// Checks shared by `base.yml` and `gantry.yml`.
enum SpecValidation {
    /// An absolute, clean container path such as `/app`.
    static func absolutePath(_ node: SpecNode) throws(SpecError) -> String {
        let value = try node.line("an absolute path such as /app")
        guard value.hasPrefix("/") else { throw node.error("must be an absolute path (start with /), found \"\(value)\"") }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.contains(where: { $0 == "." || $0 == ".." }) {
            throw node.error("must not contain '.' or '..' components, found \"\(value)\"")
        }
        return value
    }

    /// A TCP port from 1 to 65535.
    static func port(_ node: SpecNode) throws(SpecError) -> Int {
        guard let port = try? node.int(), (1...65535).contains(port) else {
            let found = (try? node.string()).map { "\"\($0)\"" } ?? "no number"
            throw node.error("expected a port number from 1 to 65535, found \(found)")
        }
        return port
    }

    /// Environment variable names: letters, digits and `_`, not starting with a digit.
    static func environment(_ node: SpecNode) throws(SpecError) -> [KeyValue] {
        let pairs = try node.stringPairs()
        for (pair, line) in pairs {
            if !isEnvironmentName(pair.key) {
                throw SpecError(file: node.file, line: line, key: "\(node.path).\(pair.key)",
                                problem: "is not a valid environment variable name; use letters, digits and _, not starting with a digit")
            }
            if pair.value.contains("\n") {
                throw SpecError(file: node.file, line: line, key: "\(node.path).\(pair.key)",
                                problem: "must be a single line")
            }
        }
        return pairs.map(\.pair)
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
