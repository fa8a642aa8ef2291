/// A pointer to content: its media type, digest and size (an OCI content descriptor).
///
/// Manifests point at their config and layers with descriptors, indexes at
/// their manifests, and the store's `index.json` at the images it names.
/// Members gantry does not model (such as `data`) are kept in `extras`.
public struct Descriptor: Codable, Hashable, Sendable {
    /// The media type of the content, e.g. `MediaType.ociManifest`.
    public var mediaType: String
    /// The digest of the content's bytes.
    public var digest: Digest
    /// The size of the content in bytes.
    public var size: Int64
    /// Other places the content may be fetched from.
    public var urls: [String]?
    /// Arbitrary metadata, e.g. `org.opencontainers.image.ref.name`.
    public var annotations: [String: String]?
    /// The platform of the manifest the descriptor points at, in an index.
    public var platform: Platform?
    /// The artifact type, when the descriptor points at an artifact manifest.
    public var artifactType: String?
    /// Members this type does not model, kept so that encoding gives them back.
    public var extras: [String: JSONValue]

    /// Makes a descriptor.
    ///
    /// - Parameters:
    ///   - mediaType: The media type of the content.
    ///   - digest: The digest of the content's bytes.
    ///   - size: The size of the content in bytes.
    ///   - urls: Other places the content may be fetched from.
    ///   - annotations: Arbitrary metadata.
    ///   - platform: The platform of the manifest pointed at, in an index.
    ///   - artifactType: The artifact type, for artifact manifests.
    ///   - extras: Further members to write.
    public init(
        mediaType: String, digest: Digest, size: Int64, urls: [String]? = nil,
        annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: String? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
        self.extras = extras
    }

    private static let known: Set<String> = [
        "mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType",
    ]

    /// Decodes a descriptor, keeping members it does not model in `extras`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `mediaType`, `digest` or `size` is missing, the
    ///   digest is invalid, or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        mediaType = try container.decode(String.self, forKey: "mediaType")
        digest = try container.decode(Digest.self, forKey: "digest")
        size = try container.decode(Int64.self, forKey: "size")
        urls = try container.decodeIfPresent([String].self, forKey: "urls")
        annotations = try container.decodeIfPresent([String: String].self, forKey: "annotations")
        platform = try container.decodeIfPresent(Platform.self, forKey: "platform")
        artifactType = try container.decodeIfPresent(String.self, forKey: "artifactType")
        extras = try container.unknownMembers(excluding: Self.known)
    }

    /// Encodes the descriptor and its extras.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(mediaType, forKey: "mediaType")
        try container.encode(digest, forKey: "digest")
        try container.encode(size, forKey: "size")
        try container.encodeIfPresent(urls, forKey: "urls")
        try container.encodeIfPresent(annotations, forKey: "annotations")
        try container.encodeIfPresent(platform, forKey: "platform")
        try container.encodeIfPresent(artifactType, forKey: "artifactType")
        try container.encodeUnknownMembers(extras, excluding: Self.known)
    }
}

extension Descriptor {
    /// The annotation that names an image in an OCI layout's `index.json`.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// The value of `org.opencontainers.image.ref.name`, if the descriptor has one.
    public var refName: String? {
        annotations?[Self.refNameAnnotation]
    }
}
