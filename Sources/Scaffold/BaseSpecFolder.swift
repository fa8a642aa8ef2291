import Foundation

/// A base spec folder on disk, as `gantry base init` writes it.
public struct BaseSpecFolder: Sendable {
    /// The folder.
    public let url: URL
    /// How the user named it, for messages.
    public let displayName: String

    /// Creates a view of the folder at `path`.
    public init(path: String) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        displayName = path
    }

    /// Writes `template`'s spec, files and Dockerfile into the folder.
    ///
    /// Without `force`, refuses when any of those files exists, and writes nothing.
    /// With it, overwrites only those files; nothing else in the folder is touched.
    /// - Throws: `ScaffoldError`.
    public func initialize(from template: BaseTemplate, force: Bool) throws(ScaffoldError) -> [String] {
        try Self.checkTarget(url, displayName: displayName)
        let plan = template.basePlan()
        let clashes = plan.existing(in: url)
        if !force && !clashes.isEmpty {
            throw ScaffoldError.filesExist(directory: displayName, files: clashes)
        }
        try plan.write(to: url, displayName: displayName)
        return plan.entries.map(\.path)
    }

    /// Reads and validates the folder's `base.yml`.
    public func spec() throws -> BaseSpec {
        let file = url.appendingPathComponent("base.yml")
        let shown = displayName.hasSuffix("/") ? displayName + "base.yml" : displayName + "/base.yml"
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ScaffoldError.cannotRead(path: shown, reason: "no readable base.yml there; run 'gantry base init \(displayName)' first")
        }
        let spec = try BaseSpec.parse(yaml: text, file: shown)
        for copy in spec.files where !FileManager.default.fileExists(atPath: url.appendingPathComponent(copy.source).path) {
            throw ScaffoldError.cannotRead(path: "\(displayName)/\(copy.source)", reason: "base.yml copies it in but it does not exist; add the file or remove it from 'files'")
        }
        return spec
    }

    /// Writes the folder's `Dockerfile` again from its `base.yml`.
    public func render() throws -> BaseSpec {
        let spec = try spec()
        var plan = FilePlan()
        plan.add("Dockerfile", text: DockerfileRenderer.render(spec))
        try plan.write(to: url, displayName: displayName)
        return spec
    }

    /// Refuses a target that exists and is not a folder.
    static func checkTarget(_ url: URL, displayName: String) throws(ScaffoldError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ScaffoldError.notADirectory(displayName)
        }
    }
}
