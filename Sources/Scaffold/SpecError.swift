/// A problem in a spec file (`base.yml`, `gantry.yml`), located by file, line and key.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, as the user named it.
    public let file: String
    /// 1-based line, when known.
    public let line: Int?
    /// Key path such as `files[1].mode`, when the problem is at a key.
    public let key: String?
    /// What is wrong and how to fix it.
    public let problem: String

    /// Creates an error.
    public init(file: String, line: Int?, key: String?, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key { return "\(location): '\(key)': \(problem)" }
        return "\(location): \(problem)"
    }
}
