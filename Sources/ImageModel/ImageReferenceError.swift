/// Why an image reference, tag or digest was rejected.
///
/// Each description is one line that quotes the offending input, says what is
/// wrong with it and what is allowed instead.
public enum ImageReferenceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What is wrong with a digest.
    public enum DigestProblem: Hashable, Sendable {
        /// The text is not `algorithm:encoded` with both parts non-empty.
        case malformed
        /// The algorithm is not one of the OCI registered ones (sha256, sha512).
        case unsupportedAlgorithm(String)
        /// The encoded part has the wrong length or characters outside `0-9a-f`.
        case invalidEncoding(Digest.Algorithm)
    }

    /// The reference is the empty string.
    case emptyReference
    /// The reference is only 64 lowercase hex characters, which reads as an image ID.
    case ambiguousIdentifier(String)
    /// The reference has a tag or digest, or a registry host, but no repository path.
    case missingRepository(reference: String)
    /// The repository path has an uppercase letter.
    case uppercaseRepository(reference: String, path: String)
    /// A `/`-separated component of the repository path breaks the path grammar.
    case invalidPathComponent(reference: String, component: String)
    /// The repository path is longer than `ImageReference.maximumPathLength` characters.
    case repositoryTooLong(reference: String, length: Int)
    /// The registry host, with its optional port, breaks the host grammar.
    case invalidDomain(reference: String, domain: String)
    /// The tag breaks the tag grammar; `reference` is nil when the tag was given on its own.
    case invalidTag(reference: String?, tag: String)
    /// The digest is invalid; `reference` is nil when the digest was parsed on its own.
    case invalidDigest(String, problem: DigestProblem, reference: String?)

    /// A one-line explanation naming the input, the problem and what is allowed.
    public var description: String {
        switch self {
        case .emptyReference:
            return #"invalid reference "": a reference needs at least a repository name, e.g. "debian" or "127.0.0.1:5000/news/app:1.0""#
        case .ambiguousIdentifier(let input):
            return #"invalid reference "\#(input)": a bare 64-character hex string reads as an image ID, not a repository; "#
                + #"put a registry host before it or use it as a digest, "name@sha256:\#(input)""#
        case .missingRepository(let reference):
            return #"invalid reference "\#(reference)": the repository name is missing; "#
                + #"a reference is [host/]path[:tag][@digest], e.g. "debian:12" or "localhost:5000/app""#
        case .uppercaseRepository(let reference, let path):
            return #"invalid reference "\#(reference)": repository names must be lowercase, "#
                + #"but "\#(path)" has uppercase letters"#
        case .invalidPathComponent(let reference, let component) where component.isEmpty:
            return #"invalid reference "\#(reference)": the repository path has an empty component; "#
                + #"separate components with a single "/" and do not end the path with "/""#
        case .invalidPathComponent(let reference, let component):
            return #"invalid reference "\#(reference)": repository path component "\#(component)" is not allowed; "#
                + #"use lowercase letters and digits, joined by ".", "_", "__" or runs of "-""#
        case .repositoryTooLong(let reference, let length):
            return #"invalid reference "\#(reference)": the repository path is \#(length) characters long; "#
                + "at most \(ImageReference.maximumPathLength) are allowed"
        case .invalidDomain(let reference, let domain):
            return #"invalid reference "\#(reference)": registry host "\#(domain)" is not valid; "#
                + "use a hostname (letters, digits and inner \"-\" between dots), an IPv4 address "
                + "or a bracketed IPv6 address without zone, optionally followed by \":\" and a numeric port"
        case .invalidTag(let reference, let tag):
            let subject = reference.map { #"invalid reference "\#($0)": tag "\#(tag)" is not valid; "# }
                ?? #"invalid tag "\#(tag)": "#
            return subject + #"a tag is 1 to 128 characters of ASCII letters, digits, "_", "." and "-", "#
                + #"and does not start with "." or "-""#
        case .invalidDigest(let digest, let problem, let reference):
            let subject = #"invalid digest "\#(digest)""# + (reference.map { #" in reference "\#($0)""# } ?? "")
            return subject + ": " + Self.explain(problem, digest: digest)
        }
    }

    private static func explain(_ problem: DigestProblem, digest: String) -> String {
        switch problem {
        case .malformed:
            return #"expected "algorithm:hex", e.g. "sha256:" followed by 64 lowercase hexadecimal characters"#
        case .unsupportedAlgorithm(let algorithm):
            let supported = Digest.Algorithm.allCases.map(\.rawValue).joined(separator: " and ")
            return #"algorithm "\#(algorithm)" is not supported; only \#(supported) are"#
        case .invalidEncoding(let algorithm):
            let encoded = digest.split(separator: ":", maxSplits: 1).dropFirst().first ?? ""
            let found = encoded.utf8.count == algorithm.encodedLength
                ? "it has characters outside 0-9a-f"
                : "it has \(encoded.utf8.count)"
            return "\(algorithm.rawValue) digests are exactly \(algorithm.encodedLength) "
                + "lowercase hexadecimal characters after the colon; \(found)"
        }
    }
}
