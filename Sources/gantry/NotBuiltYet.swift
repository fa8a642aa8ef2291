import ArgumentParser

/// Thrown by commands of DESIGN.md that are not built yet.
struct NotBuiltYet: Error, CustomStringConvertible {
    let command: String
    var description: String {
        "'gantry \(command)' is not built yet in this version; see README.md for the commands that work"
    }
}

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the app image without a daemon (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "build") }
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Push an image to a registry (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "push") }
}

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "copy", abstract: "Copy an image between registries, layouts and archives (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "copy") }
}

struct BeanstalkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "beanstalk", abstract: "Write, check and bundle Dockerrun.aws.json (not built yet).")
    func run() async throws { throw NotBuiltYet(command: "beanstalk") }
}
