import Foundation
import ImageModel

extension RegistrySession {
    /// Whether the repository has the blob (`HEAD /v2/REPO/blobs/DIGEST` answers 200).
    /// - Throws: `PushError.unexpectedStatus` for an answer other than 200 or 404, and `RegistryError`.
    public func hasBlob(_ digest: Digest, repository: String) async throws -> Bool {
        let response = try await send("HEAD", "/v2/\(repository)/blobs/\(digest)", repository: repository, scopes: [.push(repository)])
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw PushError.unexpectedStatus(repository: "\(registry)/\(repository)", object: "blob \(digest)", status: response.status)
        }
    }

    /// The digest of the manifest the repository holds under a tag or digest
    /// (`HEAD /v2/REPO/manifests/REF`, its `Docker-Content-Digest`), asked with push scope so that
    /// the push that may follow reuses the token.
    /// - Returns: nil when there is none (404), or when the registry does not say (no header, or
    ///   another answer: the push that follows reports real refusals).
    public func manifestDigest(_ tagOrDigest: String, repository: String) async throws -> Digest? {
        var headers = HTTPHeaders()
        headers.set("Accept", (MediaType.imageManifests + MediaType.indexes).joined(separator: ", "))
        let response = try await send("HEAD", "/v2/\(repository)/manifests/\(tagOrDigest)", repository: repository,
                                      scopes: [.push(repository)], headers: headers)
        guard response.status == 200 else { return nil }
        return response.headers["Docker-Content-Digest"].flatMap { try? Digest(parsing: $0) }
    }

    /// Asks the registry to mount a blob from another of its repositories
    /// (`POST /v2/REPO/blobs/uploads/?mount=DIGEST&from=OTHER`).
    /// - Returns: true when the registry mounted it (201); false when it opened an upload instead
    ///   (202, which is cancelled) or cannot read the other repository.
    public func mountBlob(_ digest: Digest, repository: String, from other: String) async throws -> Bool {
        let path = "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(other)"
        let response = try await send("POST", path, repository: repository, scopes: [.push(repository), .pull(other)])
        if response.status == 201 { return true }
        if response.status == 202, let location = uploadLocation(response) {
            // The registry opened an upload instead; leave no session behind.
            _ = try? await send("DELETE", url: location, repository: repository, scopes: [.push(repository)], body: nil)
        }
        return false
    }

    /// Uploads a blob from a file: `POST` opens an upload, then one `PUT …&digest=` sends the whole
    /// file, or `PATCH` requests send it in chunks (with `--chunk-size`, when the registry announces
    /// `OCI-Chunk-Min-Length`, or after it refused a large request with 413) and an empty `PUT`
    /// closes it. A chunk that fails is resumed from the offset the registry acknowledges; an upload
    /// the registry lost, or a `PUT` cut off, starts over with a new session, as the retry policy allows.
    /// The registry's `Docker-Content-Digest` must name the blob's digest.
    /// - Throws: `PushError.unexpectedStatus` when the registry refuses, `.digestMismatch` when it
    ///   stored other bytes, and `RegistryError`.
    public func uploadBlob(_ descriptor: Descriptor, file: URL, repository: String, observer: BlobObserver = .none) async throws {
        let policy = client.options.retry
        var attempt = 0
        while true {
            let sent = HighWaterMark()
            var chunked = false
            do {
                try await uploadOnce(descriptor, file: file, repository: repository, observer: observer.counting(into: sent), chunked: &chunked)
                return
            } catch {
                if case PushError.chunksRefused = error {
                    // Not a fault: this registry takes whole blobs only (GitHub's did not take chunks).
                    // Bounded: no attempt from now on sends chunks.
                    chunksRefused = true
                    continue
                }
                guard attempt < policy.retries, !Task.isCancelled, Self.isWorthRetrying(error) else { throw error }
                attempt += 1
                observer.retrying(attempt)
                if case PushError.requestTooLarge = error {
                    // A size limit, not a fault: the next attempt goes in chunks at once, smaller than this blob.
                    chunkSizeLearned = min(chunkSizeLearned ?? Self.defaultChunkSize, max(1 << 20, descriptor.size / 2))
                    continue
                }
                if !chunked && !chunksRefused && sent.value > 0 && descriptor.size > 2 * Self.defaultChunkSize {
                    // A whole-blob PUT failed after sending bytes (cut by the network, or refused at its end),
                    // and a registry cannot resume one: from now on large blobs go in chunks, so that the next
                    // failure costs at most a chunk, and a proxy that cuts every long request lets them through.
                    chunkSizeLearned = chunkSizeLearned ?? Self.defaultChunkSize
                }
                // A whole-blob PUT goes again in full; chunks count their own re-sent bytes.
                client.statistics.recordRetry(resending: chunked ? 0 : sent.value)
                await client.sleepBeforeRetry(attempt - 1)
            }
        }
    }

    /// The chunk size used after a registry refused a whole blob with 413, or after the network cut a
    /// whole-blob upload; a blob goes whole until then (fastest where nothing fails: one request, and
    /// the registry need not keep a session's state between chunks).
    static let defaultChunkSize: Int64 = 16 << 20

    /// One upload session; `chunked` tells the caller whether it sent the blob in chunks.
    private func uploadOnce(_ descriptor: Descriptor, file: URL, repository: String, observer: BlobObserver,
                            chunked: inout Bool) async throws {
        let name = "\(registry)/\(repository)"
        // Not retried here: uploadBlob retries the whole attempt (retrying both would multiply the tries).
        let opened = try await send("POST", "/v2/\(repository)/blobs/uploads/", repository: repository, scopes: [.push(repository)],
                                    retrying: false)
        guard opened.status == 202, let location = uploadLocation(opened) else {
            throw PushError.unexpectedStatus(repository: name, object: "upload of blob \(descriptor.digest)", status: opened.status,
                                             detail: Self.errorDetail(opened))
        }
        do {
            let minimum = opened.headers["OCI-Chunk-Min-Length"].flatMap { Int64($0) }
            let chunk = chunkSize(for: descriptor.size, registryMinimum: minimum)
            chunked = chunk != nil
            try await finishUpload(descriptor, file: file, repository: repository, location: location, chunkSize: chunk, observer: observer)
        } catch {
            let refused = if case PushError.chunksRefused = error { true } else { false }
            if Task.isCancelled || refused {
                // Interrupted, or left for a whole-blob upload: tell the registry to drop the session
                // (outside the cancelled task).
                let session = self
                await Task.detached {
                    _ = try? await session.send("DELETE", url: location, repository: repository, scopes: [.push(repository)], body: nil, retrying: false)
                }.value
            }
            throw error
        }
    }

    /// The size of the chunks this blob goes in; nil when it goes whole (the default, and for a
    /// registry that refused chunks). `--chunk-size` first, then what this session learned (a 413, a
    /// cut upload), then the registry's `OCI-Chunk-Min-Length`, which no chunk may be under.
    private func chunkSize(for size: Int64, registryMinimum minimum: Int64?) -> Int64? {
        guard !chunksRefused,
              let chunk = client.options.chunkSize ?? chunkSizeLearned ?? minimum.map({ max($0, Self.defaultChunkSize) }),
              size > chunk else { return nil }
        return max(chunk, minimum ?? 1)
    }

    /// Sends the blob into an open session, whole or in `chunkSize` chunks, and closes it with `PUT`.
    private func finishUpload(_ descriptor: Descriptor, file: URL, repository: String, location: URL, chunkSize: Int64?,
                              observer: BlobObserver) async throws {
        let name = "\(registry)/\(repository)"
        var closing = location
        if let chunkSize {
            closing = try await sendChunks(descriptor, file: file, repository: repository, location: location, chunkSize: chunkSize,
                                           observer: observer)
        }
        let chunked = chunkSize != nil
        let target = try Self.appendingDigest(descriptor.digest, to: closing, repository: name)
        let response = try await send("PUT", url: target, repository: repository, scopes: [.push(repository)],
                                      headers: HTTPHeaders([("Content-Type", "application/octet-stream")]),
                                      body: chunked ? nil : .file(path: file.path), retrying: false,
                                      uploadProgress: chunked ? nil : observer.bytes)
        if response.status == 413 { throw PushError.requestTooLarge(repository: name, object: "blob \(descriptor.digest)") }
        guard response.status == 201 else {
            throw PushError.unexpectedStatus(repository: name, object: "blob \(descriptor.digest)", status: response.status,
                                             detail: Self.errorDetail(response))
        }
        try check(response, stored: descriptor.digest, object: "blob", repository: name)
    }

    /// Sends the file in `PATCH` chunks; returns the upload location to close with `PUT`.
    private func sendChunks(_ descriptor: Descriptor, file: URL, repository: String, location start: URL, chunkSize: Int64,
                            observer: BlobObserver) async throws -> URL {
        let name = "\(registry)/\(repository)"
        let policy = client.options.retry
        var location = start
        var offset: Int64 = 0
        var chunk = chunkSize
        var failures = 0
        while offset < descriptor.size {
            let length = min(chunk, descriptor.size - offset)
            var headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
            headers.set("Content-Range", "\(offset)-\(offset + length - 1)")
            do {
                let response = try await send("PATCH", url: location, repository: repository, scopes: [.push(repository)], headers: headers,
                                              body: .fileRange(path: file.path, offset: offset, length: length), retrying: false,
                                              uploadProgress: { [offset] sent in observer.bytes(offset + sent) })
                if [202, 201, 204].contains(response.status) {
                    // Some registries (Amazon ECR) answer 201 or repeat a stale Range: count the offset here.
                    location = uploadLocation(response) ?? location
                    offset += length
                    failures = 0  // the retry budget is for failures in a row, without progress
                    continue
                }
                if response.status == 413, chunk > 1 << 20 {
                    chunk /= 2
                    continue
                }
                if offset == 0 && failures == 0 && [400, 405, 416, 501].contains(response.status) {
                    throw PushError.chunksRefused(repository: name, object: "blob \(descriptor.digest)", status: response.status)
                }
                guard response.status == 416 || RetryPolicy.retryableStatuses.contains(response.status) else {
                    throw PushError.unexpectedStatus(repository: name, object: "chunk \(offset)-\(offset + length - 1) of blob \(descriptor.digest)",
                                                     status: response.status, detail: Self.errorDetail(response))
                }
            } catch let error as RegistryError where error.isTransient && !Task.isCancelled {
                // Fall through to ask the registry where the upload stands.
            }
            failures += 1
            observer.retrying(failures)
            guard failures <= policy.retries else {
                throw PushError.unexpectedStatus(repository: name, object: "chunks of blob \(descriptor.digest)", status: 0,
                                                 detail: "gave up after \(policy.retries) retries")
            }
            await client.sleepBeforeRetry(failures - 1)
            let status = try await send("GET", url: location, repository: repository, scopes: [.push(repository)], body: nil)
            guard status.status == 204 || status.status == 202 else {
                // The registry lost the session: start over.
                throw PushError.uploadLost(repository: name, object: "blob \(descriptor.digest)", status: status.status)
            }
            location = uploadLocation(status) ?? location
            let acknowledged = Self.rangeEnd(status.headers["Range"]).map { $0 + 1 } ?? 0
            // At most the chunk in flight goes again, plus anything the registry dropped before it.
            client.statistics.recordRetry(resending: max(0, offset + length - acknowledged))
            offset = min(acknowledged, descriptor.size)
        }
        return location
    }

    /// The last byte of a `Range: 0-N` (or `bytes=0-N`) header.
    static func rangeEnd(_ header: String?) -> Int64? {
        guard let header, let dash = header.lastIndex(of: "-") else { return nil }
        return Int64(header[header.index(after: dash)...].trimmingCharacters(in: .whitespaces))
    }

    /// The upload URL with `digest=` added to its query.
    static func appendingDigest(_ digest: Digest, to location: URL, repository: String) throws -> URL {
        guard var components = URLComponents(url: location, resolvingAgainstBaseURL: true) else {
            throw PushError.unexpectedStatus(repository: repository, object: "upload location \(location)", status: 202)
        }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        guard let url = components.url else {
            throw PushError.unexpectedStatus(repository: repository, object: "upload location \(location)", status: 202)
        }
        return url
    }

    /// Whether a failed upload may succeed when started over.
    static func isWorthRetrying(_ error: any Error) -> Bool {
        switch error {
        case let error as RegistryError:
            return error.isTransient
        case let PushError.unexpectedStatus(_, _, status, detail):
            if RetryPolicy.retryableStatuses.contains(status) { return true }
            // A PUT cut off mid-body leaves the session broken or its bytes short.
            let code = detail?.split(separator: ":").first.map(String.init) ?? ""
            return (status == 400 || status == 404) && ["DIGEST_INVALID", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "SIZE_INVALID"].contains(code)
        case PushError.uploadLost, PushError.requestTooLarge:
            return true
        default:
            return false
        }
    }

    /// Puts a manifest under a tag or its digest, byte for byte, with its media type as `Content-Type`.
    /// - Returns: the digest the registry reports (it must be the bytes' own).
    /// - Throws: `PushError.unexpectedStatus` when the registry refuses (its error text quoted),
    ///   `.digestMismatch`, and `RegistryError`.
    @discardableResult
    public func putManifest(_ document: ManifestDocument, reference tagOrDigest: String, repository: String) async throws -> Digest {
        let name = "\(registry)/\(repository)"
        let headers = HTTPHeaders([("Content-Type", document.descriptor.mediaType)])
        let response = try await send("PUT", "/v2/\(repository)/manifests/\(tagOrDigest)", repository: repository, scopes: [.push(repository)],
                                      headers: headers, body: .data(document.bytes))
        guard response.status == 201 || response.status == 200 else {
            throw PushError.unexpectedStatus(repository: name, object: "manifest \(tagOrDigest)", status: response.status,
                                             detail: Self.errorDetail(response))
        }
        try check(response, stored: document.descriptor.digest, object: "manifest", repository: name)
        return document.descriptor.digest
    }

    /// The `Location` of an upload, resolved against the registry's URL.
    private func uploadLocation(_ response: HTTPResponse) -> URL? {
        guard let location = response.headers["Location"] else { return nil }
        return URL(string: location, relativeTo: response.url)?.absoluteURL
    }

    /// Fails when the registry's `Docker-Content-Digest` names other bytes than were sent.
    private func check(_ response: HTTPResponse, stored digest: Digest, object: String, repository: String) throws {
        guard let header = response.headers["Docker-Content-Digest"], !header.isEmpty else { return }
        guard header == digest.description else {
            throw PushError.digestMismatch(repository: repository, object: "\(object) \(digest)", reported: header)
        }
    }

    /// The first error message of a registry's JSON error body (`{"errors":[{"code","message"}]}`).
    static func errorDetail(_ response: HTTPResponse) -> String? {
        struct Body: Decodable {
            struct Entry: Decodable { var code: String?; var message: String? }
            var errors: [Entry]?
        }
        guard let first = (try? JSONDecoder().decode(Body.self, from: response.body))?.errors?.first else { return nil }
        return [first.code, first.message].compactMap { $0 }.joined(separator: ": ")
    }
}
