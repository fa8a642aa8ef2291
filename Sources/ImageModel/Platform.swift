/// The platform an image runs on, as an index entry or a config names it.
///
/// Members gantry does not model (such as the deprecated `features`) are kept
/// in `extras` and written back on encode.
public struct Platform: Codable, Hashable, Sendable {
    /// The CPU architecture in Go's `GOARCH` terms, e.g. `amd64` or `arm64`.
    public var architecture: String
    /// The operating system in Go's `GOOS` terms, e.g. `linux`.
    public var os: String
    /// The operating system version (`os.version`), used by Windows images.
    public var osVersion: String?
    /// Required operating system features (`os.features`), used by Windows images.
    public var osFeatures: [String]?
    /// The CPU variant, e.g. `v8` for `arm64` or `v7` for `arm`.
    public var variant: String?
    /// Members this type does not model, kept so that encoding gives them back.
    public var extras: [String: JSONValue]

    /// Makes a platform.
    ///
    /// - Parameters:
    ///   - architecture: The CPU architecture, e.g. `amd64`.
    ///   - os: The operating system, e.g. `linux`.
    ///   - osVersion: The operating system version, if any.
    ///   - osFeatures: Required operating system features, if any.
    ///   - variant: The CPU variant, if any.
    ///   - extras: Further members to write.
    public init(
        architecture: String, os: String, osVersion: String? = nil, osFeatures: [String]? = nil,
        variant: String? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.architecture = architecture
        self.os = os
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.variant = variant
        self.extras = extras
    }

    private static let known: Set<String> = ["architecture", "os", "os.version", "os.features", "variant"]

    /// Decodes a platform object, keeping members it does not model in `extras`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `architecture` or `os` is missing or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        architecture = try container.decode(String.self, forKey: "architecture")
        os = try container.decode(String.self, forKey: "os")
        osVersion = try container.decodeIfPresent(String.self, forKey: "os.version")
        osFeatures = try container.decodeIfPresent([String].self, forKey: "os.features")
        variant = try container.decodeIfPresent(String.self, forKey: "variant")
        extras = try container.unknownMembers(excluding: Self.known)
    }

    /// Encodes the platform and its extras.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(architecture, forKey: "architecture")
        try container.encode(os, forKey: "os")
        try container.encodeIfPresent(osVersion, forKey: "os.version")
        try container.encodeIfPresent(osFeatures, forKey: "os.features")
        try container.encodeIfPresent(variant, forKey: "variant")
        try container.encodeUnknownMembers(extras, excluding: Self.known)
    }
}
