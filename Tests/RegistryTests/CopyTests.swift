import Foundation
import ImageModel
@testable import Registry
import Store
import Testing

@Suite("Transport references")
struct TransportReferenceTests {
    @Test("registry references, oci: and docker-archive: parse as skopeo writes them")
    func parses() throws {
        #expect(try TransportReference(parsing: "127.0.0.1:5000/news/app:1") == .registry(try ImageReference(parsing: "127.0.0.1:5000/news/app:1")))
        #expect(try TransportReference(parsing: "docker://debian:bookworm") == .registry(try ImageReference(parsing: "debian:bookworm")))
        #expect(try TransportReference(parsing: "localhost:5000/app") == .registry(try ImageReference(parsing: "localhost:5000/app")))
        #expect(try TransportReference(parsing: "oci:/tmp/layout:v1") == .ociLayout(directory: "/tmp/layout", tag: "v1"))
        #expect(try TransportReference(parsing: "oci:layout") == .ociLayout(directory: "layout", tag: nil))
        #expect(try TransportReference(parsing: "docker-archive:/tmp/a.tar:news/app:1") == .dockerArchive(file: "/tmp/a.tar", reference: "news/app:1"))
        #expect(try TransportReference(parsing: "docker-archive:a.tar") == .dockerArchive(file: "a.tar", reference: nil))
    }

    @Test("other transports and empty paths are refused in one line that says what works")
    func refuses() {
        for text in ["dir:/tmp/x", "containers-storage:app", "oci-archive:/tmp/a.tar"] {
            let error = #expect(throws: TransferError.self) { try TransportReference(parsing: text) }
            #expect(error?.description.contains("oci:DIR[:TAG]") == true)
        }
        #expect(throws: TransferError.missingPath("oci:")) { try TransportReference(parsing: "oci:") }
        #expect(throws: ImageReferenceError.self) { try TransportReference(parsing: "News/App") }
    }
}

@Suite("Copy between registries, OCI layouts and docker-archives", .serialized)
struct CopyTests {
    /// sha256 and size of a file.
    func fileDigest(_ path: String) async throws -> String {
        "sha256:" + (try await shell("sha256sum '\(path)' | cut -d' ' -f1")).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("an OCI layout skopeo wrote, copied to a registry by gantry and back by skopeo, keeps its manifest digest and every blob")
    func layoutRoundTrip() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await PullTests.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let layout = folder.appending("from-skopeo")
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/app:1 oci:\(layout):TAG")
        let home = folder.appending("home")

        let before = try FileManager.default.contentsOfDirectory(atPath: layout).sorted()
        let result = try await runGantry(["copy", "oci:\(layout):TAG", "\(registry.host)/news/copied:1"], home: home)
        #expect(result.status == 0, "\(result.error)")
        // Reading a layout writes nothing into it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout).sorted() == before)
        let original = try await shell("skopeo inspect --format '{{.Digest}}' oci:\(layout):TAG").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(result.output.split(separator: "\n").last.map(String.init) == "\(registry.host)/news/copied:1@\(original)")

        let back = folder.appending("back")
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/copied:1 oci:\(back):TAG")
        let returned = try await shell("skopeo inspect --format '{{.Digest}}' oci:\(back):TAG").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(returned == original)
        let blobs = try await shell("ls '\(layout)/blobs/sha256'"), returnedBlobs = try await shell("ls '\(back)/blobs/sha256'")
        #expect(blobs == returnedBlobs)
        for blob in blobs.split(separator: "\n") {
            #expect(try await fileDigest("\(back)/blobs/sha256/\(blob)") == "sha256:\(blob)")
        }
    }

