/// `Dockerrun.aws.json` version 2: the ECS-managed Docker platform, several
/// containers as ECS task definition container definitions.
public struct DockerrunV2: Hashable, Sendable {
    /// `containerDefinitions`.
    public var containerDefinitions: [ContainerDefinition]
    /// `volumes`: folders of the instance that containers mount by name.
    public var volumes: [Volume]?
    /// `authentication` with `bucket` and `key`.
    public var authentication: S3Location?
    /// Members gantry has no type for, in file order.
    public var extras: [OrderedJSON.Member] = []

    /// One of `volumes`.
    public struct Volume: Hashable, Sendable {
        /// `name`, which `mountPoints[].sourceVolume` refers to.
        public var name: String
        /// `host.sourcePath`: the folder on the instance.
        public var sourcePath: String?
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes a volume.
        public init(name: String, sourcePath: String?) {
            self.name = name
            self.sourcePath = sourcePath
        }
    }

    /// Makes a document.
    public init(containerDefinitions: [ContainerDefinition], volumes: [Volume]? = nil, authentication: S3Location? = nil) {
        self.containerDefinitions = containerDefinitions
        self.volumes = volumes
        self.authentication = authentication
    }

    init(reader: inout DockerrunReader) throws(BeanstalkError) {
        _ = reader.take(Dockerrun.versionKey)
        containerDefinitions = try reader.objects("containerDefinitions") { (container: inout DockerrunReader) throws(BeanstalkError) in
            try ContainerDefinition(reader: &container)
        } ?? []
        volumes = try reader.objects("volumes") { (volume: inout DockerrunReader) throws(BeanstalkError) in
            var value = Volume(name: try volume.string("name") ?? "", sourcePath: nil)
            value.sourcePath = try volume.object("host") { (host: inout DockerrunReader) throws(BeanstalkError) in
                try host.string("sourcePath")
            } ?? nil
            value.extras = volume.rest
            return value
        }
        authentication = try reader.object("authentication") { (auth: inout DockerrunReader) throws(BeanstalkError) in
            try S3Location(reader: &auth, bucketKey: "bucket", keyKey: "key")
        }
        extras = reader.rest
    }

    /// The document in canonical member order.
    public var json: OrderedJSON {
        .object(.members([
            Dockerrun.versionKey: DockerrunVersion.v2.json,
            "volumes": volumes.map { volumes in
                .array(volumes.map { volume in
                    .object(.members([
                        "name": .string(volume.name),
                        "host": volume.sourcePath.map { .object(.members(["sourcePath": .string($0)])) },
                    ], extras: volume.extras))
                })
            },
            "containerDefinitions": .array(containerDefinitions.map(\.json)),
            "authentication": authentication.map { $0.json(bucketKey: "bucket", keyKey: "key") },
        ], extras: extras))
    }
}

/// One container of a version 2 file: the ECS container definition fields
/// Beanstalk documents, and any other ECS field kept as it was.
public struct ContainerDefinition: Hashable, Sendable {
    /// `name`, unique in the file.
    public var name: String
    /// `image`.
    public var image: String?
    /// `essential`: the task stops when this container stops (ECS's default is true).
    public var essential: Bool?
    /// `memory`: the hard limit in MiB.
    public var memory: Int?
    /// `memoryReservation`: the soft limit in MiB.
    public var memoryReservation: Int?
    /// `portMappings`.
    public var portMappings: [PortMapping]?
    /// `environment`.
    public var environment: [OrderedJSON.Member]?
    /// `mountPoints`.
    public var mountPoints: [MountPoint]?
    /// `volumesFrom`, as given.
    public var volumesFrom: OrderedJSON?
    /// `links`: `name` or `name:alias` of other containers.
    public var links: [String]?
    /// `command`.
    public var command: [String]?
    /// `entryPoint`.
    public var entryPoint: [String]?
    /// `logConfiguration`, as given.
    public var logConfiguration: OrderedJSON?
    /// Other ECS fields (`cpu`, `healthCheck`, ...), in file order.
    public var extras: [OrderedJSON.Member] = []

