import ArgumentParser
import Archive
import Builder
import Engines
import Foundation
import ImageModel
import Registry
import Scaffold
import Store

/// `gantry build [--tag REF] [--load] [--engine E]`: the app image, without a daemon.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the app image without a daemon: the base plus the app's data and code layers.",
        discussion: """
            Reads gantry.yml in the app folder, takes the base image from gantry's store (a base \
            it lacks is pulled from its registry: manifest and config only, its layers when a \
            load or a push to another registry needs them; a push to the base's registry mounts \
            them), and \
            adds the app folder at the mount point as two layers: the data layer (files matching \
            'layers.data', default *.sqlite3, *.sqlite, *.db and data/**) and the code layer \
            (everything else .dockerignore lets in). Each is written once; a layer whose files \
            did not change (paths, sizes, times, modes) is reused without reading them. File \
            times are SOURCE_DATE_EPOCH, else 1980-01-01, so the same files give the same digest.
            """
    )

    @Option(help: "Reference to tag (default: gantry.yml's image, tagged with the git short commit, or 'latest' outside git).")
    var tag: String?

    @Flag(help: "Load the image into the engine afterwards (podman or docker).")
    var load = false

    @Flag(help: "Push the image to its registry afterwards, as 'gantry push' does (only what the registry lacks is sent).")
    var push = false

    @OptionGroup var registryOptions: RegistryOptions

    @OptionGroup var progressOptions: ProgressOptions

    @Option(help: "Engine for --load: podman or docker (default: GANTRY_ENGINE, else whichever answers).")
    var engine: EngineKind?

    @Option(help: "gzip level of the app's layers, 1 (fast) to 9 (small).")
    var compressionLevel: Int = 6

    @Option(help: "The app folder, holding gantry.yml.")
    var directory: String = "."

    func run() async throws {
        guard (1...9).contains(compressionLevel) else {
            throw UsageError("--compression-level \(compressionLevel) is out of range; give 1 (fast) to 9 (small)")
        }
        let spec = try AppSpec.load(fromDirectory: directory)
        let folder = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.path
        let git = await GitRevision.read(folder: folder)
        let text = tag ?? Self.defaultTag(spec: spec, git: git)
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: text).normalized
        } catch {
            throw UsageError("--tag \(text): \(error)")
        }
        let store = try ImageStore.default()
        let client = registryOptions.makeClient()
        let clock = ContinuousClock()
        let start = clock.now
        var build = AppBuild(spec: spec, folder: folder, store: store, compression: .gzip(level: compressionLevel))
        if let base = try? ImageReference(parsing: spec.base), AbsentBlobs.isRegistryName(base) {
            // A registry's base need not be whole here: its layers come when something needs their bytes.
            build.baseLayersMayBeAbsent = true
            if try store.resolve(base) == nil {
                try await Self.pullManifestAndConfig(base, into: store, registryOptions: registryOptions, client: client)
            }
        }
        let result = try await build.run(tag: reference, git: git)
        for warning in result.warnings { Terminal.warning("\(warning)") }
        for pattern in result.unmatchedDataPatterns {
            Terminal.warning("layers.data pattern '\(pattern)' in gantry.yml matches no file; fix or remove it")
        }
        for layer in result.layers {
            let state = layer.reused ? "reused" : "new   "
            Terminal.say("\(layer.role.rawValue) layer  \(state)  \(layer.digests.digest)  \(ImageListing.humanSize(layer.digests.size))  (\(layer.fileCount) files)")
        }
        Terminal.say("Built \(reference) on \(result.base.reference) in \(Terminal.seconds(clock.now - start))")
        Terminal.say("  image \(reference.name)@\(result.manifest.digest)")
        if load {
            let engine = try await Engine.detect(requested: engine)
            let image = try store.image(for: reference)
            try await registryOptions.fetchAbsentBlobs(of: image, store: store, client: client)
            try await engine.load(image, from: store)
            Terminal.say("Loaded \(reference) into \(engine.name)")
        }
        if push {
            try await PushCommand.push(reference, to: reference, store: store, platform: nil,
                                       registryOptions: registryOptions, progressOptions: progressOptions, client: client)
        }
    }

    /// Pulls a base the store lacks, lazily: its manifest and config only, which is all a build
    /// reads; its layers are fetched when a load or a push elsewhere needs their bytes, and a push
    /// to the base's own registry mounts them.
    static func pullManifestAndConfig(_ base: ImageReference, into store: ImageStore, registryOptions: RegistryOptions,
                                      client: HTTPClient) async throws {
        let session = try await registryOptions.session(for: base, client: client)
        let digest = try await session.pull(base, into: store, layers: false)
        Terminal.note("Pulled base \(base.normalized.withDigest(digest)): manifest and config; its layers are fetched only when needed")
    }

    /// The tag a build gets without `--tag`: gantry.yml's image, tagged with the git short commit, or `latest` outside git.
    static func defaultTag(spec: AppSpec, git: GitRevision?) -> String {
        "\(spec.image):\(git?.shortCommit ?? "latest")"
    }
}
