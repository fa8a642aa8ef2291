import Foundation
import Testing

/// podman as the tests drive it: always with a containers.conf that works on
/// the development and CI machines (runc, cgroupfs, explicit ulimits).
struct Podman: Sendable {
    /// The absolute path of the podman executable.
    let executable: String
    /// What every podman invocation adds to the environment.
    let environment: [String: String]

    /// The podman of this machine, or a skip (a failure under CI) when there is none.
    ///
    /// Uses `CONTAINERS_CONF` when set (scripts/test sets it); otherwise writes
    /// the configuration to a temp file.
    static func require() throws -> Podman {
        let executable = try requireTool("podman")
        let configured = ProcessInfo.processInfo.environment["CONTAINERS_CONF"] ?? ""
        let conf = configured.isEmpty ? try writeContainersConf() : configured
        return Podman(executable: executable, environment: ["CONTAINERS_CONF": conf])
    }

    /// Runs `podman ARGUMENTS` and returns its output, whatever its status.
    func run(
        _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessOutput {
        try await Subprocess.run(
            executable, arguments, environment: environment, stdin: stdin, in: directory, timeout: timeout)
    }

    /// Runs `podman ARGUMENTS`; throws with its output unless it exits 0.
    @discardableResult
    func checked(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> ProcessOutput {
        try await run(arguments, timeout: timeout).check()
    }

    /// Whether `reference` is in podman's image storage.
    func imageExists(_ reference: String) async throws -> Bool {
        try await run(["image", "exists", reference]).status == 0
    }

    /// Whether the container `name` exists and is running.
    func isRunning(_ name: String) async -> Bool {
        let state = try? await run(["container", "inspect", "--format", "{{.State.Running}}", name])
        return state?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
    }

    /// The container's output so far, for failure messages.
    func logs(_ name: String) async -> String {
        guard let output = try? await run(["logs", name]) else { return "(no logs)" }
        return ProcessOutput.tail(output.stdout + output.stderr)
    }

    /// Removes the container `name` and its anonymous volumes if it exists, blocking: meant for `defer`.
    func removeContainer(_ name: String) {
        _ = try? Subprocess.runBlocking(
            executable, ["rm", "--force", "--ignore", "--volumes", "--time", "0", name],
            environment: environment, timeout: .seconds(60))
    }

    /// Removes the image `reference` if it exists, blocking: meant for `defer`.
    func removeImage(_ reference: String) {
        _ = try? Subprocess.runBlocking(
            executable, ["rmi", "--force", "--ignore", reference],
            environment: environment, timeout: .seconds(60))
    }

    /// The containers.conf of DESIGN.md, written once per machine to a shared temp file.
    private static func writeContainersConf() throws -> String {
        let conf = """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            cgroup_manager = "cgroupfs"
            runtime = "runc"

            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-test-containers.conf")
        // Atomic, and the same bytes from every writer, so concurrent runs cannot see half a file.
        try Data(conf.utf8).write(to: url, options: .atomic)
        return url.path
    }
}

/// A name no other test or run uses: `gantry-test-PURPOSE-xxxxxxxx`.
func uniqueName(_ purpose: String) -> String {
    "gantry-test-\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `body`, a podman build, while no other test (of this run or another)
/// builds with podman: podman 4.3 builds of the same steps at once share
/// cached layers and fail ("identifier is not a container", "layer not known").
@discardableResult
func withPodmanBuildLock<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-test-podman-build.lock").path
    return try await withFileLock(path, within: .seconds(1800), body)
}
