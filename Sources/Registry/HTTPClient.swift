import Archive
import CCurl
import Foundation

/// A small async HTTP client over libcurl's easy API. Each transfer runs on a thread of its own,
/// never on Swift's cooperative pool; handles are pooled so that connections, DNS answers and TLS
/// sessions are reused. Redirects are followed here, not by curl, so that an `Authorization`
/// header never goes to another host.
public final class HTTPClient: Sendable {
    /// The transport settings.
    public let options: HTTPClientOptions
    /// What retries cost so far, across every request of this client.
    public let statistics = TransferStatistics()
    private let pool: CurlHandlePool

    /// Makes a client.
    public init(options: HTTPClientOptions = HTTPClientOptions()) {
        self.options = options
        // As many idle handles (and their connections) as transfers run at once: with fewer, each
        // extra transfer of `--jobs` would connect and handshake again.
        pool = CurlHandlePool(capacity: max(4, options.jobs))
    }

    /// Sends a request and follows redirects.
    /// - Parameters:
    ///   - request: the request; its `Authorization` header is dropped on a redirect to another host.
    ///   - sink: where a 2xx body goes (collected up to 4 MiB by default).
    /// - Returns: the final response, whatever its status.
    /// - Throws: `RegistryError` when the registry cannot be reached, TLS fails, the transfer times out,
    ///   the body is larger than the sink allows, the sink fails, or redirects do not end.
    public func send(_ request: HTTPRequest, sink: HTTPResponseSink = .collect(limit: 4 << 20)) async throws(RegistryError) -> HTTPResponse {
        var current = request
        for _ in 0...options.maximumRedirects {
            let attempt = current
            let options = self.options
            let pool = self.pool
            let cancellation = TransferCancellation()
            let outcome = await withTaskCancellationHandler {
                await BlockingWork.run(stackSize: 1 << 20) { CurlOutcomeBox(pool.perform(attempt, sink: sink, options: options, cancellation: cancellation)) }
            } onCancel: {
                cancellation.cancel()
            }
            let response = try Self.response(outcome.value, for: attempt)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["Location"] else {
                return response
            }
            guard let next = URL(string: location, relativeTo: attempt.url)?.absoluteURL,
                  let scheme = next.scheme?.lowercased(), scheme == "https" || scheme == "http"
            else {
                throw .badRedirect(host: Self.hostAndPort(attempt.url), path: attempt.url.path, location: location)
            }
            if Self.hostAndPort(next) != Self.hostAndPort(attempt.url) {
                current.headers.remove("Authorization")
            }
            if response.status == 303 || (response.status != 307 && response.status != 308 && attempt.method.uppercased() == "POST") {
                current.method = attempt.method.uppercased() == "HEAD" ? "HEAD" : "GET"
                current.body = nil
            }
            current.url = next
        }
        throw .tooManyRedirects(host: Self.hostAndPort(request.url), path: request.url.path, limit: options.maximumRedirects)
    }

    private static func response(_ outcome: CurlOutcome, for request: HTTPRequest) throws(RegistryError) -> HTTPResponse {
        let host = hostAndPort(request.url)
        switch outcome {
        case let .response(status, headers, body):
            return HTTPResponse(status: status, headers: headers, body: body, url: request.url)
        case let .tooLarge(limit):
            throw .responseTooLarge(host: host, path: request.url.path, limit: limit)
        case .cancelled:
            throw .cancelled(host: host, path: request.url.path)
        case let .sinkFailed(error):
            throw .transferStopped(host: host, path: request.url.path, reason: "\(error)")
        case let .curlFailed(code, message):
            if [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH].contains(code) {
                throw .certificateUntrusted(host: host, reason: message)
            }
            if isTLSFailure(code) { throw .tlsFailed(host: host, reason: message) }
            if code == CURLE_OPERATION_TIMEDOUT { throw .timedOut(host: host, path: request.url.path, reason: message) }
            throw .unreachable(host: host, reason: message)
        }
    }

    static func isTLSFailure(_ code: CURLcode) -> Bool {
        [CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
         CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS].contains(code)
    }

    /// `host` or `host:port` of a URL, as registries are named.
    static func hostAndPort(_ url: URL) -> String {
        let host = url.host ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return url.port.map { "\(bracketed):\($0)" } ?? bracketed
    }
}

/// Carries a transfer's outcome back from its thread; the outcome is built and then only read.
struct CurlOutcomeBox: @unchecked Sendable {
    let value: CurlOutcome
    init(_ value: CurlOutcome) { self.value = value }
}
