/// What goes wrong when gantry drives podman or docker; each description is
/// one line naming the object and what to do.
public enum EngineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `GANTRY_ENGINE` or `--engine` names no engine gantry knows.
    case unknownEngine(String, source: String)
    /// The engine asked for is not on `PATH`.
    case notInstalled(EngineKind)
    /// The engine asked for is installed but does not answer `version`.
    case notAnswering(EngineKind, reason: String)
    /// No engine was asked for and none answers; `tried` says why for each.
    case noEngine(tried: [String])
    /// A program could not be started at all.
    case cannotStart(command: String, reason: String)
    /// An engine command exited non-zero; `message` is its last stderr line.
    case commandFailed(command: String, status: Int32, message: String, hint: String)
    /// An engine command did not finish in time and was killed.
    case timedOut(command: String, seconds: Int)
    /// An engine command was stopped because gantry was interrupted.
    case interrupted(command: String)
    /// An engine command printed something gantry cannot read.
    case unexpectedOutput(command: String, detail: String)
    /// A bind mount's host path cannot be given to `-v`.
    case unsupportedMountPath(String)
    /// Nothing answered HTTP on the port (yet).
    case noHTTPAnswer(url: String, reason: String)
    /// The host port is taken.
    case portInUse(Int, reason: String)
    /// The store names an image index, not one image, so it cannot be loaded.
    case unloadableStoreImage(String, mediaType: String)

    /// One line: what is wrong, and what to do about it.
    public var description: String {
        switch self {
        case let .unknownEngine(name, source):
            return "\(source) names unknown engine \"\(name)\"; use one of: \(EngineKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .notInstalled(kind):
            return "\(kind.rawValue) is not installed (no '\(kind.executableName)' on PATH); install it, or choose another engine with --engine"
        case let .notAnswering(kind, reason):
            return "\(kind.rawValue) does not answer: \(reason); \(kind.startHint)"
        case let .noEngine(tried):
            return "no container engine answers (\(tried.joined(separator: "; "))); install podman, or start docker (or set DOCKER_HOST to a running daemon)"
        case let .cannotStart(command, reason):
            return "cannot start '\(command)': \(reason); check that it is installed and executable"
        case let .commandFailed(command, status, message, hint):
            let said = message.isEmpty ? "exited with status \(status)" : message
            return "'\(command)' failed: \(said)" + (hint.isEmpty ? "" : "; \(hint)")
        case let .timedOut(command, seconds):
            return "'\(command)' did not finish within \(seconds) s and was stopped; check that the engine works ('\(command.split(separator: " ").first ?? "podman") info')"
        case let .interrupted(command):
            return "'\(command)' was stopped because gantry was interrupted; run gantry again to finish"
        case let .unexpectedOutput(command, detail):
            return "cannot read the output of '\(command)': \(detail); check that the engine's version is supported (podman 4 or docker 20.10 and later)"
        case let .unsupportedMountPath(path):
            return "cannot mount \(path): the path contains ':', which -v cannot carry; move the app to a folder without ':' in its path"
        case let .noHTTPAnswer(url, reason):
            return "nothing answers at \(url): \(reason)"
        case let .unloadableStoreImage(reference, mediaType):
            return "\(reference) in gantry's store is a \(mediaType), not a single image; an engine loads one image; pull it again for this platform"
        case let .portInUse(port, reason):
            return "port \(port) on 127.0.0.1 is already in use (\(reason)); stop what listens there or choose another port with --port"
        }
    }
}

extension EngineKind {
    /// What to do when the engine does not answer.
    var startHint: String {
        switch self {
        case .podman: return "check 'podman info' (on macOS, start the machine with 'podman machine start')"
        case .docker: return "start the docker daemon, or set DOCKER_HOST to one that runs"
        }
    }
}
