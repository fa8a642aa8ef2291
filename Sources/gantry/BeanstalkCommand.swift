import ArgumentParser
import Beanstalk
import Foundation

/// `gantry beanstalk`: Elastic Beanstalk's files for the app. Without a
/// subcommand it writes `Dockerrun.aws.json` (`gantry beanstalk write`).
struct BeanstalkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beanstalk",
        abstract: "Write, check and bundle Dockerrun.aws.json for AWS Elastic Beanstalk.",
        subcommands: [BeanstalkWriteCommand.self, BeanstalkCheckCommand.self, BeanstalkBundleCommand.self, BeanstalkAuthFileCommand.self],
        defaultSubcommand: BeanstalkWriteCommand.self
    )
}

/// The options that say what goes into a Dockerrun file, shared by `write` and `bundle`.
struct DockerrunOptions: ParsableArguments {
    @Option(help: "v1 (Docker platform, default), v2 (ECS platform, several containers) or v3 (Docker with Compose); default: beanstalk.format of gantry.yml, else v1.")
    var format: DockerrunVersion?

    @Option(help: "The image to run, REF or REF@sha256:…; default: the newest image of gantry.yml's repository in gantry's store, pinned by digest.")
    var image: String?

    @Flag(name: .customLong("tag-only"), help: "Name the image by its tag instead of pinning it by digest.")
    var tagOnly = false

    @Option(help: "S3 bucket of the registry auth file (Authentication); default: beanstalk.bucket of gantry.yml.")
    var bucket: String?

    @Option(help: "S3 key of the registry auth file; default: beanstalk.key of gantry.yml.")
    var key: String?

    func validate() throws {
        if (bucket == nil) != (key == nil) {
            throw ValidationError("give --bucket and --key together: where in S3 the registry auth file is")
        }
    }
}

extension DockerrunVersion: ExpressibleByArgument {}