    /// One of `portMappings`.
    public struct PortMapping: Hashable, Sendable {
        /// `hostPort`; absent for a dynamic host port.
        public var hostPort: Int?
        /// `containerPort`.
        public var containerPort: Int
        /// `protocol`: `tcp` or `udp`.
        public var `protocol`: String?
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes a mapping.
        public init(hostPort: Int?, containerPort: Int, protocol: String? = nil) {
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.protocol = `protocol`
        }
    }

    /// One of `mountPoints`.
    public struct MountPoint: Hashable, Sendable {
        /// `sourceVolume`: a name from the file's `volumes`.
        public var sourceVolume: String
        /// `containerPath`.
        public var containerPath: String
        /// `readOnly`.
        public var readOnly: Bool?
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes a mount point.
        public init(sourceVolume: String, containerPath: String, readOnly: Bool? = nil) {
            self.sourceVolume = sourceVolume
            self.containerPath = containerPath
            self.readOnly = readOnly
        }
    }

    /// Makes a container definition.
    public init(name: String, image: String?, essential: Bool? = true, memoryReservation: Int? = nil) {
        self.name = name
        self.image = image
        self.essential = essential
        self.memoryReservation = memoryReservation
    }

    init(reader: inout DockerrunReader) throws(BeanstalkError) {
        name = try reader.string("name") ?? ""
        image = try reader.string("image")
        essential = try reader.bool("essential")
        memory = try reader.integer("memory")
        memoryReservation = try reader.integer("memoryReservation")
        portMappings = try reader.objects("portMappings") { (port: inout DockerrunReader) throws(BeanstalkError) in
            var value = PortMapping(hostPort: try port.integer("hostPort"), containerPort: try port.integer("containerPort") ?? 0,
                                    protocol: try port.string("protocol"))
            value.extras = port.rest
            return value
        }
        environment = try reader.objects("environment") { (variable: inout DockerrunReader) throws(BeanstalkError) in
            OrderedJSON.Member(try variable.string("name") ?? "", .string(try variable.string("value") ?? ""))
        }
        mountPoints = try reader.objects("mountPoints") { (mount: inout DockerrunReader) throws(BeanstalkError) in
            var value = MountPoint(sourceVolume: try mount.string("sourceVolume") ?? "", containerPath: try mount.string("containerPath") ?? "",
                                   readOnly: try mount.bool("readOnly"))
            value.extras = mount.rest
            return value
        }
        volumesFrom = reader.take("volumesFrom")
        links = try reader.strings("links")
        command = try reader.strings("command")
        entryPoint = try reader.strings("entryPoint")
        logConfiguration = reader.take("logConfiguration")
        extras = reader.rest
    }

    /// The definition in canonical member order.
    public var json: OrderedJSON {
        .object(.members([
            "name": .string(name),
            "image": image.map(OrderedJSON.string),
            "essential": essential.map(OrderedJSON.bool),
            "memory": memory.map(OrderedJSON.integer),
            "memoryReservation": memoryReservation.map(OrderedJSON.integer),
            "portMappings": portMappings.map { mappings in
                .array(mappings.map { mapping in
                    .object(.members([
                        "hostPort": mapping.hostPort.map(OrderedJSON.integer),
                        "containerPort": .integer(mapping.containerPort),
                        "protocol": mapping.protocol.map(OrderedJSON.string),
                    ], extras: mapping.extras))
                })
            },
            "environment": environment.map { variables in
                .array(variables.map { .object(.members(["name": .string($0.key), "value": $0.value])) })
            },
            "mountPoints": mountPoints.map { mounts in
                .array(mounts.map { mount in
                    .object(.members([
                        "sourceVolume": .string(mount.sourceVolume),
                        "containerPath": .string(mount.containerPath),
                        "readOnly": mount.readOnly.map(OrderedJSON.bool),
                    ], extras: mount.extras))
                })
            },
            "volumesFrom": volumesFrom,
            "links": links.map { .array($0.map(OrderedJSON.string)) },
            "command": command.map { .array($0.map(OrderedJSON.string)) },
            "entryPoint": entryPoint.map { .array($0.map(OrderedJSON.string)) },
            "logConfiguration": logConfiguration,
        ], extras: extras))
    }
}
