// The grammar, from the distribution reference library:
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [domain "/"] path
//   domain           := host [":" port-number]
//   host             := domain-name | "[" ipv6 "]"
//   domain-name      := domain-component ["." domain-component]*
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   ipv6             := [a-fA-F0-9:]+          (no zone, no embedded IPv4)
//   port-number      := [0-9]+
//   path             := path-component ["/" path-component]*
//   path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
//   separator        := "." | "_" | "__" | "-"+
//   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// The parser works on UTF-8 bytes: every delimiter is ASCII, so a split never
// cuts a multi-byte character, and anything non-ASCII fails the grammar.

private typealias Bytes = ArraySlice<UInt8>

private enum ASCII {
    static let slash = UInt8(ascii: "/")
    static let colon = UInt8(ascii: ":")
    static let at = UInt8(ascii: "@")
    static let dot = UInt8(ascii: ".")
    static let underscore = UInt8(ascii: "_")
    static let hyphen = UInt8(ascii: "-")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
}

extension UInt8 {
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isLowercaseLetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) }
    fileprivate var isUppercaseLetter: Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) }
    fileprivate var isLowercaseAlphanumeric: Bool { isDigit || isLowercaseLetter }
    fileprivate var isAlphanumeric: Bool { isDigit || isLowercaseLetter || isUppercaseLetter }
    fileprivate var isHexDigit: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
    fileprivate var isWordCharacter: Bool { isAlphanumeric || self == ASCII.underscore }
}

private func text(_ bytes: Bytes) -> String {
    String(decoding: bytes, as: UTF8.self)
}

extension ImageReference {
    /// Parses and normalizes a reference the way `docker pull` reads it.
    ///
    /// `debian` becomes `docker.io/library/debian`, `index.docker.io/x/y`
    /// becomes `docker.io/x/y`; a tag and a digest may both be given and are
    /// both kept. No default tag is added here; see `normalized`.
    ///
    /// - Parameter input: The reference text, e.g. `127.0.0.1:5000/news/app:1.0`.
    /// - Throws: `ImageReferenceError` naming the first part of `input` that
    ///   breaks the grammar: empty input, a bare 64-hex identifier, a missing
    ///   repository, uppercase in the path, a bad path component, registry host,
    ///   tag or digest, or a path over `maximumPathLength` characters.
    public init(parsing input: String) throws(ImageReferenceError) {
        let bytes = Array(input.utf8)[...]
        guard !bytes.isEmpty else { throw .emptyReference }
        if bytes.count == 64 && bytes.allSatisfy(\.isLowercaseHexDigit) {
            throw .ambiguousIdentifier(input)
        }

        // Neither names nor tags contain "@", so the digest is everything after the first one.
        var nameAndTag = bytes
        var digestText: Bytes?
        if let at = bytes.firstIndex(of: ASCII.at) {
            nameAndTag = bytes[..<at]
            digestText = bytes[(at + 1)...]
        }

        // A tag follows the last ":" that has no "/" after it; other colons belong to the host.
        var nameBytes = nameAndTag
        var tagText: Bytes?
        if let colon = nameAndTag.lastIndex(of: ASCII.colon),
           !nameAndTag[colon...].contains(ASCII.slash) {
            nameBytes = nameAndTag[..<colon]
            tagText = nameAndTag[(colon + 1)...]
        }

        guard !nameBytes.isEmpty else { throw .missingRepository(reference: input) }
        if !nameAndTag.contains(ASCII.slash) && nameAndTag.first == ASCII.openBracket
            && Self.isValidDomain(nameAndTag) {
            // "[::1]:5000" alone is a registry host, not a Hub repository with tag "5000".
            throw .missingRepository(reference: input)
        }

        let (domain, path) = try Self.splitDomain(nameBytes, reference: input)

        for component in path.split(separator: ASCII.slash, omittingEmptySubsequences: false)
        where !Self.isValidPathComponent(component) {
            throw .invalidPathComponent(reference: input, component: text(component))
        }
        guard path.count <= Self.maximumPathLength else {
            throw .repositoryTooLong(reference: input, length: path.count)
        }

        var tag: String?
        if let tagText {
            guard Self.isValidTag(tagText) else {
                throw .invalidTag(reference: input, tag: text(tagText))
            }
            tag = text(tagText)
        }

        var digest: Digest?
        if let digestText {
            switch Digest.parse(text(digestText)) {
            case .valid(let parsed):
                digest = parsed
            case .invalid(let problem):
                throw .invalidDigest(text(digestText), problem: problem, reference: input)
            }
        }

        self.init(validatedDomain: domain, path: text(path), tag: tag, digest: digest)
    }

