import ArgumentParser

/// Thrown by commands of DESIGN.md that are not built yet.
struct NotBuiltYet: Error, CustomStringConvertible {
    let command: String
    var description: String {
        "'gantry \(command)' is not built yet in this version; see README.md for the commands that work"
    }
}

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Store registry credentials (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "login") }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Remove registry credentials (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "logout") }
}
