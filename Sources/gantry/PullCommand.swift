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

    @Option(name: .customLong("ca-cert"), help: "A PEM file of CA certificates to trust besides the system's.")
    var caCert: String?

    @Option(name: .customLong("insecure-registry"), help: "A registry HOST[:PORT] that may be reached over plain HTTP (repeatable).")
    var insecureRegistries: [String] = []

    func run() async throws {
        let image = try ImageReference(parsing: reference)
        var wanted = Platform.host
        if let platform {
            guard let parsed = Platform(shortName: platform) else {
                throw ValidationError("--platform '\(platform)' is not os/arch[/variant], e.g. linux/amd64")
            }
            wanted = parsed
        }
        var options = HTTPClientOptions()
        options.caCertificateFile = caCert
        options.insecureRegistries = Set(insecureRegistries)
        // Docker Hub's name in references is not the host its API answers on.
        let host = image.domain == ImageReference.defaultDomain ? "registry-1.docker.io" : image.domain
        let credentials = try await CredentialStore().credentials(for: image.domain)
        let session = RegistrySession(registry: host, client: HTTPClient(options: options), credentials: credentials)
        let store = try ImageStore.default()
        let digest = try await session.pull(image, into: store, platform: wanted) { event in
            switch event {
            case let .exists(blob): Terminal.say("\(blob.digest): exists")
            case let .pulled(blob): Terminal.say("\(blob.digest): pulled \(ImageListing.humanSize(blob.size))")
            }
        }
        Terminal.say(image.normalized.withDigest(digest).description)
    }
}
