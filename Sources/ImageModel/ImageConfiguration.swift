import Foundation

/// An image config: what the image runs and how its layers add up to a file system.
///
/// The OCI config and Docker's image config share this shape. gantry edits
/// base image configs, so every level the spec allows to be extended keeps the
/// members it does not model in `extras` (Docker's `container_config`,
/// `Healthcheck`, `OnBuild`, ...) and writes them back on encode.
public struct ImageConfiguration: Codable, Hashable, Sendable {
    /// When the image was made, as an RFC 3339 timestamp; see `createdDate`.
    public var created: String?
    /// Who made the image.
    public var author: String?
    /// The CPU architecture, e.g. `amd64`.
    public var architecture: String
    /// The operating system, e.g. `linux`.
    public var os: String
    /// The CPU variant, e.g. `v8`.
    public var variant: String?
    /// How a container of the image runs.
    public var config: Config?
    /// The layers' uncompressed digests.
    public var rootfs: RootFS
    /// How each layer was made, base first.
    public var history: [History]?
    /// Members this type does not model, kept so that encoding gives them back.
    public var extras: [String: JSONValue]

    /// Makes a config.
    ///
    /// - Parameters:
    ///   - created: When the image was made, RFC 3339.
    ///   - author: Who made the image.
    ///   - architecture: The CPU architecture.
    ///   - os: The operating system.
    ///   - variant: The CPU variant.
    ///   - config: How a container of the image runs.
    ///   - rootfs: The layers' uncompressed digests.
    ///   - history: How each layer was made.
    ///   - extras: Further members to write.
    public init(
        created: String? = nil, author: String? = nil, architecture: String, os: String, variant: String? = nil,
        config: Config? = nil, rootfs: RootFS, history: [History]? = nil, extras: [String: JSONValue] = [:]
    ) {
        self.created = created
        self.author = author
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.config = config
        self.rootfs = rootfs
        self.history = history
        self.extras = extras
    }

    private static let known: Set<String> = [
        "created", "author", "architecture", "os", "variant", "config", "rootfs", "history",
    ]

    /// Decodes a config, keeping members it does not model in `extras`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `architecture`, `os` or `rootfs` is missing
    ///   or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        created = try container.decodeIfPresent(String.self, forKey: "created")
        author = try container.decodeIfPresent(String.self, forKey: "author")
        architecture = try container.decode(String.self, forKey: "architecture")
        os = try container.decode(String.self, forKey: "os")
        variant = try container.decodeIfPresent(String.self, forKey: "variant")
        config = try container.decodeIfPresent(Config.self, forKey: "config")
        rootfs = try container.decode(RootFS.self, forKey: "rootfs")
        history = try container.decodeIfPresent([History].self, forKey: "history")
        extras = try container.unknownMembers(excluding: Self.known)
    }

    /// Encodes the config and its extras.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encodeIfPresent(created, forKey: "created")
        try container.encodeIfPresent(author, forKey: "author")
        try container.encode(architecture, forKey: "architecture")
        try container.encode(os, forKey: "os")
        try container.encodeIfPresent(variant, forKey: "variant")
        try container.encodeIfPresent(config, forKey: "config")
        try container.encode(rootfs, forKey: "rootfs")
        try container.encodeIfPresent(history, forKey: "history")
        try container.encodeUnknownMembers(extras, excluding: Self.known)
    }

    /// `created` as a date, or nil when it is absent or not RFC 3339.
    public var createdDate: Date? {
        created.flatMap(RFC3339.date(from:))
    }
}

extension ImageConfiguration {
    /// How a container of the image runs: user, ports, environment, command.
    public struct Config: Codable, Hashable, Sendable {
        /// The user (and group) to run as, e.g. `www-data` or `1000:1000`.
        public var user: String?
        /// The ports to expose, keyed `port/protocol` (e.g. `8080/tcp`) with empty objects as values.
        public var exposedPorts: [String: JSONValue]?
        /// The environment, as `NAME=value` entries.
        public var env: [String]?
        /// The program to run.
        public var entrypoint: [String]?
        /// Arguments to the entrypoint, or the program when there is no entrypoint.
        public var cmd: [String]?
        /// Paths to mount volumes at, keyed by path with empty objects as values.
        public var volumes: [String: JSONValue]?
        /// The working directory of the program.
        public var workingDir: String?
        /// Arbitrary metadata.
        public var labels: [String: String]?
        /// The signal that stops the container, e.g. `SIGWINCH`.
        public var stopSignal: String?
        /// Members this type does not model, kept so that encoding gives them back.
        public var extras: [String: JSONValue]

