import ArgumentParser
import Foundation
import ImageModel
import Store

/// `gantry inspect REF [--json]`: the manifest, config and platforms of an image in gantry's store.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an image's manifest and config from gantry's store.",
        discussion: "Images in a registry: 'gantry pull REF' first (inspecting a registry directly is not built yet)."
    )

    @Argument(help: "The image, as 'gantry images' lists it.")
    var reference: String

    @Flag(help: "Print {reference, digest, mediaType, manifest, config} as JSON, the documents as stored.")
    var json = false

    func run() throws {
        let parsed: ImageReference
        do {
            parsed = try ImageReference(parsing: reference)
        } catch {
            throw UsageError("\(error)")
        }
        let store = try ImageStore.default()
        let image = try store.image(for: parsed.normalized)
        if json {
            // The documents as stored, byte for byte what the digests name.
            let configBytes = try image.manifest.map { try store.readBlob($0.config.digest) }
            try printJSON(image: image, manifest: try store.readBlob(image.digest), config: configBytes)
            return
        }
        let index = image.manifest == nil ? try? store.decodeBlob(ImageIndex.self, digest: image.digest) : nil
        Terminal.say("Reference:  \(image.reference)")
        Terminal.say("Digest:     \(image.digest)")
        Terminal.say("Media type: \(image.descriptor.mediaType)")
        if let index {
            Terminal.say("Platforms:")
            for entry in index.manifests {
                let platform = entry.platform.map { [$0.os, $0.architecture, $0.variant].compactMap { $0 }.joined(separator: "/") } ?? "unknown"
                Terminal.say("  \(platform)  \(entry.digest)")
            }
            return
        }
        guard let manifest = image.manifest else { return }
        if let config = image.configuration {
            Terminal.say("Platform:   \([config.os, config.architecture, config.variant].compactMap { $0 }.joined(separator: "/"))")
            if let created = config.created { Terminal.say("Created:    \(created)") }
        }
        Terminal.say("Config:     \(manifest.config.digest) (\(manifest.config.size) bytes)")
        Terminal.say("Layers:")
        for layer in manifest.layers {
            Terminal.say("  \(layer.digest)  \(ImageListing.humanSize(layer.size))  \(layer.mediaType)")
        }
        guard let run = image.configuration?.config else { return }
        if let user = run.user, !user.isEmpty { Terminal.say("User:       \(user)") }
        if let workdir = run.workingDir, !workdir.isEmpty { Terminal.say("Workdir:    \(workdir)") }
        if let entrypoint = run.entrypoint, !entrypoint.isEmpty { Terminal.say("Entrypoint: \(entrypoint.joined(separator: " "))") }
        if let cmd = run.cmd, !cmd.isEmpty { Terminal.say("Cmd:        \(cmd.joined(separator: " "))") }
        if let ports = run.exposedPorts, !ports.isEmpty { Terminal.say("Ports:      \(ports.keys.sorted().joined(separator: ", "))") }
        if let signal = run.stopSignal { Terminal.say("Stop:       \(signal)") }
        for variable in run.env ?? [] { Terminal.say("Env:        \(variable)") }
        for (key, value) in (run.labels ?? [:]).sorted(by: { $0.key < $1.key }) { Terminal.say("Label:      \(key)=\(value)") }
    }

    private func printJSON(image: StoredImage, manifest: Data, config: Data?) throws {
        var object: [String: Any] = [
            "reference": image.reference.description,
            "digest": image.digest.description,
            "mediaType": image.descriptor.mediaType,
            "manifest": try JSONSerialization.jsonObject(with: manifest),
        ]
        if let config { object["config"] = try JSONSerialization.jsonObject(with: config) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Terminal.say(String(decoding: data, as: UTF8.self))
    }
}
