import Foundation
import Testing

/// Pins the process runner the CLI tests stand on.
@Suite struct SubprocessTests {
    @Test func capturesOutputStatusAndStdinInTheGivenDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let result = try await Subprocess.run(
                "sh", ["-c", #"cat; echo "$GREETING from $(pwd)"; echo oops >&2; exit 3"#],
                environment: ["GREETING": "hello"], stdin: "piped\n", in: directory)
            #expect(result.status == 3)
            #expect(result.stdout == "piped\nhello from \(directory.resolvingSymlinksInPath().path)\n")
            #expect(result.stderr == "oops\n")
            #expect(throws: HarnessError.self) { try result.check() }
        }
    }

    @Test func returnsWhenTheProgramExitsEvenIfItsChildrenLiveOn() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        // What `podman run --detach` does: leaves a daemon behind holding stdout.
        // The daemon sleeps 120 s: returning well before that shows run did not wait for it,
        // with room for a loaded CI machine that stalls for seconds.
        let result = try await Subprocess.run("sh", ["-c", "sleep 120 & echo $!"], timeout: .seconds(60))
        #expect(clock.now - start < .seconds(60))
        let daemon = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(daemon, SIGKILL) == 0, "the child should still be running")
    }

    @Test func killsTheProcessGroupAfterTheTimeLimit() async throws {
        try await withTemporaryDirectory { folder in
            let pidFile = folder.appendingPathComponent("background.pid").path
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: HarnessError.self) {
                try await Subprocess.run("sh", ["-c", "echo partial; sleep 120 & echo $! > '\(pidFile)'; sleep 120"], timeout: .milliseconds(500))
            }
            #expect(clock.now - start < .seconds(60))  // the program would run 120 s; loaded CI machines stall for seconds
            guard case .timedOut? = error else {
                Issue.record("expected timedOut, got \(String(describing: error))")
                return
            }
            // The background sleep is in the same process group: it must be gone too.
            let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            var alive = true
            for _ in 0..<50 where alive {
                alive = kill(pid, 0) == 0
                if alive { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(!alive, "the background child \(pid) outlived the time limit")
        }
    }

    @Test func reportsAMissingProgram() async throws {
        let error = await #expect(throws: HarnessError.self) {
            try await Subprocess.run("gantry-test-no-such-program")
        }
        guard case .missingTool("gantry-test-no-such-program")? = error else {
            Issue.record("expected missingTool, got \(String(describing: error))")
            return
        }
    }
}