        /// Makes a run configuration.
        ///
        /// - Parameters:
        ///   - user: The user to run as.
        ///   - exposedPorts: The ports to expose, `port/protocol` to `{}`.
        ///   - env: The environment, `NAME=value`.
        ///   - entrypoint: The program to run.
        ///   - cmd: Its arguments, or the program.
        ///   - volumes: Paths to mount volumes at, path to `{}`.
        ///   - workingDir: The working directory.
        ///   - labels: Arbitrary metadata.
        ///   - stopSignal: The signal that stops the container.
        ///   - extras: Further members to write.
        public init(
            user: String? = nil, exposedPorts: [String: JSONValue]? = nil, env: [String]? = nil,
            entrypoint: [String]? = nil, cmd: [String]? = nil, volumes: [String: JSONValue]? = nil,
            workingDir: String? = nil, labels: [String: String]? = nil, stopSignal: String? = nil,
            extras: [String: JSONValue] = [:]
        ) {
            self.user = user
            self.exposedPorts = exposedPorts
            self.env = env
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.volumes = volumes
            self.workingDir = workingDir
            self.labels = labels
            self.stopSignal = stopSignal
            self.extras = extras
        }

        private static let known: Set<String> = [
            "User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal",
        ]

        /// Decodes a run configuration, keeping members it does not model in `extras`.
        ///
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError` when a member has the wrong type.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: JSONKey.self)
            user = try container.decodeIfPresent(String.self, forKey: "User")
            exposedPorts = try container.decodeIfPresent([String: JSONValue].self, forKey: "ExposedPorts")
            env = try container.decodeIfPresent([String].self, forKey: "Env")
            entrypoint = try container.decodeIfPresent([String].self, forKey: "Entrypoint")
            cmd = try container.decodeIfPresent([String].self, forKey: "Cmd")
            volumes = try container.decodeIfPresent([String: JSONValue].self, forKey: "Volumes")
            workingDir = try container.decodeIfPresent(String.self, forKey: "WorkingDir")
            labels = try container.decodeIfPresent([String: String].self, forKey: "Labels")
            stopSignal = try container.decodeIfPresent(String.self, forKey: "StopSignal")
            extras = try container.unknownMembers(excluding: Self.known)
        }

        /// Encodes the run configuration and its extras.
        ///
        /// - Parameter encoder: The encoder to write to.
        /// - Throws: Whatever the encoder throws.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encodeIfPresent(user, forKey: "User")
            try container.encodeIfPresent(exposedPorts, forKey: "ExposedPorts")
            try container.encodeIfPresent(env, forKey: "Env")
            try container.encodeIfPresent(entrypoint, forKey: "Entrypoint")
            try container.encodeIfPresent(cmd, forKey: "Cmd")
            try container.encodeIfPresent(volumes, forKey: "Volumes")
            try container.encodeIfPresent(workingDir, forKey: "WorkingDir")
            try container.encodeIfPresent(labels, forKey: "Labels")
            try container.encodeIfPresent(stopSignal, forKey: "StopSignal")
            try container.encodeUnknownMembers(extras, excluding: Self.known)
        }
    }

    /// The layers' uncompressed digests (`diff_ids`), base first.
    public struct RootFS: Codable, Hashable, Sendable {
        /// Always `layers`.
        public var type: String
        /// The SHA-256 of each layer's uncompressed tar, base first.
        public var diffIDs: [Digest]
        /// Members this type does not model, kept so that encoding gives them back.
        public var extras: [String: JSONValue]

        /// Makes a root file system description.
        ///
        /// - Parameters:
        ///   - type: The type, `layers`.
        ///   - diffIDs: The uncompressed layer digests, base first.
        ///   - extras: Further members to write.
        public init(type: String = "layers", diffIDs: [Digest], extras: [String: JSONValue] = [:]) {
            self.type = type
            self.diffIDs = diffIDs
            self.extras = extras
        }

        private static let known: Set<String> = ["type", "diff_ids"]

        /// Decodes `rootfs`, keeping members it does not model in `extras`.
        ///
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError` when `type` or `diff_ids` is missing or a digest is invalid.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: JSONKey.self)
            type = try container.decode(String.self, forKey: "type")
            diffIDs = try container.decode([Digest].self, forKey: "diff_ids")
            extras = try container.unknownMembers(excluding: Self.known)
        }

        /// Encodes `rootfs` and its extras.
        ///
        /// - Parameter encoder: The encoder to write to.
        /// - Throws: Whatever the encoder throws.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(type, forKey: "type")
            try container.encode(diffIDs, forKey: "diff_ids")
            try container.encodeUnknownMembers(extras, excluding: Self.known)
        }
    }

    /// How one layer was made; `emptyLayer` entries made no layer.
    public struct History: Codable, Hashable, Sendable {
        /// When the layer was made, RFC 3339.
        public var created: String?
        /// The command that made it, e.g. `/bin/sh -c apt-get install ...`.
        public var createdBy: String?
        /// Who made it.
        public var author: String?
        /// A free-form note.
        public var comment: String?
        /// True when the step changed only the config and added no layer.
        public var emptyLayer: Bool?
        /// Members this type does not model, kept so that encoding gives them back.
        public var extras: [String: JSONValue]

        /// Makes a history entry.
        ///
        /// - Parameters:
        ///   - created: When the layer was made.
        ///   - createdBy: The command that made it.
        ///   - author: Who made it.
        ///   - comment: A free-form note.
        ///   - emptyLayer: True when the step added no layer.
        ///   - extras: Further members to write.
        public init(
            created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil,
            emptyLayer: Bool? = nil, extras: [String: JSONValue] = [:]
        ) {
            self.created = created
            self.createdBy = createdBy
            self.author = author
            self.comment = comment
            self.emptyLayer = emptyLayer
            self.extras = extras
        }

        private static let known: Set<String> = ["created", "created_by", "author", "comment", "empty_layer"]

        /// Decodes a history entry, keeping members it does not model in `extras`.
        ///
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError` when a member has the wrong type.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: JSONKey.self)
            created = try container.decodeIfPresent(String.self, forKey: "created")
            createdBy = try container.decodeIfPresent(String.self, forKey: "created_by")
            author = try container.decodeIfPresent(String.self, forKey: "author")
            comment = try container.decodeIfPresent(String.self, forKey: "comment")
            emptyLayer = try container.decodeIfPresent(Bool.self, forKey: "empty_layer")
            extras = try container.unknownMembers(excluding: Self.known)
        }

        /// Encodes the history entry and its extras.
        ///
        /// - Parameter encoder: The encoder to write to.
        /// - Throws: Whatever the encoder throws.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encodeIfPresent(created, forKey: "created")
            try container.encodeIfPresent(createdBy, forKey: "created_by")
            try container.encodeIfPresent(author, forKey: "author")
            try container.encodeIfPresent(comment, forKey: "comment")
            try container.encodeIfPresent(emptyLayer, forKey: "empty_layer")
            try container.encodeUnknownMembers(extras, excluding: Self.known)
        }
    }
}

/// Parses the RFC 3339 timestamps of image configs, with any number of fraction digits.
enum RFC3339 {
    /// The date `text` stands for, or nil when it is not `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func date(from text: String) -> Date? {
        // Go writes up to nine fraction digits, more than the formatter reads; parse them apart.
        var whole = Substring(text)
        var fraction = 0.0
        if let dot = text.firstIndex(of: "."), let time = text.firstIndex(where: { $0 == "T" || $0 == "t" }), dot > time {
            let digits = text[text.index(after: dot)...].prefix(while: \.isASCIIDigitCharacter)
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            whole = text[..<dot] + text[digits.endIndex...]
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: String(whole)).map { $0.addingTimeInterval(fraction) }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
