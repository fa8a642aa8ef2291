import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

/// A python3 registry double for answers a real registry never gives: a manifest of an unknown media
/// type (`weird`) and a manifest whose layer blob arrives with other bytes than its digest (`bad`).
private let faultyRegistryScript = #"""
import hashlib, json, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()
config, layer = b"{}", b"good"
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(layer), "size": len(layer)}]}).encode()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def answer(self, status, body, kind="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == "/v2/": self.answer(200, b"{}")
        elif self.path == "/v2/news/app/manifests/weird": self.answer(200, b'{"schemaVersion":2}', "application/vnd.example.thing+json")
        elif self.path == "/v2/news/app/manifests/bad": self.answer(200, manifest, "application/vnd.oci.image.manifest.v1+json")
        elif self.path == "/v2/news/app/blobs/" + sha(config): self.answer(200, config, "application/octet-stream")
        elif self.path == "/v2/news/app/blobs/" + sha(layer): self.answer(200, b"evil", "application/octet-stream")
        else: self.answer(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""#

@Suite("Pull faults", .serialized)
struct PullFaultTests {
    static func start(in folder: TemporaryFolder) async throws -> (host: String, server: ServerProcess) {
        let port = try await freePort()
        let script = try folder.write("faulty-registry.py", faultyRegistryScript)
        let server = try ServerProcess(try await pythonExecutable(), [script, "\(port)"], log: folder.appending("faulty.log"))
        try await waitForPort(port, server: server)
        return ("127.0.0.1:\(port)", server)
    }

    @Test("a manifest of an unknown media type fails with one line naming the type, and nothing is tagged")
    func unknownMediaType() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (host, server) = try await Self.start(in: folder)
        defer { server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let session = RegistrySession(registry: host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))
        let error = await #expect(throws: PullError.self) { try await session.pull(try ImageReference(parsing: "\(host)/news/app:weird"), into: store) }
        #expect(error == .unknownMediaType(reference: "\(host)/news/app:weird", mediaType: "application/vnd.example.thing+json"))
        #expect(try store.references().isEmpty)
    }

    @Test("a layer whose bytes do not match its digest fails naming the blob; the blob is not stored and nothing is tagged")
    func layerDigestMismatch() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (host, server) = try await Self.start(in: folder)
        defer { server.stop() }
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let session = RegistrySession(registry: host, client: HTTPClient(), credentials: CredentialSearch(credentials: nil, lookedIn: []))
        let error = await #expect(throws: PullError.self) { try await session.pull(try ImageReference(parsing: "\(host)/news/app:bad"), into: store) }
        let layer = try Digest.sha256(hex: try await shell("printf good | sha256sum | cut -d' ' -f1").trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(error?.description.contains(layer.description) == true)
        #expect(error?.description.contains("\n") == false)
        #expect(!store.hasBlob(layer))
        #expect(try store.references().isEmpty)
    }
}

/// A registry double that accepts uploads but reports another digest for what it stored.
private let lyingRegistryScript = #"""
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def answer(self, status, headers={}):
        self.send_response(status)
        for k, v in headers.items(): self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def body(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        if n: self.rfile.read(n)
    def do_GET(self): self.answer(200) if self.path == "/v2/" else self.answer(404)
    def do_HEAD(self): self.answer(404)
    def do_POST(self):
        self.body()
        self.answer(202, {"Location": "/v2/news/app/blobs/uploads/u1"})
    def do_PUT(self):
        self.body()
        self.answer(201, {"Docker-Content-Digest": "sha256:" + "0" * 64})

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""#

@Suite("Push faults", .serialized)
struct PushFaultTests {
    @Test("a registry that reports another digest for an uploaded blob fails the push naming the blob; no manifest is sent")
    func digestMismatch() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let port = try await freePort()
        let script = try folder.write("lying-registry.py", lyingRegistryScript)
        let server = try ServerProcess(try await pythonExecutable(), [script, "\(port)"], log: folder.appending("lying.log"))
        defer { server.stop() }
        try await waitForPort(port, server: server)
        let store = try ImageStore(root: URL(fileURLWithPath: folder.appending("home")))
        let source = try ImageReference(parsing: "localhost/source/app:1")
        try await TestImage.write(into: store, folder: folder, as: source, text: "lies\n")
        let session = RegistrySession(registry: "127.0.0.1:\(port)", client: HTTPClient(), credentials: anonymous)
        let copy = ImageCopy(from: LayoutImage(store: store, reference: source),
                             to: RegistryImage(session: session, reference: try ImageReference(parsing: "127.0.0.1:\(port)/news/app:1"), store: store))
        let error = await #expect(throws: PushError.self) { try await copy.run() }
        guard case let .digestMismatch(repository, object, reported)? = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(repository == "127.0.0.1:\(port)/news/app")
        #expect(object.hasPrefix("blob sha256:"))
        #expect(reported == "sha256:" + String(repeating: "0", count: 64))
    }
}
