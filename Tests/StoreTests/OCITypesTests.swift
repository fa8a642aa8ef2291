import Foundation
import ImageModel
import Testing

private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(json.utf8))
}

/// The JSON value a document stands for, to compare meaning rather than bytes.
private func meaning(_ data: Data) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: data)
}

/// Decodes `json` as `T`, encodes it again and checks that nothing was lost or changed.
private func expectRoundTrip<T: Codable & Equatable>(_ type: T.Type, _ json: String) throws {
    let original = Data(json.utf8)
    let decoded = try JSONDecoder().decode(type, from: original)
    let encoded = try CanonicalJSON.encode(decoded)
    #expect(try meaning(encoded) == meaning(original))
    #expect(try JSONDecoder().decode(type, from: encoded) == decoded)
}

private let digestA = "sha256:" + String(repeating: "a", count: 64)
private let digestB = "sha256:" + String(repeating: "b", count: 64)
private let digestC = "sha256:" + String(repeating: "c", count: 64)

/// A Docker-built config with members gantry does not model at every level.
private let dockerConfig = """
{
  "architecture": "amd64",
  "author": "newsroom",
  "config": {
    "Hostname": "",
    "User": "www-data",
    "ExposedPorts": {"8080/tcp": {}},
    "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
    "Entrypoint": ["/usr/local/bin/entry"],
    "Cmd": ["apache2ctl", "-D", "FOREGROUND"],
    "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000},
    "ArgsEscaped": true,
    "Volumes": {"/data": {}},
    "WorkingDir": "/app",
    "Labels": {"org.opencontainers.image.source": "https://example.org/news/app"},
    "StopSignal": "SIGWINCH",
    "OnBuild": null
  },
  "container": "3f2c9d",
  "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) CMD [\\"apache2ctl\\"]"], "Tty": false},
  "created": "2024-03-04T05:06:07.123456789Z",
  "docker_version": "24.0.7",
  "history": [
    {"created": "2024-03-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in /", "comment": "base"},
    {"created": "2024-03-04T05:06:07Z", "created_by": "/bin/sh -c #(nop) CMD [\\"apache2ctl\\"]", "empty_layer": true, "x-builder": {"cache": false}}
  ],
  "os": "linux",
  "rootfs": {"type": "layers", "diff_ids": ["\(digestA)", "\(digestB)"], "x-note": 1},
  "x-vendor-number": 12345678901234,
  "x-vendor-fraction": 0.25,
  "variant": "v1"
}
"""

