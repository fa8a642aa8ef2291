import ImageModel

/// What `Dockerrun.check` found in a file.
public struct DockerrunReport: Hashable, Sendable {
    /// The version the file declares, when it declares a known one.
    public let version: DockerrunVersion?
    /// Every problem, in file order.
    public let problems: [DockerrunProblem]

    /// The problems that make Beanstalk reject the file.
    public var errors: [DockerrunProblem] { problems.filter { $0.severity == .error } }

    /// Which Elastic Beanstalk platform branch reads a file of this version.
    public var platform: String {
        switch version {
        case .v1: return "the Docker platform (Docker running on 64bit Amazon Linux 2 or 2023), one container"
        case .v2: return "the ECS platform (ECS running on 64bit Amazon Linux 2 or 2023); the Docker platform rejects version 2"
        case .v3: return "the Docker platform with a docker-compose.yml next to it in the bundle"
        case nil: return "no platform: the version is missing or unknown"
        }
    }
}

extension Dockerrun {
    /// Checks a parsed `Dockerrun.aws.json` the way Beanstalk reads it, and
    /// explains each problem at its key path.
    ///
    /// - Parameter json: The parsed file.
    /// - Returns: The version and every problem found.
    public static func check(_ json: OrderedJSON) -> DockerrunReport {
        var check = DockerrunCheck()
        guard let members = json.members else {
            check.error("", "the file holds \(json.kindDescription), not a JSON object; write { \"AWSEBDockerrunVersion\": \"1\", ... }")
            return DockerrunReport(version: nil, problems: check.problems)
        }
        let version = try? DockerrunVersion(json: json, file: "")
        switch version {
        case nil:
            if let value = json[versionKey] {
                check.error(versionKey, "\(value.kindDescription) is not a version Beanstalk knows; use \"1\" (Docker platform), 2 (ECS platform) or \"3\" (Docker with Compose)")
            } else {
                let hint = json["containerDefinitions"] != nil ? "2 (this file has containerDefinitions)" : "\"1\" for one container"
                check.error(versionKey, "missing; Beanstalk needs it to read the file: add \"AWSEBDockerrunVersion\": \(hint)")
            }
        case .v1: check.version1(json, members: members)
        case .v2: check.version2(json, members: members)
        case .v3: check.version3(json, members: members)
        }
        return DockerrunReport(version: version, problems: check.problems)
    }
}

/// Collects problems while walking a file.
struct DockerrunCheck {
    var problems: [DockerrunProblem] = []

    mutating func error(_ path: String, _ message: String) { problems.append(DockerrunProblem(.error, path, message)) }
    mutating func warning(_ path: String, _ message: String) { problems.append(DockerrunProblem(.warning, path, message)) }

    static let version1Keys: Set = [Dockerrun.versionKey, "Image", "Ports", "Volumes", "Logging", "Authentication", "Entrypoint", "Command"]
    static let version2Keys: Set = [Dockerrun.versionKey, "containerDefinitions", "volumes", "authentication"]

    mutating func version1(_ json: OrderedJSON, members: [OrderedJSON.Member]) {
        for member in members where !Self.version1Keys.contains(member.key) {
            if Self.version2Keys.contains(member.key) {
                error(member.key, "belongs to version 2 (the ECS platform); the Docker platform ignores it: use Image and Ports, or set \"AWSEBDockerrunVersion\": 2")
            } else {
                warning(member.key, "is not a version 1 key, and Beanstalk ignores it; remove it")
            }
        }
        if let image = json["Image"] {
            if image.members == nil {
                error("Image", "expected an object, found \(image.kindDescription); write \"Image\": {\"Name\": \"REPOSITORY@sha256:...\"}")
            } else {
                imageName(image["Name"], path: "Image.Name")
                switch image["Update"] {
                case nil, .string("true"), .string("false"): break
                case .bool(let flag):
                    warning("Image.Update", "is the JSON boolean \(flag), and Beanstalk only honours the string; write \"Update\": \"\(flag)\"")
                case let other?:
                    error("Image.Update", "expected the string \"true\" or \"false\", found \(other.kindDescription)")
                }
            }
        } else {
            error("Image", "missing; the Docker platform needs the image to pull (or a Dockerfile in the bundle): add \"Image\": {\"Name\": \"REPOSITORY@sha256:...\"}")
        }
        switch json["Ports"] {
        case nil:
            error("Ports", "missing; Beanstalk's proxy needs the container port: add \"Ports\": [{\"ContainerPort\": \"8080\"}]")
        case .array(let ports) where ports.isEmpty:
            error("Ports", "is empty; Beanstalk routes traffic to the first entry: add {\"ContainerPort\": \"8080\"}")
        case .array(let ports):
            for (index, port) in ports.enumerated() {
                let path = "Ports[\(index)]"
                guard port.members != nil else { error(path, "expected an object, found \(port.kindDescription)"); continue }
                self.port(port["ContainerPort"], path: "\(path).ContainerPort", required: true)
                self.port(port["HostPort"], path: "\(path).HostPort", required: false)
            }
        case let other?:
            error("Ports", "expected a list, found \(other.kindDescription); write \"Ports\": [{\"ContainerPort\": \"8080\"}]")
        }
        objects(json["Volumes"], path: "Volumes") { check, volume, path in
            for key in ["HostDirectory", "ContainerDirectory"] { check.absolutePath(volume[key], path: "\(path).\(key)") }
        }
        if let logging = json["Logging"] { absolutePath(logging, path: "Logging") }
        authentication(json["Authentication"], path: "Authentication", bucket: "Bucket", key: "Key")
    }

