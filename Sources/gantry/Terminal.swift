import Foundation

/// Writing to the user's terminal.
enum Terminal {
    /// Prints `gantry: error: MESSAGE` on stderr, on one line.
    static func error(_ message: String) {
        let line = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("gantry: error: \(line)\n".utf8))
    }

    /// Prints `gantry: warning: MESSAGE` on stderr.
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("gantry: warning: \(message)\n".utf8))
    }

    /// Prints a line on stdout.
    static func say(_ message: String) {
        FileHandle.standardOutput.write(Data((message + "\n").utf8))
    }

    /// Prints a progress line on stderr, keeping stdout for results.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Copies `text` (such as a container's log) to stderr as it is, between rulers naming it.
    static func excerpt(_ text: String, title: String) {
        var block = "----- \(title) -----\n" + text
        if !block.hasSuffix("\n") { block += "\n" }
        block += "----- end of \(title) -----\n"
        FileHandle.standardError.write(Data(block.utf8))
    }

    /// `1.2 s`, for timings.
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", value)
    }
}

/// A mistake in the command line that ArgumentParser cannot see, such as a value out of range.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
