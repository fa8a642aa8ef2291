import Archive
import Foundation
import ImageModel
import Store

/// What a pull did with one blob: the events of a copy (`copied` is a blob received).
public typealias PullEvent = CopyEvent

extension Platform {
    /// The platform gantry runs on, as OCI names it (`linux/amd64`, `linux/arm64`).
    public static var host: Platform {
        #if arch(x86_64)
        Platform(architecture: "amd64", os: "linux")
        #elseif arch(arm64)
        Platform(architecture: "arm64", os: "linux", variant: "v8")
        #else
        Platform(architecture: "unknown", os: "linux")
        #endif
    }

    /// `os/arch[/variant]`.
    public var shortName: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }

    /// Parses `os/arch[/variant]`; nil when it has not two or three non-empty parts.
    public init?(shortName: String) {
        let parts = shortName.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    /// Whether an index entry for `self` serves a request for `wanted`: os and architecture equal, and
    /// the variant equal when the request names one (arm64's `v8` is also its default).
    public func serves(_ wanted: Platform) -> Bool {
        guard os == wanted.os, architecture == wanted.architecture else { return false }
        guard let variant = wanted.variant else { return true }
        return self.variant == variant || (self.variant == nil && architecture == "arm64" && variant == "v8")
    }
}

extension ImageIndex {
    /// The image manifest of this index that serves `platform` (the first one).
    /// - Throws: `PullError.noMatchingPlatform` for `reference`, naming the platforms the index has.
    func manifest(for platform: Platform, reference: String) throws(PullError) -> Descriptor {
        let candidates = manifests.filter { MediaType.imageManifests.contains($0.mediaType) }
        guard let chosen = candidates.first(where: { $0.platform?.serves(platform) == true }) else {
            throw .noMatchingPlatform(reference: reference, wanted: platform.shortName, available: candidates.compactMap { $0.platform?.shortName })
        }
        return chosen
    }
}

/// Holds the store's writer for curl's write callback, which runs on one thread at a time; a
/// download that has to start over gets a fresh writer.
private final class StreamingBlob: @unchecked Sendable {
    private(set) var writer: BlobWriter
    init(_ writer: BlobWriter) { self.writer = writer }
    func restart(in store: ImageStore) throws(StoreError) {
        writer.abort()
        writer = try store.beginBlob()
    }
}

extension RegistrySession {

    /// Pulls an image into the store: the manifest by tag or digest (an index resolves to `platform`),
    /// then the config and layers, streamed and verified, skipping blobs the store has; the reference is
    /// tagged only when every blob is in.
    ///
    /// With `layers: false` only the manifest and config are stored (a lazy pull, for a base that a
    /// build appends to): the tag then stands for an image whose layers `AbsentBlobs` fetches from
    /// this registry when something needs their bytes.
    /// - Parameters:
    ///   - reference: the image; its registry must be this session's.
    ///   - store: where the blobs and the tag go.
    ///   - platform: the platform to pick from an index.
    ///   - layers: whether to download the layers too.
    ///   - progress: told about each config and layer blob.
    /// - Returns: the digest of the top manifest (the index when the reference names one).
    /// - Throws: `PullError` for a missing image, a wrong digest, an unknown media type or no matching
    ///   platform; `RegistryError` for transport and authentication failures.
    @discardableResult
    public func pull(_ reference: ImageReference, into store: ImageStore, platform: Platform = .host, layers: Bool = true,
                     progress: @escaping @Sendable (PullEvent) -> Void = { _ in }) async throws -> Digest {
        let name = reference.pullReference.description
        let top = try await fetchManifest(reference.manifestSelector,
                                          expected: reference.digest, reference: name, repository: reference.path, store: store).descriptor
        var manifestDescriptor = top
        if MediaType.indexes.contains(top.mediaType) {
            let index: ImageIndex
            do { index = try store.decodeBlob(ImageIndex.self, digest: top.digest) } catch {
                throw PullError.invalidDocument(reference: name, object: "index \(top.digest)", reason: String(describing: error))
            }
            let chosen = try index.manifest(for: platform, reference: name)
            manifestDescriptor = try await fetchManifest(chosen.digest.description, expected: chosen.digest, reference: name,
                                                         repository: reference.path, store: store).descriptor
            guard MediaType.imageManifests.contains(manifestDescriptor.mediaType) else {
                throw PullError.unknownMediaType(reference: name, mediaType: manifestDescriptor.mediaType)
            }
        }
        let manifest: ImageManifest
        do { manifest = try store.decodeBlob(ImageManifest.self, digest: manifestDescriptor.digest) } catch {
            throw PullError.invalidDocument(reference: name, object: "manifest \(manifestDescriptor.digest)", reason: String(describing: error))
        }
        // One transfer per digest, a few at a time (`--jobs`).
        var seen = Set<Digest>()
        var pending = ([manifest.config] + (layers ? manifest.layers : [])).filter { seen.insert($0.digest).inserted }[...]
        try await withThrowingTaskGroup(of: PullEvent.self) { group in
            func start(_ blob: Descriptor) {
                group.addTask {
                    if store.hasBlob(blob.digest) { return .exists(blob) }
                    try await self.fetchBlob(blob, reference: name, repository: reference.path, store: store, observer: BlobObserver(blob, progress))
                    return .copied(blob)
                }
            }
            for _ in 0..<max(1, client.options.jobs) {
                guard let blob = pending.popFirst() else { break }
                start(blob)
            }
            while let event = try await group.next() {
                progress(event)
                if let blob = pending.popFirst() { start(blob) }
            }
        }
        do { try store.tag(top, as: reference.pullReference) } catch {
            throw PullError.store(reference: name, reason: String(describing: error))
        }
        return top.digest
    }

