import ImageModel

/// The `beanstalk:` section of `gantry.yml`: what `gantry beanstalk` puts in
/// `Dockerrun.aws.json` and the source bundle beyond the image and port.
///
/// ```yaml
/// beanstalk:
///   format: v2                 # v1 (Docker platform, default), v2 (ECS), v3 (Compose)
///   bucket: my-eb-bucket       # Authentication: the registry auth file in S3
///   key: auth/registry.json
///   host_port: 80
///   memory: 256                # v2: the app container's memoryReservation, MiB
///   volumes:
///     - {name: static, host: /var/app/current/static, container: /app/static}
///   sidecars:                  # v2: more containers, linked to the app
///     - {name: proxy, image: nginx:1.25, memory: 64, ports: ["80:80"], mounts: ["static:/srv/static"]}
///   include: [static]          # more paths of the app folder for the bundle
/// ```
public struct BeanstalkSpec: Hashable, Sendable {
    /// A folder of the instance mounted into the app container.
    public struct Volume: Hashable, Sendable {
        /// The v2 volume name (default: the host folder's last component).
        public var name: String
        /// On the instance.
        public var host: String
        /// In the container.
        public var container: String
        /// Mounted read-only (v2).
        public var readOnly: Bool
    }

    /// A container beside the app (v2).
    public struct Sidecar: Hashable, Sendable {
        /// Its unique name.
        public var name: String
        /// Its image reference.
        public var image: String
        /// Its memory reservation in MiB (default 128).
        public var memory: Int
        /// `HOST:CONTAINER` (or one port for both) pairs.
        public var ports: [(host: Int, container: Int)]
        /// `VOLUME:/path` pairs: volumes of this section mounted read-only.
        public var mounts: [(volume: String, path: String)]
        /// Its environment.
        public var env: [KeyValue]

        public static func == (lhs: Sidecar, rhs: Sidecar) -> Bool {
            lhs.name == rhs.name && lhs.image == rhs.image && lhs.memory == rhs.memory && lhs.env == rhs.env
                && lhs.ports.map { [$0.host, $0.container] } == rhs.ports.map { [$0.host, $0.container] }
                && lhs.mounts.map { [$0.volume, $0.path] } == rhs.mounts.map { [$0.volume, $0.path] }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(name)
            hasher.combine(image)
        }
    }

    /// `v1`, `v2` or `v3`, when given.
    public var format: String?
    /// The S3 bucket of the registry auth file.
    public var bucket: String?
    /// The S3 key of the registry auth file.
    public var key: String?
    /// The instance's port (default 80).
    public var hostPort: Int?
    /// The app container's memory reservation in MiB (v2, default 256).
    public var memory: Int?
    /// Volumes.
    public var volumes: [Volume] = []
    /// Sidecar containers.
    public var sidecars: [Sidecar] = []
    /// More app paths for the bundle.
    public var include: [String] = []

    /// An empty section: every default.
    public init() {}

    static let keys = ["format", "bucket", "key", "host_port", "memory", "volumes", "sidecars", "include"]

    /// Reads and checks the section.
    static func parse(_ node: SpecNode) throws(SpecError) -> BeanstalkSpec {
        let root = try node.mapping(allowed: keys)
        var spec = BeanstalkSpec()
        if let format = root["format"] {
            let value = try format.line("a Dockerrun format")
            guard ["v1", "v2", "v3"].contains(value) else {
                throw format.error("expected v1 (Docker platform), v2 (ECS platform) or v3 (Docker with Compose), found \"\(value)\"")
            }
            spec.format = value
        }
        spec.bucket = try root["bucket"].map { node throws(SpecError) in try node.line("an S3 bucket name") }
        spec.key = try root["key"].map { node throws(SpecError) in try node.line("an S3 object key") }
        if (spec.bucket == nil) != (spec.key == nil) {
            throw node.error("give both bucket and key (where the registry auth file is in S3), or neither")
        }
        spec.hostPort = try root["host_port"].map { node throws(SpecError) in try SpecValidation.port(node) }
        spec.memory = try root["memory"].map { node throws(SpecError) in try megabytes(node) }
        for item in try root["volumes"]?.list() ?? [] {
            let volume = try item.mapping(allowed: ["name", "host", "container", "read_only"])
            let host = try SpecValidation.absolutePath(try volume.required("host", hint: "the folder on the instance, such as /var/app/current/static"))
            let container = try SpecValidation.absolutePath(try volume.required("container", hint: "the folder in the container, such as /app/static"))
            let defaultName = host.split(separator: "/").last.map(String.init) ?? "volume"
            let name = try volume["name"]?.line("a volume name") ?? defaultName
            let readOnly = try volume["read_only"].map { node throws(SpecError) in try boolean(node) } ?? false
            spec.volumes.append(Volume(name: name, host: host, container: container, readOnly: readOnly))
        }
        for item in try root["sidecars"]?.list() ?? [] {
            let sidecar = try item.mapping(allowed: ["name", "image", "memory", "ports", "mounts", "env"])
            let name = try sidecar.required("name", hint: "a container name, such as 'name: proxy'").line("a container name")
            let imageNode = try sidecar.required("image", hint: "the image to run, such as 'image: nginx:1.25'")
            let image = try imageNode.line("an image reference")
            do { _ = try ImageReference(parsing: image) } catch { throw imageNode.error("\(error)") }
            let memory = try sidecar["memory"].map { node throws(SpecError) in try megabytes(node) } ?? 128
            var ports: [(host: Int, container: Int)] = []
            for portNode in try sidecar["ports"]?.list() ?? [] {
                let parts = try portNode.line("HOST:CONTAINER ports").split(separator: ":").map { Int($0) }
                guard (1...2).contains(parts.count), let host = parts.first ?? nil, let container = parts.last ?? nil,
                      (1...65535).contains(host), (1...65535).contains(container) else {
                    throw portNode.error("expected HOST:CONTAINER ports from 1 to 65535, such as \"80:80\"")
                }
                ports.append((host, container))
            }
            var mounts: [(volume: String, path: String)] = []
            for mountNode in try sidecar["mounts"]?.list() ?? [] {
                let text = try mountNode.line("VOLUME:/path")
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[1].hasPrefix("/") else {
                    throw mountNode.error("expected VOLUME:/path, such as \"static:/srv/static\", found \"\(text)\"")
                }
                guard spec.volumes.contains(where: { $0.name == parts[0] }) else {
                    throw mountNode.error("names volume \"\(parts[0])\", which beanstalk.volumes does not define; add it there")
                }
                mounts.append((parts[0], parts[1]))
            }
            let env = try sidecar["env"].map { node throws(SpecError) in try SpecValidation.environment(node) } ?? []
            spec.sidecars.append(Sidecar(name: name, image: image, memory: memory, ports: ports, mounts: mounts, env: env))
        }
        spec.include = try root["include"]?.stringList() ?? []
        return spec
    }

    private static func megabytes(_ node: SpecNode) throws(SpecError) -> Int {
        guard let value = try? node.int(), value >= 4 else {
            throw node.error("expected a number of MiB of at least 4, such as 256")
        }
        return value
    }

    private static func boolean(_ node: SpecNode) throws(SpecError) -> Bool {
        switch try node.string() {
        case "true", "yes": return true
        case "false", "no": return false
        case let other: throw node.error("expected true or false, found \"\(other)\"")
        }
    }
}
