import ArgumentParser
import Builder
import Foundation
import ImageModel
import Scaffold

extension BuilderKind: ExpressibleByArgument {}

/// `gantry base build [DIR] --tag REF`.
struct BaseBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the base image from DIR/base.yml.")

    @Argument(help: "The base spec folder (see 'gantry base init').")
    var directory: String = "base"

    @Option(help: "Reference to give the image (default: localhost/gantry/TEMPLATE:latest).")
    var tag: String?

    @Option(help: "How to build.")
    var builder: BuilderKind = .native

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
        switch builder {
        case .native:
            try await Self.buildNatively(folder: folder, spec: spec, reference: reference, compressionLevel: compressionLevel)
        case .podman, .docker:
            throw NotBuiltYet(command: "base build --builder \(builder.rawValue)")
        }
    }
}