    @Test("registry to an OCI layout: skopeo and umoci read the layout gantry wrote, and gantry's work files are gone")
    func registryToLayout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await PullTests.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let layout = folder.appending("layout")
        let result = try await runGantry(["copy", "\(registry.host)/news/app:1", "oci:\(layout):v1"], home: folder.appending("home"))
        #expect(result.status == 0, "\(result.error)")
        let digest = try await shell("skopeo inspect --format '{{.Digest}}' oci:\(layout):v1").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest == (try await remoteDigest("\(registry.host)/news/app:1")))
        try await shell("umoci stat --image '\(layout):v1' >/dev/null")
        #expect(!FileManager.default.fileExists(atPath: layout + "/ingest"))
        #expect(!FileManager.default.fileExists(atPath: layout + "/index.json.lock"))
    }

    /// A layout holding an index of two one-layer images, linux/amd64 and linux/arm64, tagged `multi`.
    func writeIndexLayout(_ folder: TemporaryFolder) async throws -> (layout: String, index: Descriptor, amd64: Descriptor, arm64: Descriptor) {
        let layout = folder.appending("multi")
        let store = try ImageStore(root: URL(fileURLWithPath: layout))
        var amd64 = try await TestImage.write(into: store, folder: folder, as: nil, text: "amd64\n", architecture: "amd64")
        var arm64 = try await TestImage.write(into: store, folder: folder, as: nil, text: "arm64\n", architecture: "arm64")
        amd64.platform = Platform(architecture: "amd64", os: "linux")
        arm64.platform = Platform(architecture: "arm64", os: "linux", variant: "v8")
        let index = ImageIndex(mediaType: MediaType.ociIndex, manifests: [amd64, arm64])
        let descriptor = try store.writeBlob(try JSONEncoder().encode(index), mediaType: MediaType.ociIndex)
        try store.tag(descriptor, refName: "multi")
        store.removeWorkFiles()
        return (layout, descriptor, amd64, arm64)
    }

    @Test("an index is copied whole and byte for byte; --platform copies one manifest; a docker-archive gets the host's")
    func indexCopies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let (layout, index, amd64, arm64) = try await writeIndexLayout(folder)
        let home = folder.appending("home")

        let whole = try await runGantry(["copy", "oci:\(layout):multi", "\(registry.host)/news/multi:1"], home: home)
        #expect(whole.status == 0, "\(whole.error)")
        #expect(try await remoteDigest("\(registry.host)/news/multi:1") == index.digest.description)
        let raw = try await shell("skopeo inspect --raw --tls-verify=false docker://\(registry.host)/news/multi:1")
        #expect(Data(raw.utf8) == (try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(index.digest.encoded)"))))
        try await shell("skopeo copy --quiet --all --src-tls-verify=false docker://\(registry.host)/news/multi:1 oci:\(folder.appending("check")):x")

        let one = try await runGantry(["copy", "--platform", "linux/arm64", "oci:\(layout):multi", "\(registry.host)/news/arm:1"], home: home)
        #expect(one.status == 0, "\(one.error)")
        #expect(try await remoteDigest("\(registry.host)/news/arm:1") == arm64.digest.description)

        let archive = folder.appending("host.tar")
        let saved = try await runGantry(["copy", "oci:\(layout):multi", "docker-archive:\(archive):news/host:1"], home: home)
        #expect(saved.status == 0, "\(saved.error)")
        let architecture = try await shell("skopeo inspect --format '{{.Architecture}}' docker-archive:\(archive)").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(architecture == Platform.host.architecture)
        _ = amd64

        let missing = try await runGantry(["copy", "--platform", "linux/s390x", "oci:\(layout):multi", "oci:\(folder.appending("none"))"], home: home)
        #expect(missing.status != 0)
        #expect(missing.error.contains("linux/amd64, linux/arm64/v8"))
    }

    @Test("a pulled index holds one platform: pushing it whole fails naming --platform, with --platform it works")
    func partialIndex() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await LocalRegistry.start(in: folder)
        defer { registry.server.stop() }
        let (layout, _, amd64, _) = try await writeIndexLayout(folder)
        let home = folder.appending("home")
        #expect(try await runGantry(["copy", "oci:\(layout):multi", "\(registry.host)/news/multi:1"], home: home).status == 0)
        let pull = try await runGantry(["pull", "--platform", "linux/amd64", "\(registry.host)/news/multi:1"], home: home)
        #expect(pull.status == 0, "\(pull.error)")

        let whole = try await runGantry(["push", "\(registry.host)/news/multi:1", "\(registry.host)/news/again:1"], home: home)
        #expect(whole.status != 0)
        #expect(whole.error.split(separator: "\n").count == 1)
        #expect(whole.error.contains("--platform"), "\(whole.error)")
        let one = try await runGantry(["push", "--platform", "linux/amd64", "\(registry.host)/news/multi:1", "\(registry.host)/news/again:1"], home: home)
        #expect(one.status == 0, "\(one.error)")
        #expect(try await remoteDigest("\(registry.host)/news/again:1") == amd64.digest.description)
    }

    @Test("docker-archive: gantry writes one podman loads; gantry reads skopeo's and pushes its layers unchanged")
    func dockerArchives() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let registry = try await PullTests.seededRegistry(in: folder)
        defer { registry.server.stop() }
        let home = folder.appending("home")
        let archive = folder.appending("app.tar")
        let name = "localhost/gantry-copy-test/app:\(UUID().uuidString.prefix(8).lowercased())"
        let saved = try await runGantry(["copy", "\(registry.host)/news/app:1", "docker-archive:\(archive):\(name)"], home: home)
        #expect(saved.status == 0, "\(saved.error)")
        try await shell("podman load --quiet -i '\(archive)' >/dev/null")
        defer { shellNow("timeout 60 podman rmi -f \(name) >/dev/null 2>&1 || true") }
        // podman names an image by its config's digest: the archive carried the config byte for byte.
        let id = try await shell("podman image inspect --format '{{.Id}}' \(name)").trimmingCharacters(in: .whitespacesAndNewlines)
        let config = try await shell("skopeo inspect --raw --tls-verify=false docker://\(registry.host)/news/app:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"config\"][\"digest\"])'")
        #expect("sha256:" + id == config.trimmingCharacters(in: .whitespacesAndNewlines))

        let fromSkopeo = folder.appending("skopeo.tar")
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/app:1 docker-archive:\(fromSkopeo):news/app:1")
        let copied = try await runGantry(["copy", "docker-archive:\(fromSkopeo)", "\(registry.host)/news/from-archive:1"], home: home)
        #expect(copied.status == 0, "\(copied.error)")
        let expected = try await shell("skopeo inspect --format '{{.Layers}}' docker-archive:\(fromSkopeo)").trimmingCharacters(in: .whitespacesAndNewlines)
        let pushed = try await shell("skopeo inspect --tls-verify=false --format '{{.Layers}}' docker://\(registry.host)/news/from-archive:1").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pushed == expected)
        try await shell("skopeo copy --quiet --src-tls-verify=false docker://\(registry.host)/news/from-archive:1 oci:\(folder.appending("verify")):x")
    }

    @Test("bad sources fail in one line and write nothing: unknown transport, missing layout, a file that is not a docker-archive")
    func badSources() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.appending("home")
        let notTar = try folder.write("notes.txt", "just text\n")
        let destination = folder.appending("out")
        for source in ["dir:/tmp/x", "oci:\(folder.appending("nothing")):v1", "docker-archive:\(notTar)", "docker-archive:\(folder.appending("absent.tar"))"] {
            let result = try await runGantry(["copy", source, "oci:\(destination):x"], home: home)
            #expect(result.status != 0, "\(source)")
            #expect(result.error.split(separator: "\n").count == 1, "\(source): \(result.error)")
            #expect(!FileManager.default.fileExists(atPath: destination), "\(source) left \(destination)")
        }
    }
}
