import ArgumentParser

struct BaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "base", abstract: "Base image specs.")
}
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Scaffold an app.")
}
