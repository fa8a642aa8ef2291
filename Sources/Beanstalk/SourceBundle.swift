import Archive
import Foundation

/// An Elastic Beanstalk source bundle: a zip with `Dockerrun.aws.json` at its
/// root (never in a folder), the app's `.ebextensions/` and `.platform/`,
/// `docker-compose.yml` for version 3, and the paths asked for.
///
/// - No `Dockerfile` unless asked: with one, Beanstalk builds it on the
///   instance instead of pulling the image the Dockerrun file names.
/// - `.ebignore` in the app folder leaves paths out, as the EB CLI does.
/// - Platform hooks (`.platform/hooks/`, `.platform/confighooks/`) need a `#!`
///   line; one without is refused. They keep their executable bit; a hook
///   without one gets it in the zip, with a note, since Beanstalk runs them.
/// - Reproducible: entries sorted by path, one modification time, owner root.
/// - At most `maximumSize` bytes (Beanstalk's limit is 500 MB); nothing is
///   left behind when the bundle is refused or fails.
public struct SourceBundle: Sendable {
    /// Beanstalk's limit on a source bundle.
    public static let beanstalkLimit: Int64 = 500_000_000

    /// The app folder.
    public var appDirectory: String
    /// The text of `Dockerrun.aws.json`.
    public var dockerrun: String
    /// Its version, which decides whether `docker-compose.yml` goes in.
    public var version: DockerrunVersion
    /// Put the app's `Dockerfile` in, so that Beanstalk builds it.
    public var includeDockerfile = false
    /// More paths relative to the app folder to put in, such as `static`.
    public var includes: [String] = []
    /// The time of every entry, in seconds since 1970 (1980-01-01 by default, the earliest a zip can hold).
    public var modificationTime: Int64 = 315_532_800
    /// The largest zip allowed.
    public var maximumSize: Int64 = SourceBundle.beanstalkLimit

    /// What was written.
    public struct Summary: Hashable, Sendable {
        /// The entries' paths in zip order.
        public var entries: [String]
        /// The zip's size in bytes.
        public var size: Int64
        /// Things the user should know (a Dockerfile left out, a hook made executable).
        public var notes: [String]
    }

    /// Describes a bundle.
    public init(appDirectory: String, dockerrun: String, version: DockerrunVersion) {
        self.appDirectory = appDirectory
        self.dockerrun = dockerrun
        self.version = version
    }

    /// Writes the zip.
    ///
    /// - Parameter path: Where the zip goes; an existing file there is replaced.
    /// - Returns: The entries, size and notes.
    /// - Throws: `BeanstalkError.hookWithoutInterpreter`, `.bundleTooLarge`,
    ///   `.badInclude`, `.badIgnoreFile` or `.bundleFailed`; the zip is not written then.
    public func write(to path: String) throws(BeanstalkError) -> Summary {
        var notes: [String] = []
        let ignore = try loadIgnore()
        let fileManager = FileManager.default
        let root = URL(fileURLWithPath: appDirectory)
        var roots = [".ebextensions", ".platform"]
        if version == .v3 { roots.append("docker-compose.yml") }
        let hasDockerfile = fileManager.fileExists(atPath: root.appendingPathComponent("Dockerfile").path)
        if includeDockerfile {
            guard hasDockerfile else { throw .badInclude(path: "Dockerfile", problem: "the app folder has none; drop --include-dockerfile") }
            roots.append("Dockerfile")
            notes.append("the bundle holds the Dockerfile, so Beanstalk builds the image on the instance instead of pulling the one in \(Dockerrun.fileName)")
        } else if hasDockerfile {
            notes.append("left out Dockerfile: with it Beanstalk would build instead of pulling the image (--include-dockerfile to build on Beanstalk)")
        }
        for include in includes {
            let cleaned = include.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            guard !include.hasPrefix("/"), !cleaned.isEmpty, !cleaned.split(separator: "/").contains("..") else {
                throw .badInclude(path: include, problem: "give a path inside the app folder, relative to it")
            }
            guard fileManager.fileExists(atPath: root.appendingPathComponent(cleaned).path) else {
                throw .badInclude(path: include, problem: "it does not exist in the app folder")
            }
            roots.append(cleaned)
        }
        let output = URL(fileURLWithPath: path).standardizedFileURL.path
        var entries: [String: LayerEntry] = [
            Dockerrun.fileName: .file(PathBytes(Dockerrun.fileName), contents: .data(Data(dockerrun.utf8)), modificationTime: modificationTime),
        ]
        for name in Set(roots) {
            for entry in try collect(name, root: root, ignore: ignore, excluding: output) {
                entries[entry.header.path.description] = entry
            }
        }
        for (name, entry) in entries where Self.isHook(name) && entry.header.kind == .regularFile {
            try checkHook(name, root: root)
            if entry.header.permissions & 0o100 == 0 {
                entries[name]?.header.permissions = 0o755
                notes.append("made \(name) executable in the bundle, as Beanstalk runs hooks; chmod +x it in the app too")
            }
        }
        let ordered = entries.values.sorted { $0.header.path.bytes.lexicographicallyPrecedes($1.header.path.bytes) }
        do throws(ArchiveError) {
            let zip = try ZipWriter(path: path, maximumSize: maximumSize)
            for entry in ordered { try zip.append(entry) }
            let size = try zip.finish()
            return Summary(entries: ordered.map { $0.header.path.description }, size: size, notes: notes)
        } catch .archiveTooLarge {
            throw .bundleTooLarge(path: path, limit: maximumSize)
        } catch {
            throw .bundleFailed(path: path, reason: error.description)
        }
    }

