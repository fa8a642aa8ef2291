import Engines
import Foundation
import ImageModel
import Scaffold
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An app's dev container: the base image run with the app folder mounted
/// at the mount point, named `gantry-APP` and labelled `io.gantry.app=APP`;
/// or, with `gantry dev --image`, the built app image run as it is, named `gantry-APP-image`.
struct DevContainer: Sendable {
    /// The label that marks a container as `gantry dev`'s, with the app's name.
    static let appLabel = "io.gantry.app"
    /// The label naming the `gantry dev` run that made the container, so a
    /// failed run cleans up only what it made.
    static let sessionLabel = "io.gantry.dev-session"

    /// The app's `gantry.yml`.
    let app: AppSpec
    /// The app folder, absolute.
    let directory: String
    /// The engine that runs it.
    let engine: Engine
    /// The built image to run as it is (`gantry dev --image`); nil runs the base with the source mounted.
    var builtImage: String? = nil
    /// This run's mark on the container it makes.
    let session = UUID().uuidString.lowercased()

    /// `gantry-APP`, or `gantry-APP-image` for the built image: both can run at once.
    var name: String { Self.name(for: app.name, runsImage: builtImage != nil) }

    /// The image the container runs: the built image, else the base.
    var reference: String { builtImage ?? app.base }

    static func name(for app: String, runsImage: Bool = false) -> String { "gantry-\(app)" + (runsImage ? "-image" : "") }

    /// How the container runs, from the image's `io.gantry.*` labels, falling back to gantry.yml.
    struct Settings: Hashable, Sendable {
        var mount: String
        var containerPort: Int
        var environment: [String: String]
    }

    /// The running (or stopped) container of this app, if there is one.
    /// - Throws: `GantryError.foreignContainer` when the name is taken by a container gantry did not start.
    func existing() async throws -> ContainerState? {
        try await Self.existing(name, app: app.name, engine: engine)
    }

    /// The container `name` of `app` in `engine`, if there is one.
    /// - Throws: `GantryError.foreignContainer` when the name is taken by a container gantry did not start.
    static func existing(_ name: String, app: String, engine: Engine) async throws -> ContainerState? {
        guard let state = try await engine.containerState(name) else { return nil }
        guard state.labels[appLabel] == app else {
            throw GantryError.foreignContainer(name: name, engine: engine.kind)
        }
        return state
    }

    /// The URL a running container of this app serves, from its published port.
    static func url(of state: ContainerState) -> String? {
        let containerPort = state.labels[BaseSpec.LabelKey.port].flatMap { Int($0) }
        return state.hostPort(for: containerPort).map { "http://127.0.0.1:\($0)" }
    }

    /// Throws `GantryError.alreadyRunning` when this app's container runs;
    /// removes a stopped one, left by a gantry that was killed, which holds the name.
    func refuseIfRunning() async throws {
        guard let state = try await existing() else { return }
        if state.running {
            throw GantryError.alreadyRunning(app: app.name, url: Self.url(of: state))
        }
        try await engine.remove(name, force: true)
    }

    /// `run`, asking the engine about the name only when the run fails: a
    /// running container of the app is refused, a stopped one left by an
    /// earlier run replaced.
    func start(_ options: RunOptions) async throws {
        do {
            try await engine.run(options)
        } catch {
            guard let state = try await existing(), state.labels[Self.sessionLabel] != session else { throw error }
            try await refuseIfRunning()
            try await engine.run(options)
        }
    }

    /// The image to run in the engine (the base, or the built image): there
    /// already (`found`), else loaded from gantry's store, else pulled by the engine.
    /// - Throws: `GantryError.baseImageUnavailable` when none of these works.
    func engineImage(_ found: EngineImage?, stored: StoredBase?) async throws -> EngineImage {
        let reference = self.reference
        if let found {
            // gantry's store is where gantry builds bases: an engine copy of another image by that name is stale.
            guard let stored, !found.id.hasSuffix(stored.configDigest.encoded) else { return found }
            Terminal.note("\(reference) in \(engine.name) is not the image in gantry's store; loading the store's (\(stored.store.root.path))")
        } else if let stored {
            Terminal.note("\(reference) is not in \(engine.name); loading it from gantry's store (\(stored.store.root.path))")
        }
        if let stored {
            try await stored.fetchAbsentBlobs()
            try await engine.load(stored.image, from: stored.store)
            guard let image = try await engine.image(reference) else {
                throw GantryError.baseImageUnavailable(reference: reference, engine: engine.kind, reason: "\(engine.name) loaded it from gantry's store but cannot find it by that name")
            }
            return image
        }
        Terminal.note("\(reference) is not in \(engine.name); pulling it")
        do {
            try await engine.pull(reference)
        } catch {
            let reason: String
            if case let .commandFailed(_, _, message, _) = error { reason = message } else { reason = "\(error)" }
            throw GantryError.baseImageUnavailable(reference: reference, engine: engine.kind, reason: reason)
        }
        guard let image = try await engine.image(reference) else {
            throw GantryError.baseImageUnavailable(reference: reference, engine: engine.kind, reason: "\(engine.name) pulled it but cannot find it")
        }
        return image
    }

