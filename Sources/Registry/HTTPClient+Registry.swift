import Foundation

/// Where a registry answers and what its `/v2/` said.
public struct RegistryPing: Sendable {
    /// `https://HOST` or, for a loopback or insecure registry without TLS, `http://HOST`.
    public let baseURL: URL
    /// The answer to `GET /v2/` (200, or 401 with challenges).
    public let response: HTTPResponse
}

extension HTTPClient {
    /// Whether plain HTTP may be used for a registry: loopback hosts (127.0.0.0/8, ::1, localhost)
    /// and the hosts of `--insecure-registry`.
    public func allowsPlainHTTP(_ registry: String) -> Bool {
        if options.insecureRegistries.contains(registry) { return true }
        let host = Self.hostPart(registry)
        if options.insecureRegistries.contains(host) { return true }
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The host of `host`, `host:port`, `[v6]` or `[v6]:port`, without brackets.
    static func hostPart(_ registry: String) -> String {
        let lowered = registry.lowercased()
        if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") {
            return String(lowered[lowered.index(after: lowered.startIndex)..<close])
        }
        if let colon = lowered.lastIndex(of: ":"), lowered.firstIndex(of: ":") == colon {
            return String(lowered[..<colon])
        }
        return lowered
    }

    /// Pings `GET /v2/` over HTTPS; for a registry that may speak plain HTTP, a failed TLS handshake
    /// (or a server that hangs up on it) falls back to HTTP, as docker does.
    /// - Throws: `RegistryError.tlsFailed`, `.unreachable` or `.timedOut` when neither works.
    public func ping(_ registry: String) async throws(RegistryError) -> RegistryPing {
        let secure = try url("https://\(registry)/v2/", registry: registry)
        do {
            if allowsPlainHTTP(registry) {
                // Whether it speaks TLS at all, learned without loading the CA bundle (~45 ms of CPU
                // with OpenSSL 3, most of a warm push to a local registry); a registry that does is
                // then pinged with its certificate checked, as any other.
                var probe = HTTPRequest(url: secure)
                probe.checksCertificate = false
                _ = try await send(probe, sink: .collect(limit: 64 << 10))
            }
            // Where plain HTTP may follow, a failed handshake is the answer, not a fault to retry.
            let request = HTTPRequest(url: secure)
            let response = allowsPlainHTTP(registry) ? try await send(request, sink: .collect(limit: 64 << 10))
                : try await sendRetrying(request, sink: .collect(limit: 64 << 10))
            return RegistryPing(baseURL: try url("https://\(registry)", registry: registry), response: response)
        } catch {
            guard allowsPlainHTTP(registry) else { throw error }
            switch error {
            case .tlsFailed, .unreachable: break
            default: throw error
            }
            let plain = try url("http://\(registry)/v2/", registry: registry)
            let response = try await sendRetrying(HTTPRequest(url: plain), sink: .collect(limit: 64 << 10))
            return RegistryPing(baseURL: try url("http://\(registry)", registry: registry), response: response)
        }
    }

    private func url(_ text: String, registry: String) throws(RegistryError) -> URL {
        guard let url = URL(string: text), url.host != nil else { throw .invalidRegistryName(registry) }
        return url
    }
}
