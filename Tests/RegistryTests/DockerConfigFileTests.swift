import Foundation
@testable import Registry
import Testing

@Suite("Docker config writer")
struct DockerConfigFileTests {
    static let canary = "CANARY-cfg-5be0"

    static func permissions(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("login names: Docker Hub's aliases map to docker's key and API host; URLs lose scheme and path; junk is refused")
    func loginServerNames() throws {
        for hub in [nil, "", "docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"] {
            let server = try LoginServer(parsing: hub)
            #expect(server.key == "https://index.docker.io/v1/")
            #expect(server.apiHost == "registry-1.docker.io")
            #expect(server.name == "docker.io")
        }
        let local = try LoginServer(parsing: "https://127.0.0.1:5000/v2/")
        #expect(local.key == "127.0.0.1:5000")
        #expect(local.apiHost == "127.0.0.1:5000")
        #expect(throws: RegistryError.invalidRegistryName("bad host!")) { try LoginServer(parsing: "bad host!") }
    }

    @Test("setAuth writes docker's base64 auth, keeps every other key, mode 0600 in a new 0700 folder; the reader finds it")
    func writesAuthKeepingOtherKeys() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("new/docker/config.json")
        var config = try DockerConfigFile.read(path)
        config.setAuth("127.0.0.1:5000", username: "alice", password: Self.canary, identityToken: nil)
        try config.write()
        #expect(try Self.permissions(path) == 0o600)
        #expect(try Self.permissions(folder.appending("new/docker")) == 0o700)
        #expect(try Self.permissions(folder.appending("new")) == 0o700)

        // Now a config with keys gantry does not know, and another registry's login.
        let existing = try folder.write("docker/config.json", """
            {"auths": {"other.example": {"auth": "\(Data("bob:pw".utf8).base64EncodedString())", "email": "bob@example"},
                       "127.0.0.1:5000": {"username": "old", "password": "stale"}},
             "psFormat": "table {{.ID}}", "proxies": {"default": {"httpProxy": "http://proxy:3128"}}, "x-count": 12345678901,
             "currentContext": "rootless"}
            """)
        var edited = try DockerConfigFile.read(existing)
        edited.setAuth("127.0.0.1:5000", username: "alice", password: Self.canary, identityToken: nil)
        try edited.write()
        let written = try Self.json(existing)
        #expect(written["psFormat"] as? String == "table {{.ID}}")
        #expect((written["proxies"] as? [String: Any])?["default"] as? [String: String] == ["httpProxy": "http://proxy:3128"])
        #expect((written["x-count"] as? NSNumber)?.int64Value == 12345678901)
        #expect(written["currentContext"] as? String == "rootless")
        let auths = try #require(written["auths"] as? [String: Any])
        #expect(auths["other.example"] as? [String: String] == ["auth": Data("bob:pw".utf8).base64EncodedString(), "email": "bob@example"])
        // The entry is replaced whole: no stale username/password stays beside the new auth.
        #expect(auths["127.0.0.1:5000"] as? [String: String] == ["auth": Data("alice:\(Self.canary)".utf8).base64EncodedString()])
        #expect(try Self.permissions(existing) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appending("docker"))
        #expect(leftovers == ["config.json"])

        let found = try await CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker")]).credentials(for: "127.0.0.1:5000")
        #expect(found.credentials?.username == "alice")
        #expect(found.credentials?.password == Self.canary)
    }

    @Test("an identity token is stored as identitytoken with user: in auth, and read back instead of a password")
    func identityToken() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("docker/config.json")
        var config = try DockerConfigFile.read(path)
        config.setAuth("tokens.example", username: "alice", password: Self.canary, identityToken: "refresh-alice")
        try config.write()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(Self.canary))
        #expect(!text.contains(Data("alice:\(Self.canary)".utf8).base64EncodedString()))
        let found = try #require(try await CredentialStore(environment: ["DOCKER_CONFIG": folder.appending("docker")]).credentials(for: "tokens.example").credentials)
        #expect(found.identityToken == "refresh-alice")
        #expect(found.username == "alice")
        #expect(found.password == nil)
    }

    @Test("removeAuths drops every key naming the registry (with scheme or path), nothing else; a symbolic link stays a link")
    func removesEveryVariantThroughSymlink() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let real = try folder.write("dotfiles/docker-config.json", """
            {"auths": {"127.0.0.1:5000": {"auth": "YTpi"}, "https://127.0.0.1:5000/v2/": {"auth": "YTpi"},
                       "127.0.0.1:5001": {"auth": "YTpi"}}, "credHelpers": {"ecr.example": "ecr-login"}}
            """)
        try FileManager.default.createDirectory(atPath: folder.appending("docker"), withIntermediateDirectories: true)
        let link = folder.appending("docker/config.json")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../dotfiles/docker-config.json")
        var config = try DockerConfigFile.read(link)
        let server = try LoginServer(parsing: "127.0.0.1:5000")
        #expect(config.removeAuths(for: server) == ["127.0.0.1:5000", "https://127.0.0.1:5000/v2/"])
        try config.write()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../dotfiles/docker-config.json")
        let written = try Self.json(real)
        #expect((written["auths"] as? [String: Any])?.keys.sorted() == ["127.0.0.1:5001"])
        #expect(written["credHelpers"] as? [String: String] == ["ecr.example": "ecr-login"])
        #expect(config.helper(for: try LoginServer(parsing: "ecr.example")) == "ecr-login")
        #expect(config.helper(for: server) == nil)
    }

    @Test("a malformed config is an error naming the file, without its content; the file is left as it was")
    func malformedConfig() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (index, text) in [#"{"auths": {"x": {"auth": "\#(Self.canary)""#, #"["\#(Self.canary)"]"#, #"{"auths": "\#(Self.canary)"}"#].enumerated() {
            let path = try folder.write("bad\(index)/config.json", text)
            #expect {
                _ = try DockerConfigFile.read(path)
            } throws: { error in
                let message = "\(error)"
                return message.contains(path) && !message.contains(Self.canary) && !message.contains("\n")
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        }
    }
}