@Suite("OCI types")
struct OCITypesTests {
    @Test("a config keeps unknown members at the top, in config, rootfs and history through decode and encode")
    func configKeepsUnknownMembers() throws {
        try expectRoundTrip(ImageConfiguration.self, dockerConfig)
        let configuration = try decode(ImageConfiguration.self, dockerConfig)
        #expect(configuration.extras["docker_version"] == .string("24.0.7"))
        #expect(configuration.extras["x-vendor-number"] == .integer(12_345_678_901_234))
        #expect(configuration.extras["x-vendor-fraction"] == .number(0.25))
        #expect(configuration.config?.extras["ArgsEscaped"] == .bool(true))
        #expect(configuration.config?.extras["OnBuild"] == .null)
        #expect(configuration.config?.extras["Healthcheck"] == .object([
            "Test": .array([.string("CMD"), .string("true")]), "Interval": .integer(30_000_000_000),
        ]))
        #expect(configuration.rootfs.extras["x-note"] == .integer(1))
        #expect(configuration.history?[1].extras["x-builder"] == .object(["cache": .bool(false)]))
        // And the modelled members are read into their fields.
        #expect(configuration.config?.user == "www-data")
        #expect(configuration.config?.exposedPorts?.keys.sorted() == ["8080/tcp"])
        #expect(configuration.config?.cmd == ["apache2ctl", "-D", "FOREGROUND"])
        #expect(configuration.config?.stopSignal == "SIGWINCH")
        #expect(configuration.rootfs.diffIDs.map(\.description) == [digestA, digestB])
        #expect(configuration.history?[1].emptyLayer == true)
        #expect(configuration.history?[0].createdBy == "/bin/sh -c #(nop) ADD file:abc in /")
    }

    @Test("an edited config is written with the unknown members it was read with")
    func editingKeepsUnknownMembers() throws {
        var configuration = try decode(ImageConfiguration.self, dockerConfig)
        configuration.config?.env?.append("APP=news")
        let encoded = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(configuration)) as? [String: Any]
        let object = try #require(encoded)
        #expect(object["container_config"] != nil)
        #expect(object["docker_version"] as? String == "24.0.7")
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["Healthcheck"] != nil)
        #expect((config["Env"] as? [String])?.last == "APP=news")
    }

    @Test("an OCI manifest with annotations, subject and unknown members round-trips")
    func ociManifestRoundTrips() throws {
        let json = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.ociManifest)",
         "config": {"mediaType": "\(MediaType.ociConfig)", "digest": "\(digestA)", "size": 1234, "x-config": "kept"},
         "layers": [{"mediaType": "\(MediaType.ociLayerGzip)", "digest": "\(digestB)", "size": 5678,
                     "urls": ["https://example.org/layer"], "annotations": {"a": "b"}}],
         "subject": {"mediaType": "\(MediaType.ociManifest)", "digest": "\(digestC)", "size": 9},
         "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"},
         "x-top": [1, 2.5, "three", null, true]}
        """
        try expectRoundTrip(ImageManifest.self, json)
        let manifest = try decode(ImageManifest.self, json)
        #expect(manifest.extras["x-top"] == .array([.integer(1), .number(2.5), .string("three"), .null, .bool(true)]))
        #expect(manifest.config.extras["x-config"] == .string("kept"))
        #expect(manifest.layers[0].urls == ["https://example.org/layer"])
        #expect(manifest.subject?.digest.description == digestC)
    }

    @Test("a Docker schema 2 manifest decodes with its media types and sizes")
    func dockerManifestDecodes() throws {
        let json = """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 1463,
              "digest": "\(digestA)"
           },
           "layers": [
              {
                 "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "size": 29126484,
                 "digest": "\(digestB)"
              }
           ]
        }
        """
        let manifest = try decode(ImageManifest.self, json)
        #expect(manifest.mediaType == MediaType.dockerManifest)
        #expect(manifest.config.mediaType == MediaType.dockerConfig)
        #expect(manifest.config.size == 1463)
        #expect(manifest.layers.map(\.mediaType) == [MediaType.dockerLayerGzip])
        #expect(manifest.layers.map(\.size) == [29_126_484])
        #expect(manifest.extras.isEmpty)
        try expectRoundTrip(ImageManifest.self, json)
    }

    @Test("an OCI index and a Docker manifest list keep platforms, os.version, os.features and unknown members")
    func indexRoundTrips() throws {
        let json = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.dockerManifestList)",
         "manifests": [
           {"mediaType": "\(MediaType.dockerManifest)", "digest": "\(digestA)", "size": 529,
            "platform": {"architecture": "arm64", "os": "linux", "variant": "v8", "features": ["sse4"]}},
           {"mediaType": "\(MediaType.ociManifest)", "digest": "\(digestB)", "size": 530,
            "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.1",
                         "os.features": ["win32k"]},
            "artifactType": "application/example", "data": "e30="}
         ],
         "x-index": {"k": "v"}}
        """
        try expectRoundTrip(ImageIndex.self, json)
        let index = try decode(ImageIndex.self, json)
        #expect(index.manifests[0].platform?.variant == "v8")
        #expect(index.manifests[0].platform?.extras["features"] == .array([.string("sse4")]))
        #expect(index.manifests[1].platform?.osVersion == "10.0.17763.1")
        #expect(index.manifests[1].platform?.osFeatures == ["win32k"])
        #expect(index.manifests[1].artifactType == "application/example")
        #expect(index.manifests[1].extras["data"] == .string("e30="))
        #expect(index.extras["x-index"] == .object(["k": .string("v")]))
    }

    @Test("the canonical encoder sorts keys, leaves slashes alone and gives the same bytes for the same value")
    func canonicalEncodingIsStable() throws {
        let first = try CanonicalJSON.encode(decode(ImageConfiguration.self, dockerConfig))
        let second = try CanonicalJSON.encode(decode(ImageConfiguration.self, dockerConfig))
        #expect(first == second)
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix(#"{"architecture":"amd64","author":"newsroom","config":{"ArgsEscaped":true,"#))
        #expect(text.contains(#""PATH=/usr/local/bin:/usr/bin:/bin""#))
        #expect(!text.contains(#"\/"#))
        #expect(!text.contains("\n"))
    }

    @Test("a config without modelled optional members encodes only what it has")
    func minimalConfigEncodes() throws {
        let configuration = ImageConfiguration(
            architecture: "amd64", os: "linux", rootfs: .init(diffIDs: [try Digest(parsing: digestA)]))
        let text = String(decoding: try CanonicalJSON.encode(configuration), as: UTF8.self)
        #expect(text == #"{"architecture":"amd64","os":"linux","rootfs":{"diff_ids":["\#(digestA)"],"type":"layers"}}"#)
    }

    @Test("created dates parse with nanoseconds, without fraction and with an offset", arguments: [
        ("2024-03-04T05:06:07.5Z", 1_709_528_767.5),
        ("2024-03-04T05:06:07.123456789Z", 1_709_528_767.123456789),
        ("2024-03-04T05:06:07Z", 1_709_528_767.0),
        ("2024-03-04T07:06:07+02:00", 1_709_528_767.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func createdDateParses(text: String, seconds: Double) throws {
        let configuration = ImageConfiguration(
            created: text, architecture: "amd64", os: "linux", rootfs: .init(diffIDs: []))
        let date = try #require(configuration.createdDate)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_01)
    }

    @Test("a created text that is not RFC 3339 gives no date", arguments: ["", "yesterday", "2024-03-04", "2024-03-04T05:06:07.Z"])
    func invalidCreatedGivesNoDate(text: String) {
        let configuration = ImageConfiguration(
            created: text, architecture: "amd64", os: "linux", rootfs: .init(diffIDs: []))
        #expect(configuration.createdDate == nil)
    }

    @Test("a descriptor with an invalid digest is rejected")
    func invalidDigestIsRejected() {
        #expect(throws: DecodingError.self) {
            try decode(Descriptor.self, #"{"mediaType":"x","digest":"sha256:abc","size":1}"#)
        }
    }
}