    mutating func version2(_ json: OrderedJSON, members: [OrderedJSON.Member]) {
        for member in members where !Self.version2Keys.contains(member.key) {
            if Self.version1Keys.contains(member.key) {
                error(member.key, "belongs to version 1 (the Docker platform); version 2 ignores it: describe containers in containerDefinitions")
            } else {
                warning(member.key, "is not a version 2 key, and Beanstalk ignores it; remove it")
            }
        }
        var volumeNames: Set<String> = []
        objects(json["volumes"], path: "volumes") { check, volume, path in
            guard let name = volume["name"]?.stringValue, !name.isEmpty else {
                check.error("\(path).name", "missing; give the volume a name that mountPoints[].sourceVolume can refer to")
                return
            }
            if !volumeNames.insert(name).inserted { check.error("\(path).name", "\"\(name)\" is defined twice; rename or remove one") }
            if let host = volume["host"] { check.absolutePath(host["sourcePath"], path: "\(path).host.sourcePath") }
        }
        guard case .array(let containers)? = json["containerDefinitions"], !containers.isEmpty else {
            error("containerDefinitions", "missing or empty; version 2 needs at least one container: add [{\"name\": \"app\", \"image\": \"...\", \"memoryReservation\": 256}]")
            authentication(json["authentication"], path: "authentication", bucket: "bucket", key: "key")
            return
        }
        var names: [String: Int] = [:]
        for (index, container) in containers.enumerated() {
            if let name = container["name"]?.stringValue, !name.isEmpty {
                if let first = names[name] {
                    error("containerDefinitions[\(index)].name", "\"\(name)\" is also the name of containerDefinitions[\(first)]; container names must be unique")
                } else {
                    names[name] = index
                }
            }
        }
        for (index, container) in containers.enumerated() {
            self.container(container, path: "containerDefinitions[\(index)]", containers: Set(names.keys), volumes: volumeNames)
        }
        if !containers.contains(where: { $0["essential"] != .bool(false) }) {
            error("containerDefinitions", "no container is essential; ECS needs one: set \"essential\": true on the app container")
        }
        authentication(json["authentication"], path: "authentication", bucket: "bucket", key: "key")
    }

