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
        let result = try await Subprocess.run("sh", ["-c", "sleep 30 & echo $!"], timeout: .seconds(10))
        #expect(clock.now - start < .seconds(10))
        let daemon = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(daemon, SIGKILL) == 0, "the child should still be running")
    }

    @Test func killsTheProcessGroupAfterTheTimeLimit() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: HarnessError.self) {
            try await Subprocess.run("sh", ["-c", "echo partial; sleep 30 & sleep 30"], timeout: .milliseconds(500))
        }
        #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
    }

    @Test func reportsAMissingProgram() async throws {
        await #expect(throws: HarnessError.self) {
            try await Subprocess.run("gantry-test-no-such-program")
        }
    }
}