    /// Splits a name into registry host and normalized path, like the library's `splitDockerDomain`.
    ///
    /// The path is checked for uppercase letters here, since uppercase in the
    /// first component is what makes it a host.
    private static func splitDomain(
        _ name: Bytes, reference: String
    ) throws(ImageReferenceError) -> (domain: String, path: Bytes) {
        var domain = defaultDomain
        var path = name
        if let slash = name.firstIndex(of: ASCII.slash) {
            let first = name[..<slash]
            let rest = name[(slash + 1)...]
            let firstText = text(first)
            let hasUppercase = first.contains(where: \.isUppercaseLetter)
            if firstText == "localhost" || firstText == legacyDefaultDomain
                || first.contains(ASCII.dot) || first.contains(ASCII.colon) || hasUppercase {
                guard !rest.isEmpty else { throw .missingRepository(reference: reference) }
                guard isValidDomain(first) else {
                    // Without "." or ":" the component was only taken as a host for its
                    // uppercase letters, so the real mistake is an uppercase repository name.
                    if hasUppercase && !first.contains(ASCII.dot) && !first.contains(ASCII.colon) {
                        throw .uppercaseRepository(reference: reference, path: text(name))
                    }
                    throw .invalidDomain(reference: reference, domain: firstText)
                }
                domain = firstText == legacyDefaultDomain ? defaultDomain : firstText
                path = rest
            }
        }
        if path.contains(where: \.isUppercaseLetter) {
            throw .uppercaseRepository(reference: reference, path: text(path))
        }
        if domain == defaultDomain && !path.contains(ASCII.slash) {
            path = Array(officialRepositoryPrefix.utf8)[...] + path
        }
        return (domain, path)
    }

    /// Whether `component` is one `/`-separated component of a repository path:
    /// lowercase letters and digits, joined by `.`, `_`, `__` or runs of `-`.
    ///
    /// `gantry init` uses this to check application names.
    ///
    /// - Parameter component: The candidate component, without `/`.
    /// - Returns: True when the component matches `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
    public static func isValidPathComponent(_ component: some StringProtocol) -> Bool {
        isValidPathComponent(Array(component.utf8)[...])
    }

    /// Whether `tag` is a valid tag: 1 to 128 ASCII letters, digits, `_`, `.`
    /// and `-`, not starting with `.` or `-`.
    ///
    /// - Parameter tag: The candidate tag.
    /// - Returns: True when the tag matches `[\w][\w.-]{0,127}`.
    public static func isValidTag(_ tag: some StringProtocol) -> Bool {
        isValidTag(Array(tag.utf8)[...])
    }

    private static func isValidPathComponent(_ bytes: Bytes) -> Bool {
        var index = bytes.startIndex
        // Alternates runs of [a-z0-9]+ with single separators; must start and end on a run.
        while true {
            let runStart = index
            while index < bytes.endIndex && bytes[index].isLowercaseAlphanumeric { index += 1 }
            guard index > runStart else { return false }
            guard index < bytes.endIndex else { return true }
            switch bytes[index] {
            case ASCII.dot:
                index += 1
            case ASCII.underscore:
                index += 1
                if index < bytes.endIndex && bytes[index] == ASCII.underscore { index += 1 }
            case ASCII.hyphen:
                while index < bytes.endIndex && bytes[index] == ASCII.hyphen { index += 1 }
            default:
                return false
            }
        }
    }

    private static func isValidTag(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, first.isWordCharacter, bytes.count <= 128 else { return false }
        return bytes.dropFirst().allSatisfy { $0.isWordCharacter || $0 == ASCII.dot || $0 == ASCII.hyphen }
    }

    /// Whether `bytes` is a registry host with optional `:port`.
    private static func isValidDomain(_ bytes: Bytes) -> Bool {
        let afterHost: Bytes.Index
        if bytes.first == ASCII.openBracket {
            // Only hex digits and colons: the library rejects zones ("%eth0") and embedded IPv4.
            guard let close = bytes.firstIndex(of: ASCII.closeBracket) else { return false }
            let address = bytes[(bytes.startIndex + 1)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ASCII.colon }) else {
                return false
            }
            afterHost = close + 1
        } else {
            afterHost = bytes.firstIndex(of: ASCII.colon) ?? bytes.endIndex
            let labels = bytes[..<afterHost].split(separator: ASCII.dot, omittingEmptySubsequences: false)
            guard labels.allSatisfy(isValidDomainComponent) else { return false }
        }
        let port = bytes[afterHost...]
        if port.isEmpty { return true }
        return port.first == ASCII.colon && port.count > 1 && port.dropFirst().allSatisfy(\.isDigit)
    }

    private static func isValidDomainComponent(_ label: Bytes) -> Bool {
        guard let first = label.first, let last = label.last, first.isAlphanumeric, last.isAlphanumeric else {
            return false
        }
        return label.allSatisfy { $0.isAlphanumeric || $0 == ASCII.hyphen }
    }
}
