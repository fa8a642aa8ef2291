import Foundation
import ImageModel
import Store
import Testing

/// skopeo and umoci read gantry's store through their `oci:` layout support.
@Suite("Interoperability with skopeo and umoci")
struct InteropTests {
    static let name = "localhost/gantry/test:1"

    @Test("skopeo inspect reads the tagged image's digest, layers and config",
          .enabled(if: Tools.availableOrRequired("skopeo"), "skopeo is not installed"))
    func skopeoReadsStore() throws {
        let skopeo = try Tools.require("skopeo")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: ImageReference(parsing: Self.name))
        let location = "oci:\(store.root.path):\(Self.name)"

        let inspected = try run(skopeo, ["inspect", location])
        try #require(inspected.status == 0, "skopeo inspect failed: \(inspected.errors)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(inspected.output.utf8)) as? [String: Any])
        #expect(summary["Digest"] as? String == image.manifest.digest.description)
        #expect(summary["Layers"] as? [String] == [image.layer.digest.description])
        #expect(summary["Os"] as? String == "linux")

        let raw = try run(skopeo, ["inspect", "--raw", location])
        try #require(raw.status == 0, "skopeo inspect --raw failed: \(raw.errors)")
        #expect(Data(raw.output.utf8) == (try store.readBlob(image.manifest.digest)))

        let config = try run(skopeo, ["inspect", "--config", "--raw", location])
        try #require(config.status == 0, "skopeo inspect --config failed: \(config.errors)")
        let decoded = try JSONDecoder().decode(ImageConfiguration.self, from: Data(config.output.utf8))
        #expect(decoded.rootfs.diffIDs == [image.diffID])
        #expect(decoded.history?.first?.createdBy == "gantry test: add \(TinyImage.fileName)")
    }

    @Test("umoci stat lists the history and umoci unpack --rootless extracts the layer's file",
          .enabled(if: Tools.availableOrRequired("umoci"), "umoci is not installed"))
    func umociReadsStore() throws {
        let umoci = try Tools.require("umoci")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let image = try TinyImage.make(in: store, scratch: folder)
        try store.tag(image.manifest, as: ImageReference(parsing: Self.name))
        let location = "\(store.root.path):\(Self.name)"

        let stat = try run(umoci, ["stat", "--json", "--image", location])
        try #require(stat.status == 0, "umoci stat failed: \(stat.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stat.output.utf8)) as? [String: Any])
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.count == 1)
        #expect(history.first?["created_by"] as? String == "gantry test: add \(TinyImage.fileName)")
        #expect(history.first?["layer"] != nil)

        let bundle = folder.appending("bundle")
        let unpack = try run(umoci, ["unpack", "--rootless", "--image", location, bundle.path])
        try #require(unpack.status == 0, "umoci unpack failed: \(unpack.errors)")
        let file = bundle.appendingPathComponent("rootfs").appendingPathComponent(TinyImage.fileName)
        #expect(try String(contentsOf: file, encoding: .utf8) == TinyImage.fileContent + "tiny\n")
    }
}
