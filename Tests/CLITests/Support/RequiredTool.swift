import Foundation
import Testing

/// Whether this run is CI's (`CI` set to anything but empty, `0` or `false`),
/// where a test must never skip for want of a tool.
let isCI: Bool = {
    let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
    return !["", "0", "false", "no"].contains(value)
}()

/// Returns the path of `tool`; when it is missing, fails the test under CI and
/// skips it elsewhere.
///
/// A condition trait (`.enabled(if:)`) can only skip, which would let a CI
/// machine without podman report green, so the check runs in the test body:
/// under CI it throws (the test fails with the message), elsewhere it cancels
/// the test, which Swift Testing reports as skipped with the reason.
///
/// - Throws: `HarnessError.missingTool` under CI; the cancellation otherwise.
@discardableResult
func requireTool(_ tool: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    if let path = Subprocess.locate(tool) {
        return path
    }
    if isCI {
        throw HarnessError.missingTool(tool)
    }
    try Test.cancel("\(tool) is not installed (run scripts/setup); skipped", sourceLocation: sourceLocation)
}
