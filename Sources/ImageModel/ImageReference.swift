/// A normalized image reference: `domain/path[:tag][@digest]`.
///
/// Follows the grammar and Docker Hub normalization of the distribution
/// reference library (`ParseNormalizedNamed`): `debian` is
/// `docker.io/library/debian`, `index.docker.io` is folded into `docker.io`,
/// and the first path component is a registry host only when it contains `.`
/// or `:`, is `localhost`, or has uppercase letters. Values are always
/// normalized, so two spellings of the same image compare equal.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry that references without a registry host point at: Docker Hub.
    public static let defaultDomain = "docker.io"
    /// The tag a reference without tag or digest resolves to.
    public static let defaultTag = "latest"
    /// The longest repository path, in characters, that the reference library accepts.
    public static let maximumPathLength = 255

    /// Docker Hub's legacy "index" host, folded into `defaultDomain`.
    static let legacyDefaultDomain = "index.docker.io"
    /// Docker Hub's namespace for official images, implied when a Hub path has one component.
    static let officialRepositoryPrefix = "library/"

    /// The registry host with optional port: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`, `localhost`.
    public let domain: String

    /// The repository path inside the registry, e.g. `library/debian` or `news/app`.
    public let path: String

    /// The tag as written, or nil when the reference has none; see `tagOrDefault`.
    public let tag: String?

    /// The digest as written, or nil when the reference has none.
    public let digest: Digest?

    /// Makes a reference from parts that are already validated and normalized.
    init(validatedDomain domain: String, path: String, tag: String?, digest: Digest?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// The repository path; the same as `path`, named as the registry API names it.
    public var repository: String { path }

    /// The registry host and repository path, `domain/path`, without tag or digest.
    public var name: String { domain + "/" + path }

    /// The fully normalized reference, e.g. `docker.io/library/debian:12`.
    ///
    /// No default tag is added, so the description parses back to an equal
    /// value; use `normalized.description` for `docker.io/library/debian:latest`.
    public var description: String {
        Self.format(name: name, tag: tag, digest: digest)
    }

    /// The name as Docker prints it: without `docker.io/`, and without
    /// `library/` for official images, e.g. `debian` or `news/app`.
    ///
    /// Unlike the library, `library/` stays when dropping it would leave a
    /// 64-hex name, which would read back as an image ID.
    public var familiarName: String {
        guard domain == Self.defaultDomain else { return name }
        if path.hasPrefix(Self.officialRepositoryPrefix) {
            let image = path.dropFirst(Self.officialRepositoryPrefix.count)
            // Only a single component is an official image; `library/a/b` stays as it is.
            let isIdentifier = image.utf8.count == 64 && image.utf8.allSatisfy(\.isLowercaseHexDigit)
            if !image.contains("/") && !isIdentifier { return String(image) }
        }
        return path
    }

    /// The reference as Docker prints it: `familiarName` with tag and digest, e.g. `debian:12`.
    public var familiarString: String {
        Self.format(name: familiarName, tag: tag, digest: digest)
    }

    /// The tag, or `latest` when the reference has neither tag nor digest.
    ///
    /// Nil only for a digest-only reference, which names no tag.
    public var tagOrDefault: String? {
        tag ?? (digest == nil ? Self.defaultTag : nil)
    }

    /// What a registry's `/v2/NAME/manifests/…` is asked for: the digest when there is one (it pins
    /// the content), else the tag or `latest`.
    public var manifestSelector: String {
        digest?.description ?? tagOrDefault ?? Self.defaultTag
    }

    /// The reference with the default tag `latest` added when it has neither
    /// tag nor digest, like the library's `TagNameOnly`.
    public var normalized: ImageReference {
        ImageReference(validatedDomain: domain, path: path, tag: tagOrDefault, digest: digest)
    }

    /// The reference a pull resolves, like the library's `ParseDockerRef`: the
    /// digest alone when there is one (a tag beside it is dropped), otherwise
    /// the tag, defaulting to `latest`.
    public var pullReference: ImageReference {
        if digest != nil {
            return ImageReference(validatedDomain: domain, path: path, tag: nil, digest: digest)
        }
        return normalized
    }

    /// The same repository without tag or digest.
    public var withoutTagAndDigest: ImageReference {
        ImageReference(validatedDomain: domain, path: path, tag: nil, digest: nil)
    }

    /// The same reference with its tag replaced; a digest, if any, is kept.
    ///
    /// - Parameter tag: The new tag.
    /// - Returns: The reference with the new tag.
    /// - Throws: `ImageReferenceError.invalidTag` when `tag` breaks the tag grammar.
    public func withTag(_ tag: String) throws(ImageReferenceError) -> ImageReference {
        guard Self.isValidTag(tag) else {
            throw .invalidTag(reference: nil, tag: tag)
        }
        return ImageReference(validatedDomain: domain, path: path, tag: tag, digest: digest)
    }

    /// The same reference with its digest replaced; a tag, if any, is kept.
    ///
    /// - Parameter digest: The new digest.
    /// - Returns: The reference with the new digest.
    public func withDigest(_ digest: Digest) -> ImageReference {
        ImageReference(validatedDomain: domain, path: path, tag: tag, digest: digest)
    }

    private static func format(name: String, tag: String?, digest: Digest?) -> String {
        var text = name
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }
}

extension ImageReference: Codable {
    /// Decodes a reference from a single string, normalizing it as `init(parsing:)` does.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` when the string is not a valid reference.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try ImageReference(parsing: string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the reference as its fully normalized string, `description`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
