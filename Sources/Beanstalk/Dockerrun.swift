/// A `Dockerrun.aws.json` of any version.
///
/// Reading is lenient as Beanstalk is: versions and ports may be JSON numbers
/// or strings. Writing is canonical: keys in the order of AWS's documentation
/// (fields gantry has no type for after them, in their original order),
/// two-space indent, a trailing newline.
public enum Dockerrun: Hashable, Sendable {
    /// Docker platform, one container.
    case v1(DockerrunV1)
    /// ECS-managed Docker platform, several containers.
    case v2(DockerrunV2)
    /// Docker platform with Compose: registry authentication only.
    case v3(DockerrunV3)

    /// The key every version has.
    public static let versionKey = "AWSEBDockerrunVersion"
    /// The file name Beanstalk looks for at the root of a source bundle.
    public static let fileName = "Dockerrun.aws.json"

    /// The version.
    public var version: DockerrunVersion {
        switch self {
        case .v1: return .v1
        case .v2: return .v2
        case .v3: return .v3
        }
    }

    /// Parses and reads the text of a file.
    ///
    /// - Parameters:
    ///   - text: The file's text.
    ///   - file: The name errors give the file.
    /// - Throws: `BeanstalkError.malformedJSON` for a syntax error,
    ///   `.invalidDockerrun` for a missing or unknown version or a value of the wrong type.
    public init(parsing text: String, file: String) throws(BeanstalkError) {
        try self.init(json: try OrderedJSON.parse(text, file: file), file: file)
    }

    /// Reads a parsed document.
    ///
    /// - Throws: `BeanstalkError.invalidDockerrun` for a missing or unknown
    ///   version or a value of the wrong type, naming its key path.
    public init(json: OrderedJSON, file: String) throws(BeanstalkError) {
        var reader = try DockerrunReader(json, path: "", file: file)
        switch try DockerrunVersion(json: json, file: file) {
        case .v1: self = .v1(try DockerrunV1(reader: &reader))
        case .v2: self = .v2(try DockerrunV2(reader: &reader))
        case .v3: self = .v3(try DockerrunV3(reader: &reader))
        }
    }

    /// The document in canonical member order.
    public var json: OrderedJSON {
        switch self {
        case .v1(let document): return document.json
        case .v2(let document): return document.json
        case .v3(let document): return document.json
        }
    }

    /// The canonical text of the file.
    public func rendered() -> String { json.rendered() }

    /// Every image the file names, with the key path it is at.
    public var images: [(path: String, name: String)] {
        switch self {
        case .v1(let document): return document.image.map { [("Image.Name", $0.name)] } ?? []
        case .v2(let document):
            return document.containerDefinitions.enumerated().compactMap { index, container in
                container.image.map { ("containerDefinitions[\(index)].image", $0) }
            }
        case .v3: return []
        }
    }
}

extension DockerrunVersion {
    /// The version a document declares in `AWSEBDockerrunVersion`, given as a number or a string.
    ///
    /// - Throws: `BeanstalkError.invalidDockerrun` when the key is missing or names no known version.
    public init(json: OrderedJSON, file: String) throws(BeanstalkError) {
        guard json.members != nil else {
            throw .invalidDockerrun(file: file, path: "", problem: "the file holds \(json.kindDescription), not a JSON object; write { \"AWSEBDockerrunVersion\": \"1\", ... }")
        }
        guard let value = json[Dockerrun.versionKey] else {
            throw .invalidDockerrun(file: file, path: Dockerrun.versionKey,
                                    problem: "missing; add \"AWSEBDockerrunVersion\": \"1\" (Docker platform), 2 (ECS platform) or \"3\" (Docker with Compose)")
        }
        switch value.lenientInteger {
        case 1: self = .v1
        case 2: self = .v2
        case 3: self = .v3
        default:
            throw .invalidDockerrun(file: file, path: Dockerrun.versionKey,
                                    problem: "\(value.kindDescription) is not a version Beanstalk knows; use \"1\", 2 or \"3\"")
        }
    }

    /// The value gantry writes: the strings `"1"` and `"3"`, the number `2`, as AWS's documentation does.
    public var json: OrderedJSON {
        switch self {
        case .v1: return "1"
        case .v2: return .integer(2)
        case .v3: return "3"
        }
    }
}
