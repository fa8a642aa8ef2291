import Foundation

/// What a registry login is made of, and where it was found. The description never shows the secret.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The user name; nil when only an identity token is known.
    public let username: String?
    /// The password (or a registry token used as one); nil with an identity token.
    public let password: String?
    /// An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user) for the token server.
    public let identityToken: String?
    /// Where these were found: a file and its key, or a credential helper.
    public let source: String

    /// Makes credentials.
    public init(username: String?, password: String?, identityToken: String? = nil, source: String) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.source = source
    }

    /// The `Authorization: Basic …` value, when there is a user and a password.
    var basicAuthorization: String? {
        guard let username, let password else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// `user USER from SOURCE`, with the secret redacted.
    public var description: String {
        let who = username.map { "user \($0)" } ?? "an identity token"
        return "\(who) from \(source) (secret redacted)"
    }

    /// The same as `description`: `dump` and `debugPrint` must not leak the secret either.
    public var debugDescription: String { description }
}

/// The result of looking for credentials: what was found, if anything, and every place looked in.
public struct CredentialSearch: Sendable, Equatable {
    /// The credentials, or nil for anonymous access.
    public let credentials: Credentials?
    /// The places looked in, in order, for error messages ("looked in …").
    public let lookedIn: [String]

    /// Makes a search result; `gantry login` makes one for the credentials it is given.
    public init(credentials: Credentials?, lookedIn: [String]) {
        self.credentials = credentials
        self.lookedIn = lookedIn
    }
}
