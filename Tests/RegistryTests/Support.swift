import Foundation
import ImageModel
import Store
import Testing

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantry-registry-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func appending(_ component: String) -> String { url.appendingPathComponent(component).path }

    /// Writes a file (making its folder), optionally executable.
    @discardableResult
    func write(_ component: String, _ text: String, executable: Bool = false) throws -> String {
        let path = appending(component)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A failed helper command, with what it printed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs blocking work on a thread of its own. Swift's cooperative pool has one thread per core
/// (two here), and the suites run in parallel: a test that blocks one stalls every other suite.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}

/// Runs a program to completion off the cooperative pool; its output goes through temp files, so
/// neither stream can fill a pipe and stall it.
/// A program that runs past `timeout` is killed and the call throws, so that a hang fails the test
/// instead of holding CI.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                input: String? = nil, timeout: TimeInterval = 300) async throws -> (status: Int32, output: String, error: String) {
    try await offPool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            throw CommandFailure(description: "`\(([executable] + arguments).joined(separator: " "))` ran past \(Int(timeout)) s and was killed; it printed: \(output.suffix(2000))")
        }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
    }
}

/// Runs a shell command line and waits, blocking the calling thread: only for quick clean-ups in `defer`,
/// bounded with `timeout` when the command can wait on something else (podman on its storage lock).
func shellNow(_ command: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    if (try? process.run()) != nil { process.waitUntilExit() }
}

/// Runs a shell command line to completion and returns its standard output; throws on a non-zero exit.
@discardableResult
func shell(_ command: String) async throws -> String {
    let result = try await runProgram("/bin/sh", ["-c", command])
    guard result.status == 0 else {
        throw CommandFailure(description: "`\(command)` failed with status \(result.status): \(result.error.suffix(2000))")
    }
    return result.output
}

/// A URL from a string the test built; a bad one fails the test instead of crashing it.
func makeURL(_ text: String) throws -> URL {
    try #require(URL(string: text), "not a URL: \(text)")
}

/// The `gantry` executable built beside this test bundle.
func gantryBinary(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let executable = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), "no /proc/self/exe",
                                  sourceLocation: sourceLocation)
    return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("gantry").path
}

/// Runs the `gantry` built beside this test bundle with `GANTRY_HOME` set; returns status, stdout and stderr.
func runGantry(_ arguments: [String], home: String, environment extra: [String: String] = [:],
               input: String? = nil) async throws -> (status: Int32, output: String, error: String) {
    let environment = ProcessInfo.processInfo.environment.merging(["GANTRY_HOME": home]) { $1 }.merging(extra) { $1 }
    return try await runProgram(try gantryBinary(), arguments, environment: environment, input: input)
}

/// Runs gantry (argv[1:]) on a pseudo-terminal, its stdout and stderr both, types each answer after
/// its prompt shows, and prints all gantry wrote; exits with gantry's status. The prompts and
/// answers come in GANTRY_PTY_* environment variables (an answer may be a password: never in argv),
/// which gantry does not inherit. SIGALRM after GANTRY_PTY_TIMEOUT seconds kills gantry; that, or
/// output ending before a prompt, exits non-zero with what was shown and one line on stderr.
private let terminalDriver = #"""
import os, pty, signal, sys
timeout = int(os.environ.pop("GANTRY_PTY_TIMEOUT"))
replies = [(os.environ.pop(f"GANTRY_PTY_PROMPT_{n}"), os.environ.pop(f"GANTRY_PTY_ANSWER_{n}"))
           for n in range(int(os.environ.pop("GANTRY_PTY_REPLIES")))]
out = bytearray()
waiting = "gantry to exit"
def give_up(message, code):
    sys.stdout.write(out.decode(errors="replace"))
    sys.stdout.flush()
    sys.stderr.write(f"pty driver: {message}\n")
    sys.stderr.flush()
    os._exit(code)
pid, fd = pty.fork()
if pid == 0:
    try: os.execv(sys.argv[1], sys.argv[1:])
    finally: os._exit(127)
def on_alarm(signum, frame):
    try: os.kill(pid, signal.SIGKILL)
    except ProcessLookupError: pass
    give_up(f"gave up after {timeout} s waiting for {waiting}", 124)
signal.signal(signal.SIGALRM, on_alarm)
# Started from a thread of the test's pool, this process inherits a mask that blocks SIGALRM.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
signal.alarm(timeout)
def read():
    try: data = os.read(fd, 4096)
    except OSError: data = b""  # EIO: gantry closed the terminal
    out.extend(data)
    return data
start = 0
for prompt, answer in replies:
    waiting = f"the prompt {prompt!r}"
    while (found := out.find(prompt.encode(), start)) < 0:
        if not read():
            _, status = os.waitpid(pid, 0)
            give_up(f"gantry's output ended (status {os.waitstatus_to_exitcode(status)}) before the prompt {prompt!r}", 125)
    start = found + len(prompt.encode())
    os.write(fd, answer.encode() + b"\n")
