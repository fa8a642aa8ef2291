import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// podman or docker as the tests drive them, the same way for both: podman
/// with the containers.conf of DESIGN.md, docker against this run's own
/// daemon (`DockerDaemon`).
struct TestEngine: Sendable, CustomTestStringConvertible {
    /// `podman` or `docker`: the program, and what `--engine` takes.
    let name: String
    /// What every command of this engine (and gantry driving it) adds to the environment.
    let environment: [String: String]

    static let names = ["podman", "docker"]

    var testDescription: String { name }

    /// The engine called `name`, set up and answering; a skip (a failure under CI) when it is missing.
    static func require(_ name: String) async throws -> TestEngine {
        switch name {
        case "podman":
            let podman = try Podman.require()
            return TestEngine(name: name, environment: podman.environment)
        default:
            let endpoint = try await DockerDaemon.shared.endpoint()
            return TestEngine(name: name, environment: ["DOCKER_HOST": endpoint.host])
        }
    }

    /// Runs `ENGINE ARGUMENTS`, whatever its status.
    func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ProcessOutput {
        try await Subprocess.run(name, arguments, environment: environment, timeout: timeout)
    }

    /// Runs `ENGINE ARGUMENTS`; throws with its output unless it exits 0.
    @discardableResult
    func checked(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> ProcessOutput {
        try await run(arguments, timeout: timeout).check()
    }

    /// A container as the tests look at it.
    struct Container: Equatable {
        var id: String
        var running: Bool
        var startedAt: String
    }

    /// The container called `name`, or nil when there is none.
    func container(_ name: String) async throws -> Container? {
        let result = try await run(["container", "inspect", "--format", "{{.Id}}|{{.State.Running}}|{{.State.StartedAt}}", name])
        guard result.status == 0 else { return nil }
        let fields = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|", maxSplits: 2).map(String.init)
        guard fields.count == 3 else { throw HarnessError.failed(command: result.command, status: 0, output: result.excerpt) }
        return Container(id: fields[0], running: fields[1] == "true", startedAt: fields[2])
    }

    /// Waits until the container `name` is gone, polling; false when it is still there after `limit`.
    func waitUntilGone(_ name: String, within limit: Duration) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        repeat {
            if try await container(name) == nil { return true }
            try await Task.sleep(for: .milliseconds(200))
        } while clock.now < deadline
        return try await container(name) == nil
    }

    /// The container's log, for failure messages.
    func logs(_ name: String) async -> String {
        guard let output = try? await run(["logs", name]) else { return "(no logs)" }
        return ProcessOutput.tail(output.stdout + output.stderr)
    }

    /// Removes the container `name` if it exists, with its anonymous volumes.
    func removeContainer(_ name: String) async {
        _ = try? await run(["rm", "--force", "--volumes", name])
    }

    /// Removes the image `reference` if it exists.
    func removeImage(_ reference: String) async {
        // Under the build lock: a podman build running meanwhile may reuse this image's layers.
        if name == "podman" {
            _ = try? await withPodmanBuildLock { try await run(["rmi", "--force", reference]) }
        } else {
            _ = try? await run(["rmi", "--force", reference])
        }
    }

    /// Runs the built gantry against this engine: `--engine` is the caller's to add.
    /// - Parameter environment: added to (or replacing) `gantryEnvironment`.
    func gantry(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) async throws -> ProcessOutput {
        try await Subprocess.run(
            try gantryBinary(), arguments, environment: gantryEnvironment.merging(environment) { _, new in new },
            in: directory, timeout: timeout)
    }

    /// gantry's environment: the engine's, a store of this run's, and no GANTRY_ENGINE from outside.
    var gantryEnvironment: [String: String] {
        environment.merging(["GANTRY_HOME": EngineFixtures.storeDirectory.path, "GANTRY_ENGINE": ""]) { _, new in new }
    }
}