    mutating func container(_ container: OrderedJSON, path: String, containers: Set<String>, volumes: Set<String>) {
        guard container.members != nil else { error(path, "expected an object, found \(container.kindDescription)"); return }
        if container["name"]?.stringValue?.isEmpty ?? true {
            error("\(path).name", "missing; every container needs a unique name")
        }
        imageName(container["image"], path: "\(path).image")
        let memory = container["memory"], reservation = container["memoryReservation"]
        if memory == nil && reservation == nil {
            error("\(path).memory", "missing; ECS needs memory (hard limit, MiB) or memoryReservation (soft limit) on every container: add \"memoryReservation\": 256")
        }
        for (key, value) in [("memory", memory), ("memoryReservation", reservation)] {
            if let value, (value.lenientInteger ?? 0) < 4 {
                error("\(path).\(key)", "expected a number of MiB of at least 4, found \(value.kindDescription)")
            }
        }
        objects(container["portMappings"], path: "\(path).portMappings") { check, mapping, mappingPath in
            check.port(mapping["containerPort"], path: "\(mappingPath).containerPort", required: true)
            check.port(mapping["hostPort"], path: "\(mappingPath).hostPort", required: false)
            if let proto = mapping["protocol"], proto != "tcp", proto != "udp" {
                check.error("\(mappingPath).protocol", "expected \"tcp\" or \"udp\", found \(proto.kindDescription)")
            }
        }
        if let links = container["links"] {
            if let elements = links.elements {
                for (index, link) in elements.enumerated() {
                    let target = link.stringValue.map { String($0.split(separator: ":", maxSplits: 1).first ?? "") } ?? ""
                    if !containers.contains(target) {
                        error("\(path).links[\(index)]", "links to \(link.kindDescription), which is not the name of a container in containerDefinitions; fix the name or add the container")
                    }
                }
            } else {
                error("\(path).links", "expected a list of container names, found \(links.kindDescription)")
            }
        }
        objects(container["mountPoints"], path: "\(path).mountPoints") { check, mount, mountPath in
            let source = mount["sourceVolume"]
            if let name = source?.stringValue, !name.isEmpty {
                if !volumes.contains(name) {
                    check.error("\(mountPath).sourceVolume", "names volume \"\(name)\", which is not defined in volumes; add {\"name\": \"\(name)\", \"host\": {\"sourcePath\": \"/var/app/current/\(name)\"}} to volumes")
                }
            } else {
                check.error("\(mountPath).sourceVolume", "missing; name one of the file's volumes")
            }
            check.absolutePath(mount["containerPath"], path: "\(mountPath).containerPath")
        }
        objects(container["volumesFrom"], path: "\(path).volumesFrom") { check, source, sourcePath in
            let name = source["sourceContainer"]?.stringValue ?? ""
            if !containers.contains(name) {
                check.error("\(sourcePath).sourceContainer", "names \"\(name)\", which is not a container in containerDefinitions; fix the name")
            }
        }
    }

    mutating func version3(_ json: OrderedJSON, members: [OrderedJSON.Member]) {
        for member in members where member.key != Dockerrun.versionKey && member.key != "Authentication" {
            warning(member.key, "is ignored with Compose (version 3 holds only Authentication); describe containers in docker-compose.yml")
        }
        authentication(json["Authentication"], path: "Authentication", bucket: "bucket", key: "key")
    }

    mutating func imageName(_ value: OrderedJSON?, path: String) {
        guard let value else {
            error(path, "missing; name the image to run, such as \"registry.example.com/news/app@sha256:...\"")
            return
        }
        guard let name = value.stringValue, !name.isEmpty else {
            error(path, "expected an image reference, found \(value.kindDescription)")
            return
        }
        do {
            _ = try ImageReference(parsing: name)
        } catch {
            self.error(path, "\"\(name)\" is not an image reference Docker can pull: \(error)")
        }
    }

    mutating func port(_ value: OrderedJSON?, path: String, required: Bool) {
        guard let value else {
            if required { error(path, "missing; give the port the app listens on in the container, such as 8080") }
            return
        }
        guard let port = value.lenientInteger else {
            error(path, "expected a port number, found \(value.kindDescription)")
            return
        }
        if !(1...65535).contains(port) { error(path, "\(port) is out of range; a port is 1 to 65535") }
    }

    mutating func absolutePath(_ value: OrderedJSON?, path: String) {
        guard let value else { error(path, "missing; give an absolute path"); return }
        guard let text = value.stringValue, text.hasPrefix("/") else {
            error(path, "expected an absolute path starting with /, found \(value.kindDescription)")
            return
        }
    }

    mutating func authentication(_ value: OrderedJSON?, path: String, bucket: String, key: String) {
        guard let value else { return }
        guard value.members != nil else { error(path, "expected an object with \(bucket) and \(key), found \(value.kindDescription)"); return }
        for name in [bucket, key] where (value[name]?.stringValue ?? "").isEmpty {
            // The other spelling: version 1 capitalizes Bucket and Key, versions 2 and 3 do not.
            let other = (name.first?.isUppercase ?? false ? name.prefix(1).lowercased() : name.prefix(1).uppercased()) + name.dropFirst()
            let hint = value[other] != nil ? " (this version spells it \"\(name)\", not \"\(other)\")" : ""
            error("\(path).\(name)", "missing\(hint); give the S3 \(name.lowercased()) of the registry auth file (gantry beanstalk auth-file writes one)")
        }
    }

    /// Calls `body` for each object of a list, reporting entries that are not objects.
    mutating func objects(_ value: OrderedJSON?, path: String, _ body: (inout DockerrunCheck, OrderedJSON, String) -> Void) {
        guard let value else { return }
        guard let elements = value.elements else { error(path, "expected a list, found \(value.kindDescription)"); return }
        for (index, element) in elements.enumerated() {
            let elementPath = "\(path)[\(index)]"
            guard element.members != nil else { error(elementPath, "expected an object, found \(element.kindDescription)"); continue }
            body(&self, element, elementPath)
        }
    }
}
