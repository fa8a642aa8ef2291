import ArgumentParser
import Scaffold

/// `gantry base`: base image specs.
struct BaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "base",
        abstract: "Write, render and build base image specs.",
        subcommands: [BaseInitCommand.self, BaseTemplatesCommand.self, BaseRenderCommand.self, BaseBuildCommand.self]
    )
}

/// `gantry base init [DIR] [--template NAME] [--force]`.
struct BaseInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a base image spec, its files and a rendered Dockerfile into DIR."
    )

    @Argument(help: "Folder to write into.")
    var directory: String = "base"

    @Option(help: "Template to start from (see 'gantry base templates').")
    var template: String = BaseTemplate.defaultName

    @Flag(help: "Overwrite the spec's files if they exist (nothing else in DIR is touched).")
    var force = false

    func run() throws {
        let chosen = try BaseTemplate.named(template)
        let written = try BaseSpecFolder(path: directory).initialize(from: chosen, force: force)
        Terminal.say("Wrote base spec '\(chosen.name)' to \(directory)/ (\(written.count) files): \(written.joined(separator: ", "))")
        Terminal.say("Build it with 'gantry base build \(directory) --tag \(AppSpec.defaultBase)', or 'podman build \(directory)'.")
    }
}

/// `gantry base templates`.
struct BaseTemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "templates", abstract: "List the base templates.")

    func run() throws {
        let templates = try BaseTemplate.all()
        let width = templates.map(\.name.count).max() ?? 0
        for template in templates {
            let marker = template.name == BaseTemplate.defaultName ? " (default)" : ""
            Terminal.say(template.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + template.spec.description + marker)
        }
    }
}

/// `gantry base render [DIR]`.
struct BaseRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write DIR/Dockerfile again from DIR/base.yml after editing it."
    )

    @Argument(help: "The base spec folder.")
    var directory: String = "base"

    func run() throws {
        let spec = try BaseSpecFolder(path: directory).render()
        Terminal.say("Rendered \(directory)/Dockerfile from base.yml (template \(spec.name), version \(spec.version)).")
    }
}
