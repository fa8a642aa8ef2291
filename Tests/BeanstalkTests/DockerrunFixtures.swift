import Beanstalk
import Foundation

/// The settings the golden files were written from, and where they are.
enum DockerrunFixtures {
    static let image = "registry.example.com/news/results@sha256:" + String(repeating: "ab", count: 32)

    static var settings: DockerrunSettings {
        var settings = DockerrunSettings(name: "results", image: image, containerPort: 8080)
        settings.logs = "/var/log/apache2"
        settings.environment = [OrderedJSON.Member("DJANGO_SETTINGS_MODULE", "results.settings")]
        settings.volumes = [DockerrunSettings.VolumeSetting(name: "static", hostPath: "/var/app/current/static", containerPath: "/app/static")]
        settings.authentication = S3Location(bucket: "news-eb", key: "auth/registry.json")
        var proxy = DockerrunSettings.SidecarSetting(name: "proxy", image: "nginx:1.25")
        proxy.memoryReservation = 64
        proxy.ports = [DockerrunSettings.PortSetting(host: 80, container: 80)]
        proxy.mounts = [DockerrunSettings.MountSetting(volume: "static", containerPath: "/srv/static")]
        settings.sidecars = [proxy]
        return settings
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// The text of a golden file.
    static func golden(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
}
