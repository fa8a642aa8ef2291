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

    /// Default base image: where `gantry base build` puts the default template.
    public static let defaultBase = "localhost/gantry/apache-wsgi:latest"
    /// Default registry host for new apps' images: a local registry.
    public static let defaultRegistry = "localhost:5000"

    static let keys = ["name", "image", "base", "port", "mount", "env", "beanstalk"]

    /// Creates a spec.
    public init(name: String, image: String, base: String, port: Int, mount: String, env: [KeyValue], beanstalk: BeanstalkSpec = BeanstalkSpec()) {
        self.name = name
        self.image = image
        self.base = base
        self.port = port
        self.mount = mount
        self.env = env
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
        let beanstalk = try root["beanstalk"].map { node throws(SpecError) in try BeanstalkSpec.parse(node) } ?? BeanstalkSpec()
        return AppSpec(name: name, image: image, base: base, port: port, mount: mount, env: env, beanstalk: beanstalk)
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
