import Foundation

extension Engine {
    /// The environment variable that picks an engine when `--engine` does not.
    public static let environmentVariable = "GANTRY_ENGINE"

    /// How long `version` may take before an engine counts as not answering. Generous: podman answers
    /// only once it has its storage lock, which a build or pull in another terminal can hold for
    /// seconds (5 s failed two tests that ran beside podman builds); a docker client without a daemon
    /// fails at once, so autodetection does not wait on it.
    public static let probeTimeout: Duration = .seconds(30)

    /// Finds the engine to use: `requested` (from `--engine`), else the one
    /// `GANTRY_ENGINE` names, else the first of podman and docker that answers
    /// `version` within `timeout`. A docker client without a daemon does not answer.
    ///
    /// - Parameters:
    ///   - requested: the engine the user asked for on the command line.
    ///   - environment: the process environment: `GANTRY_ENGINE`, `PATH`, and
    ///     what the engine itself reads.
    ///   - timeout: how long each engine may take to answer.
    /// - Throws: `EngineError.unknownEngine` for a bad `GANTRY_ENGINE`;
    ///   `.notInstalled` or `.notAnswering` for the engine asked for;
    ///   `.noEngine` when none was asked for and none answers.
    public static func detect(
        requested: EngineKind? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: Duration = probeTimeout
    ) async throws(EngineError) -> Engine {
        var chosen = requested
        if chosen == nil, let named = environment[environmentVariable], !named.isEmpty {
            guard let kind = EngineKind(rawValue: named.lowercased()) else {
                throw EngineError.unknownEngine(named, source: environmentVariable)
            }
            chosen = kind
        }
        if let chosen {
            switch await probe(chosen, environment: environment, timeout: timeout) {
            case .success(let engine): return engine
            case .failure(let error): throw error
            }
        }
        var tried: [String] = []
        for kind in EngineKind.allCases {
            switch await probe(kind, environment: environment, timeout: timeout) {
            case .success(let engine): return engine
            case .failure(.notInstalled): tried.append("\(kind.rawValue) is not installed")
            case .failure(.notAnswering(_, let reason)): tried.append("\(kind.rawValue): \(reason)")
            case .failure(let other): tried.append("\(kind.rawValue): \(other)")
            }
        }
        throw EngineError.noEngine(tried: tried)
    }

    /// Every engine that answers, podman first; for finding a container whichever engine runs it.
    public static func answering(
        environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = probeTimeout
    ) async -> [Engine] {
        var engines: [Engine] = []
        for kind in EngineKind.allCases {
            if case .success(let engine) = await probe(kind, environment: environment, timeout: timeout) {
                engines.append(engine)
            }
        }
        return engines
    }

    /// `podman version` / `docker version`: the engine when it answers.
    static func probe(_ kind: EngineKind, environment: [String: String], timeout: Duration) async -> Result<Engine, EngineError> {
        guard let path = Subprocess.locate(kind.executableName, path: environment["PATH"]) else {
            return .failure(.notInstalled(kind))
        }
        let engine = Engine(kind: kind, executable: path, environment: environment)
        // docker's client prints its own half and exits 1 when no daemon answers.
        let arguments = kind == .docker ? ["version", "--format", "{{.Server.Version}}"] : ["version", "--format", "{{.Client.Version}}"]
        do throws(EngineError) {
            let result = try await engine.output(arguments, timeout: timeout)
            guard result.succeeded else {
                let reason = result.lastErrorLine.isEmpty ? "'\(result.command)' exited with status \(result.status)" : result.lastErrorLine
                return .failure(.notAnswering(kind, reason: reason))
            }
            return .success(engine)
        } catch .timedOut {
            return .failure(.notAnswering(kind, reason: "'\(kind.executableName) version' did not answer within \(timeout)"))
        } catch {
            return .failure(.notAnswering(kind, reason: "\(error)"))
        }
    }
}
