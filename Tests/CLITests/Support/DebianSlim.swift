import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes sure `docker.io/library/debian:bookworm-slim` is in podman's storage
/// and returns that reference. The base templates build FROM it, and the CI
/// machines reach Debian's mirror but no image registry, so when it is missing
/// it is made from Debian packages: `mmdebstrap --variant=minbase bookworm`
/// imported with `podman import`.
///
/// Done once per test run however many tests ask at once (an actor keeps the
/// one creating task), and once per machine however many runs ask at once (a
/// `flock` held while checking and creating).
///
/// - Throws: a skip (a failure under CI) without podman; `HarnessError` when
///   mmdebstrap is missing or a step fails or takes too long.
@discardableResult
func debianSlim() async throws -> String {
    let podman = try Podman.require()
    try await DebianSlim.shared.ensure(with: podman)
    return DebianSlim.reference
}

private actor DebianSlim {
    static let shared = DebianSlim()
    static let reference = "docker.io/library/debian:bookworm-slim"

    /// The one creation; a failure is kept too, so every test reports the same cause.
    private var creation: Task<Void, any Error>?

    func ensure(with podman: Podman) async throws {
        let task = creation ?? Task { try await Self.create(with: podman) }
        creation = task
        try await task.value
    }

    private static func create(with podman: Podman) async throws {
        let lockPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-test-debian-slim.lock").path
        try await withFileLock(lockPath, within: .seconds(900)) {
            if try await podman.imageExists(reference) { return }
            guard let mmdebstrap = Subprocess.locate("mmdebstrap") else {
                throw HarnessError.missingTool("mmdebstrap")
            }
            let clock = ContinuousClock()
            let start = clock.now
            try await withTemporaryDirectory { directory in
                let tarball = directory.appendingPathComponent("rootfs.tar").path
                try await Subprocess.run(
                    mmdebstrap, ["--quiet", "--variant=minbase", "bookworm", tarball],
                    timeout: .seconds(600)
                ).check()
                try await podman.run(
                    ["import", "--change", #"CMD ["bash"]"#, tarball, reference], timeout: .seconds(300)
                ).check()
            }
            print("fixture: made \(reference) with mmdebstrap in \(clock.now - start)")
        }
    }
}

/// Runs `body` while holding an exclusive `flock` on the file at `path`,
/// polling for it (rather than blocking a thread) for at most `limit`.
func withFileLock<Result: Sendable>(
    _ path: String,
    within limit: Duration,
    _ body: () async throws -> Result
) async throws -> Result {
    let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    defer { close(fd) }  // closing releases the lock
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
        guard errno == EWOULDBLOCK, clock.now < deadline else {
            throw HarnessError.lockTimeout(path: path, limit: limit)
        }
        try await Task.sleep(for: .milliseconds(200))
    }
    return try await body()
}
