import Foundation

/// The registry credentials file Beanstalk fetches from S3 (the object that
/// `Authentication` names) and hands to `docker pull`: docker's
/// `config.json` format with one `auths` entry.
public struct RegistryAuthFile: Hashable, Sendable {
    /// The key docker looks the registry up by in `auths`: its host (`registry.example.com`,
    /// `127.0.0.1:5000`), or for Docker Hub its v1 URL, as `docker login` writes (Registry's `LoginServer.key`).
    public var registry: String
    /// The user name.
    public var username: String?
    /// The password or access token.
    public var password: String?
    /// An identity (refresh) token, used instead of a password.
    public var identityToken: String?

    /// Makes the file's contents.
    public init(registry: String, username: String?, password: String?, identityToken: String? = nil) {
        self.registry = registry
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    /// The file's text: `{"auths": {HOST: {"auth": base64(user:password)}}}`,
    /// with `identitytoken` when that is what there is.
    public func rendered() -> String {
        var entry: [OrderedJSON.Member] = []
        if let username, let password {
            entry.append(OrderedJSON.Member("auth", .string(Data("\(username):\(password)".utf8).base64EncodedString())))
        } else if let username {
            entry.append(OrderedJSON.Member("username", .string(username)))
        }
        if let identityToken { entry.append(OrderedJSON.Member("identitytoken", .string(identityToken))) }
        return OrderedJSON.object([OrderedJSON.Member("auths", .object([OrderedJSON.Member(registry, .object(entry))]))]).rendered()
    }
}