    /// The image as gantry's store has it; nil when there is no store or it lacks the image.
    static func storedImage(_ reference: String, options: RegistryOptions) -> StoredBase? {
        guard let store = existingStore(), let parsed = try? ImageReference(parsing: reference),
              let image = try? store.image(for: parsed), let manifest = image.manifest else { return nil }
        return StoredBase(store: store, image: image, configDigest: manifest.config.digest, options: options)
    }

    /// gantry's store, when there is one; looking must not make one.
    static func existingStore() -> ImageStore? {
        let root = StoreLocation.resolve()
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("index.json").path) else { return nil }
        let store = try? ImageStore(root: root)
        try? store?.hold(.shared)  // its layers are read while the engine loads them: no prune meanwhile
        return store
    }

    /// Mount point, port and environment: the image's labels first, gantry.yml where they say nothing.
    /// gantry.yml's `env` wins over the label's dev environment for the same name.
    func settings(fromLabels labels: [String: String]) throws -> Settings {
        var mount = app.mount
        if let labelled = labels[BaseSpec.LabelKey.mount] {
            guard labelled.hasPrefix("/") else {
                throw GantryError.badLabel(reference: reference, label: BaseSpec.LabelKey.mount, value: labelled)
            }
            mount = labelled
        }
        var port = app.port
        if let labelled = labels[BaseSpec.LabelKey.port] {
            guard let value = Int(labelled), (1...65535).contains(value) else {
                throw GantryError.badLabel(reference: reference, label: BaseSpec.LabelKey.port, value: labelled)
            }
            port = value
        }
        var environment: [String: String] = [:]
        if let labelled = labels[BaseSpec.LabelKey.devEnv] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(labelled.utf8)) as? [String: Any] else {
                throw GantryError.badLabel(reference: reference, label: BaseSpec.LabelKey.devEnv, value: labelled)
            }
            for (key, value) in object {
                environment[key] = (value as? String) ?? "\(value)"
            }
        }
        for pair in app.env { environment[pair.key] = pair.value }
        return Settings(mount: mount, containerPort: port, environment: environment)
    }

    /// What `run` gets: the folder mounted read-write, the port on 127.0.0.1,
    /// the host user's uid and gid unless that is root (then the image's user).
    /// The built image runs as it would deployed: no mount, no environment
    /// added (its config has gantry.yml's `env`), the image's user.
    func runOptions(_ settings: Settings, hostPort: Int) -> RunOptions {
        let ports = [RunOptions.PortMapping(hostPort: hostPort, containerPort: settings.containerPort)]
        let labels = [Self.appLabel: app.name, Self.sessionLabel: session]
        if let builtImage {
            return RunOptions(image: builtImage, name: name, ports: ports, labels: labels, pull: .never)
        }
        let uid = getuid()
        return RunOptions(
            image: app.base,
            name: name,
            mounts: [.init(hostPath: directory, containerPath: settings.mount)],
            ports: ports,
            environment: settings.environment,
            user: uid == 0 ? nil : "\(uid):\(getgid())",
            labels: labels,
            pull: .never  // the image is gantry's to provide: engine, store, then pull
        )
    }

    /// Stops the container gracefully (the image's stop signal, then SIGKILL
    /// after `timeout` seconds) and removes it. Failures are reported, not thrown: this is cleanup.
    func stopAndRemove(timeout: Int = 10) async {
        do {
            try await engine.stop(name, timeout: timeout)
            try await engine.remove(name, force: true)
        } catch {
            Terminal.warning("\(error)")
        }
    }

    /// Removes the container if this run made it, asking the engine first:
    /// a container of the same name from another run is left alone.
    func discardIfOurs() async {
        guard let state = try? await engine.containerState(name), state.labels[Self.sessionLabel] == session else { return }
        await discard()
    }

    /// Removes the container at once, running or not. Failures are reported, not thrown.
    func discard() async {
        do {
            try await engine.remove(name, force: true)
        } catch {
            Terminal.warning("\(error)")
        }
    }
}

/// The dev container a `gantry dev` run works with, once it knows the engine; for cleanup.
final class StartedContainer: @unchecked Sendable {
    private let lock = NSLock()
    private var dev: DevContainer?

    func record(_ dev: DevContainer) {
        lock.lock()
        self.dev = dev
        lock.unlock()
    }

    var value: DevContainer? {
        lock.lock()
        defer { lock.unlock() }
        return dev
    }
}

/// A base image found in gantry's store.
struct StoredBase: Sendable {
    let store: ImageStore
    let image: StoredImage
    /// The config's digest: the id the engines give the image.
    let configDigest: Digest
    /// `gantry dev`'s `--ca-cert` and `--insecure-registry`, for the base's registry.
    let options: RegistryOptions

    /// Fetches the blobs the store lacks (a lazily pulled base's layers) from their registry:
    /// a load needs every layer's bytes.
    func fetchAbsentBlobs() async throws {
        try await options.fetchAbsentBlobs(of: image, store: store, client: options.makeClient())
    }
}
