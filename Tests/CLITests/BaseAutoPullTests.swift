import Foundation
import Testing

/// `gantry build` on a base the store lacks: the base's manifest and config are pulled from its
/// registry, its layers only when their bytes are needed.
@Suite struct BaseAutoPullTests {
    @Test func aBaseMissingFromTheStoreIsPulledWithoutItsLayersWhichAPushToItsRegistryMountsAndAPushElsewhereFetches() async throws {
        let base = try await NativeBase.shared()
        try await withTemporaryDirectory { root in
            let registry = try await TestRegistry.start(in: root)
            defer { Task { await registry.stop() } }
            let baseReference = "\(registry.host)/news/base:1"
            // The base in the registry, pushed from a store of its own.
            let publisher = try await AppBuildTests.freshStore(in: root)
            try await gantry("push", NativeBase.reference, baseReference, environment: ["GANTRY_HOME": publisher.path],
                             timeout: .seconds(300)).check()

            let app = try await AppBuildTests.makeApp(in: root, marker: uniqueName("autopull"))
            let gantryYML = app.appendingPathComponent("gantry.yml")
            let yml = try String(contentsOf: gantryYML, encoding: .utf8)
            try #require(yml.contains("base: \(NativeBase.reference)\n"), "the scaffold's gantry.yml changed:\n\(yml)")
            try Data(yml.replacingOccurrences(of: "base: \(NativeBase.reference)\n", with: "base: \(baseReference)\n").utf8).write(to: gantryYML)

            let home = root.appendingPathComponent("empty-home")
            let environment = ["GANTRY_HOME": home.path, "SOURCE_DATE_EPOCH": "1700000000"]
            let baseLayer = home.appendingPathComponent("blobs/sha256/" + (base.layerDigest.split(separator: ":").last.map(String.init) ?? ""))

            let tag = "\(registry.host)/news/results:1"
            let built = try await gantry("build", "--tag", tag, environment: environment, in: app, timeout: .seconds(300)).check()
            #expect(built.stderr.contains("Pulled base \(baseReference)@sha256:"), "\(built.excerpt)")
            #expect(built.stdout.contains("Built \(tag) on \(baseReference)"), "\(built.excerpt)")
            #expect(!FileManager.default.fileExists(atPath: baseLayer.path), "the build downloaded the base layer")

            // The same registry: the base layer is mounted from news/base, never uploaded or downloaded.
            let pushed = try await gantry("build", "--push", "--tag", tag, environment: environment, in: app, timeout: .seconds(300)).check()
            let baseLine = pushed.stdout.split(separator: "\n").first { $0.hasPrefix(base.layerDigest + ": ") }.map(String.init) ?? ""
            #expect(baseLine == "\(base.layerDigest): mounted from news/base" || baseLine == "\(base.layerDigest): exists", "\(pushed.stdout)")
            #expect(pushed.stdout.contains("\(tag)@sha256:"), "\(pushed.excerpt)")
            #expect(!FileManager.default.fileExists(atPath: baseLayer.path), "the push downloaded the base layer")

            // Another registry: the base layer is fetched from the base's registry, then uploaded.
            let other = try await TestRegistry.start(in: root)
            defer { Task { await other.stop() } }
            let elsewhere = try await gantry("push", tag, "\(other.host)/news/results:1", environment: environment, timeout: .seconds(300)).check()
            #expect(elsewhere.stdout.contains("\(base.layerDigest): pushed"), "\(elsewhere.stdout)")
            #expect(FileManager.default.fileExists(atPath: baseLayer.path), "the base layer was not kept in the store")

            // Peers read what was pushed there.
            let skopeo = try requireTool("skopeo")
            let inspected = try await Subprocess.run(skopeo, ["inspect", "--tls-verify=false", "docker://\(other.host)/news/results:1"]).check().stdout
            #expect(inspected.contains(base.layerDigest), "\(inspected)")
        }
    }
}
