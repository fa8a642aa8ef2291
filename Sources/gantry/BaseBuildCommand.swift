import ArgumentParser

/// `gantry base build` (not built yet).
struct BaseBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the base image (not built yet).")
    func run() throws { throw NotBuiltYet(command: "base build") }
}
