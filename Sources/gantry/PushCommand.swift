import ArgumentParser
import Foundation
import ImageModel
import Registry
import Store

/// `gantry push SRC [DST]`: sends an image from gantry's store to a registry.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push an image from the store to a registry.",
        discussion: """
            When the destination tag already names the image's digest, nothing is sent ("up to date"). \
            Otherwise blobs the registry has are skipped; blobs another repository of the same registry holds (the \
            base image's, as the store knows it) are mounted instead of uploaded; the manifest goes last, \
            byte for byte. Prints REF@sha256:… at the end; a DST is also tagged in the store.
            """
    )

    @Argument(help: "The image in gantry's store, e.g. 127.0.0.1:5000/news/app:1.")
    var source: String

    @Argument(help: "Where to push it, when not to the name it has in the store.")
    var destination: String?

    @Option(help: "Push only this platform's manifest of a multi-platform image, os/arch[/variant].")
    var platform: String?

    @OptionGroup var registryOptions: RegistryOptions

    @OptionGroup var progressOptions: ProgressOptions

    func run() async throws {
        let sourceReference = try parse(source)
        let target = try destination.map(parse) ?? sourceReference
        let store = try ImageStore.default()
        // A missing image fails here, with the store's message, before credentials are looked up.
        guard try store.resolve(sourceReference.normalized) != nil else {
            throw StoreError.imageNotFound(sourceReference.normalized, store: store.root.path)
        }
        try await Self.push(sourceReference, to: target, store: store, platform: try Platform.option(platform),
                            registryOptions: registryOptions, progressOptions: progressOptions)
    }

    /// Pushes a stored image as `gantry push` does (also `gantry build --push`): blobs the registry
    /// has are skipped, blobs the store knows in another repository of that registry are mounted,
    /// the rest uploaded (a blob the store lacks, a lazily pulled base's layer, fetched first from
    /// the registry it came from), then the manifest; prints the result, and tags a new name in the store.
    /// `client` is the command's, when it has talked to registries already.
    /// - Returns: the pushed manifest's digest.
    @discardableResult
    static func push(_ source: ImageReference, to target: ImageReference, store: ImageStore, platform: Platform?,
                     registryOptions: RegistryOptions, progressOptions: ProgressOptions,
                     client: HTTPClient? = nil) async throws -> Digest {
        let client = client ?? registryOptions.makeClient()
        let session = try await registryOptions.session(for: target, client: client)
        let display = TransferDisplay(verb: "pushed", options: progressOptions)
        var layout = LayoutImage(store: store, reference: source)
        // A lazily pulled base's layers: mounted when the target is the base's registry, else fetched from it.
        layout.absentBlobs = registryOptions.absentBlobs(store: store, client: client)
        let copy = ImageCopy(from: layout,
                             to: RegistryImage(session: session, reference: target, store: store),
                             platform: platform, concurrency: registryOptions.jobs)
        let root = try await copy.runInterruptibly("push of \(target)", progress: display.handle)
        if target.normalized != source.normalized, target.digest == nil {
            // Name the pushed image in the store too: later pushes to this registry mount its blobs,
            // and `gantry images` shows what was pushed where.
            let descriptor = Descriptor(mediaType: root.descriptor.mediaType, digest: root.descriptor.digest, size: root.descriptor.size)
            try store.tag(descriptor, as: target)
        }
        // What `gantry beanstalk` deploys by default: the last push of the app's repository.
        try store.recordPush(target, digest: root.descriptor.digest)
        display.finish(result: target.normalized.withDigest(root.descriptor.digest).description, statistics: client.statistics)
        return root.descriptor.digest
    }

    private func parse(_ text: String) throws -> ImageReference {
        do { return try ImageReference(parsing: text) } catch { throw UsageError("\(error)") }
    }
}
