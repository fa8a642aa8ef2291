import Engines
import Foundation
import Store

/// The labels of the base images `gantry dev` has run, by engine and
/// reference, with the image id they were read from: the next `gantry dev`
/// starts the container from them at once, and checks the id while the app
/// boots, instead of asking the engine before it runs anything.
///
/// Kept in `dev/base-images.json` under gantry's cache folder (the store's
/// root); a cache: unreadable or missing means nothing remembered.
struct DevImageMemory: Sendable {
    struct Entry: Codable, Hashable, Sendable {
        var id: String
        var labels: [String: String]
    }

    let file: URL

    /// The memory in gantry's cache folder (`$GANTRY_HOME`, `$XDG_CACHE_HOME/gantry`, `~/.cache/gantry`).
    static func standard() -> DevImageMemory {
        DevImageMemory(file: StoreLocation.resolve().appendingPathComponent("dev").appendingPathComponent("base-images.json"))
    }

    private static func key(_ engine: EngineKind, _ reference: String) -> String {
        "\(engine.rawValue) \(reference)"
    }

    private func all() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file.path),
              let entries = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return entries
    }

    /// What was read from `reference` in `engine` last time.
    func entry(engine: EngineKind, reference: String) -> Entry? {
        all()[Self.key(engine, reference)]
    }

    /// Remembers `image` as what `reference` is in `engine`. Failing to write is not an error: it is a cache.
    func remember(_ image: EngineImage, engine: EngineKind, reference: String) {
        var entries = all()
        let entry = Entry(id: image.id, labels: image.labels)
        guard entries[Self.key(engine, reference)] != entry else { return }
        entries[Self.key(engine, reference)] = entry
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(entries) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }
}
