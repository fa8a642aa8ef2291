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
}

/// A mistake in the command line that ArgumentParser cannot see, such as a value out of range.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
