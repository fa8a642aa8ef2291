import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP response, as far as the tests look at one.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: String
}

/// A TCP port on 127.0.0.1 that nothing listens on right now: the kernel's
/// pick for a socket bound to port 0. Another process could take it before
/// the caller does; unlikely enough for tests.
func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GETs `url` until something answers, and returns the first answer, whatever its status.
///
/// Bounded both ways: at most `attempts` requests and at most `limit` in all,
/// each request itself limited to what is left (and 5 seconds).
///
/// - Parameter isAlive: asked between attempts; when it says no (the
///   container died), waiting stops at once.
/// - Throws: `HarnessError.noAnswer` with the last connection error.
func waitForHTTP(
    _ url: URL,
    within limit: Duration = .seconds(60),
    attempts: Int = 120,
    interval: Duration = .milliseconds(500),
    isAlive: (@Sendable () async -> Bool)? = nil
) async throws -> HTTPAnswer {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + limit
    let configuration = URLSessionConfiguration.ephemeral
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }

    var lastError = "no attempt made"
    var attempt = 0
    while attempt < attempts, clock.now < deadline {
        attempt += 1
        var request = URLRequest(url: url)
        request.timeoutInterval = min(5, max(0.1, (deadline - clock.now) / .seconds(1)))
        do {
            let (data, response) = try await session.data(for: request)
            if let http = response as? HTTPURLResponse {
                return HTTPAnswer(status: http.statusCode, body: String(decoding: data, as: UTF8.self))
            }
            lastError = "not an HTTP response"
        } catch {
            lastError = "\(error.localizedDescription)"
        }
        if let isAlive, await !isAlive() {
            lastError += " (and the server is no longer running)"
            break
        }
        try await Task.sleep(for: interval)
    }
    throw HarnessError.noAnswer(
        url: url.absoluteString, attempts: attempt, elapsed: clock.now - start, lastError: lastError)
}
