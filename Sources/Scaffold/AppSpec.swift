import Archive
import Foundation
import ImageModel

/// An app's `gantry.yml`: what every app command reads.
public struct AppSpec: Hashable, Sendable {
    /// The app's name; also names its dev container.
    public var name: String
    /// Repository the app's image is pushed to, without a tag.
    public var image: String
    /// The base image reference.
    public var base: String
    /// Port the server listens on in the container.
    public var port: Int
    /// Where the app lives in the container.
    public var mount: String
    /// Environment for the app's container.
    public var env: [KeyValue]
    /// The `beanstalk:` section: what `gantry beanstalk` writes beyond the image and port.
    public var beanstalk: BeanstalkSpec
    /// The `layers.data` patterns as written, or nil when the file gives none
    /// (then `defaultDataPatterns` apply); see `dataPatterns`.
    public var declaredDataPatterns: [String]?

    /// The patterns that pick the data layer's files: `layers.data`, else the defaults.
    public var dataPatterns: [String] { declaredDataPatterns ?? Self.defaultDataPatterns }

    /// What goes into the data layer when `gantry.yml` does not say: SQLite files and `data/`.
    public static let defaultDataPatterns = ["*.sqlite3", "*.sqlite", "*.db", "data/**"]

    /// Default base image: where `gantry base build` puts the default template.
    public static let defaultBase = "localhost/gantry/apache-wsgi:latest"
    /// Default registry host for new apps' images: a local registry.
    public static let defaultRegistry = "localhost:5000"

    static let keys = ["name", "image", "base", "port", "mount", "env", "layers", "beanstalk"]

    /// Creates a spec.
    public init(name: String, image: String, base: String, port: Int, mount: String, env: [KeyValue],
                declaredDataPatterns: [String]? = nil, beanstalk: BeanstalkSpec = BeanstalkSpec()) {
        self.name = name
        self.image = image
        self.base = base
        self.port = port
        self.mount = mount
        self.env = env
        self.declaredDataPatterns = declaredDataPatterns
        self.beanstalk = beanstalk
    }

    /// Parses and validates a `gantry.yml`.
    /// - Throws: `SpecError` naming the file, line and key of the first problem.
    public static func parse(yaml: String, file: String) throws(SpecError) -> AppSpec {
        let document = try SpecDocument(file: file, text: yaml)
        let root = try document.root.mapping(allowed: keys)

        let nameNode = try root.required("name", hint: "the app's name, such as 'name: election-results'")
        let name = try nameNode.line("the app's name")
        guard ImageReference.isValidPathComponent(name) else {
            throw nameNode.error("must be lowercase letters and digits separated by '.', '_' or '-', found \"\(name)\"")
        }

        let imageNode = try root.required("image", hint: "the repository to push to, such as 'image: registry.example.com/news/\(name)'")
        let image = try imageNode.line("an image repository")
        let imageReference: ImageReference
        do {
            imageReference = try ImageReference(parsing: image)
        } catch {
            throw imageNode.error("\(error)")
        }
        if imageReference.tag != nil || imageReference.digest != nil {
            throw imageNode.error("give the repository without a tag or digest (gantry tags each build); found \"\(image)\"")
        }

        let baseNode = try root.required("base", hint: "the base image, such as 'base: \(defaultBase)'")
        let base = try baseNode.line("an image reference")
        do {
            _ = try ImageReference(parsing: base)
        } catch {
            throw baseNode.error("\(error)")
        }

        let port = try root["port"].map { node throws(SpecError) in try SpecValidation.port(node) } ?? 8080
        let mount = try root["mount"].map { node throws(SpecError) in try SpecValidation.absolutePath(node) } ?? "/app"
        let env = try root["env"].map { node throws(SpecError) in try SpecValidation.environment(node) } ?? []
        let data = try root["layers"].map { node throws(SpecError) in try dataPatterns(node) } ?? nil
        let beanstalk = try root["beanstalk"].map { node throws(SpecError) in try BeanstalkSpec.parse(node) } ?? BeanstalkSpec()
        return AppSpec(name: name, image: image, base: base, port: port, mount: mount, env: env, declaredDataPatterns: data, beanstalk: beanstalk)
    }

    /// `layers: {data: [PATTERN, ...]}`: `.dockerignore` syntax, each pattern checked.
    private static func dataPatterns(_ node: SpecNode) throws(SpecError) -> [String]? {
        let layers = try node.mapping(allowed: ["data"])
        guard let list = layers["data"] else { return nil }
        var patterns: [String] = []
        for item in try list.list() {
            let pattern = try item.line("a file pattern such as '*.sqlite3' or 'data/**'")
            let text = pattern.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("!") {
                throw item.error("exceptions ('!') are not supported in data patterns, found \"\(pattern)\"; list only what goes into the data layer")
            }
            if text.split(separator: "/").contains("..") {
                throw item.error("must stay inside the app folder (no '..'), found \"\(pattern)\"")
            }
            do {
                _ = try IgnorePattern(text, isException: false)
            } catch {
                throw item.error("is not a valid pattern (\(error)), found \"\(pattern)\"")
            }
            patterns.append(text)
        }
        return patterns
    }

    /// Reads `gantry.yml` from an app folder.
    /// - Throws: `ScaffoldError.cannotRead` when there is none, `SpecError` when it is invalid.
    public static func load(fromDirectory directory: String) throws -> AppSpec {
        let shown = directory == "." ? "gantry.yml" : (directory as NSString).appendingPathComponent("gantry.yml")
        let url = URL(fileURLWithPath: directory).appendingPathComponent("gantry.yml")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ScaffoldError.cannotRead(path: shown, reason: "no gantry.yml here; run gantry in an app folder, or make one with 'gantry init APP'")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: shown)
    }

    /// The file's text as `gantry init` writes it, with comments.
    public func rendered() -> String {
        var text = """
        # gantry.yml: how gantry builds, runs and ships this app.
        # Keys: name, image (repository, no tag), base (base image), port, mount, env.
        name: \(yamlScalar(name))
        image: \(yamlScalar(image))
        base: \(yamlScalar(base))
        port: \(port)
        mount: \(yamlScalar(mount))

        """
        if env.isEmpty {
            text += "env: {}\n"
        } else {
            text += "env:\n"
            for pair in env { text += "  \(pair.key): \(yamlScalar(pair.value))\n" }
        }
        return text
    }

    private func yamlScalar(_ value: String) -> String {
        if value.range(of: #"^[A-Za-z0-9_./:@-]+$"#, options: .regularExpression) != nil,
           !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(value.lowercased()),
           Double(value) == nil {
            return value
        }
        return DockerfileRenderer.jsonString(value)
    }
}
