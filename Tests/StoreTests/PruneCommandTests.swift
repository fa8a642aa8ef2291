import Foundation
import ImageModel
import Store
import Testing

@Suite("gantry prune and gantry rmi", .enabled(if: gantryBinary != nil || Tools.inCI, "the gantry binary is not built"))
struct PruneCommandTests {
    /// The blob files an image is made of.
    static func files(_ image: TinyImage, in store: ImageStore) -> [String] {
        [image.manifest, image.config, image.layer].map { store.blobURL($0.digest).path }
    }

    static func allExist(_ paths: [String]) -> Bool { paths.allSatisfy { FileManager.default.fileExists(atPath: $0) } }
    static func noneExist(_ paths: [String]) -> Bool { !paths.contains { FileManager.default.fileExists(atPath: $0) } }

    @Test("prune removes the blobs no name reaches (a build's leftovers), keeps what tagged images use; --dry-run only lists")
    func pruneRemovesUnreachable() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let store = try ImageStore(root: home)
        let first = try TinyImage.make(in: store, scratch: folder, label: "first")
        let second = try TinyImage.make(in: store, scratch: folder, label: "second")
        let leftover = try TinyImage.make(in: store, scratch: folder, label: "leftover")  // as a build under the same tag leaves
        try store.tag(first.manifest, as: ImageReference(parsing: "localhost/news/app:1"))
        try store.tag(second.manifest, as: ImageReference(parsing: "localhost/news/app:2"))
        // A pulled multi-platform index: one platform's manifest present, reached only through it; another absent.
        let indexed = try TinyImage.make(in: store, scratch: folder, label: "indexed")
        let absent = Descriptor(mediaType: MediaType.ociManifest, digest: try Digest.sha256(hex: String(repeating: "ab", count: 32)), size: 10)
        let index = try store.writeBlob(CanonicalJSON.encode(ImageIndex(manifests: [indexed.manifest, absent])), mediaType: MediaType.ociIndex)
        try store.tag(index, as: ImageReference(parsing: "debian:bookworm"))
        try Data("half a blob".utf8).write(to: home.appendingPathComponent("ingest/interrupted"))

        let dry = try gantry(["prune", "--dry-run"], home: home)
        #expect(dry.status == 0, "\(dry.errors)")
        let lines = dry.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Would remove 3 blobs (") == true, "\(dry.output)")
        #expect(lines.first?.hasSuffix("; kept 10.") == true, "\(dry.output)")  // two images, the index and its image
        #expect(Set(lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
                == Set([leftover.manifest, leftover.config, leftover.layer].map(\.digest.description)))
        #expect(Self.allExist(Self.files(leftover, in: store)), "a dry run removed something")

        let pruned = try gantry(["prune"], home: home)
        #expect(pruned.status == 0, "\(pruned.errors)")
        #expect(pruned.output.hasPrefix("Removed 3 blobs ("), "\(pruned.output)")
        #expect(Self.noneExist(Self.files(leftover, in: store)))
        #expect(Self.allExist(Self.files(first, in: store) + Self.files(second, in: store) + Self.files(indexed, in: store)))
        #expect(FileManager.default.fileExists(atPath: store.blobURL(index.digest).path))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("ingest/interrupted").path))
        #expect(try store.image(for: ImageReference(parsing: "localhost/news/app:1")).configuration != nil)

        let again = try gantry(["prune"], home: home)
        #expect(again.output == "Nothing to remove; kept 10 blobs.\n")
        if Tools.availableOrRequired("skopeo") {
            // What is left is still a layout skopeo reads whole.
            let skopeo = try Tools.require("skopeo")
            let copy = try run(skopeo, ["copy", "--quiet", "oci:\(home.path):localhost/news/app:2", "oci:\(folder.appending("check").path):x"])
            #expect(copy.status == 0, "\(copy.errors)")
        }
    }

    @Test("rmi removes a name; the blobs go with the last name that reaches them; a missing name fails in one line")
    func rmiRemovesNamesThenBlobs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let store = try ImageStore(root: home)
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: ImageReference(parsing: "localhost/news/app:1"))
        try store.tag(image.manifest, as: ImageReference(parsing: "127.0.0.1:5000/news/app:1"))

        let first = try gantry(["rmi", "localhost/news/app:1"], home: home)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output == "Untagged: localhost/news/app:1\n")  // the other name still reaches the blobs
        #expect(Self.allExist(Self.files(image, in: store)))

        let second = try gantry(["rmi", "127.0.0.1:5000/news/app:1", "localhost/news/gone:1"], home: home)
        #expect(second.status != 0)
        #expect(second.output.hasPrefix("Untagged: 127.0.0.1:5000/news/app:1\nRemoved 3 blobs ("), "\(second.output)")
        #expect(second.errors.split(separator: "\n").count == 1)
        #expect(second.errors.contains("localhost/news/gone:1"), "\(second.errors)")
        #expect(Self.noneExist(Self.files(image, in: store)))
        #expect(try store.references().isEmpty)
    }

    @Test("prune waits for no one: while another gantry command holds the store it fails in one line and removes nothing")
    func pruneRefusesABusyStore() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let store = try ImageStore(root: home)
        let leftover = try TinyImage.make(in: store, scratch: folder)

        // Another command's shared hold on the store, as every gantry command takes one.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try Tools.require("python3"))
        holder.arguments = ["-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_SH); "
                                + "print('held', flush=True); time.sleep(60)", home.appendingPathComponent("store.lock").path]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        // SIGKILL: under the test runner, SIGTERM left the holder sleeping out its minute.
        func release() { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        defer { if holder.isRunning { release() } }
        #expect(pipe.fileHandleForReading.availableData.starts(with: Data("held".utf8)))

        let busy = try gantry(["prune"], home: home)
        #expect(busy.status != 0)
        #expect(busy.errors.split(separator: "\n").count == 1)
        #expect(busy.errors.contains("another gantry command"), "\(busy.errors)")
        #expect(Self.allExist(Self.files(leftover, in: store)))

        // rmi still removes names, and leaves the blobs to a later prune.
        try store.tag(leftover.manifest, as: ImageReference(parsing: "localhost/news/app:1"))
        let rmi = try gantry(["rmi", "localhost/news/app:1"], home: home)
        #expect(rmi.status == 0, "\(rmi.errors)")
        #expect(rmi.errors.contains("the blobs stay until 'gantry prune'"))
        #expect(Self.allExist(Self.files(leftover, in: store)))

        release()
        let pruned = try gantry(["prune"], home: home)
        #expect(pruned.status == 0, "\(pruned.errors)")
        #expect(Self.noneExist(Self.files(leftover, in: store)))
    }
}
