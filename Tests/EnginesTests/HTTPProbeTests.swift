import Engines
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The probe `gantry dev` waits with, against a real socket server on 127.0.0.1.
@Suite struct HTTPProbeTests {
    @Test func readsTheStatusAndBodyOfAnAnswer() async throws {
        let server = try OneShotServer(.answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n"))
        let answer = try await HTTPProbe(port: server.port).get(timeout: .seconds(5))
        #expect(answer == HTTPAnswer(status: 200, body: "hello\n"))
        let request = try #require(await server.request())
        #expect(request.hasPrefix("GET / HTTP/1.0\r\n"))
        #expect(request.contains("Host: 127.0.0.1:\(server.port)\r\n"))
    }

    @Test func readsAServerErrorAsAnAnswer() async throws {
        let server = try OneShotServer(.answer("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n<h1>Internal Server Error</h1>"))
        let answer = try await HTTPProbe(port: server.port, path: "health").get()
        #expect(answer.status == 500)
        #expect(answer.body == "<h1>Internal Server Error</h1>")
        #expect(try #require(await server.request()).hasPrefix("GET /health HTTP/1.0\r\n"))
    }

    @Test func aPortNobodyListensOnIsRefused() async throws {
        let port = try LoopbackPort.free()
        await #expect(throws: EngineError.noHTTPAnswer(url: "http://127.0.0.1:\(port)/", reason: "Connection refused")) {
            try await HTTPProbe(port: port).get(timeout: .seconds(2))
        }
    }

    @Test func aServerThatClosesWithoutAnsweringIsNoAnswer() async throws {
        // What docker-proxy does while the container's server is not listening yet.
        // Closed before or after the request arrived: an end of stream, or a reset.
        let server = try OneShotServer(.close)
        let error = await #expect(throws: EngineError.self) {
            try await HTTPProbe(port: server.port).get(timeout: .seconds(5))
        }
        guard case .noHTTPAnswer(let url, let reason)? = error else {
            Issue.record("expected noHTTPAnswer, got \(String(describing: error))")
            return
        }
        #expect(url == "http://127.0.0.1:\(server.port)/")
        #expect(reason == "the server closed the connection without answering" || reason.hasPrefix("the connection was reset"))
    }

    @Test func aServerThatNeverAnswersIsGivenUpOnInTime() async throws {
        // Silent for 30 s: giving up well before that shows the time limit works, with room
        // for a loaded 2-core machine (a tight bound here failed under a full test run).
        let server = try OneShotServer(.silent(seconds: 30))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: EngineError.self) {
            try await HTTPProbe(port: server.port).get(timeout: .milliseconds(300))
        }
        #expect(clock.now - start < .seconds(15))
    }

    @Test func somethingThatIsNotHTTPIsNamedSo() async throws {
        let server = try OneShotServer(.answer("SSH-2.0-OpenSSH_9.2\r\n"))
        await #expect(throws: EngineError.noHTTPAnswer(url: "http://127.0.0.1:\(server.port)/", reason: "the answer is not HTTP: SSH-2.0-OpenSSH_9.2")) {
            try await HTTPProbe(port: server.port).get(timeout: .seconds(5))
        }
    }
}

@Suite struct LoopbackPortTests {
    @Test func aFreePortIsAvailable() throws {
        let port = try LoopbackPort.free()
        #expect((1...65535).contains(port))
        try LoopbackPort.checkAvailable(port)
    }

    @Test func aPortWithAListenerIsInUseAndTheErrorNamesIt() throws {
        let server = try OneShotServer(.silent(seconds: 0))
        #expect(throws: EngineError.portInUse(server.port, reason: "Address already in use")) {
            try LoopbackPort.checkAvailable(server.port)
        }
        let error = EngineError.portInUse(server.port, reason: "Address already in use")
        #expect(error.description == "port \(server.port) on 127.0.0.1 is already in use (Address already in use); stop what listens there or choose another port with --port")
    }
}

/// A server on a free port of 127.0.0.1 that takes one connection, reads the
/// request head, and then does one thing: answers, closes, or stays silent.
final class OneShotServer: @unchecked Sendable {
    enum Behaviour {
        case answer(String)
        case close
        case silent(seconds: Double)
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var received: String?
    private let done = DispatchSemaphore(value: 0)

    init(_ behaviour: Behaviour) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ready else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        port = Int(UInt16(bigEndian: address.sin_port))
        if case .silent(let seconds) = behaviour, seconds == 0 { return }  // only listening
        Thread.detachNewThread { [self] in serve(behaviour) }
    }

    private func serve(_ behaviour: Behaviour) {
        defer { done.signal() }
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return }
        defer { _ = Glibc.close(connection) }
        if case .close = behaviour { return }
        var head = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { break }
            head += buffer[0..<count]
        }
        lock.lock()
        received = String(decoding: head, as: UTF8.self)
        lock.unlock()
        switch behaviour {
        case .answer(let text):
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        case .silent(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .close:
            break
        }
    }

    /// The request head the server read, once it has served (waiting off the cooperative pool).
    func request() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                _ = self.done.wait(timeout: .now() + 5)
                self.lock.lock()
                let received = self.received
                self.lock.unlock()
                continuation.resume(returning: received)
            }
        }
    }

    deinit { _ = Glibc.close(fd) }
}
