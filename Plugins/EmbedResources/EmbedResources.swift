import Foundation
import PackagePlugin

/// Generates `EmbeddedResources.swift` for the Scaffold module from the
/// top-level `BaseImages/` folder and `Makefile.template`, so the templates
/// travel inside the binary instead of being looked up next to it.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let roots = ["BaseImages", "Makefile.template"]
        var inputs: [URL] = []
        for name in roots {
            let url = root.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])
                while let file = walker?.nextObject() as? URL {
                    let values = try file.resourceValues(forKeys: [.isRegularFileKey])
                    if values.isRegularFile == true { inputs.append(file) }
                }
            } else {
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedResourceTable.swift")
        return [
            .buildCommand(
                displayName: "Embedding gantry templates",
                executable: try context.tool(named: "EmbedResourcesTool").url,
                arguments: [output.path, root.path] + roots,
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
