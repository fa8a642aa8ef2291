import Archive
import Foundation
import ImageModel
import Scaffold
import Store

/// Builds an app image without any daemon: the base image from gantry's
/// store, plus the app folder as a data layer and a code layer (each a
/// streaming walk, tar, gzip and hash into the store), the config changed as
/// `gantry.yml` says, tagged in the store.
///
/// The two layers are compressed at the same time, each on its own thread.
/// A layer whose inputs did not change since the last build (`LayerCache`)
/// is reused without reading the files. Nothing is tagged unless every blob
/// is in; a layer that fails leaves no file behind.
public struct AppBuild: Sendable {
    /// The app's `gantry.yml`.
    public var spec: AppSpec
    /// The app folder.
    public var folder: String
    /// Where the base is and the image goes.
    public var store: ImageStore
    /// The layers' compression (gzip level 6 by default, as the base build).
    public var compression: LayerCompression
    /// The time of every file in the layers and of the config: `SOURCE_DATE_EPOCH`, else 1980-01-01.
    public var epoch: Int
    /// Whether the base's layers may be absent from the store: a base pulled lazily from a
    /// registry has its manifest and config only (the build appends to it without reading its
    /// layers; whatever needs their bytes fetches them from the registry). False: each must be there.
    public var baseLayersMayBeAbsent = false

    /// Creates a build; `environment` supplies `SOURCE_DATE_EPOCH`.
    ///
    /// Unlike the base build, `created` is the fixed epoch without
    /// `SOURCE_DATE_EPOCH` too, so the same folder always gives the same image.
    public init(spec: AppSpec, folder: String, store: ImageStore, compression: LayerCompression = .gzip(level: 6),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.spec = spec
        self.folder = folder
        self.store = store
        self.compression = compression
        epoch = NativeBaseBuild.sourceDateEpoch(environment) ?? NativeBaseBuild.defaultEpoch
    }

    /// One layer of the result.
    public struct BuiltLayer: Sendable {
        /// Data or code.
        public var role: AppLayerPlan.Role
        /// Its digests and sizes.
        public var digests: LayerDigests
        /// Whether it came from the cache rather than being written now.
        public var reused: Bool
        /// How many files and links it holds.
        public var fileCount: Int
    }

    /// What the build made.
    public struct Result: Sendable {
        /// The manifest's descriptor, as tagged.
        public var manifest: Descriptor
        /// The app's layers, data first.
        public var layers: [BuiltLayer]
        /// What the walk skipped, with why.
        public var warnings: [DirectoryWalker.Warning]
        /// `layers.data` patterns that matched no file (only those `gantry.yml` gives).
        public var unmatchedDataPatterns: [String]
        /// The base image.
        public var base: StoredImage
    }

    /// Builds the image and tags it as `reference`.
    ///
    /// - Parameters:
    ///   - reference: The tag.
    ///   - git: The app's git revision, for labels.
    /// - Throws: `BuilderError` for a missing base (or base layer, unless `baseLayersMayBeAbsent`)
    ///   or an empty app; `ArchiveError`
    ///   for an unreadable file or a symlink leaving the folder; `StoreError`.
    public func run(tag reference: ImageReference, git: GitRevision?) async throws -> Result {
        let baseReference = try ImageReference(parsing: spec.base)
        guard try store.resolve(baseReference) != nil else {
            throw BuilderError.baseMissing(spec.base, store: store.root.path)
        }
        let base = try store.image(for: baseReference)
        guard let baseManifest = base.manifest, let baseConfiguration = base.configuration else {
            throw BuilderError.baseNotAnImage(spec.base, mediaType: base.descriptor.mediaType)
        }
        for layer in baseManifest.layers where !baseLayersMayBeAbsent && !store.hasBlob(layer.digest) {
            throw BuilderError.baseBlobMissing(spec.base, digest: layer.digest.description)
        }
        let docker = AppImage.isDocker(base)
        if docker, case .zstd = compression {
            throw BuilderError.compressionUnsupported(base: spec.base, compression: compression.description)
        }

        let ignore = try IgnoreFile.load(from: folder)
        let data = try DataPatterns(spec.dataPatterns)
        let plan = try AppLayerPlan(
            folder: folder, mount: spec.mount, ignore: ignore, data: data, modificationTime: Int64(epoch))

        let cache = LayerCache(store: store)
        let settings = [
            "mount \(spec.mount)", "compression \(compression)", "epoch \(epoch)",
            "ignore \(ignore.patterns.map(\.description))", "data \(data.patterns)",
        ]
        let built = try await withThrowingTaskGroup(of: (Int, BuiltLayer).self) { group in
            for (index, layer) in plan.layers.enumerated() {
                let key = LayerCache.key(inputs: layer.inputs, settings: settings + ["role \(layer.role)"])
                if let cached = cache.lookUp(key) {
                    group.addTask { (index, BuiltLayer(role: layer.role, digests: cached, reused: true, fileCount: layer.fileCount)) }
                    continue
                }
                let store = store, compression = compression
                group.addTask {
                    let digests = try await Self.write(layer.entries, into: store, compression: compression)
                    cache.remember(digests, as: key)
                    return (index, BuiltLayer(role: layer.role, digests: digests, reused: false, fileCount: layer.fileCount))
                }
            }
            var results: [(Int, BuiltLayer)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }

        let image = AppImage(
            base: base, baseConfiguration: baseConfiguration, baseManifest: baseManifest,
            layers: built.map { layer in
                AppImage.AddedLayer(
                    digests: layer.digests,
                    createdBy: "gantry build: \(layer.role) layer, \(layer.fileCount) files from the app folder at \(spec.mount)")
            },
            spec: spec, created: Date(timeIntervalSince1970: TimeInterval(epoch)), git: git)
        let descriptor = try image.store(in: store, as: reference, docker: docker)
        let unmatched = spec.declaredDataPatterns == nil ? [] : plan.unmatchedDataPatterns
        return Result(manifest: descriptor, layers: built, warnings: plan.warnings, unmatchedDataPatterns: unmatched, base: base)
    }

    /// Writes one layer into the store on a thread of its own (compression is
    /// long blocking work, kept off Swift's cooperative threads); a failure leaves no file behind.
    static func write(_ entries: [LayerEntry], into store: ImageStore, compression: LayerCompression) async throws -> LayerDigests {
        try await BlockingWork.run {
            Swift.Result {
                try LayerIngest.writeLayer(into: store, compression: compression) { writer in
                    for entry in entries { try writer.append(entry) }
                }
            }
        }.get()
    }
}
