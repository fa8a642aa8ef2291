import Archive
import Foundation
import ImageModel
import Scaffold
import Store

/// The app image: the base image's config and layers left as they are, the
/// app's layers appended, and the config changed as `gantry.yml` says.
public struct AppImage: Sendable {
    /// The config, as written into the store.
    public var configuration: ImageConfiguration
    /// The manifest, as written into the store.
    public var manifest: ImageManifest

    /// One appended layer, with how it is described in the history.
    public struct AddedLayer: Sendable {
        /// The layer's digests and sizes.
        public var digests: LayerDigests
        /// The history entry's `created_by`.
        public var createdBy: String
    }

    /// Whether the base is a Docker schema 2 image, whose manifest, config and layer types the app image keeps.
    static func isDocker(_ base: StoredImage) -> Bool {
        base.descriptor.mediaType == MediaType.dockerManifest || base.manifest?.mediaType == MediaType.dockerManifest
    }

    /// Assembles the app image from the base and the app's layers.
    ///
    /// - Parameters:
    ///   - base: The base image from the store, with its manifest and config.
    ///   - baseConfiguration: The base's config (unknown members are kept).
    ///   - baseManifest: The base's manifest.
    ///   - layers: The app's layers, in order (data, then code).
    ///   - spec: `gantry.yml`: env, port and mount.
    ///   - created: The timestamp for `created` and the history entries.
    ///   - git: The revision for the source labels, when the app is in git.
    public init(
        base: StoredImage, baseConfiguration: ImageConfiguration, baseManifest: ImageManifest,
        layers: [AddedLayer], spec: AppSpec, created: Date, git: GitRevision?
    ) {
        let timestamp = NativeBaseBuild.timestamp(created)
        let docker = Self.isDocker(base)
        var configuration = baseConfiguration
        configuration.created = timestamp
        var config = configuration.config ?? ImageConfiguration.Config()
        config.env = Self.merging(spec.env, into: config.env ?? [])
        config.workingDir = spec.mount
        var ports = config.exposedPorts ?? [:]
        ports["\(spec.port)/tcp"] = .object([:])
        config.exposedPorts = ports
        // The base declares a volume at the mount point for `gantry dev`; baked in, the app
        // must not be hidden behind an anonymous volume the engine makes on every run.
        if var volumes = config.volumes {
            volumes[spec.mount] = nil
            config.volumes = volumes.isEmpty ? nil : volumes
        }
        var labels = config.labels ?? [:]
        if let git {
            labels["org.opencontainers.image.revision"] = git.commit
            if let source = git.source { labels["org.opencontainers.image.source"] = source }
        }
        config.labels = labels.isEmpty ? nil : labels
        configuration.config = config
        var history = configuration.history ?? []
        for layer in layers {
            configuration.rootfs.diffIDs.append(layer.digests.diffID)
            history.append(ImageConfiguration.History(created: timestamp, createdBy: layer.createdBy, comment: "gantry build"))
        }
        configuration.history = history
        self.configuration = configuration

        let layerType = docker ? MediaType.dockerLayerGzip : nil
        let added = layers.map { Descriptor(mediaType: layerType ?? $0.digests.mediaType, digest: $0.digests.digest, size: $0.digests.size) }
        var manifest = baseManifest
        manifest.layers += added
        manifest.mediaType = docker ? MediaType.dockerManifest : MediaType.ociManifest
        if !docker {
            var annotations = manifest.annotations ?? [:]
            annotations["org.opencontainers.image.base.name"] = base.reference.normalized.description
            annotations["org.opencontainers.image.base.digest"] = base.digest.description
            manifest.annotations = annotations
        }
        self.manifest = manifest
    }

    /// The base's `KEY=VALUE` list with `gantry.yml`'s values replacing or following it.
    static func merging(_ env: [KeyValue], into base: [String]) -> [String] {
        var result = base
        for pair in env {
            let line = "\(pair.key)=\(pair.value)"
            if let index = result.firstIndex(where: { $0.hasPrefix(pair.key + "=") || $0 == pair.key }) {
                result[index] = line
            } else {
                result.append(line)
            }
        }
        return result
    }

    /// Writes the config and manifest into `store` (the layers must be there) and tags the manifest.
    ///
    /// - Parameters:
    ///   - store: gantry's store.
    ///   - reference: The name to tag.
    ///   - docker: Whether to write Docker schema 2 media types.
    /// - Returns: The manifest's descriptor.
    /// - Throws: `StoreError` when a blob cannot be written or the index changed.
    public func store(in store: ImageStore, as reference: ImageReference, docker: Bool) throws -> Descriptor {
        var manifest = self.manifest
        let config = try store.writeBlob(
            try CanonicalJSON.encode(configuration), mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig)
        manifest.config = config
        let descriptor = try store.writeBlob(try CanonicalJSON.encode(manifest), mediaType: manifest.mediaType ?? MediaType.ociManifest)
        try store.tag(descriptor, as: reference)
        return descriptor
    }
}
