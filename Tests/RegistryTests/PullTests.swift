import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

/// Collects pull events from the `@Sendable` progress callback.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PullEvent] = []
    func add(_ event: PullEvent) { lock.withLock { events.append(event) } }
    /// The events that end a blob (not its byte counts).
    var all: [PullEvent] {
        lock.withLock { events.filter { if case .transferring = $0 { false } else { true } } }
    }
    var bytesReported: Bool { lock.withLock { events.contains { if case .transferring = $0 { true } else { false } } } }
}

@Suite("Pull from a real registry", .serialized)
struct PullTests {
    /// An anonymous docker-registry holding news/app:1, put there by skopeo from an OCI layout whose
    /// gzip layer `tar -czf` made.
    static func seededRegistry(in folder: TemporaryFolder, format: String = "oci") async throws -> LocalRegistry {
        let registry = try await LocalRegistry.start(in: folder)
        let source = try ImageStore(root: URL(fileURLWithPath: folder.appending("source")))
        let name = try ImageReference(parsing: "localhost/source/app:1")
        try await TestImage.write(into: source, folder: folder, as: name, text: "hello from gantry pull\n")
        try await shell("skopeo copy --quiet --format \(format) --dest-tls-verify=false 'oci:\(folder.appending("source")):\(name.normalized.description)' docker://\(registry.host)/news/app:1")
        return registry
    }

    @Test("pull stores the manifest skopeo sees in the registry, tags the reference, and a second pull downloads nothing")
    func pullThenPullAgain() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await Self.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        let reference = try ImageReference(parsing: "\(registry.host)/news/app:1")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))

        let first = EventLog()
        let digest = try await session.pull(reference, into: store, platform: Platform(architecture: "amd64", os: "linux")) { first.add($0) }
        #expect(first.all.count == 2)
        #expect(first.all.allSatisfy { if case .copied = $0 { true } else { false } })
        #expect(first.bytesReported)

        let remote = try await shell("skopeo inspect --raw --tls-verify=false docker://\(registry.host)/news/app:1 | sha256sum | cut -d' ' -f1")
        #expect("sha256:" + remote.trimmingCharacters(in: .whitespacesAndNewlines) == digest.description)
        let local = try await shell("skopeo inspect --format '{{.Digest}}' 'oci:\(home):\(reference.description)'")
        #expect(local.trimmingCharacters(in: .whitespacesAndNewlines) == digest.description)
        try await shell("skopeo copy --quiet 'oci:\(home):\(reference.description)' 'dir:\(folder.appending("check"))'")

        let second = EventLog()
        let again = try await session.pull(reference, into: store, platform: Platform(architecture: "amd64", os: "linux")) { second.add($0) }
        #expect(again == digest)
        #expect(second.all.count == 2)
        #expect(second.all.allSatisfy { if case .exists = $0 { true } else { false } })

        let byDigest = try await session.pull(reference.withoutTagAndDigest.withDigest(digest), into: store)
        #expect(byDigest == digest)
    }

    @Test("a missing tag fails with one line naming the reference and tags nothing")
    func missingTag() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await Self.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let reference = try ImageReference(parsing: "\(registry.host)/news/app:nope")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))
        let error = await #expect(throws: PullError.self) { try await session.pull(reference, into: store) }
        #expect(error == .notFound(reference: "\(registry.host)/news/app:nope"))
        #expect(error?.description.contains("\(registry.host)/news/app:nope") == true)
        #expect(error?.description.contains("\n") == false)
        #expect(try store.references().isEmpty)
    }

    @Test("an index without the wanted platform fails listing the platforms it has")
    func indexWithoutPlatform() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await Self.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let digest = try await shell("skopeo inspect --raw --tls-verify=false docker://\(registry.host)/news/app:1 | sha256sum | cut -d' ' -f1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let size = try await shell("skopeo inspect --raw --tls-verify=false docker://\(registry.host)/news/app:1 | wc -c").trimmingCharacters(in: .whitespacesAndNewlines)
        let index = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(digest)","size":\#(size),"platform":{"architecture":"amd64","os":"linux"}}]}"#
        let path = try folder.write("index.json", index)
        try await shell("curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary @'\(path)' http://\(registry.host)/v2/news/app/manifests/multi")
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))
        let reference = try ImageReference(parsing: "\(registry.host)/news/app:multi")
        let error = await #expect(throws: PullError.self) {
            try await session.pull(reference, into: store, platform: Platform(architecture: "s390x", os: "linux"))
        }
        #expect(error?.description.contains("available: linux/amd64") == true)
        #expect(try store.references().isEmpty)
        let picked = try await session.pull(reference, into: store, platform: Platform(architecture: "amd64", os: "linux"))
        #expect(picked.encoded.count == 64 && picked.encoded != digest)
        #expect(try store.references().count == 1)
    }

    @Test("gantry pull prints 'pulled SIZE' per blob then REF@digest, 'exists' on a second run, and one stderr line for a missing tag")
    func pullCommand() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await Self.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let reference = "\(registry.host)/news/app:1"
        let first = try await runGantry(["pull", reference], home: home)
        #expect(first.status == 0, "\(first.error)")
        let lines = first.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("sha256:") && $0.contains(": pulled ") })
        let remote = try await shell("skopeo inspect --format '{{.Digest}}' --tls-verify=false docker://\(reference)").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(lines.last == reference + "@" + remote)
        let local = try await shell("skopeo inspect --format '{{.Digest}}' 'oci:\(home):\(reference)'").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(local == remote)

        let second = try await runGantry(["pull", reference], home: home)
        #expect(second.status == 0)
        // The count first: allSatisfy alone holds for an empty output.
        let secondLines = second.output.split(separator: "\n")
        #expect(secondLines.count == 3, "\(second.output)")
        #expect(secondLines.dropLast().allSatisfy { $0.hasSuffix(": exists") })

        let missing = try await runGantry(["pull", "\(registry.host)/news/app:nope"], home: home)
        #expect(missing.status != 0)
        #expect(missing.error.split(separator: "\n").count == 1)
        #expect(missing.error.contains("\(registry.host)/news/app:nope"))
        let index = try String(contentsOfFile: home + "/index.json", encoding: .utf8)
        #expect(!index.contains("nope"))
    }

    @Test("a Docker schema 2 manifest pulls like an OCI one: media type kept, digest equal to the registry's")
    func dockerManifest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await Self.seededRegistry(in: folder, format: "v2s2")
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let reference = try ImageReference(parsing: "\(registry.host)/news/app:1")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))
        let digest = try await session.pull(reference, into: store)
        let remote = try await shell("skopeo inspect --format '{{.Digest}}' --tls-verify=false docker://\(reference)").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.description == remote)
        let tagged = try #require(try store.resolve(reference))
        #expect(tagged.mediaType == MediaType.dockerManifest)
        let manifest = try store.decodeBlob(ImageManifest.self, digest: digest)
        #expect(manifest.layers.allSatisfy { store.hasBlob($0.digest) } && store.hasBlob(manifest.config.digest))
    }
}
