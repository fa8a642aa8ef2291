import Engines
import Foundation
import Scaffold
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An app's dev container: the base image run with the app folder mounted
/// at the mount point, named `gantry-APP` and labelled `io.gantry.app=APP`.
struct DevContainer: Sendable {
    /// The label that marks a container as `gantry dev`'s, with the app's name.
    static let appLabel = "io.gantry.app"

    /// The app's `gantry.yml`.
    let app: AppSpec
    /// The app folder, absolute.
    let directory: String
    /// The engine that runs it.
    let engine: Engine

    /// `gantry-APP`.
    var name: String { Self.name(for: app.name) }

    static func name(for app: String) -> String { "gantry-\(app)" }

    /// How the container runs, from the image's `io.gantry.*` labels, falling back to gantry.yml.
    struct Settings: Sendable {
        var mount: String
        var containerPort: Int
        var environment: [String: String]
    }

    /// The running (or stopped) container of this app, if there is one.
    /// - Throws: `GantryError.foreignContainer` when the name is taken by a container gantry did not start.
    func existing() async throws -> ContainerState? {
        guard let state = try await engine.containerState(name) else { return nil }
        guard state.labels[Self.appLabel] == app.name else {
            throw GantryError.foreignContainer(name: name, engine: engine.kind)
        }
        return state
    }

    /// The URL a running container of this app serves, from its published port.
    static func url(of state: ContainerState) -> String? {
        let containerPort = state.labels[BaseSpec.LabelKey.port].flatMap { Int($0) }
        return state.hostPort(for: containerPort).map { "http://127.0.0.1:\($0)" }
    }

    /// The base image in the engine: there already, else pulled by the engine.
    /// - Throws: `GantryError.baseImageUnavailable` when neither works.
    func baseImage() async throws -> EngineImage {
        let reference = app.base
        if let image = try await engine.image(reference) { return image }
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

    /// Mount point, port and environment: the image's labels first, gantry.yml where they say nothing.
    /// gantry.yml's `env` wins over the label's dev environment for the same name.
    func settings(from image: EngineImage) throws -> Settings {
        let labels = image.labels
        var mount = app.mount
        if let labelled = labels[BaseSpec.LabelKey.mount] {
            guard labelled.hasPrefix("/") else {
                throw GantryError.badLabel(reference: app.base, label: BaseSpec.LabelKey.mount, value: labelled)
            }
            mount = labelled
        }
        var port = app.port
        if let labelled = labels[BaseSpec.LabelKey.port] {
            guard let value = Int(labelled), (1...65535).contains(value) else {
                throw GantryError.badLabel(reference: app.base, label: BaseSpec.LabelKey.port, value: labelled)
            }
            port = value
        }
        var environment: [String: String] = [:]
        if let labelled = labels[BaseSpec.LabelKey.devEnv] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(labelled.utf8)) as? [String: Any] else {
                throw GantryError.badLabel(reference: app.base, label: BaseSpec.LabelKey.devEnv, value: labelled)
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
    func runOptions(_ settings: Settings, hostPort: Int) -> RunOptions {
        let uid = getuid()
        return RunOptions(
            image: app.base,
            name: name,
            mounts: [.init(hostPath: directory, containerPath: settings.mount)],
            ports: [.init(hostPort: hostPort, containerPort: settings.containerPort)],
            environment: settings.environment,
            user: uid == 0 ? nil : "\(uid):\(getgid())",
            labels: [Self.appLabel: app.name]
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

    /// Removes the container at once, running or not. Failures are reported, not thrown.
    func discard() async {
        do {
            try await engine.remove(name, force: true)
        } catch {
            Terminal.warning("\(error)")
        }
    }
}
