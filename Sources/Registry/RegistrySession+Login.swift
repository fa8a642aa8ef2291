import Foundation

/// What a successful login check learnt.
public struct LoginVerification: Sendable, Equatable {
    /// The refresh token the token server handed out for offline use, to be stored as `identitytoken`
    /// instead of the password, as docker does; nil for Basic registries and token servers that give none.
    public let identityToken: String?
}

extension RegistrySession {
    /// Checks the session's user name and password as `docker login` does: pings `/v2/`; for a Bearer
    /// challenge fetches a token with the credentials and no scope (asking for a refresh token), for a
    /// Basic one sends them; the authenticated `GET /v2/` must then answer 200.
    /// - Throws: `RegistryError.loginRefused` when the registry or its token server refuses the credentials,
    ///   `.loginUnverified` for another answer, and the transport's errors.
    public func verifyLogin() async throws(RegistryError) -> LoginVerification {
        let base = try await ping()
        guard let challenge else { return LoginVerification(identityToken: nil) }
        let username = search.credentials?.username ?? ""
        guard let url = URL(string: base.absoluteString + "/v2/") else { throw .invalidRegistryName(registry) }
        var request = HTTPRequest(url: url)
        var identityToken: String?
        switch challenge.scheme {
        case "bearer":
            do {
                let issued = try await fetchToken(challenge, scopes: [], offline: true)
                request.headers.set("Authorization", "Bearer " + issued.token)
                identityToken = issued.refreshToken
            } catch .tokenRequestFailed(_, _, let status, _) where status == 401 || status == 403 {
                throw .loginRefused(registry: registry, username: username, status: status)
            }
        default:
            guard let basic = search.credentials?.basicAuthorization else {
                throw .loginRefused(registry: registry, username: username, status: 401)
            }
            request.headers.set("Authorization", basic)
        }
        let response = try await client.send(request, sink: .collect(limit: 64 << 10))
        switch response.status {
        case 200: return LoginVerification(identityToken: identityToken)
        case 401, 403: throw .loginRefused(registry: registry, username: username, status: response.status)
        default: throw .loginUnverified(registry: registry, status: response.status)
        }
    }
}
