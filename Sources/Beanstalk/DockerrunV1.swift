/// `Dockerrun.aws.json` version 1: the Docker platform, one container.
public struct DockerrunV1: Hashable, Sendable {
    /// `Image`: what to pull.
    public struct Image: Hashable, Sendable {
        /// `Name`: the image reference.
        public var name: String
        /// `Update`: `"true"` (pull before running, the default) or `"false"`; Beanstalk reads only the string.
        public var update: String?
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes an image entry.
        public init(name: String, update: String? = nil) {
            self.name = name
            self.update = update
        }
    }

    /// One of `Ports`.
    public struct Port: Hashable, Sendable {
        /// `ContainerPort`: where the app listens in the container.
        public var containerPort: Int
        /// `HostPort`: the instance's port; Beanstalk's proxy uses 80 when absent.
        public var hostPort: Int?
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes a port entry.
        public init(containerPort: Int, hostPort: Int? = nil) {
            self.containerPort = containerPort
            self.hostPort = hostPort
        }
    }

    /// One of `Volumes`: a folder of the instance mounted into the container.
    public struct Volume: Hashable, Sendable {
        /// `HostDirectory`: on the instance (the bundle is under `/var/app/current`).
        public var hostDirectory: String
        /// `ContainerDirectory`: in the container.
        public var containerDirectory: String
        /// Members gantry has no type for.
        public var extras: [OrderedJSON.Member] = []

        /// Makes a volume entry.
        public init(hostDirectory: String, containerDirectory: String) {
            self.hostDirectory = hostDirectory
            self.containerDirectory = containerDirectory
        }
    }

    /// `Image`; required unless the bundle has a Dockerfile.
    public var image: Image?
    /// `Ports`; Beanstalk routes traffic to the first.
    public var ports: [Port]?
    /// `Volumes`.
    public var volumes: [Volume]?
    /// `Logging`: the container's log folder, which Beanstalk collects.
    public var logging: String?
    /// `Authentication`: where in S3 the registry credentials are.
    public var authentication: S3Location?
    /// `Entrypoint`, as given (a string in AWS's examples).
    public var entrypoint: OrderedJSON?
    /// `Command`, as given.
    public var command: OrderedJSON?
    /// Members gantry has no type for, in file order.
    public var extras: [OrderedJSON.Member] = []

    /// Makes a document.
    public init(image: Image?, ports: [Port]?, volumes: [Volume]? = nil, logging: String? = nil, authentication: S3Location? = nil) {
        self.image = image
        self.ports = ports
        self.volumes = volumes
        self.logging = logging
        self.authentication = authentication
    }

    init(reader: inout DockerrunReader) throws(BeanstalkError) {
        _ = reader.take(Dockerrun.versionKey)
        image = try reader.object("Image") { (image: inout DockerrunReader) throws(BeanstalkError) in
            var value = Image(name: try image.string("Name") ?? "", update: try image.string("Update"))
            value.extras = image.rest
            return value
        }
        ports = try reader.objects("Ports") { (port: inout DockerrunReader) throws(BeanstalkError) in
            var value = Port(containerPort: try port.integer("ContainerPort") ?? 0, hostPort: try port.integer("HostPort"))
            value.extras = port.rest
            return value
        }
        volumes = try reader.objects("Volumes") { (volume: inout DockerrunReader) throws(BeanstalkError) in
            var value = Volume(hostDirectory: try volume.string("HostDirectory") ?? "",
                               containerDirectory: try volume.string("ContainerDirectory") ?? "")
            value.extras = volume.rest
            return value
        }
        logging = try reader.string("Logging")
        authentication = try reader.object("Authentication") { (auth: inout DockerrunReader) throws(BeanstalkError) in
            try S3Location(reader: &auth, bucketKey: "Bucket", keyKey: "Key")
        }
        entrypoint = reader.take("Entrypoint")
        command = reader.take("Command")
        extras = reader.rest
    }

    /// The document in canonical member order; ports are written as strings, as AWS's version 1 examples do.
    public var json: OrderedJSON {
        .object(.members([
            Dockerrun.versionKey: DockerrunVersion.v1.json,
            "Image": image.map { image in
                .object(.members(["Name": .string(image.name), "Update": image.update.map(OrderedJSON.string)], extras: image.extras))
            },
            "Ports": ports.map { ports in
                .array(ports.map { port in
                    .object(.members([
                        "ContainerPort": .string(String(port.containerPort)),
                        "HostPort": port.hostPort.map { .string(String($0)) },
                    ], extras: port.extras))
                })
            },
            "Volumes": volumes.map { volumes in
                .array(volumes.map { volume in
                    .object(.members([
                        "HostDirectory": .string(volume.hostDirectory),
                        "ContainerDirectory": .string(volume.containerDirectory),
                    ], extras: volume.extras))
                })
            },
            "Logging": logging.map(OrderedJSON.string),
            "Authentication": authentication.map { $0.json(bucketKey: "Bucket", keyKey: "Key") },
            "Entrypoint": entrypoint,
            "Command": command,
        ], extras: extras))
    }
}

/// An object in S3: where Beanstalk fetches the registry credentials file (`Authentication`).
public struct S3Location: Hashable, Sendable {
    /// The bucket, in the environment's region.
    public var bucket: String
    /// The object's key.
    public var key: String
    /// Members gantry has no type for.
    public var extras: [OrderedJSON.Member] = []

    /// Makes a location.
    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    init(reader: inout DockerrunReader, bucketKey: String, keyKey: String) throws(BeanstalkError) {
        bucket = try reader.string(bucketKey) ?? ""
        key = try reader.string(keyKey) ?? ""
        extras = reader.rest
    }

    func json(bucketKey: String, keyKey: String) -> OrderedJSON {
        .object(.members([bucketKey: .string(bucket), keyKey: .string(key)], extras: extras))
    }
}
