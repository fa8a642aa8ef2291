/// What went wrong talking to a registry. Every description is one line that names the registry,
/// repository or object and says what to do; none ever holds a password, token or auth string.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `WWW-Authenticate` header that does not follow RFC 7235.
    case malformedChallenge(registry: String, header: String, reason: String)
    /// An auth file (docker config, podman auth.json) that cannot be read.
    case credentialsUnreadable(file: String, reason: String)
    /// A `docker-credential-*` helper that failed for another reason than "credentials not found".
    case credentialHelperFailed(helper: String, registry: String, reason: String)
    /// A registry name that does not make a URL.
    case invalidRegistryName(String)
    /// No connection (DNS, refused, reset).
    case unreachable(host: String, reason: String)
    /// The TLS handshake or certificate check failed.
    case tlsFailed(host: String, reason: String)
    /// The registry's certificate does not verify against the trusted CAs.
    case certificateUntrusted(host: String, reason: String)
    /// Connect timeout, or a transfer slower than the low-speed limit.
    case timedOut(host: String, path: String, reason: String)
    /// A body larger than the caller accepts.
    case responseTooLarge(host: String, path: String, limit: Int)
    /// The body's consumer (a file, the store) stopped the transfer.
    case transferStopped(host: String, path: String, reason: String)
    /// A redirect whose `Location` is not an HTTP(S) URL.
    case badRedirect(host: String, path: String, location: String)
    /// The registry answered 401 although gantry authenticated as well as it could.
    case unauthorized(registry: String, repository: String, reason: String, fix: String)
    /// The token server (the Bearer realm) refused or answered without a token.
    case tokenRequestFailed(registry: String, realm: String, status: Int, fix: String)
    /// More redirects than allowed.
    case tooManyRedirects(host: String, path: String, limit: Int)
    /// The transfer was stopped because the command was interrupted.
    case cancelled(host: String, path: String)
    /// An auth file (the docker config) that cannot be written; it is left as it was.
    case credentialsNotWritable(file: String, reason: String)
    /// The registry or its token server refused the user name and password given to `gantry login`.
    case loginRefused(registry: String, username: String, status: Int)
    /// The registry answered the authenticated `GET /v2/` of a login with neither 200 nor a refusal.
    case loginUnverified(registry: String, status: Int)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case let .malformedChallenge(registry, header, reason):
            return "registry \(registry) sent a WWW-Authenticate header gantry cannot read (\(reason)): \(header); check the registry's auth configuration"
        case let .credentialsUnreadable(file, reason):
            return "cannot read registry credentials from \(file): \(reason); fix the file or remove it"
        case let .credentialHelperFailed(helper, registry, reason):
            return "credential helper \(helper) failed for registry \(registry): \(reason); check the helper with '\(helper) list'"
        case let .invalidRegistryName(name):
            return "'\(name)' is not a registry host name; use HOST or HOST:PORT"
        case let .unreachable(host, reason):
            return "cannot reach registry \(host): \(reason); check the address, that the registry runs and the proxy settings"
        case let .tlsFailed(host, reason):
            return "TLS with registry \(host) failed: \(reason); pass --ca-cert FILE for a private CA, or --insecure-registry \(host) if it speaks plain HTTP"
        case let .certificateUntrusted(host, reason):
            return "registry \(host) presented a certificate gantry does not trust (\(reason)); pass --ca-cert FILE with the CA that signed it"
        case let .timedOut(host, path, reason):
            return "registry \(host) timed out on \(path): \(reason); check the network and try again"
        case let .responseTooLarge(host, path, limit):
            return "registry \(host) answered \(path) with more than \(limit) bytes; check that the address is a registry"
        case let .transferStopped(host, path, reason):
            return "transfer of \(path) from \(host) stopped: \(reason); check free disk space and try again"
        case let .badRedirect(host, path, location):
            return "registry \(host) redirected \(path) to '\(location)', which is not an HTTP(S) URL; report this to the registry's operator"
        case let .unauthorized(registry, repository, reason, fix):
            return "registry \(registry) answered 401 for \(repository): \(reason); \(fix)"
        case let .tokenRequestFailed(registry, realm, status, fix):
            return "token server \(realm) of registry \(registry) answered \(status); \(fix)"
        case let .cancelled(host, path):
            return "transfer of \(path) with \(host) was interrupted; run the command again to finish (what arrived is kept)"
        case let .tooManyRedirects(host, path, limit):
            return "registry \(host) redirected \(path) more than \(limit) times; report this to the registry's operator"
        case let .credentialsNotWritable(file, reason):
            return "cannot write registry credentials to \(file): \(reason); fix the file's folder or its permissions, or set DOCKER_CONFIG to another folder"
        case let .loginRefused(registry, username, status):
            return "registry \(registry) refused the login of user \(username) (HTTP \(status)); check the user name and password, nothing was stored"
        case let .loginUnverified(registry, status):
            return "registry \(registry) answered HTTP \(status) to an authenticated GET /v2/, so the login could not be checked; check that the address is a registry, nothing was stored"
        }
    }
}
