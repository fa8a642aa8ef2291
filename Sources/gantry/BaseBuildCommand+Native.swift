import Builder
import Foundation
import ImageModel
import Scaffold
import Store

extension BaseBuildCommand {
    /// The native build: mmdebstrap, then the layer and config written into gantry's store.
    static func buildNatively(folder: BaseSpecFolder, spec: BaseSpec, reference: ImageReference,
                              compressionLevel: Int) async throws {
        let store = try ImageStore.default()
        let build = NativeBaseBuild(spec: spec, specFolder: folder.url, store: store, compressionLevel: compressionLevel)
        let display = PhaseDisplay(title: "gantry base build")
        let clock = ContinuousClock()
        let start = clock.now
        let result: NativeBaseBuild.Result
        do {
            result = try await build.run(tag: reference) { display.show($0) }
        } catch {
            display.finish()
            throw error
        }
        display.finish()
        Terminal.say("Built \(reference) natively in \(Terminal.seconds(clock.now - start))")
        Terminal.say("  layer \(result.layer.digest) (\(result.layer.size) bytes compressed, diffID \(result.layer.diffID))")
        Terminal.say("  image \(reference.name)@\(result.manifest.digest) in \(store.root.path)")
    }
}
