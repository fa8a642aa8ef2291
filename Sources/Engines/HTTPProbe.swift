import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP answer, as far as a readiness check looks at one.
public struct HTTPAnswer: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The body, decoded as UTF-8.
    public var body: String

    /// An answer with `status` and `body`.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// GETs a page from a server on 127.0.0.1 over a plain socket: one
/// HTTP/1.0 request, the answer read to the end. Enough to tell whether a
/// dev server is up, and what it says, without an HTTP library.
public struct HTTPProbe: Sendable {
    /// The port on 127.0.0.1.
    public var port: Int
    /// The request path.
    public var path: String

    /// A probe of `http://127.0.0.1:PORT/PATH`.
    public init(port: Int, path: String = "/") {
        self.port = port
        self.path = path.hasPrefix("/") ? path : "/" + path
    }

    /// The URL, for messages.
    public var url: String { "http://127.0.0.1:\(port)\(path)" }

    /// Sends one GET and reads the answer.
    /// - Parameter timeout: for connecting and for the whole answer.
    /// - Throws: `EngineError.noHTTPAnswer` saying why: refused, closed without an answer, timed out.
    public func get(timeout: Duration = .seconds(5)) async throws(EngineError) -> HTTPAnswer {
        let port = self.port, path = self.path, url = self.url
        let result: Result<HTTPAnswer, EngineError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(EngineError) -> HTTPAnswer in
                    try Self.exchange(port: port, path: path, url: url, timeout: timeout)
                })
            }
        }
        return try result.get()
    }

    private static func exchange(port: Int, path: String, url: String, timeout: Duration) throws(EngineError) -> HTTPAnswer {
        func failed(_ reason: String) -> EngineError { .noHTTPAnswer(url: url, reason: reason) }
        let deadline = ContinuousClock.now + timeout
        func remainingMilliseconds() -> Int32 {
            let left = deadline - ContinuousClock.now
            return Int32(max(0, min(Int64(Int32.max), left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
        }

        let fd = socket(AF_INET, Int32(SOCK_STREAM_VALUE), 0)
        guard fd >= 0 else { throw failed("cannot make a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var address = LoopbackPort.address(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { throw failed(String(cString: strerror(errno))) }
            guard wait(fd, for: Int16(POLLOUT), milliseconds: remainingMilliseconds()) else { throw failed("connecting timed out") }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw failed(String(cString: strerror(error))) }
        }

        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: gantry\r\nAccept: */*\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + sent }, request.count - sent, Int32(MSG_NOSIGNAL_VALUE)) }
            if count > 0 { sent += count; continue }
            if count < 0 && (errno == EAGAIN || errno == EINTR) {
                guard wait(fd, for: Int16(POLLOUT), milliseconds: remainingMilliseconds()) else { throw failed("sending timed out") }
                continue
            }
            throw failed("the connection closed while sending: \(String(cString: strerror(errno)))")
        }

        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                answer += buffer[0..<count]
                continue
            }
            if count == 0 { break }
            if errno == EAGAIN || errno == EINTR {
                guard wait(fd, for: Int16(POLLIN), milliseconds: remainingMilliseconds()) else {
                    throw failed(answer.isEmpty ? "no answer within \(timeout)" : "the answer did not end within \(timeout)")
                }
                continue
            }
            // A reset after a complete answer still counts; before one it is no answer.
            if answer.isEmpty { throw failed("the connection was reset: \(String(cString: strerror(errno)))") }
            break
        }
        return try parse(answer, failed: failed)
    }

    /// Reads the status line and the body of a raw HTTP/1.x answer.
    static func parse(_ bytes: [UInt8], failed: (String) -> EngineError) throws(EngineError) -> HTTPAnswer {
        guard !bytes.isEmpty else { throw failed("the server closed the connection without answering") }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd = bytes.count
        var bodyStart = bytes.count
        if bytes.count >= 4 {
            for index in 0...(bytes.count - 4) where Array(bytes[index..<index + 4]) == separator {
                headerEnd = index
                bodyStart = index + 4
                break
            }
        }
        let head = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let fields = statusLine.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else {
            throw failed("the answer is not HTTP: \(statusLine.prefix(80))")
        }
        return HTTPAnswer(status: status, body: String(decoding: bytes[bodyStart...], as: UTF8.self))
    }

    private static func wait(_ fd: Int32, for events: Int16, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}

#if canImport(Glibc)
let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)
let MSG_NOSIGNAL_VALUE = Int32(MSG_NOSIGNAL)
#else
let SOCK_STREAM_VALUE = SOCK_STREAM
let MSG_NOSIGNAL_VALUE: Int32 = 0
#endif
