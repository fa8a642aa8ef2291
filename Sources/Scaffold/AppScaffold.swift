import Foundation
import ImageModel

/// What `gantry init APP` writes: `gantry.yml`, a `Dockerfile` FROM the
/// base, a `Makefile` rendered from `Makefile.template`, a `.dockerignore`,
/// and the template's starter app.
public struct AppScaffold: Sendable {
    /// The app's `gantry.yml`.
    public var spec: AppSpec
    /// The base template whose starter app is copied.
    public var template: BaseTemplate

    /// Creates a scaffold; the app name must be a valid repository path component.
    /// - Throws: `ScaffoldError.invalidAppName`.
    public init(spec: AppSpec, template: BaseTemplate) throws(ScaffoldError) {
        guard ImageReference.isValidPathComponent(spec.name) else { throw ScaffoldError.invalidAppName(spec.name) }
        self.spec = spec
        self.template = template
    }

    /// The files of the scaffold.
    public func plan() throws(ScaffoldError) -> FilePlan {
        var plan = FilePlan()
        plan.add("gantry.yml", text: spec.rendered())
        plan.add("Dockerfile", text: dockerfile())
        plan.add("Makefile", text: try makefile())
        plan.add(".dockerignore", text: Self.ignoreFile)
        for file in template.appFiles {
            let text = String(decoding: file.contents, as: UTF8.self)
            plan.add(file.path, text: substitute(text), mode: file.mode & 0o111 != 0 ? 0o755 : 0o644)
        }
        return plan
    }

    /// Writes the scaffold into the folder at `path`.
    ///
    /// A folder that exists and is not empty is refused unless `force`; with
    /// `force`, only the scaffold's own files are written.
    /// - Returns: the paths written, relative to the folder.
    public func write(to path: String, force: Bool) throws(ScaffoldError) -> [String] {
        let url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        try BaseSpecFolder.checkTarget(url, displayName: path)
        if !force, let contents = try? FileManager.default.contentsOfDirectory(atPath: url.path), !contents.isEmpty {
            throw ScaffoldError.directoryNotEmpty(path)
        }
        let plan = try plan()
        try plan.write(to: url, displayName: path)
        return plan.entries.map(\.path)
    }

    func dockerfile() -> String {
        """
        # \(spec.name): the app on its base image. 'gantry build' builds the same
        # image without a daemon; 'docker build .' and 'podman build .' work too.
        FROM \(spec.base)
        COPY . \(spec.mount)

        """
    }

    func makefile() throws(ScaffoldError) -> String {
        guard let template = EmbeddedResources.file("Makefile.template") else {
            throw ScaffoldError.brokenTemplate("Makefile.template", problem: "it is not embedded")
        }
        return substitute(String(decoding: template.contents, as: UTF8.self))
    }

    /// Replaces `{{app}}`, `{{image}}`, `{{base}}`, `{{port}}` and `{{mount}}`.
    func substitute(_ text: String) -> String {
        [("app", spec.name), ("image", spec.image), ("base", spec.base), ("port", String(spec.port)), ("mount", spec.mount)]
            .reduce(text) { $0.replacingOccurrences(of: "{{\($1.0)}}", with: $1.1) }
    }

    /// The ignore file: what never belongs in the image.
    static let ignoreFile = """
        # Kept out of the image (docker's .dockerignore syntax; gantry build reads it too).
        .git
        .gitignore
        .env
        .env.*
        **/__pycache__
        **/*.pyc
        .gantry
        *.zip

        """
}
