import ArgumentParser
import Foundation
import ImageModel
import Registry
import Store

/// `gantry copy SRC DST`: copies an image between registries, OCI layouts and docker-archives.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy an image between registries, OCI layouts and docker-archive files.",
        discussion: """
            SRC and DST are a registry reference (REF or docker://REF), oci:DIR[:TAG] or \
            docker-archive:FILE[:REF]. Manifests are copied byte for byte, so digests stay the same; a \
            multi-platform image is copied whole unless --platform picks one (a docker-archive holds one \
            image: the host's platform by default). Blobs read from a registry are kept in gantry's store.
            """
    )

    @Argument(help: "Where the image is.")
    var source: String

    @Argument(help: "Where it goes.")
    var destination: String

    @Option(help: "Copy only this platform of a multi-platform image, os/arch[/variant].")
    var platform: String?

    @OptionGroup var registryOptions: RegistryOptions

    @OptionGroup var progressOptions: ProgressOptions

    func run() async throws {
        let from = try parse(source)
        let to = try parse(destination)
        let wanted = try Platform.option(platform)
        let store = try ImageStore.default()
        let client = registryOptions.makeClient()
        let display = TransferDisplay(verb: "copied", options: progressOptions)
        switch from {
        case let .registry(reference):
            let session = try await registryOptions.session(for: reference, client: client)
            try await copy(from: RegistryImage(session: session, reference: reference, store: store), to: to, platform: wanted, store: store, client: client, display: display)
        case let .ociLayout(directory, tag):
            guard FileManager.default.fileExists(atPath: directory + "/index.json") else {
                throw UsageError("\(source): \(directory) is not an OCI layout (it has no index.json)")
            }
            try await copy(from: try LayoutImage(directory: directory, tag: tag, forWriting: false), to: to, platform: wanted, store: store, client: client, display: display)
        case let .dockerArchive(file, reference):
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw UsageError("\(source): cannot read \(file); check the path")
            }
            let archive = try await DockerArchiveSource.open(file: file, reference: reference, store: store)
            try await copy(from: archive, to: to, platform: wanted, store: store, client: client, display: display)
        }
    }

    private func copy(from source: some ImageSource, to destination: TransportReference, platform: Platform?,
                      store: ImageStore, client: HTTPClient, display: TransferDisplay) async throws {
        /// Copies into `target` under the display, then prints what `result` makes of the root's digest.
        func run(into target: some ImageDestination, result: (Digest) -> String) async throws {
            let root = try await ImageCopy(from: source, to: target, platform: platform, concurrency: registryOptions.jobs)
                .runInterruptibly("copy to \(destination)", progress: display.handle)
            display.finish(result: result(root.descriptor.digest), statistics: client.statistics)
        }
        switch destination {
        case let .registry(reference):
            let session = try await registryOptions.session(for: reference, client: client)
            try await run(into: RegistryImage(session: session, reference: reference, store: store)) {
                reference.normalized.withDigest($0).description
            }
        case let .ociLayout(directory, tag):
            try await run(into: try LayoutImage(directory: directory, tag: tag)) { "\(destination)@\($0)" }
        case let .dockerArchive(file, name):
            let repoTag = try name.map { text throws(UsageError) -> ImageReference in
                do { return try ImageReference(parsing: text) } catch { throw UsageError("\(self.destination): \(error)") }
            }
            try await run(into: DockerArchiveDestination(file: file, repoTag: repoTag)) { "\(destination): image \($0)" }
        }
    }

    private func parse(_ text: String) throws -> TransportReference {
        do { return try TransportReference(parsing: text) } catch { throw UsageError("\(error)") }
    }
}
