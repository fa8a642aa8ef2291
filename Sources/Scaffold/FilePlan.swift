import Foundation

/// A set of files written all or nothing: each lands in a temp file beside
/// its target first, and only when every one is written are they renamed
/// into place. On failure the temp files and any folder the plan created
/// are removed, so no partial scaffold stays behind.
public struct FilePlan: Sendable {
    /// One file to write.
    public struct Entry: Sendable, Hashable {
        /// Path relative to the plan's folder, `/`-separated.
        public var path: String
        /// The bytes to write.
        public var contents: Data
        /// Permission bits.
        public var mode: Int
    }

    /// The files, in the order they were added.
    public private(set) var entries: [Entry] = []

    /// Creates an empty plan.
    public init() {}

    /// Adds a file; a later entry for the same path replaces the earlier one.
    public mutating func add(_ path: String, _ contents: Data, mode: Int = 0o644) {
        entries.removeAll { $0.path == path }
        entries.append(Entry(path: path, contents: contents, mode: mode))
    }

    /// Adds a UTF-8 text file.
    public mutating func add(_ path: String, text: String, mode: Int = 0o644) {
        add(path, Data(text.utf8), mode: mode)
    }

    /// The planned paths that already exist under `directory`.
    public func existing(in directory: URL) -> [String] {
        entries.map(\.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
        }
    }

    /// Writes every entry under `directory`, creating folders as needed.
    /// - Parameter displayName: how the user names `directory`, for errors.
    /// - Throws: `ScaffoldError.cannotWrite`, after undoing everything.
    public func write(to directory: URL, displayName: String) throws(ScaffoldError) {
        var createdFolders: [String] = []
        var temps: [(temp: String, target: String)] = []
        func undo() {
            for item in temps { unlink(item.temp) }
            for folder in createdFolders.reversed() { rmdir(folder) }
        }
        do {
            for entry in entries {
                let target = directory.appendingPathComponent(entry.path)
                try makeFolders(target.deletingLastPathComponent().path, created: &createdFolders, under: directory, displayName: displayName)
                let temp = target.deletingLastPathComponent()
                    .appendingPathComponent(".\(target.lastPathComponent).gantry-\(getpid())-\(temps.count).tmp").path
                temps.append((temp, target.path))
                try writeFile(temp, contents: entry.contents, mode: entry.mode, displayPath: display(target.path, under: directory, as: displayName))
            }
            for item in temps where rename(item.temp, item.target) != 0 {
                // Renames within one folder seldom fail once every temp file is written;
                // callers check for clashes before writing, so nothing of the user's is lost.
                let reason = String(cString: strerror(errno))
                throw ScaffoldError.cannotWrite(path: display(item.target, under: directory, as: displayName), reason: reason)
            }
        } catch let error as ScaffoldError {
            undo()
            throw error
        } catch {
            undo()
            throw ScaffoldError.cannotWrite(path: displayName, reason: "\(error)")
        }
    }

    private func display(_ path: String, under directory: URL, as name: String) -> String {
        let base = directory.path
        guard path.hasPrefix(base) else { return path }
        let rest = path.dropFirst(base.count).drop { $0 == "/" }
        return rest.isEmpty ? name : (name.hasSuffix("/") ? name + rest : name + "/" + rest)
    }

    private func makeFolders(_ path: String, created: inout [String], under directory: URL, displayName: String) throws(ScaffoldError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw ScaffoldError.notADirectory(display(path, under: directory, as: displayName))
        }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path && !parent.isEmpty {
            try makeFolders(parent, created: &created, under: directory, displayName: displayName)
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw ScaffoldError.cannotWrite(path: display(path, under: directory, as: displayName), reason: String(cString: strerror(errno)))
        }
        created.append(path)
    }

    private func writeFile(_ path: String, contents: Data, mode: Int, displayPath: String) throws(ScaffoldError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else {
            throw ScaffoldError.cannotWrite(path: displayPath, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let failed: Int32? = contents.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failed {
            throw ScaffoldError.cannotWrite(path: displayPath, reason: String(cString: strerror(failed)))
        }
        // The umask must not change the modes the plan asks for.
        if fchmod(descriptor, mode_t(mode)) != 0 {
            throw ScaffoldError.cannotWrite(path: displayPath, reason: String(cString: strerror(errno)))
        }
    }
}
