import ArgumentParser
import Builder
import Engines
import Foundation
import ImageModel
import Scaffold
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gantry dev [--port PORT] [--engine E] [--detach]`: runs the app on its
/// base image with the source mounted, until Ctrl-C; `gantry dev --image [REF]`
/// runs the built app image instead, as it would be deployed.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the app with its source mounted; edits show without a rebuild.",
        usage: """
            gantry dev [--port <port>] [--engine <engine>] [--detach] [--wait <wait>] [--directory <directory>]
              gantry dev --image [<image>] [--port <port>] [--engine <engine>] [--detach] [--wait <wait>] [--directory <directory>]
              gantry dev stop [--engine <engine>] [--directory <directory>]
            """,
        discussion: """
            Runs the base image of gantry.yml as container gantry-APP with the app folder \
            mounted read-write at the image's mount point (label io.gantry.mount, else \
            gantry.yml's 'mount') and its port published on 127.0.0.1, adds the image's dev \
            environment (label io.gantry.dev-env, which turns the reload monitor on) to \
            gantry.yml's 'env', waits until the app answers HTTP, prints its URL and follows \
            its log.

            Ctrl-C (or SIGTERM) stops the container gracefully and removes it; gantry then \
            exits 0, as ending a dev server is its normal end. Interrupted before the app \
            answered, it removes the container and exits 130 (143 for SIGTERM). If the \
            container exits, never answers, or answers its first request with a server \
            error (an app that fails on import), gantry prints the end of its log, \
            removes it and exits 1.

            With --image, runs the image 'gantry build' made (by default the tag it gives \
            now: gantry.yml's image and the git short commit, else 'latest'; or the one named) as \
            container gantry-APP-image, without the source mount and the dev environment: \
            a last check of what will be deployed. The image comes from gantry's store, \
            loaded into the engine when the engine lacks it or holds another image by that name.
            """,
        subcommands: [DevStopCommand.self]
    )

    @Option(help: "Host port on 127.0.0.1 (default: gantry.yml's port).")
    var port: Int?

    @Option(help: "Engine to run the container: podman or docker (default: GANTRY_ENGINE, else whichever answers, podman first).")
    var engine: EngineKind?

    @Flag(help: "Return once the app answers, leaving it running; stop it with 'gantry dev stop'.")
    var detach = false

    /// For fetching a lazily pulled base's layers from its registry before loading it.
    @OptionGroup var registryOptions: RegistryOptions

    @Option(help: "Seconds to wait for the app to answer.")
    var wait: Int = 60

    @Option(help: "The app folder, holding gantry.yml.")
    var directory: String = "."

    /// What `--image` without a value means; no reference reads so.
    static let buildTag = "the tag 'gantry build' gives now"

    @Option(name: .customLong("image"), defaultAsFlag: Self.buildTag, parsing: .next,
            help: "Run this built app image as it is, instead of the base with the source mounted.")
    var image: String?

    func validate() throws {
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port \(port) is out of range; give a port from 1 to 65535")
        }
        guard (1...3600).contains(wait) else {
            throw ValidationError("--wait \(wait) is out of range; give 1 to 3600 seconds")
        }
    }

    func run() async throws {
        let spec = try AppSpec.load(fromDirectory: directory)
        let folder = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath().path
        let hostPort = port ?? spec.port
        let builtImage: String? = if let image {
            try await Self.imageReference(image == Self.buildTag ? nil : image, spec: spec, folder: folder)
        } else {
            nil
        }

        let trap = SignalTrap()
        let started = StartedContainer()
        let launch = DevLaunch(app: spec, directory: folder, hostPort: hostPort, requested: engine, limit: .seconds(wait),
                               builtImage: builtImage, started: started, registryOptions: registryOptions)
        let startup = Task { try await launch.run() }
        let interrupter = Task { () -> Int32? in
            guard let signal = await trap.next() else { return nil }
            startup.cancel()
            return signal
        }

        let dev: DevContainer
        switch await startup.result {
        case .success(let running):
            interrupter.cancel()
            if let signal = await interrupter.value {
                await running.discard()
                throw ExitCode(SignalTrap.exitStatus(for: signal))
            }
            dev = running
        case .failure(let error):
            interrupter.cancel()
            if let signal = await interrupter.value {
                if let dev = started.value { await dev.discardIfOurs() }
                Terminal.note("Interrupted by \(SignalTrap.name(signal)) before \(spec.name) answered; removed its container")
                throw ExitCode(SignalTrap.exitStatus(for: signal))
            }
            if let dev = started.value {
                if let failure = error as? DevStartFailure {
                    Terminal.excerpt(failure.log, title: "last lines of \(dev.name)'s log")
                }
                await dev.discardIfOurs()
            }
            throw (error as? DevStartFailure)?.error ?? error
        }

        let url = "http://127.0.0.1:\(hostPort)"
        Terminal.say("Serving \(spec.name) at \(url)" + (builtImage.map { " (image \($0))" } ?? ""))
        if detach {
            Terminal.note("Running in container \(dev.name) (\(dev.engine.name)); stop it with 'gantry dev stop', follow its log with '\(dev.engine.kind.executableName) logs -f \(dev.name)'")
            return
        }
        Terminal.note("Following \(dev.name)'s log; Ctrl-C stops and removes it")
        try await follow(dev, trap: trap)
    }

    /// The image `gantry dev --image` runs: `text`, else the tag `gantry build` gives now, normalized as the store names it.
    static func imageReference(_ text: String?, spec: AppSpec, folder: String) async throws -> String {
        let chosen: String
        if let text {
            chosen = text
        } else {
            chosen = BuildCommand.defaultTag(spec: spec, git: await GitRevision.read(folder: folder))
        }
        do {
            return try ImageReference(parsing: chosen).normalized.description
        } catch {
            throw ValidationError("--image \(chosen): \(error)")
        }
    }

    /// Streams the container's log until a signal (then stops and removes it)
    /// or until the container stops some other way.
    private func follow(_ dev: DevContainer, trap: SignalTrap) async throws {
        enum Ending: Sendable {
            case signal(Int32)
            case logEnded
        }
        while true {
            let follower = try dev.engine.followLogs(dev.name)
            let ending = await withTaskGroup(of: Ending?.self) { group in
                group.addTask { await trap.next().map(Ending.signal) }
                group.addTask { await follower.wait() == nil ? nil : .logEnded }
                defer { group.cancelAll() }
                return await group.next() ?? nil
            }
            switch ending {
            case .signal(let signal):
                Terminal.note("\(SignalTrap.name(signal)): stopping \(dev.name)")
                await stopGracefully(dev, trap: trap)
                if await follower.wait(timeout: .seconds(1)) == nil { await follower.terminate() }
                Terminal.note("Stopped and removed \(dev.name)")
                return
            case .logEnded, nil:
                // The container stopped without us: 'gantry dev stop', or a crash.
                let clock = ContinuousClock()
                let until = clock.now + .seconds(3)
                var state = try await dev.engine.containerState(dev.name)
                while let current = state, !current.running, clock.now < until {
                    try await Task.sleep(for: .milliseconds(200))
                    state = try await dev.engine.containerState(dev.name)
                }
                guard let state else {
                    Terminal.note("\(dev.name) was stopped and removed")
                    return
                }
                if state.running { continue }  // the log stream broke; follow again
                await dev.discard()
                if state.exitCode == 0 {
                    Terminal.note("\(dev.name) stopped; removed it")
                    return
                }
                throw GantryError.stoppedUnexpectedly(app: dev.app.name, status: state.exitCode)
            }
        }
    }

    /// `stop` then `rm`; a second signal while stopping removes it at once.
    private func stopGracefully(_ dev: DevContainer, trap: SignalTrap) async {
        let stoppedInTime = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await dev.stopAndRemove()
                return true
            }
            group.addTask {
                guard await trap.next() != nil else { return true }
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? true
        }
        if !stoppedInTime {
            Terminal.note("Second signal: removing \(dev.name) at once")
            await dev.discard()
        }
    }
}

/// `gantry dev stop`: stops and removes the app's dev container.
struct DevStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop and remove the app's dev containers (gantry-APP, and gantry-APP-image of 'gantry dev --image').",
        discussion: "Without --engine or GANTRY_ENGINE, looks in every engine that answers. Says so, and exits 0, when nothing runs."
    )

    @Option(help: "Engine the container runs in: podman or docker.")
    var engine: EngineKind?

    @Option(help: "The app folder, holding gantry.yml.")
    var directory: String = "."

    @Option(help: "Seconds to wait for a graceful stop before killing it.")
    var time: Int = 10

    func run() async throws {
        let spec = try AppSpec.load(fromDirectory: directory)
        var engines: [Engine]
        if engine != nil || !(ProcessInfo.processInfo.environment[Engine.environmentVariable] ?? "").isEmpty {
            engines = [try await Engine.detect(requested: engine)]
        } else {
            engines = await Engine.answering()
            if engines.isEmpty { engines = [try await Engine.detect()] }  // throws, saying why
        }
        var stopped = false
        let names = [false, true].map { DevContainer.name(for: spec.name, runsImage: $0) }
        for engine in engines {
            for name in names {
                guard let state = try await DevContainer.existing(name, app: spec.name, engine: engine) else { continue }
                try await engine.stop(name, timeout: time)
                try await engine.remove(name, force: true)
                Terminal.say("Stopped and removed \(name) (\(engine.name))" + (state.running ? "" : "; it was not running"))
                stopped = true
            }
        }
        if !stopped {
            Terminal.say("\(spec.name) is not running: no container \(names.joined(separator: " or ")) in \(engines.map(\.name).joined(separator: " or "))")
        }
    }
}
