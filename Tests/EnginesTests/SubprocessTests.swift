import Engines
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Pins how gantry runs engine commands: captured output, bounded time,
/// cancellation, streaming.
@Suite struct SubprocessRunTests {
    @Test func capturesStdoutStderrAndStatusAndNamesTheLastErrorLine() async throws {
        let result = try await Subprocess.run("sh", ["-c", "echo out; echo first >&2; echo 'Error: the real reason' >&2; exit 3"], timeout: .seconds(10))
        #expect(result.status == 3)
        #expect(!result.succeeded)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "first\nError: the real reason\n")
        #expect(result.lastErrorLine == "Error: the real reason")
        #expect(result.command == "sh -c 'echo out; echo first >&2; echo '\\''Error: the real reason'\\'' >&2; exit 3'")
    }

    @Test func theLastErrorLinePassesOverDockersPointerToHelp() {
        let output = ProcessOutput(
            command: "docker run img", status: 125, stdout: "",
            stderr: "docker: Error response from daemon: Conflict. The container name \"/gantry-news\" is already in use.\n\nRun 'docker run --help' for more information\n")
        #expect(output.lastErrorLine == "docker: Error response from daemon: Conflict. The container name \"/gantry-news\" is already in use.")
        #expect(ProcessOutput(command: "x", status: 1, stdout: "only here\n", stderr: " \n").lastErrorLine == "only here")
    }

    @Test func mergedOutputKeepsTheOrderTheProgramWroteIn() async throws {
        let result = try await Subprocess.run("sh", ["-c", "echo a; echo b >&2; echo c"], timeout: .seconds(10), mergeOutput: true)
        #expect(result.stdout == "a\nb\nc\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func returnsWhenTheProgramExitsWhileItsDetachedChildLivesOn() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        // What `podman run --detach` does: conmon lives on, holding stdout and stderr.
        let result = try await Subprocess.run("sh", ["-c", "sleep 30 & echo $!"], timeout: .seconds(10))
        #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
        let child = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(child, SIGKILL) == 0, "the detached child should still run")
    }

    @Test func stopsAProgramThatOverrunsItsTimeLimit() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: EngineError.timedOut(command: "sleep 30", seconds: 0)) {
            try await Subprocess.run("sleep", ["30"], timeout: .milliseconds(300))
        }
        #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
    }

    @Test func cancellingTheCallerStopsTheProgram() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { try await Subprocess.run("sleep", ["30"], timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: EngineError.interrupted(command: "sleep 30")) { try await task.value }
        #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
    }

    @Test func aMissingProgramCannotStart() async throws {
        await #expect(throws: EngineError.cannotStart(command: "gantry-no-such-program", reason: "gantry-no-such-program is not on PATH")) {
            try await Subprocess.run("gantry-no-such-program", [], timeout: .seconds(5))
        }
    }

    @Test func streamKeepsTheEndOfStderrForTheError() async throws {
        let result = try await Subprocess.stream("sh", ["-c", "echo progress >&2; echo 'Error: step 3 failed' >&2; exit 2"], timeout: .seconds(10))
        #expect(result.status == 2)
        #expect(result.stderr == "progress\nError: step 3 failed\n")
        #expect(result.lastErrorLine == "Error: step 3 failed")
    }

    @Test func locateFindsProgramsOnTheGivenPathOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-locate-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tool = directory.appendingPathComponent("tool")
        try Data("#!/bin/sh\n".utf8).write(to: tool)
        #expect(Subprocess.locate("tool", path: directory.path) == nil, "not executable yet")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        #expect(Subprocess.locate("tool", path: "/nonexistent:" + directory.path) == tool.path)
        #expect(Subprocess.locate("tool", path: "/nonexistent") == nil)
    }
}

@Suite struct ChildProcessTests {
    @Test func waitWithATimeLimitSaysNilWhileItRunsAndTheStatusOnceItExits() async throws {
        // Exits 7 when told to, so no timing decides the test.
        let child = try ChildProcess.spawn("sh", ["-c", "trap 'exit 7' USR1; while :; do sleep 0.05; done"], stdout: .discard, stderr: .discard)
        #expect(await child.wait(timeout: .milliseconds(50)) == nil)
        #expect(child.exitStatus == nil)
        try await Task.sleep(for: .milliseconds(100))  // the trap is set once the shell runs
        child.signal(SIGUSR1)
        #expect(await child.wait(timeout: .seconds(10)) == 7)
        #expect(child.exitStatus == 7)
    }

    @Test func leadsItsOwnProcessGroupUnlessToldToShareGantrys() async throws {
        let own = try ChildProcess.spawn("sleep", ["10"])
        let shared = try ChildProcess.spawn("sleep", ["10"], ownProcessGroup: false)
        #expect(getpgid(own.pid) == own.pid)
        #expect(getpgid(shared.pid) == getpgrp())
        await own.terminate()
        await shared.terminate()
        #expect(own.exitStatus == 128 + SIGTERM)
        #expect(shared.exitStatus == 128 + SIGTERM)
    }

    @Test func terminateKillsAProgramThatIgnoresSIGTERM() async throws {
        let child = try ChildProcess.spawn("sh", ["-c", "trap '' TERM; echo ready; sleep 30 & wait"], stdout: .discard)
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        await child.terminate(grace: .milliseconds(300))
        #expect(child.exitStatus == 128 + SIGKILL)
        #expect(clock.now - start < .seconds(20))  // the program would run 30 s; loaded CI machines stall for seconds
    }

    @Test func writesToAFileWhenAskedTo() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-child-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let child = try ChildProcess.spawn("sh", ["-c", "echo to-file; echo also >&2"], stdout: .file(file), stderr: .file(file + ".err"))
        defer { try? FileManager.default.removeItem(atPath: file + ".err") }
        #expect(await child.wait(timeout: .seconds(10)) == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "to-file\n")
        #expect(try String(contentsOfFile: file + ".err", encoding: .utf8) == "also\n")
    }
}