    /// GETs a manifest or index, checks its bytes against `expected` or the registry's
    /// `Docker-Content-Digest`, and stores them; returns them too.
    func fetchManifest(_ tagOrDigest: String, expected: Digest?, reference: String, repository: String, store: ImageStore) async throws -> ManifestDocument {
        let document = try await fetchManifest(tagOrDigest, expected: expected, reference: reference, repository: repository)
        do throws(StoreError) {
            try store.writeBlob(document.bytes, mediaType: document.descriptor.mediaType, expected: document.descriptor.digest)
            return document
        } catch {
            throw PullError.blobRejected(reference: reference, object: "manifest \(tagOrDigest)", reason: error.description)
        }
    }

    /// GETs a manifest or index and checks its bytes against `expected` or, without one, the
    /// registry's `Docker-Content-Digest`.
    /// - Throws: `PullError.notFound`, `.unknownMediaType`, `.blobRejected` for bytes of another
    ///   digest, `.unexpectedStatus`, and `RegistryError`.
    public func fetchManifest(_ tagOrDigest: String, expected: Digest?, reference: String, repository: String) async throws -> ManifestDocument {
        var headers = HTTPHeaders()
        headers.set("Accept", (MediaType.imageManifests + MediaType.indexes).joined(separator: ", "))
        let response = try await send("GET", "/v2/\(repository)/manifests/\(tagOrDigest)", repository: repository,
                                      scopes: [.pull(repository)], headers: headers, sink: .collect(limit: Int(ImageStore.maximumDocumentSize)))
        if response.status == 404 { throw PullError.notFound(reference: reference) }
        guard response.isSuccess else { throw PullError.unexpectedStatus(reference: reference, object: "manifest \(tagOrDigest)", status: response.status) }
        let declared = Self.mediaType(of: response)
        guard MediaType.imageManifests.contains(declared) || MediaType.indexes.contains(declared) else {
            throw PullError.unknownMediaType(reference: reference, mediaType: declared.isEmpty ? "(none)" : declared)
        }
        let actual = try Digester.digest(of: response.body)
        let announced = response.headers["Docker-Content-Digest"].flatMap { try? Digest(parsing: $0) }
        if let wanted = expected ?? announced, wanted != actual {
            throw PullError.blobRejected(reference: reference, object: "manifest \(tagOrDigest)",
                                         reason: "its bytes have digest \(actual), not \(wanted)")
        }
        let descriptor = Descriptor(mediaType: declared, digest: actual, size: Int64(response.body.count))
        return ManifestDocument(descriptor: descriptor, bytes: response.body)
    }

    /// Streams one blob into the store; the writer checks digest and size before it is committed.
    /// A dropped connection or a passing server error resumes the download where it stopped, with a
    /// `Range` request (or from the start when the registry ignores it), as the retry policy allows.
    func fetchBlob(_ blob: Descriptor, reference: String, repository: String, store: ImageStore, observer: BlobObserver = .none) async throws {
        let streaming: StreamingBlob
        do { streaming = StreamingBlob(try store.beginBlob()) } catch { throw PullError.store(reference: reference, reason: error.description) }
        let policy = client.options.retry
        var attempt = 0
        while true {
            let offset = streaming.writer.bytesWritten
            var headers = HTTPHeaders()
            if offset > 0 { headers.set("Range", "bytes=\(offset)-") }
            var retryAfter: String?
            do {
                let response = try await send("GET", "/v2/\(repository)/blobs/\(blob.digest)", repository: repository, scopes: [.pull(repository)],
                                              headers: headers, sink: .stream { data in
                                                  try streaming.writer.write(data)
                                                  observer.bytes(streaming.writer.bytesWritten)
                                              })
                if response.isSuccess {
                    if offset > 0 && response.status != 206 {
                        // The whole blob came again after the part already written: start over.
                        try streaming.restart(in: store)
                        client.statistics.recordRetry(resending: offset)
                        continue
                    }
                    break
                }
                guard attempt < policy.retries, RetryPolicy.retryableStatuses.contains(response.status), !policy.isQuotaExhausted(response) else {
                    streaming.writer.abort()
                    throw PullError.unexpectedStatus(reference: reference, object: "blob \(blob.digest)", status: response.status)
                }
                retryAfter = response.headers["Retry-After"]
            } catch let error as RegistryError where error.isTransient && attempt < policy.retries && !Task.isCancelled {
                // Resumed below from what the writer holds.
            } catch {
                streaming.writer.abort()
                throw error
            }
            observer.retrying(attempt + 1)
            client.statistics.recordRetry(resending: 0)
            await client.sleepBeforeRetry(attempt, retryAfter: retryAfter)
            attempt += 1
        }
        do { try streaming.writer.commit(expected: blob.digest, expectedSize: blob.size) } catch {
            throw PullError.blobRejected(reference: reference, object: "blob \(blob.digest)", reason: error.description)
        }
    }

    /// The manifest's media type: the `Content-Type` header, else the document's `mediaType` member.
    static func mediaType(of response: HTTPResponse) -> String {
        struct Probe: Decodable { var mediaType: String? }
        let header = response.headers["Content-Type"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if MediaType.imageManifests.contains(header) || MediaType.indexes.contains(header) { return header }
        return (try? JSONDecoder().decode(Probe.self, from: response.body))?.mediaType ?? header
    }

}
