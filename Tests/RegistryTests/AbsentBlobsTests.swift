import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

@Suite("A pull without layers, and blobs fetched when needed", .serialized)
struct AbsentBlobsTests {
    @Test("a pull without layers stores the manifest and config only, lends the layer for mounts, and a copy out of the store fetches it from the registry")
    func lazyPullThenCopyFetchesTheLayer() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await PullTests.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let reference = try ImageReference(parsing: "\(registry.host)/news/app:1")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))

        try await session.pull(reference, into: store, platform: Platform(architecture: "amd64", os: "linux"), layers: false)
        let image = try store.image(for: reference)
        let manifest = try #require(image.manifest)
        let layer = try #require(manifest.layers.first)
        #expect(store.hasBlob(manifest.config.digest))
        #expect(!store.hasBlob(layer.digest))
        #expect(store.mountCandidates(domain: reference.domain, host: registry.host)[layer.digest]
                == [RepositoryLocation(registry: registry.host, repository: "news/app")])

        // Without a fallback the store cannot give the layer's bytes.
        var source = LayoutImage(store: store, reference: reference)
        let without = ImageCopy(from: source, to: try LayoutImage(directory: folder.appending("out-without"), tag: "1"))
        await #expect(throws: TransferError.blobMissing(source: reference.description, digest: layer.digest.description)) {
            try await without.run()
        }

        source.absentBlobs = AbsentBlobs(store: store) { _ in session }
        #expect(source.absentBlobs?.origins(of: layer.digest) == [reference.normalized])
        try await ImageCopy(from: source, to: try LayoutImage(directory: folder.appending("out"), tag: "1")).run()
        #expect(store.hasBlob(layer.digest))
        try await shell("skopeo copy --quiet 'oci:\(folder.appending("out")):1' 'dir:\(folder.appending("check"))'")
    }

    @Test("a blob no registry-named image lists is reported missing; local names are no origin")
    func noOrigin() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let name = try ImageReference(parsing: "localhost/source/app:1")
        try await TestImage.write(into: store, folder: folder, as: name, text: "local only\n")
        let layer = try #require(try store.image(for: name).manifest?.layers.first)
        let blobs = AbsentBlobs(store: store) { _ in throw CancellationError() }
        #expect(blobs.origins(of: layer.digest).isEmpty)
        let absent = Descriptor(mediaType: layer.mediaType, digest: try Digest(parsing: "sha256:" + String(repeating: "0", count: 64)), size: 1)
        await #expect(throws: TransferError.blobMissing(source: "x", digest: absent.digest.description)) {
            try await blobs.fetch(absent, for: "x")
        }
    }
}
