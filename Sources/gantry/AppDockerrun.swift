import Beanstalk
import Foundation
import ImageModel
import Scaffold
import Store

/// The Dockerrun file of the app in the current folder: its image resolved in
/// gantry's store and its settings taken from `gantry.yml`.
struct AppDockerrun {
    /// The file.
    var dockerrun: Dockerrun
    /// The image it names.
    var image: String
    /// What the user should know about it.
    var notes: [String]

    /// Label of gantry's base images naming their log folder.
    static let logsLabel = "io.gantry.logs"

    /// Makes the file from gantry.yml, the store and the command's options.
    static func make(spec: AppSpec, options: DockerrunOptions) throws -> AppDockerrun {
        // gantry.yml's reader took only v1, v2 or v3.
        let version = options.format ?? spec.beanstalk.format.flatMap(DockerrunVersion.init(rawValue:)) ?? .v1
        let store = try ImageStore.default()
        let (image, stored) = try resolveImage(spec: spec, option: options.image, tagOnly: options.tagOnly, store: store)
        var settings = DockerrunSettings(name: spec.name, image: image, containerPort: spec.port)
        settings.hostPort = spec.beanstalk.hostPort ?? 80
        settings.memoryReservation = spec.beanstalk.memory ?? 256
        settings.environment = spec.env.map { OrderedJSON.Member($0.key, .string($0.value)) }
        // The app image inherits its base's labels; without it in the store, ask the base.
        settings.logs = stored?.configuration?.config?.labels?[logsLabel]
            ?? (try? ImageReference(parsing: spec.base)).flatMap { try? store.image(for: $0) }?.configuration?.config?.labels?[logsLabel]
        settings.volumes = spec.beanstalk.volumes.map {
            DockerrunSettings.VolumeSetting(name: $0.name, hostPath: $0.host, containerPath: $0.container, readOnly: $0.readOnly)
        }
        settings.sidecars = spec.beanstalk.sidecars.map { sidecar in
            var setting = DockerrunSettings.SidecarSetting(name: sidecar.name, image: sidecar.image)
            setting.memoryReservation = sidecar.memory
            setting.ports = sidecar.ports.map { DockerrunSettings.PortSetting(host: $0.host, container: $0.container) }
            setting.mounts = sidecar.mounts.map { DockerrunSettings.MountSetting(volume: $0.volume, containerPath: $0.path) }
            setting.environment = sidecar.env.map { OrderedJSON.Member($0.key, .string($0.value)) }
            return setting
        }
        if let bucket = options.bucket ?? spec.beanstalk.bucket, let key = options.key ?? spec.beanstalk.key {
            settings.authentication = S3Location(bucket: bucket, key: key)
        }
        var notes: [String] = []
        if version == .v1 && !spec.env.isEmpty {
            notes.append("note: a version 1 file has no environment; set gantry.yml's env as environment properties of the Beanstalk environment (eb setenv)")
        }
        if version != .v2 && !spec.beanstalk.sidecars.isEmpty {
            notes.append("note: beanstalk.sidecars go only into version 2 files (--format v2); left out")
        }
        if version == .v3 {
            notes.append("note: version 3 holds only Authentication; the containers come from docker-compose.yml in the bundle")
        }
        return AppDockerrun(dockerrun: Dockerrun.make(version, settings), image: image, notes: notes)
    }

    /// The image reference to write, and the stored image when the store has it.
    ///
    /// With `--image`: a digest is kept; a tag is pinned to the digest the
    /// store has for it, unless `tagOnly`. Without: the image `gantry push` last
    /// pushed to gantry.yml's repository, else the newest stored image of it (by
    /// its config's creation time).
    static func resolveImage(spec: AppSpec, option: String?, tagOnly: Bool, store: ImageStore) throws -> (String, StoredImage?) {
        if let option {
            let reference = try ImageReference(parsing: option)
            let stored = try? store.image(for: reference)
            if tagOnly {
                guard let tag = reference.tag else {
                    throw UsageError("--image \(option) has no tag to name it by; drop --tag-only, or give REPOSITORY:TAG")
                }
                return ("\(reference.familiarName):\(tag)", stored)
            }
            if let digest = reference.digest { return ("\(reference.familiarName)@\(digest)", stored) }
            guard let stored else {
                throw UsageError("\(option) is not in gantry's store, so gantry cannot pin it by digest; give \(reference.familiarName)@sha256:…, or --tag-only to deploy the tag")
            }
            return ("\(reference.familiarName)@\(stored.digest)", stored)
        }
        let repository = try ImageReference(parsing: spec.image)
        if let pushed = store.lastPush(of: repository), let reference = try? ImageReference(parsing: pushed.reference) {
            // The image gantry last pushed for this app, pinned to the digest the registry stored.
            if tagOnly { return ("\(spec.image):\(reference.tagOrDefault ?? ImageReference.defaultTag)", try? store.image(for: reference)) }
            return ("\(spec.image)@\(pushed.digest)", try? store.image(for: reference))
        }
        let candidates = try store.images().filter { $0.reference.name == repository.name && $0.manifest != nil }
        let newest = candidates.max { lhs, rhs in
            let left = lhs.created ?? .distantPast, right = rhs.created ?? .distantPast
            return left != right ? left < right : lhs.reference.description < rhs.reference.description
        }
        guard let newest else {
            throw UsageError("gantry's store has no image of \(spec.image) (gantry.yml's image); build and push it first, or give --image \(spec.image)@sha256:…")
        }
        if tagOnly {
            return ("\(spec.image):\(newest.reference.tagOrDefault ?? ImageReference.defaultTag)", newest)
        }
        return ("\(spec.image)@\(newest.digest)", newest)
    }

    /// Refuses to replace `path` unless it is missing, `force` is given, or it is a
    /// Dockerrun file whose images are all of the app's repository (one gantry wrote).
    static func checkReplaceable(_ path: String, repository: String, force: Bool) throws(BeanstalkError) {
        guard !force, FileManager.default.fileExists(atPath: path) else { return }
        guard let text = try? BeanstalkCheckCommand.read(path), let existing = try? Dockerrun(parsing: text, file: path) else {
            throw .outputExists(path: path, why: "is not a Dockerrun file gantry can read")
        }
        let name = (try? ImageReference(parsing: repository))?.name
        let ownImages = existing.images.allSatisfy { image in
            (try? ImageReference(parsing: image.name))?.name == name
        }
        if case .v2 = existing {
            // Sidecars name other images; the app container is the first.
            if let first = existing.images.first, (try? ImageReference(parsing: first.name))?.name == name { return }
        }
        guard ownImages else {
            throw .outputExists(path: path, why: "names another image than \(repository)")
        }
    }
}
