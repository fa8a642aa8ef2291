import Archive
import Engines
import Foundation
import ImageModel
import Scaffold
import Store

/// Builds a base image without any daemon: mmdebstrap makes the root file
/// system, gantry re-writes mmdebstrap's tar into one normalized gzip layer
/// as it streams out (never the whole layer in memory), adds an OCI config
/// made from `base.yml`, and stores the image under a reference.
public struct NativeBaseBuild: Sendable {
    /// The spec to build.
    public var spec: BaseSpec
    /// The spec's folder.
    public var specFolder: URL
    /// Where the image goes.
    public var store: ImageStore
    /// Timestamp every file is clamped to: `SOURCE_DATE_EPOCH`, else 1980-01-01.
    public var epoch: Int
    /// Timestamp of the image config: `SOURCE_DATE_EPOCH`, else now.
    public var created: Date
    /// gzip level of the layer.
    public var compressionLevel: Int

    /// The fixed epoch used when `SOURCE_DATE_EPOCH` is not set: 1980-01-01, the oldest time zip files can hold.
    public static let defaultEpoch = 315_532_800

    /// `SOURCE_DATE_EPOCH` from `environment` when it is a non-negative number of seconds.
    static func sourceDateEpoch(_ environment: [String: String]) -> Int? {
        environment["SOURCE_DATE_EPOCH"].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Creates a build; `environment` supplies `SOURCE_DATE_EPOCH`.
    public init(spec: BaseSpec, specFolder: URL, store: ImageStore, compressionLevel: Int = 6,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.spec = spec
        self.specFolder = specFolder
        self.store = store
        self.compressionLevel = compressionLevel
        if let seconds = Self.sourceDateEpoch(environment) {
            epoch = seconds
            created = Date(timeIntervalSince1970: TimeInterval(seconds))
        } else {
            epoch = Self.defaultEpoch
            created = Date()
        }
    }

    /// What the build made.
    public struct Result: Sendable {
        /// The manifest's descriptor, as tagged in the store.
        public var manifest: Descriptor
        /// The one layer.
        public var layer: LayerDigests
    }

    /// Runs mmdebstrap and stores the image as `reference`.
    /// - Parameter progress: called with each phase mmdebstrap reports, then gantry's own.
    public func run(tag reference: ImageReference, progress: @escaping @Sendable (String) -> Void) async throws -> Result {
        guard let mmdebstrap = Subprocess.locate("mmdebstrap") else {
            throw BuilderError.missingProgram("mmdebstrap", fix: "install it with 'apt-get install mmdebstrap', or build with --builder podman")
        }
        let cache = store.root.appendingPathComponent("cache/debs/\(spec.suite)-\(Self.architecture().debian)", isDirectory: true)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let run = Mmdebstrap(spec: spec, specFolder: specFolder, epoch: epoch, packageCache: cache)

        let layer = try await Self.streamLayer(
            program: mmdebstrap, arguments: run.arguments, environment: run.environment,
            store: store, compression: .gzip(level: compressionLevel), epoch: epoch, progress: progress)

        progress("writing the image config and manifest")
        let config = configuration(diffID: layer.diffID)
        let configDescriptor = try store.writeBlob(try CanonicalJSON.encode(config), mediaType: MediaType.ociConfig)
        let layerDescriptor = Descriptor(mediaType: layer.mediaType, digest: layer.digest, size: layer.size)
        let manifest = ImageManifest(config: configDescriptor, layers: [layerDescriptor])
        let manifestDescriptor = try store.writeBlob(try CanonicalJSON.encode(manifest), mediaType: MediaType.ociManifest)
        try store.tag(manifestDescriptor, as: reference)
        return Result(manifest: manifestDescriptor, layer: layer)
    }

    /// The image config: what `base.yml` says about running the image.
    public func configuration(diffID: Digest) -> ImageConfiguration {
        let timestamp = Self.timestamp(created)
        var labels: [String: String] = [:]
        for label in spec.imageLabels { labels[label.key] = label.value }
        var env = ["PATH=\(Mmdebstrap.chrootPath)"]
        for pair in spec.env where pair.key != "PATH" { env.append("\(pair.key)=\(pair.value)") }
        if let path = spec.env.first(where: { $0.key == "PATH" }) { env[0] = "PATH=\(path.value)" }
        let config = ImageConfiguration.Config(
            user: spec.user,
            exposedPorts: ["\(spec.port)/tcp": .object([:])],
            env: env,
            cmd: spec.cmd,
            volumes: [spec.mount: .object([:])],
            workingDir: spec.workdir,
            labels: labels,
            stopSignal: spec.stopSignal
        )
        let packages = spec.packages.isEmpty ? "" : " with \(spec.packages.joined(separator: " "))"
        let history = ImageConfiguration.History(
            created: timestamp,
            createdBy: "gantry base build: mmdebstrap --variant=minbase \(spec.suite)\(packages); \(spec.files.count) files; \(spec.run.count) steps",
            comment: "gantry base template \(spec.name) version \(spec.version)"
        )
        let architecture = Self.architecture()
        return ImageConfiguration(
            created: timestamp, architecture: architecture.oci, os: "linux", variant: architecture.variant,
            config: config, rootfs: .init(diffIDs: [diffID]), history: [history]
        )
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The host's architecture in OCI's and Debian's names.
    static func architecture() -> (oci: String, variant: String?, debian: String) {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch machine {
        case "x86_64": return ("amd64", nil, "amd64")
        case "aarch64", "arm64": return ("arm64", nil, "arm64")
        case "armv7l": return ("arm", "v7", "armhf")
        case "i686", "i386": return ("386", nil, "i386")
        case "ppc64le": return ("ppc64le", nil, "ppc64el")
        case "s390x": return ("s390x", nil, "s390x")
        case "riscv64": return ("riscv64", nil, "riscv64")
        default: return (machine, nil, machine)
        }
    }


    /// Runs mmdebstrap with its tar on a pipe and re-writes the tar into a layer blob in the store.
    static func streamLayer(
        program: String, arguments: [String], environment: [String: String], store: ImageStore,
        compression: LayerCompression, epoch: Int, progress: @escaping @Sendable (String) -> Void
    ) async throws -> LayerDigests {
        // Pipes made close-on-exec; the child gets its ends through dup2, which clears the flag.
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&output) == 0, pipe(&errors) == 0 else {
            throw BuilderError.layerFailed("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let log = OutputLines(progress: progress)
        progress("starting mmdebstrap \(arguments.last(where: { !$0.hasPrefix("-") }) ?? "")")
        // mmdebstrap shares gantry's process group, so Ctrl-C stops it too; spawned with
        // default signal handling (a Foundation Process from a worker thread would inherit
        // a blocked SIGINT and outlive gantry).
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                program, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                stdout: .descriptor(output[1]), stderr: .descriptor(errors[1]), ownProcessGroup: false)
        } catch {
            [output[0], output[1], errors[0], errors[1]].forEach { close($0) }
            throw error
        }
        close(output[1])
        close(errors[1])
        let errorReader = errors[0]
        let stderrDone = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorReader, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                log.append(Data(buffer[0..<count]))
            }
            close(errorReader)
            log.end()
        }
        stderrDone.start()

