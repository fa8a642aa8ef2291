import ArgumentParser
import Foundation
import ImageModel
import Registry
import Store

/// `gantry inspect REF [--json]`: the manifest, config and platforms of an image in gantry's store
/// or, when the store has none of that name (or with `--remote`), in its registry.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an image's manifest, config and platforms, from the store or its registry.",
        discussion: "The store is read first; an image it does not have (or any, with --remote) is read from its registry without storing anything."
    )

    @Argument(help: "The image, e.g. 127.0.0.1:5000/news/app:1.")
    var reference: String

    @Flag(help: "Print {reference, digest, mediaType, manifest, config} as JSON, the documents byte for byte as stored.")
    var json = false

    @Flag(help: "Read the registry even when the store has the image.")
    var remote = false

    @OptionGroup var registryOptions: RegistryOptions

    /// The documents of an image, wherever they were read.
    private struct Documents {
        var reference: ImageReference
        var manifest: ManifestDocument
        var config: Data?
    }

    func run() async throws {
        let parsed: ImageReference
        do { parsed = try ImageReference(parsing: reference) } catch { throw UsageError("\(error)") }
        let store = try ImageStore.default()
        let stored = remote ? nil : try store.resolve(parsed.normalized)
        let documents: Documents
        if let stored {
            documents = try fromStore(store, stored, parsed)
        } else if remote {
            documents = try await fromRegistry(parsed)
        } else {
            do {
                documents = try await fromRegistry(parsed)
            } catch {
                // Neither place has it: say both, the store first.
                throw UsageError("image \(parsed.normalized) is not in the store at \(store.root.path), and its registry did not give it: \(error)")
            }
        }
        if json { return try printJSON(documents) }
        printText(documents)
    }

    private func fromStore(_ store: ImageStore, _ descriptor: Descriptor, _ reference: ImageReference) throws -> Documents {
        let manifest = ManifestDocument(descriptor: descriptor, bytes: try store.readBlob(descriptor.digest))
        let config = manifest.isIndex ? nil : try (try? JSONDecoder().decode(ImageManifest.self, from: manifest.bytes)).map { try store.readBlob($0.config.digest) }
        return Documents(reference: reference.normalized, manifest: manifest, config: config)
    }

    private func fromRegistry(_ reference: ImageReference) async throws -> Documents {
        let session = try await registryOptions.session(for: reference, client: registryOptions.makeClient())
        let name = reference.description
        let manifest = try await session.fetchManifest(reference.manifestSelector, expected: reference.digest, reference: name, repository: reference.path)
        var config: Data?
        if !manifest.isIndex, let decoded = try? JSONDecoder().decode(ImageManifest.self, from: manifest.bytes) {
            config = try await session.fetchSmallBlob(decoded.config, reference: name, repository: reference.path)
        }
        return Documents(reference: reference.normalized, manifest: manifest, config: config)
    }

    private func printText(_ documents: Documents) {
        let descriptor = documents.manifest.descriptor
        Terminal.say("Reference:  \(documents.reference)")
        Terminal.say("Digest:     \(descriptor.digest)")
        Terminal.say("Media type: \(descriptor.mediaType)")
        if documents.manifest.isIndex {
            guard let index = try? JSONDecoder().decode(ImageIndex.self, from: documents.manifest.bytes) else { return }
            Terminal.say("Platforms:")
            for entry in index.manifests {
                Terminal.say("  \(entry.platform?.shortName ?? "unknown")  \(entry.digest)")
            }
            return
        }
        guard let manifest = try? JSONDecoder().decode(ImageManifest.self, from: documents.manifest.bytes) else { return }
        let config = documents.config.flatMap { try? JSONDecoder().decode(ImageConfiguration.self, from: $0) }
        if let config {
            Terminal.say("Platform:   \([config.os, config.architecture, config.variant].compactMap { $0 }.joined(separator: "/"))")
            if let created = config.created { Terminal.say("Created:    \(created)") }
        }
        Terminal.say("Config:     \(manifest.config.digest) (\(manifest.config.size) bytes)")
        Terminal.say("Layers:")
        for layer in manifest.layers {
            Terminal.say("  \(layer.digest)  \(ImageListing.humanSize(layer.size))  \(layer.mediaType)")
        }
        guard let run = config?.config else { return }
        if let user = run.user, !user.isEmpty { Terminal.say("User:       \(user)") }
        if let workdir = run.workingDir, !workdir.isEmpty { Terminal.say("Workdir:    \(workdir)") }
        if let entrypoint = run.entrypoint, !entrypoint.isEmpty { Terminal.say("Entrypoint: \(entrypoint.joined(separator: " "))") }
        if let cmd = run.cmd, !cmd.isEmpty { Terminal.say("Cmd:        \(cmd.joined(separator: " "))") }
        if let ports = run.exposedPorts, !ports.isEmpty { Terminal.say("Ports:      \(ports.keys.sorted().joined(separator: ", "))") }
        if let signal = run.stopSignal { Terminal.say("Stop:       \(signal)") }
        for variable in run.env ?? [] { Terminal.say("Env:        \(variable)") }
        for (key, value) in (run.labels ?? [:]).sorted(by: { $0.key < $1.key }) { Terminal.say("Label:      \(key)=\(value)") }
    }

    private func printJSON(_ documents: Documents) throws {
        var object: [String: Any] = [
            "reference": documents.reference.description,
            "digest": documents.manifest.descriptor.digest.description,
            "mediaType": documents.manifest.descriptor.mediaType,
            "manifest": try JSONSerialization.jsonObject(with: documents.manifest.bytes),
        ]
        if let config = documents.config { object["config"] = try JSONSerialization.jsonObject(with: config) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Terminal.say(String(decoding: data, as: UTF8.self))
    }
}
