/// Problems building images.
public enum BuilderError: Error, CustomStringConvertible, Sendable {
    /// A program the builder needs is not installed.
    case missingProgram(String, fix: String)
    /// mmdebstrap failed; the last lines of its output say why.
    case mmdebstrapFailed(status: Int32, lastLines: [String])
    /// mmdebstrap was stopped by a signal (Ctrl-C); nothing was stored.
    case interrupted
    /// The layer could not be written.
    case layerFailed(String)

    public var description: String {
        switch self {
        case let .missingProgram(program, fix):
            return "\(program) is not installed; \(fix)"
        case let .mmdebstrapFailed(status, lines):
            let tail = lines.suffix(6).joined(separator: " | ")
            return "mmdebstrap failed (exit \(status)): \(tail.isEmpty ? "no output" : tail); fix the package list or the failing build step in base.yml"
        case .interrupted:
            return "the base build was interrupted; nothing was stored; run 'gantry base build' again to build it"
        case let .layerFailed(reason):
            return "writing the base layer failed: \(reason)"
        }
    }
}
