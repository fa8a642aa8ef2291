import Foundation
@testable import Registry
import Testing

/// A CA and a server certificate for 127.0.0.1, made with openssl.
func makeCertificates(in folder: TemporaryFolder) async throws -> (ca: String, certificate: String, key: String) {
    let dir = folder.path
    try await shell("""
        cd '\(dir)' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=gantry-test-ca 2>/dev/null \
        && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null \
        && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext \
        && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile san.ext 2>/dev/null
        """)
    return (folder.appending("ca.crt"), folder.appending("server.crt"), folder.appending("server.key"))
}

@Suite("Authenticated sessions", .serialized)
struct RegistrySessionTests {
    static let canary = "CANARY-pw-71c2"

    /// docker-registry with htpasswd Basic auth over TLS; user alice, password the canary.
    static func basicRegistry(in folder: TemporaryFolder) async throws -> (LocalRegistry, ca: String) {
        let tls = try await makeCertificates(in: folder)
        // The registry reads bcrypt only: apache2-utils' htpasswd -B makes it (scripts/setup installs it).
        let line = try await shell("htpasswd -Bbn alice '\(canary)'").trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(line.hasPrefix("alice:$2"), "htpasswd gave no bcrypt hash")
        let htpasswd = try folder.write("htpasswd", line + "\n")
        let registry = try await LocalRegistry.start(in: folder, extra: """
              tls:
                certificate: \(tls.certificate)
                key: \(tls.key)
            auth:
              htpasswd:
                realm: gantry-test
                path: \(htpasswd)
            """)
        return (registry, tls.ca)
    }

    static func search(_ credentials: Credentials?) -> CredentialSearch {
        CredentialSearch(credentials: credentials, lookedIn: ["/tmp/nowhere/config.json"])
    }

    @Test("htpasswd over TLS: credentials from a docker config open the repository; the base URL is HTTPS")
    func basicAuthWorks() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await Self.basicRegistry(in: folder)
        defer { registry.server.stop() }
        try folder.write("docker/config.json", #"{"auths": {"\#(registry.host)": {"auth": "\#(Data("alice:\(Self.canary)".utf8).base64EncodedString())"}}}"#)
        let found = try await CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker")]).credentials(for: registry.host)
        var options = HTTPClientOptions()
        options.caCertificateFile = ca
        let session = RegistrySession(registry: registry.host, client: HTTPClient(options: options), credentials: found)
        #expect(try await session.ping().absoluteString == "https://\(registry.host)")
        let tags = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        #expect(tags.status == 404)  // authenticated: the repository simply does not exist yet
        #expect(String(decoding: tags.body, as: UTF8.self).contains("NAME_UNKNOWN"))
        let catalog = try await session.send("GET", "/v2/_catalog", repository: "catalog", scopes: [])
        #expect(catalog.status == 200)
    }

    @Test("no credentials, wrong credentials and an untrusted certificate each fail in one line without the secret")
    func basicAuthFailures() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await Self.basicRegistry(in: folder)
        defer { registry.server.stop() }
        var options = HTTPClientOptions()
        options.caCertificateFile = ca
        let client = HTTPClient(options: options)

        let anonymous = RegistrySession(registry: registry.host, client: client, credentials: Self.search(nil))
        await #expect {
            try await anonymous.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        } throws: { error in
            let text = "\(error)"
            return text == "registry \(registry.host) answered 401 for news/app: no credentials found (looked in /tmp/nowhere/config.json); run 'gantry login \(registry.host)'"
        }

        let wrong = Credentials(username: "alice", password: Self.canary + "-wrong", source: "test config")
        let refused = RegistrySession(registry: registry.host, client: client, credentials: Self.search(wrong))
        await #expect {
            try await refused.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("answered 401 for news/app") && text.contains("user alice from test config")
                && !text.contains(Self.canary) && !text.contains("\n")
        }

        let untrusting = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: Self.search(wrong))
        await #expect {
            try await untrusting.ping()
        } throws: { error in
            guard let error = error as? RegistryError, case .certificateUntrusted = error else { return false }
            return error.description.contains("--ca-cert")
        }
    }

    @Test("an anonymous registry needs no authentication")
    func anonymous() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: Self.search(nil))
        let tags = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        #expect(tags.status == 404)
    }
}

@Suite("Bearer token sessions", .serialized)
struct BearerSessionTests {
    static let canary = "CANARY-token-pw-3a9e"

    /// docker-registry with token auth, and the token server whose key it trusts; user alice, `password`.
    static func start(in folder: TemporaryFolder, password: String = canary) async throws -> (LocalRegistry, TokenServer) {
        let tokens = try await TokenServer.start(in: folder, password: password)
        let registry = try await LocalRegistry.start(in: folder, extra: """
            auth:
              token:
                realm: http://127.0.0.1:\(tokens.port)/token
                service: gantry-test-registry
                issuer: gantry-test-issuer
                rootcertbundle: \(tokens.certificate)
            """)
        return (registry, tokens)
    }

    @Test("Basic credentials buy a token from the realm; the token is cached per scope")
    func tokenWithCredentials() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await Self.start(in: folder)
        defer { registry.server.stop(); tokens.server.stop() }
        let credentials = Credentials(username: "alice", password: Self.canary, source: "test")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(),
                                      credentials: CredentialSearch(credentials: credentials, lookedIn: []))
        let first = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        #expect(first.status == 404)
        _ = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        let seen = tokens.requests()
        #expect(seen.count == 1)
        #expect(seen.first?["auth"] as? String == "basic")
        #expect(seen.first?["scopes"] as? [String] == ["repository:news/app:pull"])
    }

    @Test("a 401 naming a new scope merges it into the token's scopes and retries once")
    func mergesNewScope() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await Self.start(in: folder)
        defer { registry.server.stop(); tokens.server.stop() }
        let credentials = Credentials(username: "alice", password: Self.canary, source: "test")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(),
                                      credentials: CredentialSearch(credentials: credentials, lookedIn: []))
        // Starting an upload needs push, but the caller asked only for pull.
        let upload = try await session.send("POST", "/v2/news/app/blobs/uploads/", repository: "news/app", scopes: [.pull("news/app")])
        #expect(upload.status == 202)
        let scopes = tokens.requests().compactMap { $0["scopes"] as? [String] }
        #expect(scopes == [["repository:news/app:pull"], ["repository:news/app:pull,push"]])
    }

    @Test("an identity token goes through the refresh_token POST")
    func identityToken() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await Self.start(in: folder)
        defer { registry.server.stop(); tokens.server.stop() }
        let credentials = Credentials(username: nil, password: nil, identityToken: "refresh-alice", source: "test")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(),
                                      credentials: CredentialSearch(credentials: credentials, lookedIn: []))
        let tags = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        #expect(tags.status == 404)
        #expect(tokens.requests().first?["auth"] as? String == "refresh")
    }

    @Test("anonymous tokens grant nothing: one merged retry, then a 401 error naming where credentials were looked for")
    func anonymousRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await Self.start(in: folder)
        defer { registry.server.stop(); tokens.server.stop() }
        let session = RegistrySession(registry: registry.host, client: HTTPClient(),
                                      credentials: CredentialSearch(credentials: nil, lookedIn: ["/tmp/x/config.json"]))
        await #expect {
            try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        } throws: { error in
            "\(error)".contains("answered 401 for news/app: no credentials found (looked in /tmp/x/config.json)")
        }
        #expect(tokens.requests().count == 2)  // the first try and the one renewal
    }
}
