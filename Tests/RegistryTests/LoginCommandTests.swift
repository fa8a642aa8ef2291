import Foundation
import ImageModel
@testable import Registry
import Testing

/// What a `gantry` run left behind.
struct GantryRun {
    let status: Int32
    let output: String
    let error: String
    var all: String { output + error }
}

/// A temporary HOME (and nothing else) for credentials: the runner's own docker and podman auth files
/// must neither be read nor written by these tests.
struct LoginHome {
    let folder: TemporaryFolder
    var home: String { folder.appending("home") }
    var config: String { folder.appending("home/.docker/config.json") }
    var extra: [String: String] = [:]

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"] { environment.removeValue(forKey: name) }
        environment["HOME"] = home
        environment["GANTRY_HOME"] = folder.appending("store")
        return environment.merging(extra) { $1 }
    }

    /// Runs the `gantry` built beside this test bundle with `stdin` piped in (empty by default).
    func gantry(_ arguments: [String], stdin: String = "") async throws -> GantryRun {
        let result = try await runProgram(try gantryBinary(), arguments, environment: environment, input: stdin)
        return GantryRun(status: result.status, output: result.output, error: result.error)
    }
}

@Suite("gantry login and logout", .serialized)
struct LoginCommandTests {
    static let canary = RegistrySessionTests.canary

