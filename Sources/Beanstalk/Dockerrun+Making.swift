/// What gantry knows about an app when it writes its `Dockerrun.aws.json`.
public struct DockerrunSettings: Hashable, Sendable {
    /// The app's name: the v2 container's name.
    public var name: String
    /// The image reference to run, pinned by digest unless asked otherwise.
    public var image: String
    /// The port the app listens on in the container.
    public var containerPort: Int
    /// The instance's port: 80, where Beanstalk's proxy sends traffic.
    public var hostPort: Int = 80
    /// The image's log folder, which Beanstalk collects (`Logging`, v1).
    public var logs: String?
    /// Environment of the app container (v2; on v1 Beanstalk sets environment properties).
    public var environment: [OrderedJSON.Member] = []
    /// Folders of the instance mounted into the app container.
    public var volumes: [VolumeSetting] = []
    /// The app container's memory reservation in MiB (v2).
    public var memoryReservation: Int = 256
    /// Where the registry auth file is in S3.
    public var authentication: S3Location?
    /// More containers next to the app (v2).
    public var sidecars: [SidecarSetting] = []

    /// Makes settings with the defaults for everything but the image and port.
    public init(name: String, image: String, containerPort: Int) {
        self.name = name
        self.image = image
        self.containerPort = containerPort
    }

    /// A folder of the instance mounted into a container.
    public struct VolumeSetting: Hashable, Sendable {
        /// The v2 volume name.
        public var name: String
        /// On the instance, such as `/var/app/current/static`.
        public var hostPath: String
        /// In the app container.
        public var containerPath: String
        /// Mounted read-only (v2).
        public var readOnly: Bool

        /// Makes a volume setting.
        public init(name: String, hostPath: String, containerPath: String, readOnly: Bool = false) {
            self.name = name
            self.hostPath = hostPath
            self.containerPath = containerPath
            self.readOnly = readOnly
        }
    }

    /// A host port published to a container port.
    public struct PortSetting: Hashable, Sendable {
        /// On the instance.
        public var host: Int
        /// In the container.
        public var container: Int

        /// Makes a port setting.
        public init(host: Int, container: Int) {
            self.host = host
            self.container = container
        }
    }

    /// A named volume mounted into a sidecar.
    public struct MountSetting: Hashable, Sendable {
        /// The volume's name.
        public var volume: String
        /// In the container.
        public var containerPath: String

        /// Makes a mount setting.
        public init(volume: String, containerPath: String) {
            self.volume = volume
            self.containerPath = containerPath
        }
    }

    /// A container beside the app in a v2 file, such as a proxy serving `/static`.
    public struct SidecarSetting: Hashable, Sendable {
        /// Its unique name.
        public var name: String
        /// Its image.
        public var image: String
        /// Memory reservation in MiB.
        public var memoryReservation: Int = 128
        /// Host port to container port mappings.
        public var ports: [PortSetting] = []
        /// Volumes (by name, from the app's volumes) and where they are mounted, read-only.
        public var mounts: [MountSetting] = []
        /// Its environment.
        public var environment: [OrderedJSON.Member] = []

        /// Makes a sidecar setting.
        public init(name: String, image: String) {
            self.name = name
            self.image = image
        }
    }
}

extension Dockerrun {
    /// The file gantry writes for an app.
    ///
    /// - v1: `Image` (with `Update` "true"), `Ports` (container port, host
    ///   port), `Volumes`, `Logging`, `Authentication`.
    /// - v2: the app container (essential, memory reservation, port mapping,
    ///   environment, mount points), sidecars linking to it, `volumes`,
    ///   `authentication`. When a sidecar takes the host port, the app
    ///   container publishes none: the sidecar reaches it through its link.
    /// - v3: `Authentication` only; the containers are in `docker-compose.yml`.
    ///
    /// - Parameters:
    ///   - version: The file's version.
    ///   - settings: What to put in it.
    public static func make(_ version: DockerrunVersion, _ settings: DockerrunSettings) -> Dockerrun {
        switch version {
        case .v1:
            return .v1(DockerrunV1(
                image: DockerrunV1.Image(name: settings.image, update: "true"),
                ports: [DockerrunV1.Port(containerPort: settings.containerPort, hostPort: settings.hostPort)],
                volumes: settings.volumes.isEmpty ? nil : settings.volumes.map {
                    DockerrunV1.Volume(hostDirectory: $0.hostPath, containerDirectory: $0.containerPath)
                },
                logging: settings.logs,
                authentication: settings.authentication))
        case .v2:
            var app = ContainerDefinition(name: settings.name, image: settings.image, essential: true,
                                          memoryReservation: settings.memoryReservation)
            let hostPortTaken = settings.sidecars.contains { $0.ports.contains { $0.host == settings.hostPort } }
            app.portMappings = [ContainerDefinition.PortMapping(
                hostPort: hostPortTaken ? nil : settings.hostPort, containerPort: settings.containerPort)]
            app.environment = settings.environment.isEmpty ? nil : settings.environment
            app.mountPoints = settings.volumes.isEmpty ? nil : settings.volumes.map {
                ContainerDefinition.MountPoint(sourceVolume: $0.name, containerPath: $0.containerPath, readOnly: $0.readOnly ? true : nil)
            }
            let sidecars = settings.sidecars.map { sidecar in
                var container = ContainerDefinition(name: sidecar.name, image: sidecar.image, essential: true,
                                                    memoryReservation: sidecar.memoryReservation)
                container.portMappings = sidecar.ports.isEmpty ? nil : sidecar.ports.map {
                    ContainerDefinition.PortMapping(hostPort: $0.host, containerPort: $0.container)
                }
                container.environment = sidecar.environment.isEmpty ? nil : sidecar.environment
                container.mountPoints = sidecar.mounts.isEmpty ? nil : sidecar.mounts.map {
                    ContainerDefinition.MountPoint(sourceVolume: $0.volume, containerPath: $0.containerPath, readOnly: true)
                }
                container.links = [settings.name]  // reaches the app by its name
                return container
            }
            return .v2(DockerrunV2(
                containerDefinitions: [app] + sidecars,
                volumes: settings.volumes.isEmpty ? nil : settings.volumes.map {
                    DockerrunV2.Volume(name: $0.name, sourcePath: $0.hostPath)
                },
                authentication: settings.authentication))
        case .v3:
            return .v3(DockerrunV3(authentication: settings.authentication))
        }
    }
}