waiting = "gantry to exit"
while read(): pass
_, status = os.waitpid(pid, 0)
signal.alarm(0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"""#

/// Runs the `gantry` built beside this test bundle on a pseudo-terminal (its stdout and stderr both),
/// with exactly `environment`; types each reply's answer once its prompt shows (in order, each
/// searched after the previous one). Returns gantry's status and all it wrote; when the driver gives
/// up (a prompt never came, or `timeout` seconds passed) the status is non-zero and the output ends
/// with the driver's reason.
func runGantryOnTerminal(_ arguments: [String], environment: [String: String], replies: [(prompt: String, answer: String)] = [],
                         timeout: Int = 60) async throws -> (status: Int32, output: String) {
    var driverEnvironment = environment
    driverEnvironment["GANTRY_PTY_TIMEOUT"] = "\(timeout)"
    driverEnvironment["GANTRY_PTY_REPLIES"] = "\(replies.count)"
    for (number, reply) in replies.enumerated() {
        driverEnvironment["GANTRY_PTY_PROMPT_\(number)"] = reply.prompt
        driverEnvironment["GANTRY_PTY_ANSWER_\(number)"] = reply.answer
    }
    // A file rather than `-c`, so that a failure message names the script instead of quoting it.
    let driver = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-terminal-driver-\(UUID().uuidString).py").path
    try Data(terminalDriver.utf8).write(to: URL(fileURLWithPath: driver))
    defer { try? FileManager.default.removeItem(atPath: driver) }
    let run = try await runProgram(try await pythonExecutable(), [driver, try gantryBinary()] + arguments,
                                   environment: driverEnvironment, timeout: TimeInterval(timeout + 30))
    if run.status == 0 || run.error.isEmpty { return (run.status, run.output) }
    return (run.status, run.output + (run.output.isEmpty || run.output.hasSuffix("\n") ? "" : "\n") + run.error)
}

/// Small images written straight into a store, as a registry or layout would hold them.
enum TestImage {
    /// Writes a one-layer image (a gzip tar of `app/hello.txt` holding `text`, made by GNU tar) for
    /// `architecture` and names it `name`; returns its manifest descriptor.
    @discardableResult
    static func write(into store: ImageStore, folder: TemporaryFolder, as name: ImageReference?, text: String,
                      architecture: String = "amd64", mediaTypes: (manifest: String, config: String, layer: String)? = nil) async throws -> Descriptor {
        let types = mediaTypes ?? (MediaType.ociManifest, MediaType.ociConfig, MediaType.ociLayerGzip)
        let work = "image-\(UUID().uuidString)"
        try folder.write("\(work)/rootfs/app/hello.txt", text)
        let tarball = folder.appending("\(work)/layer.tar.gz")
        try await shell("tar -czf '\(tarball)' -C '\(folder.appending("\(work)/rootfs"))' app")
        let layer = try store.writeBlob(try Data(contentsOf: URL(fileURLWithPath: tarball)), mediaType: types.layer)
        let diffID = try await shell("gzip -dc '\(tarball)' | sha256sum | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines)
        let config = try store.writeBlob(Data(#"""
            {"architecture":"\#(architecture)","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":["sha256:\#(diffID)"]}}
            """#.utf8), mediaType: types.config)
        let manifest = ImageManifest(mediaType: types.manifest, config: config, layers: [layer])
        let descriptor = try store.writeBlob(try JSONEncoder().encode(manifest), mediaType: types.manifest)
        if let name { try store.tag(descriptor, as: name) }
        return descriptor
    }

    /// Writes an image of several gzip layers, each a tar of one file of `size` random bytes (so that
    /// gzip cannot shrink it), and names it `name`; returns its manifest descriptor.
    @discardableResult
    static func writeRandom(into store: ImageStore, folder: TemporaryFolder, as name: ImageReference, sizes: [Int]) async throws -> Descriptor {
        var layers: [Descriptor] = []
        var diffIDs: [String] = []
        for (number, size) in sizes.enumerated() {
            let work = folder.appending("random-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: work + "/rootfs", withIntermediateDirectories: true)
            try await shell("head -c \(size) /dev/urandom > '\(work)/rootfs/layer-\(number).bin' && tar -czf '\(work)/layer.tar.gz' -C '\(work)/rootfs' .")
            let writer = try store.beginBlob()
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: work + "/layer.tar.gz"))
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try writer.write(chunk) }
            try handle.close()
            let (digest, length) = try writer.commit()
            layers.append(Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: length))
            diffIDs.append("\"sha256:" + (try await shell("gzip -dc '\(work)/layer.tar.gz' | sha256sum | cut -d' ' -f1")).trimmingCharacters(in: .whitespacesAndNewlines) + "\"")
            try FileManager.default.removeItem(atPath: work)
        }
        let config = try store.writeBlob(Data(#"""
            {"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(diffIDs.joined(separator: ","))]}}
            """#.utf8), mediaType: MediaType.ociConfig)
        let manifest = ImageManifest(mediaType: MediaType.ociManifest, config: config, layers: layers)
        let descriptor = try store.writeBlob(try JSONEncoder().encode(manifest), mediaType: MediaType.ociManifest)
        try store.tag(descriptor, as: name)
        return descriptor
    }
}