        let readFD = output[0]
        let outcome: Swift.Result<LayerDigests, any Error> = await BlockingWork.run {
            Swift.Result {
                try LayerIngest.writeLayer(into: store, compression: compression) { writer in
                    let reader = try TarReader(fileDescriptor: readFD, name: "mmdebstrap's output")
                    _ = try writer.copyEntries(from: reader, normalization: .rootFileSystem(epoch: Int64(epoch)))
                }
            }
        }
        // Whatever is left unread goes nowhere, so mmdebstrap can finish; then wait for it.
        close(readFD)
        let status = await child.wait() ?? -1
        await log.waitForEnd()
        let interrupted = ["INT", "TERM", "HUP"].contains { signal in log.lastLines.contains { $0.contains("received signal \(signal)") } }
        if status != 0 && (status == 130 || status == 143 || interrupted) {
            throw BuilderError.interrupted
        }
        if status != 0 {
            throw BuilderError.mmdebstrapFailed(status: status, lastLines: log.lastLines)
        }
        switch outcome {
        case let .failure(error):
            throw BuilderError.layerFailed("\(error)")
        case let .success(digests):
            progress("stored the layer \(digests.digest) (\(digests.size) bytes)")
            return digests
        }
    }
}

/// mmdebstrap's stderr, split into lines: `I:` lines become progress, the
/// last lines are kept for the error message.
final class OutputLines: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()
    private var kept: [String] = []
    private let progress: @Sendable (String) -> Void

    init(progress: @escaping @Sendable (String) -> Void) {
        self.progress = progress
    }

    var lastLines: [String] {
        lock.withLock { kept }
    }

    func append(_ data: Data) {
        let lines: [String] = lock.withLock {
            pending.append(data)
            var complete: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                complete.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            for line in complete where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                kept.append(line)
                if kept.count > 40 { kept.removeFirst(kept.count - 40) }
            }
            return complete
        }
        for line in lines where line.hasPrefix("I: ") {
            progress(String(line.dropFirst(3)))
        }
    }

    private let ended = DispatchSemaphore(value: 0)

    /// Marks the end of the output (a last line without a newline still counts).
    func end() {
        append(Data([0x0A]))
        ended.signal()
    }

    /// Waits, off the cooperative pool and for at most 2 s, until the reader has seen the end of the output.
    func waitForEnd() async {
        await BlockingWork.run { _ = self.ended.wait(timeout: .now() + 2) }
    }
}
