import Foundation

/// A registry as `gantry login` and `logout` name it: the key its credentials are stored under in the
/// docker config, and the host its API answers on. Docker Hub's names all fold to one, as docker does.
public struct LoginServer: Sendable, Equatable, CustomStringConvertible {
    /// The registry's host, `HOST[:PORT]`; Docker Hub is `docker.io`.
    public let name: String
    /// The key of the docker config's `auths` and the server URL handed to credential helpers:
    /// the host, or `https://index.docker.io/v1/` for Docker Hub.
    public let key: String
    /// The host the registry API answers on (`registry-1.docker.io` for Docker Hub).
    public let apiHost: String

    /// Reads a `gantry login` argument: `HOST[:PORT]`, a URL such as `https://HOST/v2/` (scheme and path
    /// dropped), or nothing, `docker.io` or `index.docker.io` for Docker Hub.
    /// - Throws: `RegistryError.invalidRegistryName` for a name that cannot be a registry host.
    public init(parsing argument: String?) throws(RegistryError) {
        let text = (argument ?? "").trimmingCharacters(in: .whitespaces)
        let host = text.isEmpty ? "docker.io" : CredentialStore.canonicalHost(text)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-:[]_")
        guard !host.isEmpty, host.allSatisfy(allowed.contains), !host.hasPrefix("."), !host.hasPrefix("-"), !host.hasPrefix(":") else {
            throw .invalidRegistryName(text)
        }
        name = host
        key = CredentialStore.helperServerURL(host)
        apiHost = RegistrySession.apiHost(forDomain: host)
    }

    /// The registry's name, as messages show it.
    public var description: String { name }
}
