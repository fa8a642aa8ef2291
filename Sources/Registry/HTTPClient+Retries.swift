import Foundation

/// When and how long to wait before sending a failed request again.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (`--retries`); 0 sends each request once.
    public var retries: Int = 5
    /// The first backoff; each further one doubles, up to `maximumDelay`, with jitter.
    public var baseDelay: Double = 0.25
    /// The longest wait between attempts, and the longest `Retry-After` honoured: a registry asking
    /// for more is out of quota, which is reported rather than waited out.
    public var maximumDelay: Double = 30

    /// The default policy.
    public init() {}

    /// Statuses worth another attempt: request timeout, too many requests, and server errors that pass.
    public static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// The wait before retry number `attempt` (0 for the first retry): exponential backoff with
    /// jitter, or the server's `Retry-After` (seconds or an HTTP date) when it gives one.
    func delay(attempt: Int, retryAfter: String?) -> Double {
        if let retryAfter, let wanted = Self.seconds(retryAfter) { return min(max(wanted, 0), maximumDelay) }
        let backoff = min(baseDelay * pow(2, Double(min(attempt, 16))), maximumDelay)
        return Double.random(in: (backoff / 2)...backoff)
    }

    /// A `Retry-After` value in seconds.
    static func seconds(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { $0.timeIntervalSinceNow }
    }

    /// Whether an answer asks for more time than the policy waits: a quota, not a passing overload.
    func isQuotaExhausted(_ response: HTTPResponse) -> Bool {
        guard response.status == 429 else { return false }
        if let header = response.headers["Retry-After"], let wanted = Self.seconds(header), wanted > maximumDelay { return true }
        return false
    }
}

/// Counts what retries cost, across every request of a client.
public final class TransferStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var retryCount = 0
    private var resent: Int64 = 0

    /// Requests sent again after a failure.
    public var retries: Int { lock.withLock { retryCount } }
    /// Body bytes sent or received more than once because of retries.
    public var bytesResent: Int64 { lock.withLock { resent } }

    func recordRetry(resending bytes: Int64) {
        lock.withLock {
            retryCount += 1
            resent += bytes
        }
    }
}

extension HTTPClient {
    /// Sends a request whose repetition is harmless, and sends it again after connection failures,
    /// timeouts and 408/429/5xx answers, as `options.retry` says. Bodies streamed to a sink are not
    /// retried here (their bytes are gone); callers resume those themselves.
    /// - Returns: the last response: a success, a status not worth retrying, or the last retryable one.
    /// - Throws: the transport's error when every attempt failed, `CancellationError`-free: a
    ///   cancelled task stops retrying and throws the last error.
    public func sendRetrying(_ request: HTTPRequest, sink: HTTPResponseSink = .collect(limit: 4 << 20)) async throws(RegistryError) -> HTTPResponse {
        var repeatable = false
        if case .collect = sink { repeatable = true }
        var attempt = 0
        while true {
            var retryAfter: String?
            do {
                let response = try await send(request, sink: sink)
                guard repeatable, attempt < options.retry.retries, RetryPolicy.retryableStatuses.contains(response.status),
                      !options.retry.isQuotaExhausted(response), !Task.isCancelled else { return response }
                retryAfter = response.headers["Retry-After"]
            } catch {
                guard repeatable, attempt < options.retry.retries, error.isTransient, !Task.isCancelled else { throw error }
            }
            statistics.recordRetry(resending: request.body?.length ?? 0)
            await sleepBeforeRetry(attempt, retryAfter: retryAfter)
            attempt += 1
        }
    }

    /// Waits before retry number `attempt` (0 for the first): the server's `Retry-After`, else the
    /// policy's backoff with jitter. A cancelled task does not wait.
    func sleepBeforeRetry(_ attempt: Int, retryAfter: String? = nil) async {
        try? await Task.sleep(nanoseconds: UInt64(options.retry.delay(attempt: attempt, retryAfter: retryAfter) * 1_000_000_000))
    }
}

extension RegistryError {
    /// Whether another attempt may succeed: the connection dropped or timed out.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timedOut: return true
        default: return false
        }
    }
}

extension HTTPRequestBody {
    /// The body's size in bytes (0 when a file cannot be read).
    var length: Int64 {
        switch self {
        case let .data(data): return Int64(data.count)
        case let .file(path): return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? 0
        case let .fileRange(_, _, length): return length
        }
    }
}
