import Foundation
import Testing

/// What `gantry base build` and `gantry dev` say to input they refuse, before
/// any engine is asked to do anything.
@Suite struct EngineCommandErrorTests {
    @Test func baseBuildRefusesACompressionLevelOutOfRange() async throws {
        try await withTemporaryDirectory { root in
            let spec = root.appendingPathComponent("base")
            try await gantry("base", "init", spec.path).check()
            let result = try await gantry("base", "build", spec.path, "--builder", "native", "--compression-level", "12")
            #expect(result.status == 1)
            #expect(result.stderr == "gantry: error: --compression-level 12 is out of range; give 1 (fast) to 9 (small)\n")
        }
    }

    @Test func baseBuildRefusesABadTagBeforeBuilding() async throws {
        try await withTemporaryDirectory { root in
            let spec = root.appendingPathComponent("base")
            try await gantry("base", "init", spec.path).check()
            let result = try await gantry("base", "build", spec.path, "--builder", "podman", "--tag", "Bad Tag")
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("gantry: error: --tag Bad Tag: "), "\(result.excerpt)")
            #expect(!result.stdout.contains("Building"), "\(result.excerpt)")
        }
    }

    @Test func baseBuildWithoutASpecSaysHowToMakeOne() async throws {
        try await withTemporaryDirectory { root in
            let result = try await gantry("base", "build", root.appendingPathComponent("nothing").path, "--builder", "podman")
            #expect(result.status == 1)
            #expect(result.stderr.contains("no readable base.yml there; run 'gantry base init"), "\(result.excerpt)")
        }
    }

    @Test func devOutsideAnAppFolderSaysHowToMakeOne() async throws {
        try await withTemporaryDirectory { root in
            let result = try await gantry("dev", "--detach", environment: ["GANTRY_HOME": root.appendingPathComponent("home").path], in: root)
            #expect(result.status == 1)
            #expect(result.stderr == "gantry: error: cannot read gantry.yml: no gantry.yml here; run gantry in an app folder, or make one with 'gantry init APP'\n")
            let stop = try await gantry("dev", "stop", in: root)
            #expect(stop.status == 1)
            #expect(stop.stderr == result.stderr)
        }
    }

    @Test func devRefusesAnUnknownGANTRY_ENGINE() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("init", "app", "--directory", root.path).check()
            let result = try await gantry(
                "dev", "--detach", environment: ["GANTRY_ENGINE": "lxc", "GANTRY_HOME": root.appendingPathComponent("home").path], in: root)
            #expect(result.status == 1)
            #expect(result.stderr == "gantry: error: GANTRY_ENGINE names unknown engine \"lxc\"; use one of: podman, docker\n")
        }
    }

    @Test func devRefusesAPortOutOfRange() async throws {
        try await withTemporaryDirectory { root in
            try await gantry("init", "app", "--directory", root.path).check()
            let result = try await gantry("dev", "--port", "70000", environment: ["GANTRY_HOME": root.appendingPathComponent("home").path], in: root)
            #expect(result.status != 0)
            #expect(result.stderr.contains("--port 70000 is out of range; give a port from 1 to 65535"), "\(result.excerpt)")
        }
    }
}
