import Foundation

/// How `Engine.run` starts a container: always detached, never with a terminal.
public struct RunOptions: Sendable, Hashable {
    /// A host folder mounted into the container.
    public struct Mount: Sendable, Hashable {
        /// The absolute host path.
        public var hostPath: String
        /// The absolute path in the container.
        public var containerPath: String
        /// Mounted read-only when true.
        public var readOnly: Bool

        /// Creates a bind mount.
        public init(hostPath: String, containerPath: String, readOnly: Bool = false) {
            self.hostPath = hostPath
            self.containerPath = containerPath
            self.readOnly = readOnly
        }
    }

    /// A container port published on a host address.
    public struct PortMapping: Sendable, Hashable {
        /// The host address; loopback unless told otherwise, so dev servers are not on the network.
        public var hostAddress: String
        /// The host port.
        public var hostPort: Int
        /// The container port (TCP).
        public var containerPort: Int

        /// Creates a mapping, on 127.0.0.1 by default.
        public init(hostAddress: String = "127.0.0.1", hostPort: Int, containerPort: Int) {
            self.hostAddress = hostAddress
            self.hostPort = hostPort
            self.containerPort = containerPort
        }
    }

    /// The image to run.
    public var image: String
    /// The container's name.
    public var name: String?
    /// Bind mounts.
    public var mounts: [Mount]
    /// Published ports.
    public var ports: [PortMapping]
    /// Environment variables.
    public var environment: [String: String]
    /// `UID:GID` (or a user name) to run as; the image's user when nil.
    public var user: String?
    /// Container labels.
    public var labels: [String: String]
    /// Relabel bind mounts for SELinux (`:z`); on when SELinux is enforcing.
    public var relabelMounts: Bool

    /// Creates options for running `image`.
    public init(
        image: String, name: String? = nil, mounts: [Mount] = [], ports: [PortMapping] = [],
        environment: [String: String] = [:], user: String? = nil, labels: [String: String] = [:],
        relabelMounts: Bool = RunOptions.selinuxEnforcing
    ) {
        self.image = image
        self.name = name
        self.mounts = mounts
        self.ports = ports
        self.environment = environment
        self.user = user
        self.labels = labels
        self.relabelMounts = relabelMounts
    }

    /// The arguments of `run`, the same for podman and docker.
    /// - Throws: `EngineError.unsupportedMountPath` for a host path `-v` cannot carry.
    public func arguments() throws(EngineError) -> [String] {
        var arguments = ["run", "--detach"]
        if let name { arguments += ["--name", name] }
        for mount in mounts {
            guard !mount.hostPath.contains(":") else { throw EngineError.unsupportedMountPath(mount.hostPath) }
            guard !mount.containerPath.contains(":") else { throw EngineError.unsupportedMountPath(mount.containerPath) }
            var flags: [String] = []
            if mount.readOnly { flags.append("ro") }
            if relabelMounts { flags.append("z") }
            arguments += ["--volume", "\(mount.hostPath):\(mount.containerPath)" + (flags.isEmpty ? "" : ":" + flags.joined(separator: ","))]
        }
        for port in ports {
            arguments += ["--publish", "\(port.hostAddress):\(port.hostPort):\(port.containerPort)"]
        }
        for key in environment.keys.sorted() {
            arguments += ["--env", "\(key)=\(environment[key] ?? "")"]
        }
        if let user { arguments += ["--user", user] }
        for key in labels.keys.sorted() {
            arguments += ["--label", "\(key)=\(labels[key] ?? "")"]
        }
        arguments.append(image)
        return arguments
    }

    /// Whether SELinux is enforcing on this host, so bind mounts need relabelling to be readable.
    public static var selinuxEnforcing: Bool {
        guard let data = FileManager.default.contents(atPath: "/sys/fs/selinux/enforce") else { return false }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
}
