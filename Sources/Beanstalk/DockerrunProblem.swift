/// One problem `Dockerrun.check` finds, at a key path, in Beanstalk's terms.
public struct DockerrunProblem: Hashable, Sendable, CustomStringConvertible {
    /// How bad a problem is.
    public enum Severity: String, Hashable, Sendable {
        /// Beanstalk rejects the file or the deployment fails.
        case error
        /// Beanstalk accepts the file but does not do what it seems to say.
        case warning
    }

    /// Error or warning.
    public let severity: Severity
    /// The key path, such as `containerDefinitions[1].memory`; empty for the whole file.
    public let path: String
    /// What is wrong and how to fix it.
    public let message: String

    /// Makes a problem.
    public init(_ severity: Severity, _ path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    /// `error: PATH: MESSAGE`.
    public var description: String {
        path.isEmpty ? "\(severity.rawValue): \(message)" : "\(severity.rawValue): \(path): \(message)"
    }
}
