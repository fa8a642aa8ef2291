import Foundation

/// A container engine gantry drives through its command line: podman or
/// docker. Each operation is the command a user would type.
public struct Engine: Sendable, Hashable {
    /// Which engine.
    public let kind: EngineKind
    /// The absolute path of its program.
    public let executable: String
    /// The environment its commands run with (`DOCKER_HOST`, `CONTAINERS_CONF` and the like).
    public let environment: [String: String]

    /// An engine at a known path; `detect` finds one that answers.
    /// - Parameters:
    ///   - kind: podman or docker.
    ///   - executable: the program's path.
    ///   - environment: the environment for its commands; gantry's own by default.
    public init(kind: EngineKind, executable: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.kind = kind
        self.executable = executable
        self.environment = environment
    }

    /// The engine's name, as users know it.
    public var name: String { kind.rawValue }

    /// `ENGINE ARGUMENTS`, as a shell would show it.
    public func commandLine(_ arguments: [String]) -> String {
        Subprocess.commandLine(kind.executableName, arguments)
    }

    /// Runs `ENGINE ARGUMENTS` and returns its output, whatever its status.
    /// - Throws: `EngineError.cannotStart` or `.timedOut`.
    public func output(_ arguments: [String], timeout: Duration = Engine.defaultTimeout, mergeOutput: Bool = false) async throws(EngineError) -> ProcessOutput {
        var output = try await Subprocess.run(executable, arguments, environment: environment, timeout: timeout, mergeOutput: mergeOutput)
        output.command = commandLine(arguments)
        return output
    }

    /// Runs `ENGINE ARGUMENTS` and returns its output.
    /// - Parameter hint: what the user can do when it fails, for the error.
    /// - Throws: `EngineError.commandFailed` with its last stderr line when it exits non-zero.
    @discardableResult
    public func checked(_ arguments: [String], timeout: Duration = Engine.defaultTimeout, hint: String = "") async throws(EngineError) -> ProcessOutput {
        let result = try await output(arguments, timeout: timeout)
        guard result.succeeded else { throw failure(result, hint: hint) }
        return result
    }

    /// The error for a failed command.
    func failure(_ result: ProcessOutput, hint: String) -> EngineError {
        .commandFailed(command: result.command, status: result.status, message: result.lastErrorLine, hint: hint)
    }

    /// Time allowed to a quick engine command (inspect, stop, rm).
    public static let defaultTimeout: Duration = .seconds(60)
}

extension ProcessOutput {
    /// Whether the engine said the object is missing ("no such container", "image not known").
    var saysNotFound: Bool {
        let text = (stderr + stdout).lowercased()
        return ["no such container", "no such image", "no such object", "image not known", "no container with name or id"]
            .contains { text.contains($0) }
    }
}
