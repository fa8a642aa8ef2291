import ArgumentParser
import Builder
import Engines
import Foundation
import ImageModel
import Scaffold

extension BuilderKind: ExpressibleByArgument {}
extension EngineKind: ExpressibleByArgument {}
extension PullPolicy: ExpressibleByArgument {}

/// `gantry base build [DIR] --tag REF [--builder native|podman|docker]`.
struct BaseBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the base image from DIR/base.yml.",
        discussion: """
            native (the default where mmdebstrap is installed) makes the root file system from \
            Debian's packages with mmdebstrap and writes the image into gantry's store, without \
            any daemon. podman and docker write DIR/Dockerfile again from base.yml and run the \
            engine's build on DIR, tagging the result REF in the engine.
            """
    )

    @Argument(help: "The base spec folder (see 'gantry base init').")
    var directory: String = "base"

    @Option(help: "Reference to give the image (default: localhost/gantry/TEMPLATE:latest).")
    var tag: String?

    @Option(help: "How to build: \(BuilderKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: native where mmdebstrap is installed, else the engine found).")
    var builder: BuilderKind?

    @Option(help: "When the engine pulls the image base.yml starts from: \(PullPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (docker cannot forbid it; 'never' is 'missing' there).")
    var pull: PullPolicy?

    @Option(help: "gzip level of the native build's layer, 1 (fast) to 9 (small).")
    var compressionLevel: Int = 6

    func run() async throws {
        let folder = BaseSpecFolder(path: directory)
        let spec = try folder.render()
        let text = tag ?? "localhost/gantry/\(spec.name):latest"
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: text).normalized
        } catch {
            throw UsageError("--tag \(text): \(error)")
        }
        guard (1...9).contains(compressionLevel) else {
            throw UsageError("--compression-level \(compressionLevel) is out of range; give 1 (fast) to 9 (small)")
        }
        let chosen = builder ?? (Subprocess.locate("mmdebstrap") != nil ? .native : nil)
        let engineKind: EngineKind?
        switch chosen {
        case .native:
            try await Self.buildNatively(folder: folder, spec: spec, reference: reference, compressionLevel: compressionLevel)
            return
        case .podman: engineKind = .podman
        case .docker: engineKind = .docker
        case nil: engineKind = nil
        }
        let engine = try await Engine.detect(requested: engineKind)
        Terminal.say("Building \(text) from \(directory)/ (template \(spec.name), version \(spec.version)) with \(engine.name)")
        let clock = ContinuousClock()
        let start = clock.now
        try await engine.build(context: folder.url, dockerfile: folder.url.appendingPathComponent("Dockerfile"),
                               tag: text, pull: pull)
        Terminal.say("Built \(text) with \(engine.name) in \(Terminal.seconds(clock.now - start))")
    }
}
