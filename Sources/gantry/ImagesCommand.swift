import ArgumentParser
import Foundation
import ImageModel
import Store

/// `gantry images`: lists the images in gantry's store.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "List the images in the store.",
        discussion: "The store is the OCI layout in $GANTRY_HOME (default: $XDG_CACHE_HOME/gantry or ~/.cache/gantry)."
    )

    @Flag(help: "Print a JSON array of {reference, digest, mediaType, size, created} instead of a table.")
    var json = false

    func run() throws {
        let images = try ImageStore.default().images()
        if json {
            try Terminal.say(ImageListing.json(images))
        } else {
            for line in ImageListing.table(images, now: Date()) { Terminal.say(line) }
        }
    }
}

/// How `gantry images` prints the store's images.
enum ImageListing {
    /// One object of `gantry images --json`.
    struct Entry: Encodable {
        let reference: String
        let digest: String
        let mediaType: String
        let size: Int64?
        let created: String?

        init(_ image: StoredImage) {
            reference = image.reference.description
            digest = image.digest.description
            mediaType = image.descriptor.mediaType
            size = image.size
            created = image.configuration?.created
        }

        func encode(to encoder: any Encoder) throws {
            // Unknown size and time are written as null, so every object has the same keys.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(reference, forKey: .reference)
            try container.encode(digest, forKey: .digest)
            try container.encode(mediaType, forKey: .mediaType)
            try container.encode(size, forKey: .size)
            try container.encode(created, forKey: .created)
        }

        enum CodingKeys: String, CodingKey { case reference, digest, mediaType, size, created }
    }

    /// The JSON array, pretty-printed with sorted keys; `[]` for an empty store.
    static func json(_ images: [StoredImage]) throws -> String {
        if images.isEmpty { return "[]" }
        let encoder = CanonicalJSON.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return String(decoding: try encoder.encode(images.map(Entry.init)), as: UTF8.self)
    }

    /// The table's lines: a header, then one row per image, in columns like `docker images`.
    static func table(_ images: [StoredImage], now: Date) -> [String] {
        let header = ["REFERENCE", "DIGEST", "SIZE", "CREATED"]
        let rows = images.map { image in
            [
                image.reference.description,
                String(image.digest.encoded.prefix(12)),
                image.size.map(humanSize) ?? "N/A",
                image.created.map { age(of: $0, now: now) } ?? "N/A",
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }
    }

    /// A size in decimal units with one decimal, e.g. `112.4 MB`, as registries and docker count.
    static func humanSize(_ bytes: Int64) -> String {
        guard bytes >= 1000 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = "B"
        for next in ["kB", "MB", "GB", "TB", "PB"] where value >= 1000 {
            value /= 1000
            unit = next
        }
        return String(format: "%.1f", value) + " " + unit
    }

    /// How long ago `date` was, in docker's words (`3 days ago`); the timestamp itself when it is in the future.
    static func age(of date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        guard seconds >= 0 else {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: date)
        }
        return duration(seconds) + " ago"
    }

    /// Docker's `HumanDuration`: coarse, with the unit that keeps the number small.
    private static func duration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        let minutes = seconds / 60
        let hours = minutes / 60
        switch true {
        case seconds < 1: return "Less than a second"
        case seconds == 1: return "1 second"
        case seconds < 60: return "\(seconds) seconds"
        case minutes == 1: return "About a minute"
        case minutes < 60: return "\(minutes) minutes"
        case hours == 1: return "About an hour"
        case hours < 48: return "\(hours) hours"
        case hours < 24 * 7 * 2: return "\(hours / 24) days"
        case hours < 24 * 30 * 2: return "\(hours / 24 / 7) weeks"
        case hours < 24 * 365 * 2: return "\(hours / 24 / 30) months"
        default: return "\(hours / 24 / 365) years"
        }
    }
}
