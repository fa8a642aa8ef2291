import Foundation
@testable import Registry
import Testing

@Suite("Credentials")
struct CredentialStoreTests {
    static let canary = "CANARY-s3cr3t-8d1f"

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("docker config auths: base64 auth, username/password, identitytoken, keys with scheme and path")
    func readsAuths() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write("docker/config.json", """
            {"auths": {
              "https://127.0.0.1:5000/v2/": {"auth": "\(Self.base64("alice:\(Self.canary)"))"},
              "registry.example": {"username": "bob", "password": "pw"},
              "tokens.example": {"identitytoken": "refresh-123"},
              "https://index.docker.io/v1/": {"auth": "\(Self.base64("hubuser:hubpass"))"},
              "empty.example": {}
            }}
            """)
        let store = CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker"), "HOME": folder.path])

        let local = try #require(try await store.credentials(for: "127.0.0.1:5000").credentials)
        #expect(local.username == "alice")
        #expect(local.password == Self.canary)
        #expect(local.source.contains(config))
        #expect(!local.description.contains(Self.canary))
        #expect(!"\(local)".contains(Self.canary))
        #expect(!String(reflecting: local).contains(Self.canary))

        #expect(try await store.credentials(for: "registry.example").credentials?.password == "pw")
        let token = try #require(try await store.credentials(for: "tokens.example").credentials)
        #expect(token.identityToken == "refresh-123")
        #expect(token.password == nil)
        #expect(try await store.credentials(for: "docker.io").credentials?.username == "hubuser")

        let none = try await store.credentials(for: "empty.example")
        #expect(none.credentials == nil)
        #expect(none.lookedIn == [config])
    }

    @Test("REGISTRY_AUTH_FILE and podman's auth.json are read after the docker config")
    func readsPodmanFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("home/.docker/config.json", #"{"auths": {"other.example": {"auth": "\#(Self.base64("a:b"))"}}}"#)
        let authFile = try folder.write("auth-file.json", #"{"auths": {"first.example": {"auth": "\#(Self.base64("first:one"))"}}}"#)
        let podman = try folder.write("run/containers/auth.json",
                                      #"{"auths": {"second.example/news/app": {"auth": "\#(Self.base64("second:two"))"}}}"#)
        let store = CredentialStore(environment: [
            "HOME": folder.appending("home"), "REGISTRY_AUTH_FILE": authFile, "XDG_RUNTIME_DIR": folder.appending("run"),
        ])
        #expect(try await store.credentials(for: "first.example").credentials?.username == "first")
        let second = try await store.credentials(for: "second.example")
        #expect(second.credentials?.username == "second")
        #expect(second.lookedIn == [folder.appending("home/.docker/config.json"), authFile, podman])
    }

    /// A helper speaking the docker-credential protocol: it logs the server URL it was asked for.
    static func installHelper(in folder: TemporaryFolder) throws {
        try folder.write("bin/docker-credential-gantrytest", """
            #!/bin/sh
            [ "$1" = get ] || exit 2
            read -r server
            echo "$server" >> "\(folder.appending("asked"))"
            case "$server" in
              helper.example) printf '{"ServerURL":"helper.example","Username":"carol","Secret":"\(canary)"}' ;;
              token.example) printf '{"Username":"<token>","Secret":"identity-xyz"}' ;;
              https://index.docker.io/v1/) printf '{"Username":"hub","Secret":"hubsecret"}' ;;
              garbled.example) printf 'not json \(canary)' ;;
              broken.example) echo "keychain is locked" ; exit 1 ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """, executable: true)
    }

    @Test("credHelpers and credsStore go through a real docker-credential helper on PATH")
    func runsHelper() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try Self.installHelper(in: folder)
        try folder.write("docker/config.json", """
            {"credsStore": "gantrytest", "credHelpers": {"perhost.example": "gantrytest"},
             "auths": {"fallback.example": {"auth": "\(Self.base64("file:user"))"}}}
            """)
        let environment = ["DOCKER_CONFIG": folder.appending("docker"), "PATH": folder.appending("bin") + ":/usr/bin:/bin"]
        let store = CredentialStore(environment: environment)

        let found = try await store.credentials(for: "helper.example")
        #expect(found.credentials?.username == "carol")
        #expect(found.credentials?.password == Self.canary)
        #expect(found.credentials?.source.contains("docker-credential-gantrytest") == true)
        #expect(!(found.credentials?.description.contains(Self.canary) ?? true))

        let token = try #require(try await store.credentials(for: "token.example").credentials)
        #expect(token.identityToken == "identity-xyz")
        #expect(token.username == nil)

        #expect(try await store.credentials(for: "docker.io").credentials?.username == "hub")
        // "credentials not found" means anonymous, or what the file has.
        #expect(try await store.credentials(for: "nothing.example").credentials == nil)
        #expect(try await store.credentials(for: "fallback.example").credentials?.username == "file")
        let asked = try String(contentsOfFile: folder.appending("asked"), encoding: .utf8)
        #expect(asked.contains("https://index.docker.io/v1/\n"))
    }

    @Test("a failing or garbled helper is one error line naming the helper and registry, never the secret")
    func helperFailures() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try Self.installHelper(in: folder)
        try folder.write("docker/config.json", #"{"credsStore": "gantrytest", "credHelpers": {"missing.example": "nosuchhelper"}}"#)
        let store = CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker"), "PATH": folder.appending("bin")])
        for (registry, expected) in [("garbled.example", "not the expected JSON"), ("broken.example", "keychain is locked"),
                                     ("missing.example", "docker-credential-nosuchhelper")] {
            do {
                _ = try await store.credentials(for: registry)
                Issue.record("\(registry) should fail")
            } catch {
                #expect(error.description.contains(registry))
                #expect(error.description.contains(expected))
                #expect(!error.description.contains(Self.canary))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test("a config file that is not JSON names the file without quoting its content")
    func unreadableFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write("docker/config.json", #"{"auths": {"x": {"auth": 42, "password": "\#(Self.canary)"}}"#)
        let store = CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker")])
        do {
            _ = try await store.credentials(for: "x")
            Issue.record("should fail")
        } catch {
            #expect(error.description.contains(config))
            #expect(!error.description.contains(Self.canary))
        }
    }
}
