/// An image index: a list of manifests, as an OCI index or a Docker manifest list.
///
/// Multi-platform images are indexes, and so is an OCI layout's `index.json`.
/// Members gantry does not model are kept in `extras`.
public struct ImageIndex: Codable, Hashable, Sendable {
    /// The schema version; 2 for both formats.
    public var schemaVersion: Int
    /// The index's media type, if it states one (`MediaType.ociIndex` or `MediaType.dockerManifestList`).
    public var mediaType: String?
    /// The artifact type, for artifact indexes.
    public var artifactType: String?
    /// The manifests the index lists.
    public var manifests: [Descriptor]
    /// The manifest this one refers to, for referrers.
    public var subject: Descriptor?
    /// Arbitrary metadata.
    public var annotations: [String: String]?
    /// Members this type does not model, kept so that encoding gives them back.
    public var extras: [String: JSONValue]

    /// Makes an index.
    ///
    /// - Parameters:
    ///   - schemaVersion: The schema version, 2.
    ///   - mediaType: The index's media type; OCI by default.
    ///   - artifactType: The artifact type, for artifact indexes.
    ///   - manifests: The manifests to list.
    ///   - subject: The manifest this one refers to.
    ///   - annotations: Arbitrary metadata.
    ///   - extras: Further members to write.
    public init(
        schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, artifactType: String? = nil,
        manifests: [Descriptor] = [], subject: Descriptor? = nil, annotations: [String: String]? = nil,
        extras: [String: JSONValue] = [:]
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
        self.extras = extras
    }

    private static let known: Set<String> = [
        "schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations",
    ]

    /// Decodes an index, keeping members it does not model in `extras`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `schemaVersion` or `manifests` is missing
    ///   or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        schemaVersion = try container.decode(Int.self, forKey: "schemaVersion")
        mediaType = try container.decodeIfPresent(String.self, forKey: "mediaType")
        artifactType = try container.decodeIfPresent(String.self, forKey: "artifactType")
        manifests = try container.decode([Descriptor].self, forKey: "manifests")
        subject = try container.decodeIfPresent(Descriptor.self, forKey: "subject")
        annotations = try container.decodeIfPresent([String: String].self, forKey: "annotations")
        extras = try container.unknownMembers(excluding: Self.known)
    }

    /// Encodes the index and its extras.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(schemaVersion, forKey: "schemaVersion")
        try container.encodeIfPresent(mediaType, forKey: "mediaType")
        try container.encodeIfPresent(artifactType, forKey: "artifactType")
        try container.encode(manifests, forKey: "manifests")
        try container.encodeIfPresent(subject, forKey: "subject")
        try container.encodeIfPresent(annotations, forKey: "annotations")
        try container.encodeUnknownMembers(extras, excluding: Self.known)
    }
}
