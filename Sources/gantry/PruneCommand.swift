import ArgumentParser
import Foundation
import ImageModel
import Store

/// `gantry prune`: frees the store of blobs no image name reaches any more.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the blobs no image in the store names.",
        discussion: """
            Every build of an app under the same tag leaves the previous code layer, config and manifest \
            behind (and the data layer when the data changed); `gantry rmi` leaves a removed image's blobs. \
            Prune deletes the blobs no tagged image reaches, as `docker image prune` does. It runs only \
            when no other gantry command is using the store.
            """
    )

    @Flag(help: "List what would be removed, and remove nothing.")
    var dryRun = false

    func run() throws {
        // A dry run removes nothing, so it runs beside other commands.
        let store = try ImageStore.default(use: dryRun ? .shared : .exclusive)
        let report = try store.prune(dryRun: dryRun)
        Terminal.say(Self.summary(report, dryRun: dryRun))
        if dryRun {
            for (digest, size) in report.removed.sorted(by: { $0.key.description < $1.key.description }) {
                Terminal.say("\(digest)  \(ImageListing.humanSize(size))")
            }
        }
    }

    /// "Removed 3 blobs (12.5 MB); kept 9." and its dry-run and nothing-to-do forms.
    static func summary(_ report: PruneReport, dryRun: Bool) -> String {
        let count = report.removed.count
        if count == 0 { return "Nothing to remove; kept \(report.kept) blobs." }
        let blobs = "\(count) blob\(count == 1 ? "" : "s") (\(ImageListing.humanSize(report.bytes)))"
        return (dryRun ? "Would remove \(blobs)" : "Removed \(blobs)") + "; kept \(report.kept)."
    }
}

/// `gantry rmi REF…`: removes image names from the store, then the blobs only they reached.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmi",
        abstract: "Remove images from the store.",
        discussion: """
            Removes each name, then the blobs no other name reaches (as `gantry prune` does), unless \
            another gantry command is using the store: then they stay until the next prune.
            """
    )

    @Argument(help: "The images' names, e.g. 127.0.0.1:5000/news/app:1.")
    var references: [String]

    func validate() throws {
        guard !references.isEmpty else { throw ValidationError("name at least one image to remove; 'gantry images' lists them") }
    }

    func run() throws {
        // Alone if no other command uses the store, so that the blobs can go too; else shared.
        let alone = try? ImageStore.default(use: .exclusive)
        let store = try alone ?? ImageStore.default()
        var missing: [String] = []
        for text in references {
            let reference = try ImageReference(parsing: text)
            if try store.untag(reference.normalized) {
                Terminal.say("Untagged: \(reference.normalized)")
            } else {
                missing.append(reference.normalized.description)
            }
        }
        if alone != nil {
            let report = try store.prune()
            if !report.removed.isEmpty { Terminal.say(PruneCommand.summary(report, dryRun: false)) }
        } else {
            Terminal.note("Another gantry command is using the store: the blobs stay until 'gantry prune'.")
        }
        if !missing.isEmpty {
            throw GantryError.imagesNotInStore(missing, store: store.root.path)
        }
    }
}
