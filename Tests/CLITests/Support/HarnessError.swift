import Foundation

/// Why the test harness could not do what a test asked; each description
/// names the object and what to do.
enum HarnessError: Error, CustomStringConvertible {
    case timedOut(command: String, limit: Duration, output: String)
    case failed(command: String, status: Int32, output: String)
    case missingTool(String)
    case missingGantry(searched: [String])
    case badGantryOverride(String)
    case noAnswer(url: String, attempts: Int, elapsed: Duration, lastError: String)
    case lockTimeout(path: String, limit: Duration)

    var description: String {
        switch self {
        case .timedOut(let command, let limit, let output):
            return "'\(command)' did not finish within \(limit) and was killed\(output.isEmpty ? "" : ":\n\(output)")"
        case .failed(let command, let status, let output):
            return "'\(command)' exited with status \(status)\(output.isEmpty ? "" : ":\n\(output)")"
        case .missingTool(let tool):
            return "\(tool) is not on PATH and CI needs it; run scripts/setup"
        case .missingGantry(let searched):
            return "the gantry executable is not at \(searched.joined(separator: " or ")); "
                + "run 'swift build' first or set GANTRY_BIN"
        case .badGantryOverride(let path):
            return "GANTRY_BIN is \(path), which is not an executable; point it at a built gantry or unset it"
        case .noAnswer(let url, let attempts, let elapsed, let lastError):
            return "\(url) did not answer after \(attempts) attempts in \(elapsed): \(lastError)"
        case .lockTimeout(let path, let limit):
            return "could not lock \(path) within \(limit); another test run may hang on it"
        }
    }
}
