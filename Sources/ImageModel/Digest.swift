/// A content digest, `algorithm:hex`, as the OCI image spec defines it.
///
/// Only the spec's registered algorithms are accepted, `sha256` and `sha512`,
/// with their exact lowercase-hex lengths; anything else is an error rather
/// than an opaque "unknown" digest, so every `Digest` can be verified.
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// A registered digest algorithm of the OCI image spec.
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
        /// SHA-256, encoded as 64 lowercase hexadecimal characters.
        case sha256
        /// SHA-512, encoded as 128 lowercase hexadecimal characters.
        case sha512

        /// The number of hexadecimal characters in an encoded digest of this algorithm.
        public var encodedLength: Int {
            switch self {
            case .sha256: 64
            case .sha512: 128
            }
        }
    }

    /// The algorithm that produced the digest.
    public let algorithm: Algorithm

    /// The digest value: lowercase hexadecimal, `algorithm.encodedLength` characters.
    public let encoded: String

    /// Parses `algorithm:hex`, for example `sha256:` followed by 64 lowercase hex characters.
    ///
    /// - Parameter string: The digest text.
    /// - Throws: `ImageReferenceError.invalidDigest` when the text is not
    ///   `algorithm:hex`, names an algorithm other than sha256 or sha512, or the
    ///   hex part has the wrong length or characters outside `0-9a-f`.
    public init(parsing string: String) throws(ImageReferenceError) {
        switch Self.parse(string) {
        case .valid(let digest): self = digest
        case .invalid(let problem): throw .invalidDigest(string, problem: problem, reference: nil)
        }
    }

    /// Makes a digest from an algorithm and its hex encoding.
    ///
    /// - Parameters:
    ///   - algorithm: The algorithm that produced the digest.
    ///   - encoded: The digest value in lowercase hexadecimal.
    /// - Throws: `ImageReferenceError.invalidDigest` when `encoded` is not
    ///   `algorithm.encodedLength` lowercase hexadecimal characters.
    public init(algorithm: Algorithm, encoded: String) throws(ImageReferenceError) {
        guard Self.isValidEncoding(encoded, for: algorithm) else {
            throw .invalidDigest(
                algorithm.rawValue + ":" + encoded, problem: .invalidEncoding(algorithm), reference: nil)
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Makes a sha256 digest from its 64 lowercase hexadecimal characters.
    ///
    /// - Parameter hex: The digest value, without the `sha256:` prefix.
    /// - Returns: The digest `sha256:<hex>`.
    /// - Throws: `ImageReferenceError.invalidDigest` when `hex` is not 64
    ///   lowercase hexadecimal characters.
    public static func sha256(hex: String) throws(ImageReferenceError) -> Digest {
        try Digest(algorithm: .sha256, encoded: hex)
    }

    /// The digest as `algorithm:hex`, the form registries and manifests use.
    public var description: String {
        algorithm.rawValue + ":" + encoded
    }

    /// The outcome of `parse(_:)`.
    enum Parsed {
        case valid(Digest)
        case invalid(ImageReferenceError.DigestProblem)
    }

    /// Parses without throwing so that `ImageReference` can attach its own context to the problem.
    static func parse(_ string: String) -> Parsed {
        guard let colon = string.firstIndex(of: ":") else {
            return .invalid(.malformed)
        }
        let algorithmName = string[..<colon]
        let encoded = string[string.index(after: colon)...]
        guard !algorithmName.isEmpty, !encoded.isEmpty else {
            return .invalid(.malformed)
        }
        guard let algorithm = Algorithm(rawValue: String(algorithmName)) else {
            return .invalid(.unsupportedAlgorithm(String(algorithmName)))
        }
        guard isValidEncoding(encoded, for: algorithm) else {
            return .invalid(.invalidEncoding(algorithm))
        }
        return .valid(Digest(checkedAlgorithm: algorithm, encoded: String(encoded)))
    }

    private init(checkedAlgorithm: Algorithm, encoded: String) {
        self.algorithm = checkedAlgorithm
        self.encoded = encoded
    }

    private static func isValidEncoding(_ encoded: some StringProtocol, for algorithm: Algorithm) -> Bool {
        encoded.utf8.count == algorithm.encodedLength && encoded.utf8.allSatisfy(\.isLowercaseHexDigit)
    }
}

extension Digest: Codable {
    /// Decodes a digest from a single string, `algorithm:hex`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` when the string is not a valid digest.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        switch Self.parse(string) {
        case .valid(let digest):
            self = digest
        case .invalid(let problem):
            let error = ImageReferenceError.invalidDigest(string, problem: problem, reference: nil)
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the digest as a single string, `algorithm:hex`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension UInt8 {
    /// Whether the byte is one of `0-9a-f`, the only characters OCI allows in sha256 and sha512 digests.
    var isLowercaseHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
    }
}
