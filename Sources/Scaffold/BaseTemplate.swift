import Foundation

/// A base template shipped with gantry: a folder of `BaseImages/` holding a
/// `base.yml`, the files it copies in, and the starter app (`app/`) that
/// `gantry init` copies into new apps.
public struct BaseTemplate: Sendable {
    /// The template's folder name.
    public let name: String
    /// The parsed `base.yml`.
    public let spec: BaseSpec
    /// The template's files, with paths relative to its folder.
    public let files: [EmbeddedResources.File]

    /// The default template of `gantry base init` and `gantry init`.
    public static let defaultName = "apache-wsgi"

    /// Names of every embedded template, sorted.
    public static var names: [String] {
        let prefix = "BaseImages/"
        var names = Set<String>()
        for file in EmbeddedResources.files(under: "BaseImages") {
            let rest = file.path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/"), rest[slash...] == "/base.yml" {
                names.insert(String(rest[..<slash]))
            }
        }
        return names.sorted()
    }

    /// Every embedded template.
    public static func all() throws(ScaffoldError) -> [BaseTemplate] {
        var templates: [BaseTemplate] = []
        for name in names { templates.append(try named(name)) }
        return templates
    }

    /// The embedded template called `name`.
    /// - Throws: `ScaffoldError.unknownTemplate` listing the names there are.
    public static func named(_ name: String) throws(ScaffoldError) -> BaseTemplate {
        guard names.contains(name) else { throw ScaffoldError.unknownTemplate(name, available: names) }
        let folder = "BaseImages/\(name)/"
        let files = EmbeddedResources.files(under: "BaseImages/\(name)").map {
            EmbeddedResources.File(path: String($0.path.dropFirst(folder.count)), mode: $0.mode, contents: $0.contents)
        }
        guard let yaml = files.first(where: { $0.path == "base.yml" }).map({ String(decoding: $0.contents, as: UTF8.self) }) else {
            throw ScaffoldError.brokenTemplate(name, problem: "base.yml is missing")
        }
        let spec: BaseSpec
        do {
            spec = try BaseSpec.parse(yaml: yaml, file: "BaseImages/\(name)/base.yml")
        } catch {
            throw ScaffoldError.brokenTemplate(name, problem: "\(error)")
        }
        for copy in spec.files where !files.contains(where: { $0.path == copy.source }) {
            throw ScaffoldError.brokenTemplate(name, problem: "base.yml copies \(copy.source), which the template lacks")
        }
        return BaseTemplate(name: name, spec: spec, files: files)
    }

    /// The starter app files (the template's `app/` folder), paths relative to it.
    public var appFiles: [EmbeddedResources.File] {
        files.filter { $0.path.hasPrefix("app/") }.map {
            EmbeddedResources.File(path: String($0.path.dropFirst(4)), mode: $0.mode, contents: $0.contents)
        }
    }

    /// What `gantry base init` writes: `base.yml`, the files it copies in, and the rendered `Dockerfile`.
    public func basePlan() -> FilePlan {
        var plan = FilePlan()
        for file in files {
            if file.path == "base.yml" {
                plan.add(file.path, file.contents)
            } else if let copy = spec.files.first(where: { $0.source == file.path }) {
                // The mode the image gives the file, so the folder reads like the image.
                plan.add(file.path, file.contents, mode: copy.mode & 0o777)
            }
        }
        plan.add("Dockerfile", text: DockerfileRenderer.render(spec))
        return plan
    }
}
