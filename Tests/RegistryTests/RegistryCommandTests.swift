import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

@Suite("Registry commands: remote inspect, TLS and credential failures", .serialized)
struct RegistryCommandTests {
    @Test("inspect reads a registry when the store lacks the image: text and --json agree with skopeo, nothing is stored")
    func remoteInspect() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await PullTests.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let reference = "\(registry.host)/news/app:1"
        let text = try await runGantry(["inspect", reference], home: home)
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("Digest:     \(try await remoteDigest(reference))"))
        #expect(text.output.contains("Platform:   linux/amd64"))
        #expect(text.output.contains("Cmd:        /bin/true"))

        let json = try await runGantry(["inspect", "--json", reference], home: home)
        #expect(json.status == 0, "\(json.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["digest"] as? String == (try await remoteDigest(reference)))
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["architecture"] as? String == "amd64")
        #expect(try ImageStore(root: URL(fileURLWithPath: home)).references().isEmpty)

        let missing = try await runGantry(["inspect", "\(registry.host)/news/none:1"], home: home)
        #expect(missing.status != 0 && missing.error.split(separator: "\n").count == 1 && missing.error.contains("news/none:1"))
    }

    @Test("a TLS registry: without --ca-cert the certificate is refused; with it and no login, 401 says where credentials were looked for; a wrong password is never printed")
    func tlsAndCredentials() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        try await TestImage.write(into: store, folder: folder, as: try ImageReference(parsing: "localhost/source/app:1"), text: "tls\n")
        let dockerConfig = folder.appending("docker")
        let environment = ["DOCKER_CONFIG": dockerConfig, "REGISTRY_AUTH_FILE": "", "XDG_RUNTIME_DIR": ""]
        let target = "\(registry.host)/news/app:1"

        let untrusted = try await runGantry(["push", "localhost/source/app:1", target], home: home, environment: environment)
        #expect(untrusted.status != 0)
        #expect(untrusted.error.split(separator: "\n").count == 1)
        #expect(untrusted.error.contains("--ca-cert"), "\(untrusted.error)")

        let anonymous = try await runGantry(["push", "--ca-cert", ca, "localhost/source/app:1", target], home: home, environment: environment)
        #expect(anonymous.status != 0)
        #expect(anonymous.error.contains("401") && anonymous.error.contains("gantry login \(registry.host)"), "\(anonymous.error)")
        #expect(anonymous.error.contains("no credentials found"), "\(anonymous.error)")

        let wrong = "CANARY-wrong-pw-8d1f"
        try FileManager.default.createDirectory(atPath: dockerConfig, withIntermediateDirectories: true)
        let auth = Data("alice:\(wrong)".utf8).base64EncodedString()
        try Data(#"{"auths":{"\#(registry.host)":{"auth":"\#(auth)"}}}"#.utf8).write(to: URL(fileURLWithPath: dockerConfig + "/config.json"))
        let refused = try await runGantry(["push", "--ca-cert", ca, "localhost/source/app:1", target], home: home, environment: environment)
        #expect(refused.status != 0)
        #expect(refused.error.contains("user alice"), "\(refused.error)")
        for secret in [wrong, auth] {
            #expect(!refused.error.contains(secret) && !refused.output.contains(secret))
        }

        let right = Data("alice:\(RegistrySessionTests.canary)".utf8).base64EncodedString()
        try Data(#"{"auths":{"https://\#(registry.host)":{"auth":"\#(right)"}}}"#.utf8).write(to: URL(fileURLWithPath: dockerConfig + "/config.json"))
        let pushed = try await runGantry(["push", "--ca-cert", ca, "localhost/source/app:1", target], home: home, environment: environment)
        #expect(pushed.status == 0, "\(pushed.error)")
        #expect(!pushed.output.contains(RegistrySessionTests.canary) && !pushed.error.contains(RegistrySessionTests.canary))
        let inspected = try await runGantry(["inspect", "--remote", "--ca-cert", ca, target], home: home, environment: environment)
        #expect(inspected.status == 0, "\(inspected.error)")
    }
}
