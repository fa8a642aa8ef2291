import ArgumentParser
import Archive
import Beanstalk
import Foundation
import Scaffold

/// `gantry beanstalk [write]`: writes `Dockerrun.aws.json` for the app in the current folder.
struct BeanstalkWriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write Dockerrun.aws.json for the app (the default subcommand).",
        discussion: """
            The image is pinned by digest (REPOSITORY@sha256:…) so the deploy runs exactly what was \
            tested: by default the newest image of gantry.yml's repository in gantry's store (for a \
            pushed image that is the registry's digest). The container port comes from gantry.yml, \
            the host port is 80, Logging is the image's log folder (label io.gantry.logs); volumes, \
            memory, sidecars and Authentication from the beanstalk section of gantry.yml.
            """
    )

    @OptionGroup var dockerrun: DockerrunOptions

    @Option(help: "Where to write; - for stdout.")
    var out = Dockerrun.fileName

    @Flag(help: "Replace an output file that is not a Dockerrun file for this app's image.")
    var force = false

    func run() async throws {
        let spec = try AppSpec.load(fromDirectory: ".")
        let made = try AppDockerrun.make(spec: spec, options: dockerrun)
        let text = made.dockerrun.rendered()
        if out == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            try AppDockerrun.checkReplaceable(out, repository: spec.image, force: force)
            do {
                try AtomicFile.write(Data(text.utf8), to: out)
            } catch {
                throw BeanstalkError.cannotWrite(path: out, reason: error.description)
            }
            Terminal.say("Wrote \(out) (version \(made.dockerrun.version.rawValue.dropFirst()), \(made.image))")
        }
        for note in made.notes { Terminal.note(note) }
    }
}
