/// `Dockerrun.aws.json` version 3: the Docker platform with `docker-compose.yml`,
/// where the file only says where the registry credentials are.
public struct DockerrunV3: Hashable, Sendable {
    /// `Authentication` with `bucket` and `key`.
    public var authentication: S3Location?
    /// Members gantry has no type for (Beanstalk ignores them), in file order.
    public var extras: [OrderedJSON.Member] = []

    /// Makes a document.
    public init(authentication: S3Location?) {
        self.authentication = authentication
    }

    init(reader: inout DockerrunReader) throws(BeanstalkError) {
        _ = reader.take(Dockerrun.versionKey)
        authentication = try reader.object("Authentication") { (auth: inout DockerrunReader) throws(BeanstalkError) in
            try S3Location(reader: &auth, bucketKey: "bucket", keyKey: "key")
        }
        extras = reader.rest
    }

    /// The document in canonical member order.
    public var json: OrderedJSON {
        .object(.members([
            Dockerrun.versionKey: DockerrunVersion.v3.json,
            "Authentication": authentication.map { $0.json(bucketKey: "bucket", keyKey: "key") },
        ], extras: extras))
    }
}
