import Foundation
import ImageModel

/// A base image spec: the declarative `base.yml` of a base template.
///
/// The same spec drives both builders: the rendered `Dockerfile` for
/// `podman build`/`docker build`, and the native mmdebstrap build.
public struct BaseSpec: Hashable, Sendable {
    /// A file copied from the spec's folder into the image.
    public struct FileCopy: Hashable, Sendable {
        /// Path relative to the spec's folder.
        public var source: String
        /// Absolute path in the image.
        public var destination: String
        /// Permission bits in the image.
        public var mode: Int
    }

    /// Template name, also the folder name under `BaseImages/`.
    public var name: String
    /// Template version, bumped when the template changes.
    public var version: Int
    /// One line saying what the base is for.
    public var description: String
    /// Debian suite for native builds, such as `bookworm`.
    public var suite: String
    /// Image the Dockerfile starts from, such as `debian:bookworm-slim`.
    public var from: String
    /// Debian packages to install.
    public var packages: [String]
    /// Files copied in after the packages.
    public var files: [FileCopy]
    /// Shell steps run as root after the packages and files, one line each.
    public var run: [String]
    /// Environment of the image (and of the build steps).
    public var env: [KeyValue]
    /// User the container runs as.
    public var user: String
    /// Working directory of the container.
    public var workdir: String
    /// Where the app lives in the container (mounted in dev, copied in builds).
    public var mount: String
    /// Port the server listens on inside the container.
    public var port: Int
    /// Signal that stops the container gracefully.
    public var stopSignal: String
    /// Command the container runs.
    public var cmd: [String]
    /// Log folder of the server, when it has one (Elastic Beanstalk's `Logging`).
    public var logs: String?
    /// Environment `gantry dev` adds, such as the switch of the reload monitor.
    public var devEnv: [KeyValue]
    /// Extra image labels.
    public var labels: [KeyValue]

    static let keys = ["name", "version", "description", "suite", "from", "packages", "files", "run", "env",
                       "user", "workdir", "mount", "port", "stop_signal", "cmd", "logs", "dev_env", "labels"]

    /// Parses and validates a `base.yml`.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the file's name as the user knows it, for error messages.
    /// - Throws: `SpecError` naming the file, line and key of the first problem.
    public static func parse(yaml: String, file: String) throws(SpecError) -> BaseSpec {
        let document = try SpecDocument(file: file, text: yaml)
        let root = try document.root.mapping(allowed: keys)

        let nameNode = try root.required("name", hint: "the template's name, such as 'name: apache-wsgi'")
        let name = try nameNode.line("the template's name")
        guard name.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil else {
            throw nameNode.error("must be lowercase letters and digits joined by '-', found \"\(name)\"")
        }
        let versionNode = try root.required("version", hint: "the template's version, such as 'version: 1'")
        let version = try versionNode.int()
        guard version >= 1 else { throw versionNode.error("must be 1 or more") }
        let description = try root.required("description", hint: "one line saying what the base is for").line("a description")

        let suiteNode = try root.required("suite", hint: "the Debian suite, such as 'suite: bookworm'")
        let suite = try suiteNode.line("a Debian suite")
        guard suite.range(of: #"^[a-z][a-z0-9-]*$"#, options: .regularExpression) != nil else {
            throw suiteNode.error("must be a Debian suite name such as bookworm, found \"\(suite)\"")
        }
        let fromNode = try root.required("from", hint: "the image the Dockerfile starts from, such as 'from: debian:bookworm-slim'")
        let from = try fromNode.line("an image reference")
        do {
            _ = try ImageReference(parsing: from)
        } catch {
            throw fromNode.error("\(error)")
        }

        var packages: [String] = []
        if let node = root["packages"] {
            for item in try node.list() {
                let package = try item.line("a Debian package name")
                guard package.range(of: #"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$"#, options: .regularExpression) != nil else {
                    throw item.error("is not a Debian package name (lowercase letters, digits, + - .; optionally =VERSION), found \"\(package)\"")
                }
                packages.append(package)
            }
        }

        var files: [FileCopy] = []
        if let node = root["files"] {
            for item in try node.list() {
                let entry = try item.mapping(allowed: ["src", "dest", "mode"])
                let sourceNode = try entry.required("src", hint: "the file's path relative to the spec's folder")
                let source = try sourceNode.line("a relative path")
                if source.hasPrefix("/") || source.split(separator: "/").contains("..") {
                    throw sourceNode.error("must be a path inside the spec's folder (relative, without '..'), found \"\(source)\"")
                }
                let destination = try SpecValidation.absolutePath(try entry.required("dest", hint: "the absolute path in the image"))
                var mode = 0o644
                if let modeNode = entry["mode"] {
                    let text = try modeNode.line("an octal mode such as \"0755\"")
                    guard text.count <= 5, let parsed = Int(text, radix: 8), (0...0o7777).contains(parsed) else {
                        throw modeNode.error("expected an octal mode such as \"0644\" or \"0755\", found \"\(text)\"")
                    }
                    mode = parsed
                }
                files.append(FileCopy(source: source, destination: destination, mode: mode))
            }
        }

        var run: [String] = []
        if let node = root["run"] {
            for item in try node.list() {
                run.append(try item.line("a shell command; join several with &&"))
            }
        }

        let env = try root["env"].map { node throws(SpecError) in try SpecValidation.environment(node) } ?? []
        let user = try root.required("user", hint: "the user the container runs as, such as 'user: www-data'").line("a user name or uid")
        let workdir = try SpecValidation.absolutePath(try root.required("workdir", hint: "the working directory, such as 'workdir: /app'"))
        let mount = try SpecValidation.absolutePath(try root.required("mount", hint: "the app's mount point, such as 'mount: /app'"))
        let port = try SpecValidation.port(try root.required("port", hint: "the port the server listens on, such as 'port: 8080'"))

        let signalNode = try root.required("stop_signal", hint: "the graceful stop signal, such as 'stop_signal: SIGWINCH'")
        let stopSignal = try signalNode.line("a signal name")
        guard stopSignal.range(of: #"^(SIG[A-Z0-9+]+|[0-9]+)$"#, options: .regularExpression) != nil else {
            throw signalNode.error("expected a signal name such as SIGWINCH or SIGTERM, found \"\(stopSignal)\"")
        }

        let cmdNode = try root.required("cmd", hint: "the command as a list, such as 'cmd: [\"/usr/local/bin/gantry-entrypoint\"]'")
        let cmd = try cmdNode.stringList()
        guard !cmd.isEmpty else { throw cmdNode.error("must name at least the program to run") }

        let logs = try root["logs"].map { node throws(SpecError) in try SpecValidation.absolutePath(node) }
        let devEnv = try root["dev_env"].map { node throws(SpecError) in try SpecValidation.environment(node) } ?? []
        let labels = try root["labels"]?.stringPairs().map(\.pair) ?? []

        return BaseSpec(name: name, version: version, description: description, suite: suite, from: from,
                        packages: packages, files: files, run: run, env: env, user: user, workdir: workdir,
                        mount: mount, port: port, stopSignal: stopSignal, cmd: cmd, logs: logs,
                        devEnv: devEnv, labels: labels)
    }
}
