import Archive
import Foundation
import ImageModel
import Testing

@Suite("DockerArchiveWriter")
struct DockerArchiveWriterTests {
    struct Image {
        let folder: TemporaryFolder
        let config: Data
        let layers: [DockerArchiveWriter.Layer]
        let diffIDs: [Digest]
    }

    /// A two-layer image: a base layer and an app layer, gzip-compressed, with a config listing their diffIDs.
    private func makeImage() throws -> Image {
        let folder = try TemporaryFolder()
        let base = try writeLayer(to: folder.file("base.blob")) { writer in
            try writer.append(.directory("etc", modificationTime: testEpoch))
            try writer.append(.file("etc/os-release", contents: .data(Data("ID=gantry\n".utf8)), modificationTime: testEpoch))
        }
        let app = try writeLayer(to: folder.file("app.blob")) { writer in
            try writer.append(.directory("app", modificationTime: testEpoch))
            try writer.append(.file("app/wsgi.py", contents: .data(Data("application = None\n".utf8)), modificationTime: testEpoch))
        }
        let config = Data("""
            {"architecture":"amd64","config":{"Cmd":["/bin/true"]},"os":"linux",\
            "rootfs":{"type":"layers","diff_ids":["\(base.diffID)","\(app.diffID)"]}}
            """.utf8)
        let layers = [
            DockerArchiveWriter.Layer(file: folder.url.appendingPathComponent("base.blob"), digest: base.digest, mediaType: base.mediaType),
            DockerArchiveWriter.Layer(file: folder.url.appendingPathComponent("app.blob"), digest: app.digest, mediaType: app.mediaType),
        ]
        return Image(folder: folder, config: config, layers: layers, diffIDs: [base.diffID, app.diffID])
    }

    private func reference(_ text: String) throws -> ImageReference {
        try ImageReference(parsing: text)
    }

    @Test("skopeo reads the archive: config digest, layers and tag match what was written")
    func skopeoReadsArchive() throws {
        let image = try makeImage()
        let archive = image.folder.file("image.tar")
        try DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [try reference("news/app:1.0")])
            .write(toFile: archive)

        let configDigest = try sha256(ofOutputOf: "printf '%s' '\(String(decoding: image.config, as: UTF8.self))'")
        let manifestData = try shell("skopeo inspect --raw docker-archive:'\(archive)'").output
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        let config = try #require(manifest["config"] as? [String: Any])
        #expect(config["digest"] as? String == configDigest)
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        // skopeo serves docker-archive layers uncompressed, named by the config's diffIDs.
        #expect(layers.compactMap { $0["digest"] as? String } == image.diffIDs.map(\.description))

        let inspectData = try shell("skopeo inspect docker-archive:'\(archive)'").output
        let inspect = try #require(try JSONSerialization.jsonObject(with: inspectData) as? [String: Any])
        let reported = try #require(inspect["Layers"] as? [String])
        #expect(reported == image.diffIDs.map(\.description))
        #expect(inspect["Os"] as? String == "linux")
        #expect(try sha256(ofOutputOf: "skopeo inspect --config --raw docker-archive:'\(archive)'") == configDigest)
    }

    @Test("skopeo copies the archive into an OCI layout, verifying every layer against the config's diffIDs")
    func skopeoCopiesArchive() throws {
        let image = try makeImage()
        let archive = image.folder.file("image.tar")
        try DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [try reference("news/app")])
            .write(toFile: archive)
        let layout = image.folder.file("layout")
        _ = try check("skopeo copy --quiet docker-archive:'\(archive)' oci:'\(layout)':copied")
        let files = try check("ls '\(layout)/blobs/sha256'")
        #expect(!files.isEmpty)
    }

    @Test("the archive holds the config, the layer files as they are, manifest.json and repositories, owned by root at a fixed time")
    func archiveLayout() throws {
        let image = try makeImage()
        let archive = image.folder.file("image.tar")
        try DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [try reference("news/app:1.0"), try reference("localhost:5000/app:dev")])
            .write(toFile: archive)
        let configHex = String(try sha256(ofOutputOf: "printf '%s' '\(String(decoding: image.config, as: UTF8.self))'").dropFirst(7))
        let names = try check("tar -tf '\(archive)'").split(separator: "\n").map(String.init)
        #expect(names == [configHex + ".json", image.layers[0].digest.encoded + ".tar.gz", image.layers[1].digest.encoded + ".tar.gz", "manifest.json", "repositories"])
        #expect(try check("TZ=UTC tar --numeric-owner --full-time -tvf '\(archive)' | awk '{print $1, $2, $4, $5}' | sort -u")
            == "-rw-r--r-- 0/0 1970-01-01 00:00:00")

        let manifest = try check("tar -xOf '\(archive)' manifest.json")
        #expect(manifest == """
            [{"Config":"\(configHex).json","Layers":["\(image.layers[0].digest.encoded).tar.gz","\(image.layers[1].digest.encoded).tar.gz"],\
            "RepoTags":["docker.io/news/app:1.0","localhost:5000/app:dev"]}]
            """)
        let repositories = try check("tar -xOf '\(archive)' repositories")
        let top = image.layers[1].digest.encoded
        #expect(repositories == #"{"docker.io/news/app":{"1.0":"\#(top)"},"localhost:5000/app":{"dev":"\#(top)"}}"#)
        // The layer files are copied byte for byte.
        #expect(try sha256(ofOutputOf: "tar -xOf '\(archive)' \(image.layers[0].digest.encoded).tar.gz") == image.layers[0].digest.description)
    }

    @Test("writing the same image twice gives the same bytes")
    func deterministic() throws {
        let image = try makeImage()
        let writer = DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [try reference("news/app:1.0")])
        try writer.write(toFile: image.folder.file("a.tar"))
        try writer.write(toFile: image.folder.file("b.tar"))
        #expect(try check("cmp '\(image.folder.file("a.tar"))' '\(image.folder.file("b.tar"))' && echo same") == "same")
    }

    @Test("a damaged layer file is refused, naming it, and no archive is left behind")
    func damagedLayerRefused() throws {
        let image = try makeImage()
        _ = try check("printf 'x' >> '\(image.layers[1].file.path)'")
        let archive = image.folder.file("image.tar")
        let error = #expect(throws: ArchiveError.self) {
            try DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [try reference("news/app:1.0")])
                .write(toFile: archive)
        }
        guard case .layerDigestMismatch(let file, let expected, _) = error else {
            Issue.record("expected layerDigestMismatch, got \(String(describing: error))")
            return
        }
        #expect(file == image.layers[1].file.path)
        #expect(expected == image.layers[1].digest.description)
        #expect(try check("ls -A '\(image.folder.path)'") == "app.blob\nbase.blob")
    }

    @Test("a repo tag with only a digest is refused: docker load needs a tag")
    func digestOnlyReferenceRefused() throws {
        let image = try makeImage()
        let pinned = try reference("news/app@" + image.layers[0].digest.description)
        #expect(throws: ArchiveError.untaggedReference(pinned.description)) {
            try DockerArchiveWriter(config: image.config, layers: image.layers, repoTags: [pinned]).write(to: { _ in })
        }
    }
}
