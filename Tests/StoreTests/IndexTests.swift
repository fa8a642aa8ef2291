import Foundation
import ImageModel
import Store
import Testing

private func reference(_ text: String) throws -> ImageReference {
    try ImageReference(parsing: text)
}

@Suite("Index")
struct IndexTests {
    @Test("tag names a manifest by its full normalized reference; resolve finds it by any spelling; untag removes it")
    func tagResolveUntag() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)

        try store.tag(image.manifest, as: reference("debian:bookworm-slim"))
        try store.tag(image.manifest, as: reference("localhost/gantry/apache-wsgi"))

        let index = try store.index()
        #expect(index.manifests.compactMap(\.refName).sorted() == [
            "docker.io/library/debian:bookworm-slim", "localhost/gantry/apache-wsgi:latest",
        ])
        let resolved = try #require(try store.resolve(reference("docker.io/library/debian:bookworm-slim")))
        #expect(resolved.digest == image.manifest.digest)
        #expect(resolved.size == image.manifest.size)
        #expect(resolved.mediaType == MediaType.ociManifest)
        #expect(try store.resolve(reference("localhost/gantry/apache-wsgi:latest"))?.digest == image.manifest.digest)
        #expect(try store.resolve(reference("debian")) == nil)
        #expect(try store.resolve(reference("localhost/gantry/apache-wsgi@\(image.manifest.digest)"))?.digest
                == image.manifest.digest)
        #expect(try store.references().map(\.description) == [
            "docker.io/library/debian:bookworm-slim", "localhost/gantry/apache-wsgi:latest",
        ])

        #expect(try store.untag(reference("debian:bookworm-slim")))
        #expect(try !store.untag(reference("debian:bookworm-slim")))
        #expect(try store.resolve(reference("debian:bookworm-slim")) == nil)
        #expect(try store.references().map(\.description) == ["localhost/gantry/apache-wsgi:latest"])
        #expect(store.hasBlob(image.manifest.digest), "untag keeps the blobs")
    }

    @Test("tagging a name again replaces its entry instead of adding a second one")
    func retagReplaces() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let first = try TinyImage.make(in: store, scratch: folder, label: "first")
        let second = try TinyImage.make(in: store, scratch: folder, label: "second")
        let name = try reference("localhost/gantry/app:1")
        try store.tag(first.manifest, as: name)
        try store.tag(second.manifest, as: name)
        #expect(try store.index().manifests.count == 1)
        #expect(try store.resolve(name)?.digest == second.manifest.digest)
    }

    @Test("tagging a manifest whose blob is not in the store is refused")
    func tagNeedsManifestBlob() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let digest = try Digest.sha256(hex: String(repeating: "9", count: 64))
        let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: 10)
        #expect(throws: StoreError.blobMissing(digest, store: store.root.path)) {
            try store.tag(descriptor, as: reference("localhost/x:1"))
        }
        #expect(try store.index().manifests.isEmpty)
    }

    @Test("a corrupt index.json is reported with its path and what is wrong")
    func corruptIndexIsNamed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let indexPath = store.root.appendingPathComponent("index.json").path
        try Data(#"{"schemaVersion":2,"manifests":"#.utf8).write(to: URL(fileURLWithPath: indexPath))
        #expect {
            try store.references()
        } throws: { error in
            guard case StoreError.corruptIndex(let file, _) = error else { return false }
            return file == indexPath && "\(error)".contains(indexPath)
        }
        try Data(#"{"schemaVersion":2}"#.utf8).write(to: URL(fileURLWithPath: indexPath))
        #expect(throws: StoreError.corruptIndex(file: indexPath, problem: #"member "manifests" is missing"#)) {
            try store.images()
        }
        #expect(StoreError.corruptIndex(file: indexPath, problem: "x").description.contains(indexPath))
    }

    @Test("index.json written by gantry keeps members another tool added")
    func indexKeepsForeignMembers() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)
        let indexURL = store.root.appendingPathComponent("index.json")
        let foreign = """
        {"schemaVersion":2,"manifests":[{"mediaType":"\(MediaType.ociManifest)","digest":"\(image.manifest.digest)",
          "size":\(image.manifest.size),"annotations":{"org.opencontainers.image.ref.name":"other","x":"y"}}],
         "annotations":{"tool":"skopeo"}}
        """
        try Data(foreign.utf8).write(to: indexURL)
        try store.tag(image.manifest, as: reference("localhost/gantry/app:2"))
        let index = try store.index()
        #expect(index.annotations == ["tool": "skopeo"])
        #expect(index.manifests.count == 2)
        #expect(index.manifests[0].annotations == ["org.opencontainers.image.ref.name": "other", "x": "y"])
    }

    @Test("an image missing from the store is reported by its reference, pointing at gantry images and gantry pull")
    func missingImage() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let name = try reference("debian:bookworm-slim")
        #expect(throws: StoreError.imageNotFound(name, store: store.root.path)) { try store.image(for: name) }
        let message = StoreError.imageNotFound(name, store: store.root.path).description
        #expect(message.contains("docker.io/library/debian:bookworm-slim"))
        #expect(message.contains("gantry images") && message.contains("gantry pull"))
    }

    @Test("image(for:) and images() decode manifest and config, sum the compressed size and read the created time")
    func storedImages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: reference("localhost/gantry/zeta:1"))
        try store.tag(image.manifest, as: reference("localhost/gantry/alpha:1"))

        let stored = try store.image(for: reference("localhost/gantry/zeta:1"))
        #expect(stored.reference.description == "localhost/gantry/zeta:1")
        #expect(stored.digest == image.manifest.digest)
        #expect(stored.manifest?.layers.map(\.digest) == [image.layer.digest])
        #expect(stored.configuration?.rootfs.diffIDs == [image.diffID])
        #expect(stored.size == image.config.size + image.layer.size)
        #expect(stored.created == Date(timeIntervalSince1970: 1_714_564_800))

        #expect(try store.images().map(\.reference.description) == ["localhost/gantry/alpha:1", "localhost/gantry/zeta:1"])
    }

    @Test("an index entry that is not an image manifest is listed with only its descriptor")
    func nestedIndexIsListed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)
        var entry = image.manifest
        entry.platform = Platform(architecture: "amd64", os: "linux")
        let nested = ImageIndex(manifests: [entry])
        let descriptor = try store.writeBlob(CanonicalJSON.encode(nested), mediaType: MediaType.ociIndex)
        try store.tag(descriptor, as: reference("localhost/gantry/multi:1"))

        let listed = try #require(try store.images().first)
        #expect(listed.descriptor.mediaType == MediaType.ociIndex)
        #expect(listed.manifest == nil && listed.configuration == nil && listed.size == nil)
        #expect(try store.image(for: reference("localhost/gantry/multi:1")).digest == descriptor.digest)
    }

    @Test("16 writers with their own store values, on 16 threads, each tagging its own references, lose no tag")
    func concurrentWritersOnThreads() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = folder.appending("store")
        let store = try ImageStore(root: root)
        let image = try TinyImage.make(in: store, scratch: folder)
        let writers = 16
        let tagsPerWriter = 8
        let failures = ThreadResults(count: writers)

        let threads = (0..<writers).map { writer in
            Thread {
                do {
                    let own = try ImageStore(root: root)
                    for number in 0..<tagsPerWriter {
                        try own.tag(image.manifest, as: ImageReference(parsing: "localhost/writer\(writer):\(number)"))
                    }
                } catch {
                    failures.record(writer, "\(error)")
                }
                failures.finish()
            }
        }
        threads.forEach { $0.start() }
        failures.waitForAll()

        #expect(failures.messages.isEmpty)
        let names = try store.references().map(\.description)
        #expect(names.count == writers * tagsPerWriter)
        for writer in 0..<writers {
            for number in 0..<tagsPerWriter {
                #expect(names.contains("localhost/writer\(writer):\(number)"))
            }
        }
        let data = try Data(contentsOf: root.appendingPathComponent("index.json"))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil)
        #expect(contents(of: root).filter { $0.contains(".tmp-") }.isEmpty, "no temporary index files stay")
    }

    @Test("16 gantry test processes tagging at once lose no tag and leave index.json valid",
          .enabled(if: ProcessInfo.processInfo.environment[ConcurrentTagger.rootVariable] == nil))
    func concurrentWritersInProcesses() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = folder.appending("store")
        let store = try ImageStore(root: root)
        let image = try TinyImage.make(in: store, scratch: folder)
        let processes = 16
        let tagsPerProcess = 5
        let executable = try #require(ConcurrentTagger.testExecutable, "cannot find the test executable")

        // Each child is this test binary running only `ConcurrentTagger.tagFromEnvironment`.
        // They are started directly rather than from a shell loop: children of Foundation's
        // Process inherit a blocked SIGCHLD, which makes the shell's `wait` hang.
        let children = try (0..<processes).map { number in
            let child = Process()
            child.executableURL = URL(fileURLWithPath: executable)
            child.arguments = ConcurrentTagger.arguments
            var environment = ProcessInfo.processInfo.environment
            environment[ConcurrentTagger.rootVariable] = root.path
            environment[ConcurrentTagger.writerVariable] = String(number)
            environment[ConcurrentTagger.countVariable] = String(tagsPerProcess)
            environment[ConcurrentTagger.digestVariable] = image.manifest.digest.description
            environment[ConcurrentTagger.sizeVariable] = String(image.manifest.size)
            child.environment = environment
            let log = folder.appending("child\(number).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            child.standardOutput = handle
            child.standardError = handle
            return child
        }
        for child in children { try child.run() }
        for child in children { child.waitUntilExit() }
        #expect(children.map(\.terminationStatus) == Array(repeating: 0, count: processes))

        let names = try store.references().map(\.description)
        var missing: [String] = []
        for process in 0..<processes {
            for number in 0..<tagsPerProcess where !names.contains("localhost/process\(process):\(number)") {
                missing.append("localhost/process\(process):\(number)")
            }
        }
        let log = (try? String(contentsOf: folder.appending("child0.log"), encoding: .utf8)) ?? ""
        #expect(missing.isEmpty, "missing tags \(missing); first child's log: \(log.suffix(2000))")
        #expect(names.count == processes * tagsPerProcess)
        let data = try Data(contentsOf: root.appendingPathComponent("index.json"))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil)
    }
}

