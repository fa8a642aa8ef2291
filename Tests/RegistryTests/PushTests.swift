import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

/// Collects copy events from the `@Sendable` progress callback.
final class CopyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [CopyEvent] = []
    func add(_ event: CopyEvent) { lock.withLock { events.append(event) } }
    var all: [CopyEvent] { lock.withLock { events } }
    var copied: Int { all.filter { if case .copied = $0 { true } else { false } }.count }
    var existing: Int { all.filter { if case .exists = $0 { true } else { false } }.count }
    var mounted: Int { all.filter { if case .mounted = $0 { true } else { false } }.count }
}

let anonymous = CredentialSearch(credentials: nil, lookedIn: [])

/// The sha256 of a registry manifest as skopeo reads it raw.
func remoteDigest(_ reference: String, tlsVerify: Bool = false, extra: String = "") async throws -> String {
    "sha256:" + (try await shell("skopeo inspect --raw --tls-verify=\(tlsVerify) \(extra) docker://\(reference) | sha256sum | cut -d' ' -f1"))
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Push to a real registry", .serialized)
struct PushTests {
    @Test("gantry push sends config and layer, then the manifest; skopeo sees the same digest; a second push is one HEAD; another tag sends only the manifest")
    func pushThenPushAgain() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        let name = "\(registry.host)/news/app:1"
        let descriptor = try await TestImage.write(into: store, folder: folder, as: try ImageReference(parsing: name), text: "pushed by gantry\n")

        let first = try await runGantry(["push", name], home: home)
        #expect(first.status == 0, "\(first.error)")
        let lines = first.output.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(": pushed ") }.count == 2)
        #expect(lines.last == "\(name)@\(descriptor.digest)")
        #expect(try await remoteDigest(name) == descriptor.digest.description)
        // skopeo reads every blob back and checks it against the manifest.
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(name) 'oci:\(folder.appending("check")):x'")

        let second = try await runGantry(["push", name], home: home)
        #expect(second.status == 0, "\(second.error)")
        #expect(second.output.split(separator: "\n").map(String.init)
                == ["\(descriptor.digest): up to date (the registry has it; nothing sent)", "\(name)@\(descriptor.digest)"])

        // Under a new tag the blobs are found (HEAD) and only the manifest is stored.
        let other = "\(registry.host)/news/app:2"
        let third = try await runGantry(["push", name, other], home: home)
        #expect(third.status == 0, "\(third.error)")
        #expect(third.output.split(separator: "\n").filter { $0.hasSuffix(": exists") }.count == 2)
        #expect(!third.output.contains(": pushed "))
        #expect(third.output.contains("\(descriptor.digest): manifest"))
        #expect(try await remoteDigest(other) == descriptor.digest.description)
    }

    @Test("a tag that names other bytes is not taken for the image: the push goes through and moves the tag")
    func tagWithOtherDigest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: anonymous)
        let target = try ImageReference(parsing: "\(registry.host)/news/moved:1")
        let old = try ImageReference(parsing: "localhost/old/app:1"), new = try ImageReference(parsing: "localhost/new/app:1")
        let oldImage = try await TestImage.write(into: store, folder: folder, as: old, text: "old \(UUID())\n")
        let newImage = try await TestImage.write(into: store, folder: folder, as: new, text: "new \(UUID())\n")
        let destination = RegistryImage(session: session, reference: target, store: store)
        try await ImageCopy(from: LayoutImage(store: store, reference: old), to: destination).run()
        #expect(try await session.manifestDigest("1", repository: "news/moved") == oldImage.digest)
        #expect(try await session.manifestDigest("absent", repository: "news/moved") == nil)

        let log = CopyLog()
        try await ImageCopy(from: LayoutImage(store: store, reference: new), to: destination).run(progress: log.add)
        #expect(log.copied == 2)
        #expect(!log.all.contains { if case .upToDate = $0 { true } else { false } })
        #expect(try await remoteDigest(target.description) == newImage.digest.description)
    }

    @Test("podman pulls what gantry pushed, with the same digest")
    func podmanPulls() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        let descriptor = try await TestImage.write(into: store, folder: folder, as: source, text: "for podman \(UUID())\n")
        let target = try ImageReference(parsing: "\(registry.host)/news/podman:1")
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: anonymous)
        try await ImageCopy(from: LayoutImage(store: store, reference: source), to: RegistryImage(session: session, reference: target, store: store)).run()

        try await shell("podman pull --quiet --tls-verify=false \(target) >/dev/null")
        defer { shellNow("timeout 60 podman rmi -f \(target) >/dev/null 2>&1 || true") }
        let digest = try await shell("podman image inspect --format '{{.Digest}}' \(target)").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest == descriptor.digest.description)
    }

    @Test("a push to a second repository of the same registry mounts the blobs instead of uploading them")
    func mountsAcrossRepositories() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        let source = "localhost/source/app:1"
        try await TestImage.write(into: store, folder: folder, as: try ImageReference(parsing: source), text: "mount me\n")

        let base = try await runGantry(["push", source, "\(registry.host)/news/base:1"], home: home)
        #expect(base.status == 0, "\(base.error)")
        #expect(base.output.components(separatedBy: ": pushed ").count == 3)
        // The push tagged the destination in the store, which is how the next push knows where the blobs are.
        #expect(try store.resolve(try ImageReference(parsing: "\(registry.host)/news/base:1")) != nil)

        let app = try await runGantry(["push", source, "\(registry.host)/news/app:1"], home: home)
        #expect(app.status == 0, "\(app.error)")
        #expect(app.output.components(separatedBy: ": mounted from news/base").count == 3, "\(app.output)")
        #expect(!app.output.contains(": pushed "))
        #expect(try await remoteDigest("\(registry.host)/news/app:1") == (try await remoteDigest("\(registry.host)/news/base:1")))
    }

    @Test("push over TLS with htpasswd credentials, then a pull into another store gives the same digest")
    func pushWithBasicAuth() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, ca) = try await RegistrySessionTests.basicRegistry(in: folder)
        defer { registry.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        let descriptor = try await TestImage.write(into: store, folder: folder, as: source, text: "basic\n")
        var options = HTTPClientOptions()
        options.caCertificateFile = ca
        let client = HTTPClient(options: options)
        let credentials = RegistrySessionTests.search(Credentials(username: "alice", password: RegistrySessionTests.canary, source: "test"))
        let target = try ImageReference(parsing: "\(registry.host)/news/app:1")
        let log = CopyLog()
        let pushed = try await ImageCopy(from: LayoutImage(store: store, reference: source),
                                         to: RegistryImage(session: RegistrySession(registry: registry.host, client: client, credentials: credentials),
                                                           reference: target, store: store)).run { log.add($0) }
        #expect(pushed.descriptor.digest == descriptor.digest)
        #expect(log.copied == 2)

        let other = try ImageStore(root: URL(fileURLWithPath: folder.appending("other")))
        let pulled = try await RegistrySession(registry: registry.host, client: client, credentials: credentials).pull(target, into: other)
        #expect(pulled == descriptor.digest)

        // Without credentials: 401 in one line that names the registry and not the password.
        let refused = await #expect(throws: RegistryError.self) {
            try await ImageCopy(from: LayoutImage(store: store, reference: source),
                                to: RegistryImage(session: RegistrySession(registry: registry.host, client: client, credentials: RegistrySessionTests.search(nil)),
                                                  reference: try ImageReference(parsing: "\(registry.host)/news/other:1"), store: store)).run()
        }
        let message = refused?.description ?? ""
        #expect(message.contains(registry.host) && message.contains("gantry login") && !message.contains(RegistrySessionTests.canary))
    }

    @Test("push through a token server: the token asked for carries push and pull on the repository")
    func pushWithToken() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (registry, tokens) = try await BearerSessionTests.start(in: folder)
        defer { registry.server.stop(); tokens.server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        let descriptor = try await TestImage.write(into: store, folder: folder, as: source, text: "token\n")
        let credentials = CredentialSearch(credentials: Credentials(username: "alice", password: BearerSessionTests.canary, source: "test"), lookedIn: [])
        let session = RegistrySession(registry: registry.host, client: HTTPClient(), credentials: credentials)
        let target = try ImageReference(parsing: "\(registry.host)/news/app:1")
        let pushed = try await ImageCopy(from: LayoutImage(store: store, reference: source), to: RegistryImage(session: session, reference: target, store: store)).run()
        #expect(pushed.descriptor.digest == descriptor.digest)
        let other = try ImageStore(root: URL(fileURLWithPath: folder.appending("other")))
        #expect(try await session.pull(target, into: other) == descriptor.digest)
    }

    @Test("--json prints one event per line ending with done; --quiet prints only the reference")
    func machineReadableOutput() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        let source = "localhost/source/app:1"
        let descriptor = try await TestImage.write(into: store, folder: folder, as: try ImageReference(parsing: source), text: "json\n")
        let target = "\(registry.host)/news/json:1"

        let json = try await runGantry(["push", "--json", source, target], home: home)
        #expect(json.status == 0, "\(json.error)")
        let events = try json.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
        #expect(events.filter { $0["event"] as? String == "pushed" }.count == 2)
        #expect(events.contains { $0["event"] as? String == "manifest" && $0["digest"] as? String == descriptor.digest.description })
        let done = try #require(events.last)
        #expect(done["event"] as? String == "done")
        #expect(done["reference"] as? String == "\(target)@\(descriptor.digest)")
        #expect(done["retries"] as? Int == 0)

        let again = try await runGantry(["push", "--json", source, target], home: home)
        #expect(again.status == 0, "\(again.error)")
        let kinds = again.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(kinds == ["upToDate", "done"])

        let quiet = try await runGantry(["push", "-q", source, target], home: home)
        #expect(quiet.status == 0, "\(quiet.error)")
        #expect(quiet.output == "\(target)@\(descriptor.digest)\n")
    }

    @Test("on a terminal: blob lines redrawn in place, sent ones in green unless NO_COLOR, a summary; an up-to-date push says so")
    func terminalDisplay() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let store = try ImageStore(root: URL(fileURLWithPath: home))
        let source = "localhost/source/tty:1"
        let descriptor = try await TestImage.write(into: store, folder: folder, as: try ImageReference(parsing: source), text: "tty\n")
        func onTerminal(_ target: String, _ extra: [String: String]) async throws -> String {
            var environment = ProcessInfo.processInfo.environment.merging(["GANTRY_HOME": home, "TERM": "xterm"]) { $1 }
            environment["NO_COLOR"] = nil  // only where the test asks for it
            environment.merge(extra) { $1 }
            // On a pseudo-terminal, stdout and stderr both; the output is all gantry wrote.
            let run = try await runGantryOnTerminal(["push", source, target], environment: environment)
            #expect(run.status == 0, "\(run.output)")
            return run.output
        }
        let escape = "\u{1B}["
        let coloured = try await onTerminal("\(registry.host)/news/tty:1", [:])
        #expect(coloured.contains("\r\(escape)K"), "no line redrawn in place: \(coloured.debugDescription)")
        #expect(coloured.contains("\(escape)2A"), "the two blob lines were not redrawn over: \(coloured.debugDescription)")
        #expect(coloured.contains("\(escape)32mpushed "), "\(coloured.debugDescription)")
        #expect(coloured.contains("2 blobs: 2 pushed ("))
        #expect(coloured.contains("\(registry.host)/news/tty:1@\(descriptor.digest)"))

        let plain = try await onTerminal("\(registry.host)/news/tty:2", ["NO_COLOR": "1"])
        #expect(plain.contains("\r\(escape)K"))
        #expect(!plain.contains("\(escape)32m"), "colour despite NO_COLOR: \(plain.debugDescription)")
        #expect(plain.contains("2 blobs: 0 pushed") && plain.contains("2 existed"), "\(plain.debugDescription)")

        let again = try await onTerminal("\(registry.host)/news/tty:1", [:])
        #expect(again.contains("Up to date: the destination has this image already; nothing sent."), "\(again.debugDescription)")
        #expect(!again.contains("pushed"))
    }

    @Test("push of an image the store lacks fails in one line naming it")
    func missingImage() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = try await runGantry(["push", "127.0.0.1:1/news/none:1"], home: folder.appending("home"))
        #expect(result.status != 0)
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.contains("127.0.0.1:1/news/none:1"))
    }
}