    /// Every run: the secret is nowhere in what gantry printed.
    static func expectNoSecret(_ run: GantryRun, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!run.all.contains(canary), "the secret was printed", sourceLocation: sourceLocation)
        #expect(!run.all.contains(Data("alice:\(canary)".utf8).base64EncodedString()), "the auth string was printed", sourceLocation: sourceLocation)
    }

    /// A failure: non-zero, exactly one line on stderr, nothing on stdout, no secret.
    static func expectOneLineFailure(_ run: GantryRun, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status != 0, sourceLocation: sourceLocation)
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)", sourceLocation: sourceLocation)
        #expect(run.error.contains(text), "\(run.error)", sourceLocation: sourceLocation)
        expectNoSecret(run, sourceLocation: sourceLocation)
    }

    @Test("login to the htpasswd TLS registry writes docker's auth, keeps the file's other keys; skopeo, podman and gantry pull use it; logout removes it")
    func loginBasicThenUseThenLogout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // An image in the Basic registry, put there by skopeo from the layout PullTests makes.
        let seed = try await PullTests.seededRegistry(in: folder)
        seed.server.stop()
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        let certs = folder.appending("certs")
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ca, toPath: certs + "/ca.crt")
        let layout = "oci:\(folder.appending("source")):\(try ImageReference(parsing: "localhost/source/app:1").normalized.description)"
        try await shell("skopeo copy --quiet --dest-cert-dir '\(certs)' --dest-creds 'alice:\(Self.canary)' '\(layout)' docker://\(registry.host)/news/app:1")

        let login = LoginHome(folder: folder)
        try folder.write("home/.docker/config.json", #"{"psFormat": "table {{.Names}}", "auths": {"other.example": {"auth": "Ym9iOnB3"}}}"#)
        let run = try await login.gantry(["login", "-u", "alice", "--password-stdin", "--ca-cert", ca, registry.host], stdin: Self.canary + "\n")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "Login Succeeded\n")
        Self.expectNoSecret(run)
        let written = try DockerConfigFileTests.json(login.config)
        let auths = try #require(written["auths"] as? [String: Any])
        #expect(auths[registry.host] as? [String: String] == ["auth": Data("alice:\(Self.canary)".utf8).base64EncodedString()])
        #expect(auths["other.example"] as? [String: String] == ["auth": "Ym9iOnB3"])
        #expect(written["psFormat"] as? String == "table {{.Names}}")
        #expect(try DockerConfigFileTests.permissions(login.config) == 0o600)

        // The peers read what gantry wrote.
        let digest = try await shell("skopeo inspect --format '{{.Digest}}' --authfile '\(login.config)' --cert-dir '\(certs)' docker://\(registry.host)/news/app:1")
        #expect(digest.hasPrefix("sha256:"))
        let user = try await shell("HOME='\(login.home)' podman login --get-login --authfile '\(login.config)' \(registry.host)")
        #expect(user.trimmingCharacters(in: .whitespacesAndNewlines) == "alice")

        let pull = try await login.gantry(["pull", "--ca-cert", ca, "\(registry.host)/news/app:1"])
        #expect(pull.status == 0, "\(pull.error)")
        #expect(pull.output.contains("\(registry.host)/news/app:1@\(digest.trimmingCharacters(in: .whitespacesAndNewlines))"))
        Self.expectNoSecret(pull)

        let logout = try await login.gantry(["logout", registry.host])
        #expect(logout.status == 0, "\(logout.error)")
        #expect(logout.output == "Removing login credentials for \(registry.host)\n")
        let after = try DockerConfigFileTests.json(login.config)
        #expect((after["auths"] as? [String: Any])?.keys.sorted() == ["other.example"])
        #expect(after["psFormat"] as? String == "table {{.Names}}")
        let again = try await login.gantry(["logout", registry.host])
        #expect(again.status == 0)
        #expect(again.output == "Not logged in to \(registry.host)\n")

        let anonymous = try await login.gantry(["pull", "--ca-cert", ca, "\(registry.host)/news/app:1"])
        Self.expectOneLineFailure(anonymous, containing: "gantry login \(registry.host)")
    }

    @Test("a wrong password is one line naming the registry; nothing is written, an existing config stays byte for byte")
    func wrongPassword() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        let login = LoginHome(folder: folder)
        let fresh = try await login.gantry(["login", "-u", "alice", "--password-stdin", "--ca-cert", ca, registry.host], stdin: Self.canary + "-wrong\n")
        Self.expectOneLineFailure(fresh, containing: "registry \(registry.host) refused the login of user alice (HTTP 401)")
        #expect(!fresh.all.contains("-wrong"))
        #expect(!FileManager.default.fileExists(atPath: login.config))

        let original = #"{"auths": {"other.example": {"auth": "Ym9iOnB3"}}, "detachKeys": "ctrl-e,e"}"#
        try folder.write("home/.docker/config.json", original)
        let existing = try await login.gantry(["login", "-u", "alice", "--password-stdin", "--ca-cert", ca, registry.host], stdin: "nope\n")
        Self.expectOneLineFailure(existing, containing: registry.host)
        #expect(try String(contentsOfFile: login.config, encoding: .utf8) == original)
    }

    @Test("a token registry: the login fetches an offline token without scope, and the refresh token is stored instead of the password")
    func loginTokenRegistry() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await BearerSessionTests.start(in: folder, password: Self.canary)
        defer { registry.server.stop(); tokens.server.stop() }
        let login = LoginHome(folder: folder)

        let wrong = try await login.gantry(["login", "-u", "alice", "--password-stdin", registry.host], stdin: "not-it")
        Self.expectOneLineFailure(wrong, containing: "registry \(registry.host) refused the login of user alice")
        #expect(!FileManager.default.fileExists(atPath: login.config))

        let run = try await login.gantry(["login", "--username", "alice", "--password-stdin", registry.host], stdin: Self.canary)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "Login Succeeded\n")
        Self.expectNoSecret(run)
        let asked = try #require(tokens.requests().last)
        #expect(asked["auth"] as? String == "basic")
        #expect(asked["scopes"] as? [String] == [])
        #expect(asked["offline_token"] as? String == "true")
        #expect(asked["client_id"] as? String == "gantry")
        #expect(asked["account"] as? String == "alice")

        let text = try String(contentsOfFile: login.config, encoding: .utf8)
        #expect(!text.contains(Self.canary))
        let entry = try #require((try DockerConfigFileTests.json(login.config)["auths"] as? [String: Any])?[registry.host] as? [String: String])
        #expect(entry == ["auth": Data("alice:".utf8).base64EncodedString(), "identitytoken": "refresh-alice"])

        // The stored identity token opens the registry through the refresh_token grant.
        let found = try await CredentialStore(environment: ["HOME": login.home]).credentials(for: registry.host)
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: found)
        let tags = try await session.send("GET", "/v2/news/app/tags/list", repository: "news/app", scopes: [.pull("news/app")])
        #expect(tags.status == 404)
        #expect(tokens.requests().last?["auth"] as? String == "refresh")
    }

    /// A credential helper that records each call (verb and stdin) in `calls.log` and keeps one secret in a file.
    static func installRecordingHelper(in folder: TemporaryFolder) throws {
        let log = folder.appending("calls.log"), kept = folder.appending("kept.json")
        try folder.write("bin/docker-credential-gantrytest", """
            #!/bin/sh
            input=$(cat)
            printf '%s %s\\n' "$1" "$input" >> '\(log)'
            case "$1" in
              store) printf '%s' "$input" > '\(kept)' ;;
              get) [ -f '\(kept)' ] && cat '\(kept)' || { echo "credentials not found in native keychain"; exit 1; } ;;
              erase) [ -f '\(kept)' ] && rm '\(kept)' || { echo "credentials not found in native keychain"; exit 1; } ;;
              *) exit 2 ;;
            esac
            """, executable: true)
    }

    @Test("with credsStore the secret goes to docker-credential-NAME store and logout calls erase; the file only gets an empty marker")
    func credentialHelper() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        try Self.installRecordingHelper(in: folder)
        var login = LoginHome(folder: folder)
        login.extra["PATH"] = folder.appending("bin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        try folder.write("home/.docker/config.json", #"{"credsStore": "gantrytest", "auths": {"\#(registry.host)": {"auth": "c3RhbGU6b2xk"}}}"#)

        let run = try await login.gantry(["login", "-u", "alice", "--password-stdin", "--ca-cert", ca, registry.host], stdin: Self.canary + "\n")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "Login Succeeded\n")
        #expect(run.error.contains("docker-credential-gantrytest"))
        Self.expectNoSecret(run)
        let calls = try String(contentsOfFile: folder.appending("calls.log"), encoding: .utf8)
        let stored = try #require(calls.split(separator: "\n").first { $0.hasPrefix("store ") })
        let answer = try JSONSerialization.jsonObject(with: Data(stored.dropFirst(6).utf8)) as? [String: String]
        #expect(answer == ["ServerURL": registry.host, "Username": "alice", "Secret": Self.canary])
        let config = try DockerConfigFileTests.json(login.config)
        #expect(config["credsStore"] as? String == "gantrytest")
        #expect((config["auths"] as? [String: Any])?[registry.host] as? [String: String] == [:])
        #expect(!(try String(contentsOfFile: login.config, encoding: .utf8)).contains("c3RhbGU6b2xk"))

        // gantry pull finds the secret through the helper's get.
        let pull = try await login.gantry(["pull", "--ca-cert", ca, "\(registry.host)/news/app:1"])
        #expect(pull.error.contains("news/app:1"), "\(pull.error)")
        #expect(!pull.error.contains("401"))
        Self.expectNoSecret(pull)

        let logout = try await login.gantry(["logout", registry.host])
        #expect(logout.status == 0, "\(logout.error)")
        #expect(logout.output == "Removing login credentials for \(registry.host)\n")
        let erased = try String(contentsOfFile: folder.appending("calls.log"), encoding: .utf8)
        #expect(erased.contains("erase \(registry.host)\n"))
        #expect((try DockerConfigFileTests.json(login.config)["auths"] as? [String: Any])?[registry.host] == nil)
        let again = try await login.gantry(["logout", registry.host])
        #expect(again.output == "Not logged in to \(registry.host)\n")
        #expect(again.status == 0)
    }

    @Test("bad input: unreachable registry, plain HTTP off loopback, malformed config, missing username or terminal; each one line")
    func badInput() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let login = LoginHome(folder: folder)
        let nothing = "127.0.0.1:\(try await freePort())"
        Self.expectOneLineFailure(try await login.gantry(["login", "-u", "alice", "--password-stdin", nothing], stdin: Self.canary),
                                  containing: "cannot reach registry \(nothing)")
        Self.expectOneLineFailure(try await login.gantry(["login", "--password-stdin", nothing], stdin: Self.canary),
                                  containing: "--password-stdin needs --username")
        // stdin is a pipe here, not a terminal.
        Self.expectOneLineFailure(try await login.gantry(["login", "-u", "alice", nothing], stdin: Self.canary),
                                  containing: "stdin is not a terminal")
        Self.expectOneLineFailure(try await login.gantry(["login", "-u", "alice", "--password-stdin", nothing], stdin: "\n"),
                                  containing: "is empty")
        Self.expectOneLineFailure(try await login.gantry(["login", "-u", "alice", "--password-stdin", "bad host"], stdin: Self.canary),
                                  containing: "not a registry host name")
        #expect(!FileManager.default.fileExists(atPath: login.config))

        // A plain-HTTP registry on this machine's non-loopback address: HTTPS only, unless --insecure-registry.
        let address = try await shell("hostname -I").split(separator: " ").map(String.init).first { $0.split(separator: ".").count == 4 && !$0.hasPrefix("127.") }
        // Skipped on a machine without one, except on CI, where a missing address fails the test.
        if ProcessInfo.processInfo.environment["CI"] != nil {
            _ = try #require(address, "CI is set but this machine has no non-loopback IPv4 address for the plain-HTTP check")
        }
        if let address {
            let plain = try await LocalRegistry.start(in: folder, address: address)
            defer { plain.server.stop() }
            let refused = try await login.gantry(["login", "-u", "alice", "--password-stdin", plain.host], stdin: Self.canary)
            Self.expectOneLineFailure(refused, containing: "--insecure-registry \(plain.host)")
            #expect(!FileManager.default.fileExists(atPath: login.config))
            let allowed = try await login.gantry(["login", "-u", "alice", "--password-stdin", "--insecure-registry", plain.host, plain.host], stdin: Self.canary)
            #expect(allowed.status == 0, "\(allowed.error)")
            Self.expectNoSecret(allowed)
        }

        let broken = #"{"auths": {"x": {"auth": 7}}, "secret": "\#(Self.canary)""#
        try folder.write("home/.docker/config.json", broken)
        Self.expectOneLineFailure(try await login.gantry(["login", "-u", "alice", "--password-stdin", nothing], stdin: Self.canary),
                                  containing: login.config)
        Self.expectOneLineFailure(try await login.gantry(["logout", nothing]), containing: login.config)
        #expect(try String(contentsOfFile: login.config, encoding: .utf8) == broken)
    }

    @Test("logout leaves podman's auth file alone and says where the login remains; Docker Hub's names fold to docker's key")
    func logoutLeavesPodmanFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var login = LoginHome(folder: folder)
        let auth = Data("alice:\(Self.canary)".utf8).base64EncodedString()
        let podman = try folder.write("podman-auth.json", #"{"auths": {"podman.example": {"auth": "\#(auth)"}}}"#)
        login.extra["REGISTRY_AUTH_FILE"] = podman
        try folder.write("home/.docker/config.json", #"{"auths": {"https://index.docker.io/v1/": {"auth": "aHViOmh1Yg=="}}}"#)

        let podmanLogout = try await login.gantry(["logout", "podman.example"])
        #expect(podmanLogout.status == 0)
        #expect(podmanLogout.output == "Not logged in to podman.example\n")
        #expect(podmanLogout.error.contains(podman) && podmanLogout.error.contains("podman logout podman.example"))
        Self.expectNoSecret(podmanLogout)
        #expect(try String(contentsOfFile: podman, encoding: .utf8).contains("podman.example"))

        let hub = try await login.gantry(["logout", "index.docker.io"])
        #expect(hub.output == "Removing login credentials for docker.io\n")
        #expect((try DockerConfigFileTests.json(login.config)["auths"] as? [String: Any])?.isEmpty == true)
    }

    @Test("on a terminal the password is prompted for without echo and the login succeeds")
    func terminalPrompt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        let login = LoginHome(folder: folder)
        let run = try await runGantryOnTerminal(["login", "--ca-cert", ca, registry.host], environment: login.environment,
                                                replies: [("Username: ", "alice"), ("Password: ", Self.canary)])
        let text = run.output
        #expect(run.status == 0, "\(text)")
        #expect(text.contains("Login Succeeded"))
        #expect(text.contains("alice"))  // the user name is echoed
        #expect(!text.contains(Self.canary))  // the password is not
        let found = try await CredentialStore(environment: ["HOME": login.home]).credentials(for: registry.host)
        #expect(found.credentials?.password == Self.canary)
    }
}
