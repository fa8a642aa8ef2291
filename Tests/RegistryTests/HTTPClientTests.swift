import Crypto
import Foundation
@testable import Registry
import Testing

@Suite("HTTP client over libcurl", .serialized)
struct HTTPClientTests {
    func echo(_ response: HTTPResponse) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: response.body)
    }

    @Test("sends headers and a User-Agent naming gantry; repeated response headers read case-insensitively")
    func headers() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let server = try await EchoServer.start(in: folder)
        defer { server.server.stop() }
        let client = HTTPClient()
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/echo"))
        let response = try await client.send(HTTPRequest(url: url, headers: HTTPHeaders([("X-Probe", "one")])))
        #expect(response.status == 200)
        #expect(response.headers.values("X-MULTI") == ["a", "b"])
        #expect(response.headers["content-type"] == "application/json")
        let seen = try echo(response)
        #expect(seen["x-probe"] == "one")
        #expect(seen["user-agent"] == "gantry/\(gantryVersion)")
    }

    @Test("consecutive requests to one server reuse one connection")
    func reusesConnections() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let server = try await EchoServer.start(in: folder)
        defer { server.server.stop() }
        let client = HTTPClient()
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/port"))
        var ports = Set<String>()
        for _ in 0..<5 {
            let response = try await client.send(HTTPRequest(url: url))
            ports.insert(try echo(response)["port"] ?? "")
        }
        // The server sees the client's port: one port, one TCP connection for all five.
        #expect(ports.count == 1, "\(ports)")
    }

    @Test("Authorization survives a redirect on the same host and is dropped on a redirect to another host")
    func redirects() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let server = try await EchoServer.start(in: folder)
        defer { server.server.stop() }
        let client = HTTPClient()
        let authorization = HTTPHeaders([("Authorization", "Bearer CANARY-token")])
        let same = try #require(URL(string: "http://127.0.0.1:\(server.port)/redirect/307?to=/echo"))
        let sameResponse = try await client.send(HTTPRequest(url: same, headers: authorization))
        #expect(sameResponse.status == 200)
        #expect(try echo(sameResponse)["authorization"] == "Bearer CANARY-token")
        #expect(sameResponse.url.path == "/echo")

        // "localhost" names the same server under another host name, as object storage would be.
        let other = try #require(URL(string: "http://127.0.0.1:\(server.port)/redirect/302?to=http://localhost:\(server.port)/echo"))
        let otherResponse = try await client.send(HTTPRequest(url: other, headers: authorization))
        #expect(otherResponse.status == 200)
        #expect(try echo(otherResponse)["authorization"] == nil)
        #expect(otherResponse.url.host == "localhost")
    }

    @Test("a redirect loop, a body over the limit and an error answer each end clearly")
    func failures() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let server = try await EchoServer.start(in: folder)
        defer { server.server.stop() }
        var options = HTTPClientOptions()
        options.maximumRedirects = 3
        let client = HTTPClient(options: options)
        let base = "http://127.0.0.1:\(server.port)"
        await #expect(throws: RegistryError.tooManyRedirects(host: "127.0.0.1:\(server.port)", path: "/loop", limit: 3)) {
            try await client.send(HTTPRequest(url: try makeURL(base + "/loop")))
        }
        await #expect(throws: RegistryError.responseTooLarge(host: "127.0.0.1:\(server.port)", path: "/big", limit: 1000)) {
            try await client.send(HTTPRequest(url: try makeURL(base + "/big")), sink: .collect(limit: 1000))
        }
        // An error answer is collected for the message, never written to the sink's file.
        let target = folder.appending("never")
        let missing = try await client.send(HTTPRequest(url: try makeURL(base + "/missing")), sink: .file(path: target))
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self).contains("NOT_FOUND"))
        #expect(!FileManager.default.fileExists(atPath: target))
        let closedPort = try await freePort()
        await #expect {
            try await client.send(HTTPRequest(url: try makeURL("http://127.0.0.1:\(closedPort)/")))
        } throws: { error in
            guard let error = error as? RegistryError, case .unreachable = error else { return false }
            return error.description.contains("127.0.0.1:\(closedPort)")
        }
    }

    @Test("a request body streams from a file and from data; a response streams to a closure")
    func bodies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let server = try await EchoServer.start(in: folder)
        defer { server.server.stop() }
        let client = HTTPClient()
        let payload = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = folder.appending("payload")
        try payload.write(to: URL(fileURLWithPath: file))
        let digest = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/upload"))
        let fromFile = try await client.send(HTTPRequest(method: "PUT", url: url, body: .file(path: file)))
        #expect(fromFile.status == 201)
        let answer = try JSONSerialization.jsonObject(with: fromFile.body) as? [String: Any]
        #expect(answer?["sha256"] as? String == digest)
        #expect(answer?["length"] as? Int == payload.count)
        let fromData = try await client.send(HTTPRequest(method: "POST", url: url, body: .data(Data("abc".utf8))))
        #expect((try JSONSerialization.jsonObject(with: fromData.body) as? [String: Any])?["length"] as? Int == 3)

        let received = Counter()
        let big = try #require(URL(string: "http://127.0.0.1:\(server.port)/big"))
        let streamed = try await client.send(HTTPRequest(url: big), sink: .stream { received.add($0.count) })
        #expect(streamed.status == 200)
        #expect(received.value == 1 << 20)
    }

    @Test("plain HTTP only for loopback and insecure registries")
    func plainHTTPPolicy() {
        var options = HTTPClientOptions()
        options.insecureRegistries = ["registry.lan:5000", "other.lan"]
        let client = HTTPClient(options: options)
        for host in ["127.0.0.1:5000", "127.1.2.3", "localhost:5000", "[::1]:5000", "registry.lan:5000", "other.lan:443"] {
            #expect(client.allowsPlainHTTP(host), "\(host)")
        }
        for host in ["registry.lan:5001", "docker.io", "128.0.0.1:5000", "127.0.0.1.example.com", "ghcr.io"] {
            #expect(!client.allowsPlainHTTP(host), "\(host)")
        }
    }

    @Test("against docker-registry: ping falls back to HTTP on loopback, blob upload, HEAD and GET to a file")
    func realRegistry() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let client = HTTPClient()
        let ping = try await client.ping(registry.host)
        #expect(ping.baseURL.absoluteString == "http://\(registry.host)")
        #expect(ping.response.status == 200)
        #expect(ping.response.headers["Docker-Distribution-API-Version"] == "registry/2.0")

        let blob = Data("hello from gantry\n".utf8)
        let file = folder.appending("blob")
        try blob.write(to: URL(fileURLWithPath: file))
        let digest = "sha256:" + SHA256.hash(data: blob).map { String(format: "%02x", $0) }.joined()
        let base = ping.baseURL.absoluteString
        let start = try await client.send(HTTPRequest(method: "POST", url: try makeURL(base + "/v2/news/app/blobs/uploads/")))
        #expect(start.status == 202)
        let location = try #require(start.headers["Location"])
        let locationURL = try #require(URL(string: location, relativeTo: ping.baseURL))
        var upload = try #require(URLComponents(url: locationURL, resolvingAgainstBaseURL: true))
        upload.queryItems = (upload.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest)]
        let put = try await client.send(HTTPRequest(method: "PUT", url: try #require(upload.url), body: .file(path: file)))
        #expect(put.status == 201)
        #expect(put.headers["Docker-Content-Digest"] == digest)

        let blobURL = try #require(URL(string: base + "/v2/news/app/blobs/\(digest)"))
        let head = try await client.send(HTTPRequest(method: "HEAD", url: blobURL))
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == "\(blob.count)")
        let target = folder.appending("downloaded")
        let get = try await client.send(HTTPRequest(url: blobURL), sink: .file(path: target))
        #expect(get.status == 200)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == blob)
        let missing = try await client.send(HTTPRequest(method: "HEAD", url: try makeURL(base + "/v2/news/app/blobs/sha256:" + String(repeating: "0", count: 64))))
        #expect(missing.status == 404)
    }

    @Test("a registry that is not loopback nor insecure is never tried over plain HTTP")
    func noFallbackForRemote() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        // The same plain-HTTP registry under a non-loopback name: only HTTPS is tried, and it fails.
        let name = "localhost.gantry.invalid:\(registry.port)"
        var options = HTTPClientOptions()
        options.connectTimeout = 5
        let client = HTTPClient(options: options)
        await #expect(throws: RegistryError.self) { try await client.ping(name) }
    }
}

/// A thread-safe byte counter for streaming sinks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ count: Int) { lock.lock(); total += count; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return total }
}
