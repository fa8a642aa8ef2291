import Engines
import Foundation
import Scaffold
import Store

/// How `gantry dev` starts an app's container: from remembered labels when
/// it can (the engine's first command is `run`), else the full way.
struct DevLaunch: Sendable {
    let app: AppSpec
    let directory: String
    let hostPort: Int
    let requested: EngineKind?
    let limit: Duration
    /// The built image to run instead of the base with the source mounted (`gantry dev --image`).
    let builtImage: String?
    /// Holds the container this launch may have made, for cleanup after a failure or a signal.
    let started: StartedContainer
    /// How to reach the base's registry when the store lacks some of its layers.
    let registryOptions: RegistryOptions
    let memory = DevImageMemory.standard()

    /// Starts the container and waits until the app answers.
    ///
    /// When the likely engine (`--engine`, else `GANTRY_ENGINE`, else podman)
    /// has run this base before, the container is started at once from the
    /// labels read then, and the image id checked while the app boots; a
    /// changed image whose labels say otherwise gets the container restarted.
    /// Anything unexpected before the container runs (the engine does not
    /// answer, the image or the name is another's) leads to the full way.
    ///
    /// - Throws: `GantryError`, `EngineError`, or `DevStartFailure` with the log.
    func run() async throws -> DevContainer {
        if let builtImage {
            // Only gantry's store has the built image: the engine's copy may be stale, a pull would fetch another.
            guard let stored = DevContainer.storedImage(builtImage, options: registryOptions) else {
                throw GantryError.builtImageMissing(reference: builtImage, store: StoreLocation.resolve().path)
            }
            return try await runFully(stored: stored)
        }
        // The store is read once per start: the fast path compares ids with it, the full way loads from it.
        let stored = DevContainer.storedImage(app.base, options: registryOptions)
        let environment = ProcessInfo.processInfo.environment
        let variable = environment[Engine.environmentVariable] ?? ""
        let named = EngineKind(rawValue: variable.lowercased())
        let likely = requested ?? named ?? EngineKind.allCases[0]
        // A GANTRY_ENGINE naming no engine is Engine.detect's to report.
        guard requested != nil || variable.isEmpty || named != nil,
              let path = Subprocess.locate(likely.executableName, path: environment["PATH"]),
              let remembered = memory.entry(engine: likely, reference: app.base),
              stored.map({ remembered.id.hasSuffix($0.configDigest.encoded) }) ?? true else {
            return try await runFully(stored: stored)
        }
        let dev = DevContainer(app: app, directory: directory, engine: Engine(kind: likely, executable: path, environment: environment))
        try await dev.checkPort(hostPort)
        let settings = try dev.settings(fromLabels: remembered.labels)
        started.record(dev)
        do {
            try await dev.engine.run(dev.runOptions(settings, hostPort: hostPort))
        } catch {
            if Task.isCancelled { throw error }
            // A container our run made before failing goes; whoever holds the name stays.
            await dev.discardIfOurs()
            return try await runFully(stored: stored)
        }
        async let runningImage = dev.runningImageID()
        var failure: DevStartFailure?
        do {
            _ = try await dev.waitUntilAnswering(hostPort: hostPort, limit: limit)
        } catch let error as DevStartFailure {
            failure = error
        }
        if await runningImage == remembered.id {
            if let failure { throw failure }
            return dev
        }
        // The image changed since its labels were read: read them again, and
        // start again if they ask for other settings; the outcome so far is
        // no verdict on an app run with the wrong ones.
        try Task.checkCancellation()
        guard let image = try await dev.engine.image(app.base) else {
            throw GantryError.baseImageUnavailable(reference: app.base, engine: dev.engine.kind, reason: "it was removed while the container started")
        }
        memory.remember(image, engine: dev.engine.kind, reference: app.base)
        let current = try dev.settings(fromLabels: image.labels)
        if current == settings {
            if let failure { throw failure }
            return dev
        }
        Terminal.note("\(app.base) changed since gantry last ran it; starting \(dev.name) again with its labels")
        await dev.discard()
        try await dev.engine.run(dev.runOptions(current, hostPort: hostPort))
        _ = try await dev.waitUntilAnswering(hostPort: hostPort, limit: limit)
        return dev
    }

    /// The full way: find the engine while asking it for the image,
    /// check the port, get the image (engine, store, pull), read its labels, run.
    private func runFully(stored: StoredBase?) async throws -> DevContainer {
        let (engine, found) = try await Self.detectEngine(requested: requested, lookingFor: builtImage ?? app.base)
        let dev = DevContainer(app: app, directory: directory, engine: engine, builtImage: builtImage)
        try await dev.checkPort(hostPort)
        let image = try await dev.engineImage(found, stored: stored)
        // The memory serves the fast path, which runs bases only.
        if builtImage == nil { memory.remember(image, engine: engine.kind, reference: app.base) }
        let settings = try dev.settings(fromLabels: image.labels)
        try Task.checkCancellation()
        started.record(dev)
        try await dev.start(dev.runOptions(settings, hostPort: hostPort))
        _ = try await dev.waitUntilAnswering(hostPort: hostPort, limit: limit)
        return dev
    }

    /// Finds the engine (`Engine.detect`) while already asking the likely one
    /// for `reference`: the two engine commands take the time of one.
    /// - Returns: the engine, and what it said of the image (nil: it has none).
    static func detectEngine(requested: EngineKind?, lookingFor reference: String) async throws -> (Engine, EngineImage?) {
        let environment = ProcessInfo.processInfo.environment
        let named = EngineKind(rawValue: (environment[Engine.environmentVariable] ?? "").lowercased())
        let likely = requested ?? named ?? EngineKind.allCases[0]
        let guess = Subprocess.locate(likely.executableName, path: environment["PATH"])
            .map { Engine(kind: likely, executable: $0, environment: environment) }
        async let early: Result<EngineImage?, EngineError>? = {
            guard let guess else { return nil }
            do throws(EngineError) {
                return .success(try await guess.image(reference))
            } catch {
                return .failure(error)
            }
        }()
        let engine = try await Engine.detect(requested: requested, environment: environment)
        if engine == guess, case .success(let image)? = await early {
            return (engine, image)
        }
        return (engine, try await engine.image(reference))
    }
}

extension DevContainer {
    /// Checks that the host port is free; when it is not, and this app's own
    /// container holds it, says that instead.
    func checkPort(_ hostPort: Int) async throws {
        do {
            try LoopbackPort.checkAvailable(hostPort)
        } catch {
            try await refuseIfRunning()
            throw error
        }
    }

    /// The id of the image the container runs, or nil when the engine cannot say.
    func runningImageID() async -> String? {
        guard let state = try? await engine.containerState(name) else { return nil }
        return state.imageID
    }
}
