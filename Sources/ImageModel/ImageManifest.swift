/// An image manifest: a config and layers, as OCI and Docker schema 2 both write it.
///
/// The two formats share their shape; `mediaType` tells them apart
/// (`MediaType.ociManifest` or `MediaType.dockerManifest`; OCI allows it to be
/// absent). Members gantry does not model are kept in `extras`.
///
/// Decoding is for reading: a manifest that gantry stores or pushes keeps its
/// original bytes, since re-encoding would change its digest.
public struct ImageManifest: Codable, Hashable, Sendable {
    /// The schema version; 2 for both formats.
    public var schemaVersion: Int
    /// The manifest's media type, if it states one.
    public var mediaType: String?
    /// The artifact type, for artifact manifests.
    public var artifactType: String?
    /// The image config.
    public var config: Descriptor
    /// The layers, base first.
    public var layers: [Descriptor]

    /// Every blob the manifest names: the config, then the layers.
    public var blobs: [Descriptor] { [config] + layers }
    /// The manifest this one refers to, for referrers such as signatures.
    public var subject: Descriptor?
    /// Arbitrary metadata.
    public var annotations: [String: String]?
    /// Members this type does not model, kept so that encoding gives them back.
    public var extras: [String: JSONValue]

    /// Makes a manifest.
    ///
    /// - Parameters:
    ///   - schemaVersion: The schema version, 2.
    ///   - mediaType: The manifest's media type; OCI by default.
    ///   - artifactType: The artifact type, for artifact manifests.
    ///   - config: The image config.
    ///   - layers: The layers, base first.
    ///   - subject: The manifest this one refers to.
    ///   - annotations: Arbitrary metadata.
    ///   - extras: Further members to write.
    public init(
        schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, artifactType: String? = nil,
        config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil,
        annotations: [String: String]? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
        self.extras = extras
    }

    private static let known: Set<String> = [
        "schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations",
    ]

    /// Decodes a manifest, keeping members it does not model in `extras`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `schemaVersion`, `config` or `layers` is
    ///   missing or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        schemaVersion = try container.decode(Int.self, forKey: "schemaVersion")
        mediaType = try container.decodeIfPresent(String.self, forKey: "mediaType")
        artifactType = try container.decodeIfPresent(String.self, forKey: "artifactType")
        config = try container.decode(Descriptor.self, forKey: "config")
        layers = try container.decode([Descriptor].self, forKey: "layers")
        subject = try container.decodeIfPresent(Descriptor.self, forKey: "subject")
        annotations = try container.decodeIfPresent([String: String].self, forKey: "annotations")
        extras = try container.unknownMembers(excluding: Self.known)
    }

    /// Encodes the manifest and its extras.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(schemaVersion, forKey: "schemaVersion")
        try container.encodeIfPresent(mediaType, forKey: "mediaType")
        try container.encodeIfPresent(artifactType, forKey: "artifactType")
        try container.encode(config, forKey: "config")
        try container.encode(layers, forKey: "layers")
        try container.encodeIfPresent(subject, forKey: "subject")
        try container.encodeIfPresent(annotations, forKey: "annotations")
        try container.encodeUnknownMembers(extras, excluding: Self.known)
    }
}
