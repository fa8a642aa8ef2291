import ArgumentParser
import Foundation
import ImageModel
import Registry
import Store

/// `gantry pull REF`: downloads an image from its registry into gantry's store.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image into the store.",
        discussion: "An index resolves to --platform (default: the host's). Blobs the store already has are not downloaded again."
    )

    @Argument(help: "The image, e.g. 127.0.0.1:5000/news/app:1 or debian@sha256:….")
    var reference: String

    @Option(help: "The platform to pick from a multi-platform image, os/arch[/variant].")
    var platform: String?

    @OptionGroup var registryOptions: RegistryOptions

    @OptionGroup var progressOptions: ProgressOptions

    func run() async throws {
        let image = try ImageReference(parsing: reference)
        let wanted = try Platform.option(platform) ?? .host
        let client = registryOptions.makeClient()
        let session = try await registryOptions.session(for: image, client: client)
        let store = try ImageStore.default()
        let display = TransferDisplay(verb: "pulled", options: progressOptions)
        let digest = try await Interruption.run("pull of \(image)") {
            try await session.pull(image, into: store, platform: wanted) { display.handle($0) }
        }
        display.finish(result: image.normalized.withDigest(digest).description, statistics: client.statistics)
    }
}
