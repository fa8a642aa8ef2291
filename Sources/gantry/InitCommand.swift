import ArgumentParser
import ImageModel
import Scaffold

/// `gantry init APP`: scaffolds a new app on a base image.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a new app: gantry.yml, Dockerfile, Makefile, .dockerignore and a starter app."
    )

    @Argument(help: "The app's name, also its folder (lowercase letters, digits, '.', '_', '-').")
    var app: String

    @Option(help: "Base image the app runs on.")
    var base: String = AppSpec.defaultBase

    @Option(help: "Port the server listens on in the container.")
    var port: Int?

    @Option(help: "Repository to push the image to, without a tag (default: \(AppSpec.defaultRegistry)/APP).")
    var image: String?

    @Option(help: "Base template whose starter app to copy (see 'gantry base templates').")
    var template: String = BaseTemplate.defaultName

    @Option(help: "Folder to write into (default: ./APP).")
    var directory: String?

    @Flag(help: "Write into an existing folder, overwriting only the scaffold's own files.")
    var force = false

    func run() throws {
        guard ImageReference.isValidPathComponent(app) else { throw ScaffoldError.invalidAppName(app) }
        if let port, !(1...65535).contains(port) {
            throw UsageError("--port \(port) is out of range; give a port from 1 to 65535")
        }
        let chosen = try BaseTemplate.named(template)
        let target = directory ?? app
        let imageName = image ?? "\(AppSpec.defaultRegistry)/\(app)"
        let imageReference: ImageReference
        do {
            imageReference = try ImageReference(parsing: imageName)
        } catch {
            throw UsageError("--image \(imageName): \(error)")
        }
        if imageReference.tag != nil || imageReference.digest != nil {
            throw UsageError("--image \(imageName) has a tag or digest; give the repository only (gantry tags each build)")
        }
        do {
            _ = try ImageReference(parsing: base)
        } catch {
            throw UsageError("--base \(base): \(error)")
        }
        let spec = AppSpec(name: app, image: imageName, base: base, port: port ?? chosen.spec.port,
                           mount: chosen.spec.mount, env: [])
        let written = try AppScaffold(spec: spec, template: chosen).write(to: target, force: force)
        Terminal.say("Created \(app) in \(target)/: \(written.joined(separator: ", "))")
        Terminal.say("Next: cd \(target) && gantry dev")
    }
}