/// What the dev tests share per run: one apache-wsgi base image per engine,
/// built by `gantry base build`, removed (and the docker daemon stopped) at
/// the end by `EngineFixtureScope`.
actor EngineFixtures {
    static let shared = EngineFixtures()
    static let runID = UUID().uuidString.prefix(8).lowercased()
    static let storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-test-store-\(runID)")

    private var builds: [String: Task<String, any Error>] = [:]
    private var storeCopy: Task<String, any Error>?

    /// podman's base image copied into this run's gantry store (`podman push
    /// oci:STORE:REF`) under a name no engine has: what a base built by
    /// `gantry base build --builder native` or pulled by `gantry pull` is.
    func storeOnlyBase() async throws -> String {
        let task = storeCopy ?? Task {
            let podman = try await TestEngine.require("podman")
            let base = try await baseImage(for: podman)
            let reference = "localhost/gantry-test/store-base:\(Self.runID)"
            try FileManager.default.createDirectory(at: Self.storeDirectory, withIntermediateDirectories: true)
            // Compressing the layers takes a core for seconds: at low priority, so timed tests keep theirs.
            try await Subprocess.run(
                "nice", ["-n", "15", "podman", "push", "--quiet", base, "oci:\(Self.storeDirectory.path):\(reference)"],
                environment: podman.environment, timeout: .seconds(600)
            ).check()
            return reference
        }
        storeCopy = task
        return try await task.value
    }

    /// The base image built with `gantry base build --builder ENGINE`, built on first use.
    func baseImage(for engine: TestEngine) async throws -> String {
        let task = builds[engine.name] ?? Task { try await Self.build(with: engine) }
        builds[engine.name] = task
        return try await task.value
    }

    /// Removes the images this run built and stops the docker daemon.
    func tearDown() async {
        for (name, task) in builds {
            guard let reference = try? await task.value, let engine = try? await TestEngine.require(name) else { continue }
            await engine.removeImage(reference)
        }
        builds = [:]
        await DockerDaemon.shared.stop()
        try? FileManager.default.removeItem(at: Self.storeDirectory)
    }

    private static func build(with engine: TestEngine) async throws -> String {
        let clock = ContinuousClock()
        var start = clock.now
        if engine.name == "podman" {
            try await debianSlim()
        } else {
            try await importDebianSlim(into: engine)
        }
        print("fixture: \(engine.name) has debian:bookworm-slim after \(clock.now - start)")
        let tag = "localhost/gantry-test/apache-wsgi:\(runID)"
        start = clock.now
        try await withTemporaryDirectory { root in
            let spec = root.appendingPathComponent("base")
            try await engine.gantry(["base", "init", spec.path]).check()
            let build = {
                try await engine.gantry(
                    ["base", "build", spec.path, "--builder", engine.name, "--tag", tag, "--pull", "never"],
                    timeout: .seconds(1200)
                ).check()
            }
            _ = engine.name == "podman" ? try await withPodmanBuildLock(build) : try await build()
        }
        print("fixture: gantry base build --builder \(engine.name) took \(clock.now - start)")
        return tag
    }

    /// `docker import` of a bookworm minbase tarball made by mmdebstrap, cached across runs in the temp folder.
    private static func importDebianSlim(into engine: TestEngine) async throws {
        let reference = "docker.io/library/debian:bookworm-slim"
        if try await engine.run(["image", "inspect", reference]).status == 0 { return }
        let tarball = try await minbaseTarball()
        try await engine.checked("import", "--change", #"CMD ["bash"]"#, tarball, reference, timeout: .seconds(300))
    }

    /// `mmdebstrap --variant=minbase bookworm` as a tar, made once per machine.
    private static func minbaseTarball() async throws -> String {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-test-cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let tarball = cache.appendingPathComponent("bookworm-minbase.tar").path
        return try await withFileLock(tarball + ".lock", within: .seconds(900)) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: tarball, isDirectory: &isDirectory), !isDirectory.boolValue { return tarball }
            guard let mmdebstrap = Subprocess.locate("mmdebstrap") else { throw HarnessError.missingTool("mmdebstrap") }
            let partial = cache.appendingPathComponent("bookworm-minbase.partial.tar").path
            try await Subprocess.run(
                mmdebstrap, ["--quiet", "--variant=minbase", "--format=tar", "bookworm", partial], timeout: .seconds(600)
            ).check()
            guard rename(partial, tarball) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            return tarball
        }
    }
}

/// Runs a suite, then removes what `EngineFixtures` made and stops the docker daemon.
struct EngineFixtureScope: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        do {
            try await function()
        } catch {
            await EngineFixtures.shared.tearDown()
            throw error
        }
        await EngineFixtures.shared.tearDown()
    }
}

extension Trait where Self == EngineFixtureScope {
    /// Shares the engine fixtures across the suite's tests and cleans them up after it.
    static var engineFixtures: Self { Self() }
}
