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
            With --builder podman or docker, writes DIR/Dockerfile again from base.yml and \
            runs the engine's build on DIR, tagging the result REF. Without --builder, the \
            engine gantry finds (--engine, GANTRY_ENGINE, else podman or docker, whichever answers).
            """
    )

    @Argument(help: "The base spec folder (see 'gantry base init').")
    var directory: String = "base"

    @Option(help: "Reference to give the image (default: localhost/gantry/TEMPLATE:latest).")
    var tag: String?

    @Option(help: "How to build: \(BuilderKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: the engine found).")
    var builder: BuilderKind?

    @Option(help: "When the engine pulls the image base.yml starts from: \(PullPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (docker cannot forbid it; 'never' is 'missing' there).")
    var pull: PullPolicy?

    func run() async throws {
        let folder = BaseSpecFolder(path: directory)
        let engineKind: EngineKind?
        switch builder {
        case .native:
            throw UsageError("the native builder is not built yet; use --builder podman or --builder docker")
        case .podman: engineKind = .podman
        case .docker: engineKind = .docker
        case nil: engineKind = nil
        }
        let spec = try folder.render()
        let reference = tag ?? "localhost/gantry/\(spec.name):latest"
        do {
            _ = try ImageReference(parsing: reference)
        } catch {
            throw UsageError("--tag \(reference): \(error)")
        }
        let engine = try await Engine.detect(requested: engineKind)
        Terminal.say("Building \(reference) from \(directory)/ (template \(spec.name), version \(spec.version)) with \(engine.name)")
        let clock = ContinuousClock()
        let start = clock.now
        try await engine.build(context: folder.url, dockerfile: folder.url.appendingPathComponent("Dockerfile"),
                               tag: reference, pull: pull)
        Terminal.say("Built \(reference) with \(engine.name) in \(Terminal.seconds(clock.now - start))")
    }
}
