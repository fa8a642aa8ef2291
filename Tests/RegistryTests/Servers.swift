import Foundation
import Testing

/// A child process the test started; `stop()` terminates it (by its own pid only).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let log: String

    init(_ executable: String, _ arguments: [String], log: String, environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        self.log = log
        try process.run()
    }

    func stop() {
        // SIGKILL: the test runner's children may inherit an ignored SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// The real python3 interpreter: a pyenv shim would run it as a grandchild that `terminate()` misses.
func pythonExecutable() async throws -> String {
    try await shell("python3 -c 'import sys; print(sys.executable)'").trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A free loopback TCP port, as the kernel hands one out.
func freePort() async throws -> Int {
    Int(try await shell("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'")
        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
}

/// Waits until `server` itself listens on the port. Not just anything: two suites running at once can
/// be handed the same free port, and a server that lost the race must not let its test talk to the
/// other suite's (a pull once got another registry's 404 that way).
func waitForPort(_ port: Int, server: ServerProcess) async throws {
    for _ in 0..<100 {
        let listeners = try? await shell("ss -Hltnp 'sport = :\(port)' 2>/dev/null || true")
        if listeners?.contains("pid=\(server.process.processIdentifier),") == true { return }
        try #require(server.process.isRunning, "server exited: \((try? String(contentsOfFile: server.log, encoding: .utf8)) ?? "")")
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    Issue.record("port \(port) never opened")
}

/// Debian's docker-registry (distribution 2.8) on a loopback port with a temp storage root.
struct LocalRegistry {
    let folder: TemporaryFolder
    let port: Int
    let server: ServerProcess
    var address = "127.0.0.1"
    var host: String { "\(address):\(port)" }

    /// Starts one on `address` (loopback by default); `extra` is appended to the config (TLS, auth).
    static func start(in folder: TemporaryFolder, extra: String = "", address: String = "127.0.0.1") async throws -> LocalRegistry {
        let port = try await freePort()
        let config = try folder.write("registry-\(port).yml", """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(folder.appending("registry-storage-\(port)"))
            http:
              addr: \(address):\(port)
            \(extra)
            """)
        let server = try ServerProcess("/usr/bin/docker-registry", ["serve", config], log: folder.appending("registry-\(port).log"))
        try await waitForPort(port, server: server)
        return LocalRegistry(folder: folder, port: port, server: server, address: address)
    }
}

/// A python3 http.server for the redirect and header cases: /echo answers the request headers as
/// JSON with a repeated X-Multi header; /redirect/CODE?to=URL redirects; /big sends 1 MiB; PUT/POST
/// /upload answers the body's SHA-256 and length.
struct EchoServer {
    let port: Int
    let server: ServerProcess

    static let script = #"""
    import hashlib, json, sys
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    from urllib.parse import urlparse, parse_qs

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def answer(self, status, body, headers=()):
            self.send_response(status)
            for name, value in headers: self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD": self.wfile.write(body)
        def do_HEAD(self): self.do_GET()
        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/echo":
                body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
                self.answer(200, body, [("X-Multi", "a"), ("x-multi", "b"), ("Content-Type", "application/json")])
            elif url.path.startswith("/redirect/"):
                code = int(url.path.split("/")[2])
                self.answer(code, b"moved", [("Location", parse_qs(url.query)["to"][0])])
            elif url.path == "/port":
                body = json.dumps({"port": str(self.client_address[1])}).encode()
                self.answer(200, body, [("Content-Type", "application/json")])
            elif url.path == "/loop":
                self.answer(302, b"", [("Location", "/loop")])
            elif url.path == "/big":
                self.answer(200, b"x" * (1 << 20))
            elif url.path == "/missing":
                self.answer(404, b'{"errors":[{"code":"NOT_FOUND"}]}')
            else:
                self.answer(404, b"")
        def do_PUT(self): self.upload()
        def do_POST(self): self.upload()
        def upload(self):
            length = int(self.headers.get("Content-Length", "0"))
            data = self.rfile.read(length)
            body = json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "length": len(data), "method": self.command}).encode()
            self.answer(201, body)

    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
    """#

    static func start(in folder: TemporaryFolder) async throws -> EchoServer {
        let port = try await freePort()
        let script = try folder.write("echo-\(port).py", script)
        let server = try ServerProcess(try await pythonExecutable(), [script, "\(port)"], log: folder.appending("echo-\(port).log"))
        try await waitForPort(port, server: server)
        return EchoServer(port: port, server: server)
    }
}
