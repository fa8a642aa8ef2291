/// What went wrong talking to a registry. Every description is one line that names the registry,
/// repository or object and says what to do; none ever holds a password, token or auth string.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `WWW-Authenticate` header that does not follow RFC 7235.
    case malformedChallenge(registry: String, header: String, reason: String)
    /// An auth file (docker config, podman auth.json) that cannot be read.
    case credentialsUnreadable(file: String, reason: String)
    /// A `docker-credential-*` helper that failed for another reason than "credentials not found".
    case credentialHelperFailed(helper: String, registry: String, reason: String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case let .malformedChallenge(registry, header, reason):
            return "registry \(registry) sent a WWW-Authenticate header gantry cannot read (\(reason)): \(header); check the registry's auth configuration"
        case let .credentialsUnreadable(file, reason):
            return "cannot read registry credentials from \(file): \(reason); fix the file or remove it"
        case let .credentialHelperFailed(helper, registry, reason):
            return "credential helper \(helper) failed for registry \(registry): \(reason); check the helper with '\(helper) list'"
        }
    }
}