/// Collects what the writer threads report and lets the test wait for them.
private final class ThreadResults: @unchecked Sendable {
    private let condition = NSCondition()
    private var finished = 0
    private var failures: [String] = []
    private let count: Int

    init(count: Int) { self.count = count }

    func record(_ writer: Int, _ message: String) {
        condition.lock()
        failures.append("writer \(writer): \(message)")
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished += 1
        condition.broadcast()
        condition.unlock()
    }

    func waitForAll() {
        condition.lock()
        while finished < count { condition.wait() }
        condition.unlock()
    }

    var messages: [String] {
        condition.lock()
        defer { condition.unlock() }
        return failures
    }
}

/// The child side of the multi-process test: a test that only runs when its environment names a store.
@Suite("Concurrent tagger (child process)")
struct ConcurrentTagger {
    static let rootVariable = "GANTRY_STORE_TEST_TAGGER_ROOT"
    static let writerVariable = "GANTRY_STORE_TEST_TAGGER_WRITER"
    static let countVariable = "GANTRY_STORE_TEST_TAGGER_COUNT"
    static let digestVariable = "GANTRY_STORE_TEST_TAGGER_DIGEST"
    static let sizeVariable = "GANTRY_STORE_TEST_TAGGER_SIZE"

    /// Arguments that make the test binary run only `tagFromEnvironment`.
    static let arguments = ["--testing-library", "swift-testing", "--filter", "tagFromEnvironment"]

    /// The running test binary, which the children run again.
    static var testExecutable: String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    @Test("tags localhost/processN:0..<count in the store the environment names",
          .enabled(if: ProcessInfo.processInfo.environment[rootVariable] != nil))
    func tagFromEnvironment() throws {
        let environment = ProcessInfo.processInfo.environment
        let root = try #require(environment[Self.rootVariable])
        let writer = try #require(environment[Self.writerVariable])
        let count = try #require(environment[Self.countVariable].flatMap { Int($0) })
        let digest = try Digest(parsing: try #require(environment[Self.digestVariable]))
        let size = try #require(environment[Self.sizeVariable].flatMap { Int64($0) })
        let store = try ImageStore(root: URL(fileURLWithPath: root))
        let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: size)
        for number in 0..<count {
            try store.tag(descriptor, as: ImageReference(parsing: "localhost/process\(writer):\(number)"))
        }
    }
}