    static func isHook(_ path: String) -> Bool {
        path.hasPrefix(".platform/hooks/") || path.hasPrefix(".platform/confighooks/")
    }

    private func loadIgnore() throws(BeanstalkError) -> IgnoreFile? {
        let path = URL(fileURLWithPath: appDirectory).appendingPathComponent(".ebignore").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path: path, reason: "it is not readable; fix its permissions")
        }
        do {
            return try IgnoreFile(ebignore: String(decoding: data, as: UTF8.self), fileName: path)
        } catch {
            throw .badIgnoreFile(reason: error.description)
        }
    }

    /// The entries of one top-level path of the app folder, minus what `.ebignore` leaves out.
    private func collect(_ name: String, root: URL, ignore: IgnoreFile?, excluding output: String) throws(BeanstalkError) -> [LayerEntry] {
        let url = root.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        if ignore?.isExcluded(name, isDirectory: isDirectory.boolValue) == true && !isDirectory.boolValue { return [] }
        let walker = DirectoryWalker(
            root: PathBytes(isDirectory.boolValue ? url.path : root.path),
            prefix: PathBytes(isDirectory.boolValue ? name : ""),
            modificationTime: modificationTime,
            filter: { relative, isDirectoryEntry in
                let appRelative = isDirectory.boolValue ? "\(name)/\(relative)" : relative
                if !isDirectory.boolValue && appRelative != name { return false }
                if root.appendingPathComponent(appRelative).standardizedFileURL.path == output { return false }
                return ignore?.keepsInWalk(appRelative, isDirectory: isDirectoryEntry) ?? true
            })
        var entries: [LayerEntry] = []
        do {
            _ = try walker.walk { entries.append($0) }
        } catch {
            throw .bundleFailed(path: name, reason: "\(error)")
        }
        // A directory kept open only for a possible exception can end up with nothing in it.
        if let ignore {
            let paths = entries.map(\.header.path.description)
            entries.removeAll { entry in
                let path = entry.header.path.description
                return entry.header.kind == .directory && ignore.isExcluded(path, isDirectory: true)
                    && !paths.contains { $0.hasPrefix(path + "/") }
            }
        }
        return entries
    }

    private func checkHook(_ name: String, root: URL) throws(BeanstalkError) {
        let path = root.appendingPathComponent(name).path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotRead(path: path, reason: "it is not readable; fix its permissions")
        }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: 2)) ?? nil
        guard start == Data("#!".utf8) else { throw .hookWithoutInterpreter(path: name) }
    }
}
