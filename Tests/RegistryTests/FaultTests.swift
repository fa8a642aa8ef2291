import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

@Suite("Transfers through a fault-injecting proxy", .serialized)
struct FaultTests {
    /// A client that retries quickly, so that the suite stays short.
    static func client(lowSpeedTime: Int = 60, chunkSize: Int64? = nil) -> HTTPClient {
        var options = HTTPClientOptions()
        options.retry.baseDelay = 0.05
        options.retry.maximumDelay = 2
        options.retry.retries = 8
        options.lowSpeedTime = lowSpeedTime
        options.chunkSize = chunkSize
        return HTTPClient(options: options)
    }

    /// Pushes `source` to `target` through `host` with a fresh session.
    static func push(_ store: ImageStore, _ source: ImageReference, to target: String, host: String, client: HTTPClient) async throws -> Digest {
        let session = RegistrySession(registry: host, client: client, credentials: anonymous)
        let copy = ImageCopy(from: LayoutImage(store: store, reference: source),
                             to: RegistryImage(session: session, reference: try ImageReference(parsing: "\(host)/\(target)"), store: store))
        return try await copy.run().descriptor.digest
    }

    @Test("with 20% of requests failing (resets mid-body, 5xx, 429), pushes and pulls of a 3-layer image all succeed and skopeo verifies them")
    func seededFaults() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0.2, seed: 20)
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/big:1")
        let image = try await TestImage.writeRandom(into: store, folder: folder, as: source, sizes: [24 << 20, 2 << 20, 64 << 10])
        let client = Self.client()
        let rounds = 4
        for round in 0..<rounds {
            #expect(try await Self.push(store, source, to: "news/round\(round):1", host: proxy.host, client: client) == image.digest)
        }
        for round in 0..<rounds {
            let fresh = try ImageStore(root: URL(fileURLWithPath: folder.appending("pulled-\(round)")))
            let session = RegistrySession(registry: proxy.host, client: client, credentials: anonymous)
            #expect(try await session.pull(try ImageReference(parsing: "\(proxy.host)/news/round\(round):1"), into: fresh) == image.digest)
            try FileManager.default.removeItem(atPath: folder.appending("pulled-\(round)"))
        }
        for round in 0..<rounds {
            // Straight from the registry, past the proxy: every blob checked against the manifest.
            try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/round\(round):1 'oci:\(folder.appending("verify")):r\(round)'")
        }
        let stats = try await proxy.stats()
        let kinds: Set = ["reset-request", "reset-response", "500", "502", "503", "429"]
        let injected = stats.filter { kinds.contains($0.key) }.values.reduce(0, +)
        // A push or pull that failed threw above, so reaching this line means all of them succeeded.
        print("fault soak: pushes \(rounds), pulls \(rounds), all succeeded; requests \(stats["requests"] ?? 0), faults \(injected) \(stats); retries \(client.statistics.retries), bytes re-sent \(client.statistics.bytesResent)")
        #expect(injected > 0)
        // Every fault the proxy injected made the client retry at least once.
        #expect(client.statistics.retries >= injected)
    }

    @Test("a proxy refusing requests over 8 MiB with 413: the push switches to PATCH chunks and succeeds")
    func requestSizeCap() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0, cap: 8 << 20)
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/big:1")
        let image = try await TestImage.writeRandom(into: store, folder: folder, as: source, sizes: [20 << 20])
        #expect(try await Self.push(store, source, to: "news/capped:1", host: proxy.host, client: Self.client()) == image.digest)
        #expect((try await proxy.stats())["too-large"] ?? 0 >= 1)
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/capped:1 'oci:\(folder.appending("verify")):x'")
    }

    @Test("chunked uploads cut off mid-chunk resume from the offset the registry acknowledges")
    func chunkResume() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0.3, seed: 3, faults: ["reset-request"])
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/big:1")
        let size = 16 << 20
        let image = try await TestImage.writeRandom(into: store, folder: folder, as: source, sizes: [size])
        let client = Self.client(chunkSize: 2 << 20)
        #expect(try await Self.push(store, source, to: "news/chunks:1", host: proxy.host, client: client) == image.digest)
        #expect((try await proxy.stats())["reset-request"] ?? 0 >= 1)
        #expect(client.statistics.retries >= 1)
        // Resuming re-sends at most the chunks that were cut, never the whole blob each time.
        #expect(client.statistics.bytesResent < Int64(size))
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/chunks:1 'oci:\(folder.appending("verify")):x'")
    }

    @Test("a proxy that cuts every request over 24 MiB: the whole-blob PUT is cut once, then the blob goes in 16 MiB chunks and arrives")
    func cutPutTurnsToChunks() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0, faults: ["cut-large"], cap: 24 << 20)
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/big:1")
        let size = 40 << 20
        let image = try await TestImage.writeRandom(into: store, folder: folder, as: source, sizes: [size])
        let client = Self.client()
        #expect(try await Self.push(store, source, to: "news/cut:1", host: proxy.host, client: client) == image.digest)
        let stats = try await proxy.stats()
        // Retrying the whole PUT would be cut at the same place every time.
        #expect(stats["cut-large"] == 1, "\(stats)")
        #expect(stats["PATCH"] == 3, "\(stats)")  // 16 + 16 + 8 MiB
        #expect(client.statistics.retries == 1)
        // What the cut PUT had sent counts as sent again: part of the blob, at most all of it.
        #expect(client.statistics.bytesResent > 0 && client.statistics.bytesResent <= Int64(size))
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/cut:1 'oci:\(folder.appending("verify")):x'")
    }

    @Test("a registry that refuses PATCH chunks gets whole blobs, even with --chunk-size")
    func refusedChunks() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0, faults: ["no-patch"])
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/big:1")
        let image = try await TestImage.writeRandom(into: store, folder: folder, as: source, sizes: [12 << 20, 10 << 20])
        let client = Self.client(chunkSize: 4 << 20)
        #expect(try await Self.push(store, source, to: "news/whole:1", host: proxy.host, client: client) == image.digest)
        let stats = try await proxy.stats()
        // Refused once per blob in flight at most (both start together), then whole blobs only.
        #expect((1...2).contains(stats["no-patch"] ?? 0), "\(stats)")
        #expect(stats["PUT"] == 4, "\(stats)")  // config and both layers whole, then the manifest
        #expect(client.statistics.retries == 0)
        #expect(try await remoteDigest("\(registry.host)/news/whole:1") == image.digest.description)
    }

    @Test("a stalled answer times out on the low-speed limit and is sent again")
    func stalls() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        // The proxy resets a stalled connection once the stall ends, which alone would make the
        // client retry: the stall is long enough that only the low-speed limit can end it in time.
        let stall = 30.0
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 0.3, seed: 5, faults: ["stall"], stall: stall)
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        let image = try await TestImage.write(into: store, folder: folder, as: source, text: "stall\n")
        let client = Self.client(lowSpeedTime: 1)
        let started = Date()
        #expect(try await Self.push(store, source, to: "news/stall:1", host: proxy.host, client: client) == image.digest)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < stall / 2, "the push took \(elapsed) s: a stall was waited out, not timed out")
        #expect((try await proxy.stats())["stall"] ?? 0 >= 1)
        #expect(client.statistics.retries >= 1)
    }

    @Test("a 429 asking for an hour is reported at once, not retried")
    func quotaExhausted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let proxy = try await FaultProxy.start(in: folder, upstream: registry.port, rate: 1, faults: ["quota"])
        defer { proxy.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        try await TestImage.write(into: store, folder: folder, as: source, text: "quota\n")
        let client = Self.client()
        let started = Date()
        let error = await #expect(throws: PushError.self) { try await Self.push(store, source, to: "news/quota:1", host: proxy.host, client: client) }
        #expect(error?.description.contains("429") == true)
        #expect(client.statistics.retries == 0)
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
