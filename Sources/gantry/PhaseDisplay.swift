import Foundation

/// Shows the phases of a long step: on a terminal one line redrawn in place
/// with the elapsed time; otherwise (logs, CI) one plain line per phase.
final class PhaseDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let title: String
    private let interactive: Bool
    private let start = Date()
    private var current = ""

    /// Creates a display for a step called `title`, writing to stderr.
    init(title: String) {
        self.title = title
        interactive = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Shows `phase` as the current one.
    func show(_ phase: String) {
        lock.withLock {
            current = phase
            let elapsed = Int(Date().timeIntervalSince(start))
            if interactive {
                let columns = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
                var line = "\(title) [\(elapsed)s] \(phase)"
                if line.count > columns - 1 { line = String(line.prefix(max(10, columns - 2))) + "…" }
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            } else {
                FileHandle.standardError.write(Data("\(title) [\(elapsed)s] \(phase)\n".utf8))
            }
        }
    }

    /// Ends the redrawn line so later output starts on a fresh one.
    func finish() {
        lock.withLock {
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
