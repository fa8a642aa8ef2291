/// One challenge of a `WWW-Authenticate` header (RFC 7235), such as
/// `Bearer realm="https://auth.example/token",service="registry",scope="repository:news/app:pull"`.
public struct AuthChallenge: Hashable, Sendable {
    /// The scheme, lowercased (`basic`, `bearer`): schemes compare case-insensitively.
    public let scheme: String
    /// The auth-params by lowercased name, values unquoted and unescaped.
    public let parameters: [String: String]
    /// The token68 form (`Negotiate abc==`), when the challenge has one instead of parameters.
    public let token68: String?

    /// Makes a challenge; the scheme and parameter names are lowercased.
    public init(scheme: String, parameters: [String: String] = [:], token68: String? = nil) {
        self.scheme = scheme.lowercased()
        self.parameters = Dictionary(parameters.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.token68 = token68
    }

    /// The `realm` parameter: for Bearer, the URL tokens come from.
    public var realm: String? { parameters["realm"] }
    /// The `service` parameter a token server expects back.
    public var service: String? { parameters["service"] }
    /// The scopes of the `scope` parameter (space-separated in the header).
    public var scopes: [String] {
        (parameters["scope"] ?? "").split(separator: " ").map(String.init)
    }

    /// Parses every challenge of one `WWW-Authenticate` header value.
    /// - Parameters:
    ///   - header: the header value.
    ///   - registry: the registry that sent it, named in the error.
    /// - Throws: `RegistryError.malformedChallenge` when the value does not follow RFC 7235.
    public static func parse(_ header: String, from registry: String) throws(RegistryError) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(header.utf8))
        do {
            return try scanner.challenges()
        } catch {
            throw .malformedChallenge(registry: registry, header: header, reason: error.reason)
        }
    }

    /// Parses several `WWW-Authenticate` header values (a response may send the header more than once).
    /// - Throws: `RegistryError.malformedChallenge` for the first malformed value.
    public static func parse(headers: [String], from registry: String) throws(RegistryError) -> [AuthChallenge] {
        var all: [AuthChallenge] = []
        for header in headers { all += try parse(header, from: registry) }
        return all
    }
}

/// Why a header did not parse; wrapped into `RegistryError` with the registry's name.
struct ChallengeSyntaxError: Error {
    let reason: String
}

/// A byte scanner for the RFC 7235 challenge grammar.
private struct ChallengeScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    static func isToken68Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("-._~+/".utf8).contains(byte)
        }
    }

    var atEnd: Bool { index >= bytes.count }
    var current: UInt8? { atEnd ? nil : bytes[index] }

    mutating func skipSpaces() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    mutating func skipSpacesAndCommas() {
        while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ",") { index += 1 }
    }

    mutating func token() -> String? {
        let start = index
        while let byte = current, Self.isTokenByte(byte) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    mutating func quotedString() throws(ChallengeSyntaxError) -> String {
        index += 1  // the opening quote
        var value: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw ChallengeSyntaxError(reason: "a quoted string ends in a backslash") }
                value.append(escaped)
                index += 1
            default:
                value.append(byte)
            }
        }
        throw ChallengeSyntaxError(reason: "a quoted string is not closed")
    }

    /// True when an auth-param (`name BWS "="` then not another `=`) starts at the current index.
    func paramStartsHere() -> Bool {
        var probe = self
        guard probe.token() != nil else { return false }
        probe.skipSpaces()
        guard probe.current == UInt8(ascii: "=") else { return false }
        probe.index += 1
        return probe.current != UInt8(ascii: "=")
    }

    mutating func param() throws(ChallengeSyntaxError) -> (String, String) {
        guard let name = token() else { throw ChallengeSyntaxError(reason: "expected a parameter name") }
        skipSpaces()
        index += 1  // "=", checked by paramStartsHere
        skipSpaces()
        if current == UInt8(ascii: "\"") { return (name, try quotedString()) }
        guard let value = token() else { throw ChallengeSyntaxError(reason: "parameter '\(name)' has no value") }
        return (name, value)
    }

    mutating func challenges() throws(ChallengeSyntaxError) -> [AuthChallenge] {
        var result: [AuthChallenge] = []
        skipSpacesAndCommas()
        while !atEnd {
            guard let scheme = token() else {
                throw ChallengeSyntaxError(reason: "expected an auth scheme at byte \(index)")
            }
            skipSpaces()
            if atEnd || current == UInt8(ascii: ",") {
                result.append(AuthChallenge(scheme: scheme))
                skipSpacesAndCommas()
                continue
            }
            if !paramStartsHere() {
                let start = index
                while let byte = current, Self.isToken68Byte(byte) { index += 1 }
                guard index > start else { throw ChallengeSyntaxError(reason: "unexpected character after scheme '\(scheme)'") }
                while current == UInt8(ascii: "=") { index += 1 }
                let token68 = String(decoding: bytes[start..<index], as: UTF8.self)
                skipSpaces()
                guard atEnd || current == UInt8(ascii: ",") else {
                    throw ChallengeSyntaxError(reason: "unexpected text after the token of scheme '\(scheme)'")
                }
                result.append(AuthChallenge(scheme: scheme, token68: token68))
                skipSpacesAndCommas()
                continue
            }
            var parameters: [String: String] = [:]
            while true {
                let (name, value) = try param()
                let key = name.lowercased()
                guard parameters[key] == nil else { throw ChallengeSyntaxError(reason: "parameter '\(name)' appears twice") }
                parameters[key] = value
                skipSpaces()
                if atEnd { break }
                guard current == UInt8(ascii: ",") else {
                    throw ChallengeSyntaxError(reason: "expected ',' after parameter '\(name)'")
                }
                skipSpacesAndCommas()
                if atEnd || !paramStartsHere() { break }  // the next challenge starts here
            }
            result.append(AuthChallenge(scheme: scheme, parameters: parameters))
        }
        return result
    }
}
