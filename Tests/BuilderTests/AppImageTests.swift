import Archive
import Foundation
import ImageModel
import Scaffold
import Store
import Testing
@testable import Builder

@Suite("app image config")
struct AppImageTests {
    let spec = AppSpec(name: "results", image: "localhost:5000/results", base: "localhost/base:1", port: 9000, mount: "/app",
                       env: [KeyValue(key: "LANG", value: "en_US.UTF-8"), KeyValue(key: "DEBUG", value: "0")])

    func digest(_ character: Character) throws -> Digest {
        try Digest.sha256(hex: String(repeating: character, count: 64))
    }

    func base(docker: Bool) throws -> (StoredImage, ImageConfiguration, ImageManifest) {
        var configuration = ImageConfiguration(
            created: "2024-01-01T00:00:00Z", architecture: "amd64", os: "linux",
            config: .init(exposedPorts: ["8080/tcp": .object([:])], env: ["PATH=/usr/bin", "LANG=C.UTF-8"],
                          cmd: ["apache2ctl"], volumes: ["/app": .object([:])], workingDir: "/",
                          labels: ["io.gantry.mount": "/app"], extras: ["Healthcheck": .object([:])]),
            rootfs: .init(diffIDs: [try digest("a")]),
            history: [.init(created: "2024-01-01T00:00:00Z", createdBy: "base")])
        configuration.extras["moby.buildkit.buildinfo.v1"] = .string("kept")
        let layerType = docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip
        let manifest = ImageManifest(
            mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
            config: Descriptor(mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig, digest: try digest("c"), size: 10),
            layers: [Descriptor(mediaType: layerType, digest: try digest("b"), size: 100)])
        let reference = try ImageReference(parsing: "localhost/base:1")
        let image = StoredImage(
            reference: reference,
            descriptor: Descriptor(mediaType: manifest.mediaType ?? MediaType.ociManifest, digest: try digest("d"), size: 300),
            manifest: manifest, configuration: configuration)
        return (image, configuration, manifest)
    }

    func layer(_ character: Character) throws -> AppImage.AddedLayer {
        AppImage.AddedLayer(
            digests: LayerDigests(diffID: try digest(character), digest: try digest(character == "e" ? "f" : "1"), size: 5,
                                  uncompressedSize: 10, mediaType: MediaType.ociLayerGzip),
            createdBy: "layer \(character)")
    }

    @Test("the base's config is kept and changed only as gantry.yml says")
    func configChanges() throws {
        let (image, configuration, manifest) = try base(docker: false)
        let git = GitRevision(commit: "abc123def", shortCommit: "abc123d", source: "https://example.com/news/results.git")
        let app = AppImage(base: image, baseConfiguration: configuration, baseManifest: manifest,
                           layers: [try layer("e"), try layer("2")], spec: spec, created: Date(timeIntervalSince1970: 0), git: git)
        let config = try #require(app.configuration.config)
        #expect(config.env == ["PATH=/usr/bin", "LANG=en_US.UTF-8", "DEBUG=0"])
        #expect(config.workingDir == "/app")
        #expect(config.exposedPorts?.keys.sorted() == ["8080/tcp", "9000/tcp"])
        #expect(config.volumes == nil)
        #expect(config.cmd == ["apache2ctl"])
        #expect(config.extras["Healthcheck"] != nil)
        #expect(config.labels?["io.gantry.mount"] == "/app")
        #expect(config.labels?["org.opencontainers.image.revision"] == "abc123def")
        #expect(config.labels?["org.opencontainers.image.source"] == "https://example.com/news/results.git")
        #expect(app.configuration.created == "1970-01-01T00:00:00Z")
        #expect(app.configuration.extras["moby.buildkit.buildinfo.v1"] == .string("kept"))
        #expect(app.configuration.rootfs.diffIDs == [try digest("a"), try digest("e"), try digest("2")])
        #expect(app.configuration.history?.map(\.createdBy) == ["base", "layer e", "layer 2"])
        #expect(app.manifest.layers.map(\.mediaType) == Array(repeating: MediaType.ociLayerGzip, count: 3))
        #expect(app.manifest.annotations?["org.opencontainers.image.base.digest"] == (try digest("d")).description)
    }

    @Test("on a Docker schema 2 base the app's layers take Docker's media type, never mixed")
    func dockerBase() throws {
        let (image, configuration, manifest) = try base(docker: true)
        let app = AppImage(base: image, baseConfiguration: configuration, baseManifest: manifest,
                           layers: [try layer("e")], spec: spec, created: Date(timeIntervalSince1970: 0), git: nil)
        #expect(app.manifest.mediaType == MediaType.dockerManifest)
        #expect(app.manifest.layers.map(\.mediaType) == [MediaType.dockerLayerGzip, MediaType.dockerLayerGzip])
        #expect(app.manifest.annotations == nil)
        #expect(app.configuration.config?.labels?["org.opencontainers.image.revision"] == nil)
    }
}
