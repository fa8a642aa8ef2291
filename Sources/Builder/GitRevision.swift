import Engines
import Foundation

/// What git says about the app folder, for the image's labels and default tag.
public struct GitRevision: Hashable, Sendable {
    /// The full commit hash of `HEAD`.
    public var commit: String
    /// The abbreviated hash (`git rev-parse --short`), for the default tag.
    public var shortCommit: String
    /// The `origin` remote's URL, when there is one.
    public var source: String?

    /// Asks git about `folder`; nil outside a git work tree, without commits, or without git.
    ///
    /// - Parameter folder: The app folder.
    public static func read(folder: String) async -> GitRevision? {
        guard let git = Subprocess.locate("git") else { return nil }
        func ask(_ arguments: [String]) async -> String? {
            guard let output = try? await Subprocess.run(git, ["-C", folder] + arguments, timeout: .seconds(10)),
                  output.succeeded else { return nil }
            let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        guard let commit = await ask(["rev-parse", "--verify", "--quiet", "HEAD"]),
              let short = await ask(["rev-parse", "--short", "HEAD"]) else { return nil }
        let source = await ask(["config", "--get", "remote.origin.url"]).map(withoutCredentials)
        return GitRevision(commit: commit, shortCommit: short, source: source)
    }

    /// `https://user:token@host/repo` without `user:token@`: a label is public.
    static func withoutCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"),
              let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
    }
}
