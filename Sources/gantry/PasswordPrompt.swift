import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks for a user name and password on the terminal, as `docker login` does: the password is read with
/// echo off (termios), and the terminal is restored even when Ctrl-C interrupts the prompt.
enum PasswordPrompt {
    /// Whether stdin is a terminal that can be prompted on.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Prints `prompt` on stderr and reads one line from stdin (without its newline); nil at end of input.
    static func ask(_ prompt: String, echo: Bool) -> String? {
        guard !echo, tcgetattr(STDIN_FILENO, &savedTerminal) == 0 else {
            FileHandle.standardError.write(Data(prompt.utf8))
            return readLine(strippingNewline: true)
        }
        var quiet = savedTerminal
        quiet.c_lflag &= ~tcflag_t(ECHO)
        let previous = signal(SIGINT, restoreAndExit)
        // Echo goes off before the prompt shows, and without flushing: a password typed (or sent by a
        // script) as soon as the prompt appears is neither echoed nor thrown away.
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        FileHandle.standardError.write(Data(prompt.utf8))
        let line = readLine(strippingNewline: true)
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal)
        signal(SIGINT, previous)
        // The user's Enter was not echoed: end the prompt's line.
        FileHandle.standardError.write(Data("\n".utf8))
        return line
    }
}

/// The terminal's settings while the password is read without echo; only the prompt and its signal
/// handler touch it, one after the other.
nonisolated(unsafe) private var savedTerminal = termios()

/// SIGINT during the password prompt: give the terminal its echo back, then end as Ctrl-C does.
private func restoreAndExit(_ signal: Int32) {
    _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal)
    _exit(128 + signal)
}
