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

    /// Uploads a blob from a file: `POST` opens an upload, one `PUT …&digest=` sends the whole file,
    /// and the registry's `Docker-Content-Digest` must name the same digest.
    /// - Throws: `PushError.unexpectedStatus` when the registry refuses, `.digestMismatch` when it
    ///   stored other bytes, and `RegistryError`.
    public func uploadBlob(_ descriptor: Descriptor, file: URL, repository: String) async throws {
        let name = "\(registry)/\(repository)"
        let opened = try await send("POST", "/v2/\(repository)/blobs/uploads/", repository: repository, scopes: [.push(repository)])
        guard opened.status == 202, let location = uploadLocation(opened) else {
            throw PushError.unexpectedStatus(repository: name, object: "upload of blob \(descriptor.digest)", status: opened.status)
        }
        guard var components = URLComponents(url: location, resolvingAgainstBaseURL: true) else {
            throw PushError.unexpectedStatus(repository: name, object: "upload location of blob \(descriptor.digest)", status: opened.status)
        }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: descriptor.digest.description)]
        guard let target = components.url else {
            throw PushError.unexpectedStatus(repository: name, object: "upload location of blob \(descriptor.digest)", status: opened.status)
        }
        let headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
        let response = try await send("PUT", url: target, repository: repository, scopes: [.push(repository)], headers: headers,
                                      body: .file(path: file.path))
        guard response.status == 201 else {
            throw PushError.unexpectedStatus(repository: name, object: "blob \(descriptor.digest)", status: response.status,
                                             detail: Self.errorDetail(response))
        }
        try check(response, stored: descriptor.digest, object: "blob", repository: name)
    }

    /// Puts a manifest under a tag or its digest, byte for byte, with its media type as `Content-Type`.
    /// - Returns: the digest the registry reports (it must be the bytes' own).
    /// - Throws: `PushError.unexpectedStatus` when the registry refuses (its error text quoted),
    ///   `.digestMismatch`, and `RegistryError`.
    @discardableResult
    public func putManifest(_ document: ManifestDocument, reference tagOrDigest: String, repository: String) async throws -> Digest {
        let name = "\(registry)/\(repository)"
        let base = try await ping()
        guard let url = URL(string: base.absoluteString + "/v2/\(repository)/manifests/\(tagOrDigest)") else {
            throw RegistryError.invalidRegistryName(name)
        }
        let headers = HTTPHeaders([("Content-Type", document.descriptor.mediaType)])
        let response = try await send("PUT", url: url, repository: repository, scopes: [.push(repository)], headers: headers,
                                      body: .data(document.bytes))
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
