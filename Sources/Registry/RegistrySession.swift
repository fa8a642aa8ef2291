import Foundation
import ImageModel

/// An authenticated conversation with one registry: pings `/v2/`, answers its challenge with Basic
/// credentials or a Bearer token from the realm, caches tokens per scope until they expire, and on a
/// 401 that names a new scope merges scopes and authenticates once more.
public actor RegistrySession {
    /// The registry host, `HOST` or `HOST:PORT`.
    public nonisolated let registry: String
    /// The transport, with its retry policy and statistics.
    public nonisolated let client: HTTPClient
    let search: CredentialSearch
    private var base: URL?
    private(set) var challenge: AuthChallenge?
    private var tokens: [String: (token: String, expires: Date)] = [:]
    private var pinging: Task<Result<RegistryPing, RegistryError>, Never>?
    /// The chunk size uploads use after the registry refused a whole blob as too large, or after
    /// the network cut a whole-blob upload.
    var chunkSizeLearned: Int64?
    /// Whether the registry refused a chunked upload: blobs then go whole, whatever the options say.
    var chunksRefused = false

    /// Makes a session.
    /// - Parameters:
    ///   - registry: the registry host.
    ///   - client: the transport.
    ///   - credentials: what `CredentialStore` found for the registry (nil credentials: anonymous).
    public init(registry: String, client: HTTPClient, credentials: CredentialSearch) {
        self.registry = registry
        self.client = client
        self.search = credentials
    }

    /// The host a registry's API answers on: Docker Hub's name in references (`docker.io`) is not it.
    public static func apiHost(forDomain domain: String) -> String {
        domain == ImageReference.defaultDomain ? "registry-1.docker.io" : domain
    }

    /// Sends `method` to a path under the registry's base URL (`/v2/news/app/tags/list`), authenticated
    /// for the given scopes; returns the response whatever its status, except 401.
    /// - Throws: `RegistryError.unauthorized` when the registry still answers 401, `.tokenRequestFailed`
    ///   when the token server refuses, and the transport's errors.
    public func send(_ method: String = "GET", _ path: String, repository: String, scopes: [AuthScope],
                     headers: HTTPHeaders = HTTPHeaders(), body: HTTPRequestBody? = nil, sink: HTTPResponseSink = .collect(limit: 4 << 20),
                     retrying: Bool = true) async throws(RegistryError) -> HTTPResponse {
        let base = try await ping()
        guard let url = URL(string: base.absoluteString + path) else { throw .invalidRegistryName(registry + path) }
        return try await send(method, url: url, repository: repository, scopes: scopes, headers: headers, body: body, sink: sink,
                              retrying: retrying)
    }

    /// Sends `method` to an absolute URL of this registry (an upload `Location`), authenticated for the
    /// given scopes; returns the response whatever its status, except 401.
    /// Requests that a failure leaves in an unknown state (a `PATCH`) pass `retrying: false`.
    /// - Throws: as `send(_:_:repository:scopes:headers:sink:)`.
    public func send(_ method: String, url: URL, repository: String, scopes: [AuthScope], headers: HTTPHeaders = HTTPHeaders(),
                     body: HTTPRequestBody?, sink: HTTPResponseSink = .collect(limit: 4 << 20),
                     retrying: Bool = true, uploadProgress: (@Sendable (Int64) -> Void)? = nil) async throws(RegistryError) -> HTTPResponse {
        try await ping()
        var scopes = AuthScope.merge(scopes)
        var renewed = false
        while true {
            var request = HTTPRequest(method: method, url: url, headers: headers, body: body)
            request.uploadProgress = uploadProgress
            if let authorization = try await authorization(scopes: scopes, repository: repository, fresh: renewed) {
                request.headers.set("Authorization", authorization)
            }
            let response = retrying ? try await client.sendRetrying(request, sink: sink) : try await client.send(request, sink: sink)
            guard response.status == 401 else { return response }
            let answered = (try? AuthChallenge.parse(headers: response.headers.values("WWW-Authenticate"), from: registry)) ?? []
            // Retry once: with a token for the scopes the 401 names, or with a first challenge.
            let bearer = answered.first { $0.scheme == "bearer" }
            let basic = challenge == nil ? answered.first { $0.scheme == "basic" } : nil
            guard !renewed, let next = bearer ?? basic else { throw unauthorized(repository: repository) }
            challenge = next
            scopes = AuthScope.merge(scopes + next.scopes.compactMap(AuthScope.init(parsing:)))
            renewed = true
        }
    }

    /// Pings `/v2/` once and remembers the base URL and the challenge. Callers that arrive while the
    /// ping is in flight (the blobs of a push start together) wait for it instead of pinging again:
    /// for a loopback registry each ping is an HTTPS attempt (loading the CA bundle, ~45 ms of CPU)
    /// and then the plain HTTP one.
    @discardableResult
    public func ping() async throws(RegistryError) -> URL {
        if let base { return base }
        let task: Task<Result<RegistryPing, RegistryError>, Never>
        if let inFlight = pinging {
            task = inFlight
        } else {
            let client = self.client, registry = self.registry
            task = Task {
                do throws(RegistryError) { return .success(try await client.ping(registry)) } catch { return .failure(error) }
            }
            pinging = task
        }
        let result = await task.value
        if let base { return base }
        if pinging == task { pinging = nil }  // a failed ping is tried again by the next caller
        let ping: RegistryPing
        switch result {
        case let .success(answer): ping = answer
        case let .failure(error): throw error
        }
        if ping.response.status == 401 {
            let challenges = try AuthChallenge.parse(headers: ping.response.headers.values("WWW-Authenticate"), from: registry)
            challenge = challenges.first { $0.scheme == "bearer" } ?? challenges.first { $0.scheme == "basic" }
        }
        base = ping.baseURL
        return ping.baseURL
    }

    private func authorization(scopes: [AuthScope], repository: String, fresh: Bool) async throws(RegistryError) -> String? {
        guard let challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            guard let basic = search.credentials?.basicAuthorization else { throw unauthorized(repository: repository) }
            return basic
        case "bearer":
            let key = scopes.map(\.description).sorted().joined(separator: " ")
            if !fresh, let cached = tokens[key], cached.expires > Date() { return "Bearer " + cached.token }
            let token = try await fetchToken(challenge, scopes: scopes)
            tokens[key] = (token.token, token.expires)
            return "Bearer " + token.token
        default:
            return nil
        }
    }

    private struct TokenAnswer: Decodable {
        var token: String?
        var access_token: String?
        var expires_in: Int?
        var refresh_token: String?
    }

    /// A token from the realm, and the refresh token (identity token) it came with, if one was asked for.
    struct IssuedToken {
        let token: String
        let expires: Date
        let refreshToken: String?
    }

    /// Fetches a token for `scopes`. With `offline`, the request asks for a refresh token as docker's
    /// login does (`offline_token=true`, `client_id`, `account`).
    func fetchToken(_ challenge: AuthChallenge, scopes: [AuthScope], offline: Bool = false) async throws(RegistryError) -> IssuedToken {
        guard let realm = challenge.realm, let realmURL = URL(string: realm), var components = URLComponents(url: realmURL, resolvingAgainstBaseURL: false) else {
            throw .malformedChallenge(registry: registry, header: "Bearer realm=\(challenge.realm ?? "")", reason: "the realm is not a URL")
        }
        var request: HTTPRequest
        let credentials = search.credentials
        if let identityToken = credentials?.identityToken {
            var form = URLComponents()
            form.queryItems = [URLQueryItem(name: "grant_type", value: "refresh_token"), URLQueryItem(name: "refresh_token", value: identityToken),
                               URLQueryItem(name: "client_id", value: "gantry")]
                + (challenge.service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + [URLQueryItem(name: "scope", value: scopes.map(\.description).joined(separator: " "))]
            let body = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
            request = HTTPRequest(method: "POST", url: realmURL, headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
                                  body: .data(Data(body.utf8)))
        } else {
            components.queryItems = (components.queryItems ?? []) + (challenge.service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + scopes.map { URLQueryItem(name: "scope", value: $0.description) }
            if offline, let username = credentials?.username {
                components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "offline_token", value: "true"),
                                                                         URLQueryItem(name: "client_id", value: "gantry"),
                                                                         URLQueryItem(name: "account", value: username)]
            }
            guard let url = components.url else { throw .invalidRegistryName(realm) }
            request = HTTPRequest(url: url)
            if let basic = credentials?.basicAuthorization { request.headers.set("Authorization", basic) }
        }
        let response = try await client.sendRetrying(request, sink: .collect(limit: 1 << 20))
        let realmHost = HTTPClient.hostAndPort(realmURL)
        guard response.isSuccess else {
            throw .tokenRequestFailed(registry: registry, realm: realmHost, status: response.status,
                                      fix: credentials == nil ? "run 'gantry login \(registry)'" : "check the credentials from \(credentials?.source ?? "")")
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: response.body), let token = answer.token ?? answer.access_token, !token.isEmpty else {
            throw .tokenRequestFailed(registry: registry, realm: realmHost, status: response.status, fix: "the answer holds no token; report this to the registry's operator")
        }
        // Renew a little early so that a token never expires in flight.
        let lifetime = max(Double(answer.expires_in ?? 60) - 10, 1)
        return IssuedToken(token: token, expires: Date().addingTimeInterval(lifetime),
                           refreshToken: answer.refresh_token.flatMap { $0.isEmpty ? nil : $0 })
    }

    private func unauthorized(repository: String) -> RegistryError {
        if let credentials = search.credentials {
            return .unauthorized(registry: registry, repository: repository,
                                 reason: "the registry refused \(credentials.description)", fix: "run 'gantry login \(registry)'")
        }
        let places = search.lookedIn.isEmpty ? "no auth file exists" : "looked in " + search.lookedIn.joined(separator: ", ")
        return .unauthorized(registry: registry, repository: repository, reason: "no credentials found (\(places))", fix: "run 'gantry login \(registry)'")
    }
}
