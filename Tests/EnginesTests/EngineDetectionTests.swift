import Engines
import Foundation
import Testing

/// How gantry picks an engine, with real programs on a PATH the test controls.
@Suite struct EngineDetectionTests {
    /// A folder for stand-in engine programs, removed afterwards.
    func withProgramFolder<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-engines-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    func writeProgram(_ name: String, _ script: String, in directory: URL) throws {
        let file = directory.appendingPathComponent(name)
        try Data("#!/bin/sh\n\(script)\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    @Test func anUnknownGANTRY_ENGINEIsNamedWithTheChoices() async {
        await #expect(throws: EngineError.unknownEngine("containerd", source: "GANTRY_ENGINE")) {
            try await Engine.detect(environment: ["GANTRY_ENGINE": "containerd", "PATH": "/usr/bin:/bin"])
        }
        #expect(EngineError.unknownEngine("containerd", source: "GANTRY_ENGINE").description
            == "GANTRY_ENGINE names unknown engine \"containerd\"; use one of: podman, docker")
    }

    @Test func withNoEngineOnPATHTheErrorSaysWhatWasTriedAndHowToFixIt() async throws {
        try await withProgramFolder { empty in
            let error = await #expect(throws: EngineError.self) {
                try await Engine.detect(environment: ["PATH": empty.path])
            }
            #expect(error == .noEngine(tried: ["podman is not installed", "docker is not installed"]))
            #expect(error?.description == "no container engine answers (podman is not installed; docker is not installed); install podman, or start docker (or set DOCKER_HOST to a running daemon)")
        }
    }

    @Test func anEngineThatFailsToAnswerIsSkippedAndItsReasonKept() async throws {
        try await withProgramFolder { folder in
            try writeProgram("podman", "echo 'Error: cannot connect to Podman socket' >&2; exit 125", in: folder)
            try writeProgram("docker", "[ \"$1\" = version ] && echo 24.0.7 && exit 0; exit 1", in: folder)
            let engine = try await Engine.detect(environment: ["PATH": folder.path])
            #expect(engine.kind == .docker)
            #expect(engine.executable == folder.appendingPathComponent("docker").path)

            try writeProgram("docker", "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1", in: folder)
            await #expect(throws: EngineError.noEngine(tried: [
                "podman: Error: cannot connect to Podman socket",
                "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            ])) {
                try await Engine.detect(environment: ["PATH": folder.path])
            }
        }
    }

    @Test func anEngineThatHangsIsGivenUpOnWithinTheTimeout() async throws {
        try await withProgramFolder { folder in
            try writeProgram("podman", "exec /bin/sleep 30", in: folder)
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: EngineError.self) {
                try await Engine.detect(requested: .podman, environment: ["PATH": folder.path], timeout: .milliseconds(300))
            }
            #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
            guard case .notAnswering(.podman, let reason)? = error else {
                Issue.record("expected notAnswering(podman), got \(String(describing: error))")
                return
            }
            #expect(reason.contains("did not answer within"))
        }
    }

    @Test func theRequestedEngineWinsOverGANTRY_ENGINE() async throws {
        try await withProgramFolder { folder in
            try writeProgram("podman", "exit 0", in: folder)
            try writeProgram("docker", "exit 0", in: folder)
            let environment = ["PATH": folder.path, "GANTRY_ENGINE": "docker"]
            #expect(try await Engine.detect(environment: environment).kind == .docker)
            #expect(try await Engine.detect(requested: .podman, environment: environment).kind == .podman)
        }
    }

    @Test func aDockerClientWithoutADaemonDoesNotAnswerAndTheErrorSaysToStartOne() async throws {
        guard let docker = Subprocess.locate("docker") else {
            try skipOrFailWithoutTool("docker")
            return
        }
        let folder = URL(fileURLWithPath: docker).deletingLastPathComponent().path
        let error = await #expect(throws: EngineError.self) {
            try await Engine.detect(requested: .docker, environment: ["PATH": folder, "DOCKER_HOST": "unix:///nonexistent/gantry-test.sock"])
        }
        guard case .notAnswering(.docker, let reason)? = error else {
            Issue.record("expected notAnswering(docker), got \(String(describing: error))")
            return
        }
        #expect(reason.contains("/nonexistent/gantry-test.sock"))
        #expect(error?.description.hasSuffix("start the docker daemon, or set DOCKER_HOST to one that runs") == true)
    }

    @Test func podmanAnswersAndReportsMissingObjectsAsNil() async throws {
        guard Subprocess.locate("podman") != nil else {
            try skipOrFailWithoutTool("podman")
            return
        }
        var environment = ProcessInfo.processInfo.environment
        if (environment["CONTAINERS_CONF"] ?? "").isEmpty {
            let conf = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-test-containers.conf")
            try Data("""
                [containers]
                default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                [engine]
                cgroup_manager = "cgroupfs"
                runtime = "runc"

                """.utf8).write(to: conf, options: .atomic)
            environment["CONTAINERS_CONF"] = conf.path
        }
        let engine = try await Engine.detect(requested: .podman, environment: environment)
        #expect(engine.kind == .podman)
        #expect(try await engine.image("localhost/gantry-test/no-such-image:\(UUID().uuidString.prefix(8).lowercased())") == nil)
        #expect(try await engine.containerState("gantry-test-no-such-container-\(UUID().uuidString.prefix(8))") == nil)
        try await engine.remove("gantry-test-no-such-container")
    }
}

/// A missing tool fails the test under CI (`CI` set), where a skip would pass unseen, and skips it elsewhere.
func skipOrFailWithoutTool(_ tool: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let ci = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
    if !["", "0", "false", "no"].contains(ci) {
        Issue.record("\(tool) is not installed; CI must have it (scripts/setup installs it)", sourceLocation: sourceLocation)
        return
    }
    try Test.cancel("\(tool) is not installed; skipped", sourceLocation: sourceLocation)
}
