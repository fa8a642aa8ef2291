import Archive
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The app folder split into its layers, before any byte is compressed: one
/// walk (ignore file applied, sorted, normalised headers), each entry sorted
/// into the data layer or the code layer, and the metadata that fingerprints
/// each layer's inputs for the cache.
///
/// Both layers are rooted at the mount point and carry its parent directories.
/// A directory goes into the code layer unless it only holds data; the data
/// layer holds the data files with their parent directories.
public struct AppLayerPlan: Sendable {
    /// Which layer.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// Large, rarely changing files picked by `layers.data`; below the code layer.
        case data
        /// Everything else the ignore file lets in.
        case code
    }

    /// One layer's entries, in tar order, and what its cache key is made of.
    public struct Layer: Sendable {
        /// Data or code.
        public let role: Role
        /// The entries to write, parents first.
        public let entries: [LayerEntry]
        /// Files and links (not directories) in the layer.
        public let fileCount: Int
        /// Every entry's path, kind, size, times and mode on this machine, one line each.
        public let inputs: [String]
    }

    /// The layers that have files, data first; an empty one is left out.
    public let layers: [Layer]
    /// What the walk skipped (FIFOs, sockets, devices), with why.
    public let warnings: [DirectoryWalker.Warning]
    /// The `layers.data` patterns that matched no file.
    public let unmatchedDataPatterns: [String]

    /// Walks `folder` and plans its layers.
    ///
    /// - Parameters:
    ///   - folder: The app folder.
    ///   - mount: The mount point, e.g. `/app`: where the layers put the folder.
    ///   - ignore: The app's `.dockerignore`.
    ///   - data: The `layers.data` patterns.
    ///   - modificationTime: The time every entry gets.
    /// - Throws: `ArchiveError` for a folder that cannot be read or a symlink
    ///   that leaves it; `BuilderError.emptyApp` when nothing is left to put in a layer.
    public init(folder: String, mount: String, ignore: IgnoreFile, data: DataPatterns, modificationTime: Int64) throws {
        let prefix = mount.split(separator: "/").joined(separator: "/")
        let walker = DirectoryWalker(
            root: PathBytes(folder), prefix: PathBytes(prefix), modificationTime: modificationTime,
            filter: { ignore.keepsInWalk($0, isDirectory: $1) })
        var entries: [LayerEntry] = []
        warnings = try walker.walk { entries.append($0) }

        // Sort the entries: a file or link by the data patterns; a directory later, by what it holds.
        let prefixLength = prefix.isEmpty ? 0 : prefix.utf8.count + 1
        var roles: [Role?] = []
        var matched = Set<Int>()
        var dataParents = Set<[UInt8]>()
        var codeParents = Set<[UInt8]>()
        for entry in entries {
            let path = entry.header.path.bytes
            guard entry.header.kind != .directory else { roles.append(nil); continue }
            let relative = String(decoding: path.dropFirst(prefixLength), as: UTF8.self)
            let role: Role
            if let index = data.match(relative) {
                matched.insert(index)
                role = .data
            } else {
                role = .code
            }
            roles.append(role)
            var parent = path[...]
            while let slash = parent.lastIndex(of: UInt8(ascii: "/")) {
                parent = parent[..<slash]
                if role == .data { dataParents.insert(Array(parent)) } else { codeParents.insert(Array(parent)) }
            }
        }
        // A directory that holds no data and is not itself data (an empty `static/`) is code,
        // and so are its parents, so that every layer names each entry's parents first.
        func trimmed(_ path: [UInt8]) -> [UInt8] {
            var path = path
            while path.count > 1, path.last == UInt8(ascii: "/") { path.removeLast() }
            return path
        }
        func isDataDirectory(_ path: [UInt8]) -> Bool {
            path.count > prefixLength && data.match(String(decoding: path.dropFirst(prefixLength), as: UTF8.self)) != nil
        }
        for (entry, role) in zip(entries, roles) where role == nil {
            let path = trimmed(entry.header.path.bytes)
            guard !dataParents.contains(path), !isDataDirectory(path) else { continue }
            var parent = path[...]
            codeParents.insert(path)
            while let slash = parent.lastIndex(of: UInt8(ascii: "/")) {
                parent = parent[..<slash]
                codeParents.insert(Array(parent))
            }
        }
        var dataEntries: [LayerEntry] = []
        var codeEntries: [LayerEntry] = []
        for (entry, role) in zip(entries, roles) {
            switch role {
            case .data?: dataEntries.append(entry)
            case .code?: codeEntries.append(entry)
            case nil:
                let path = trimmed(entry.header.path.bytes)
                let isCode = codeParents.contains(path)
                if dataParents.contains(path) || (!isCode && isDataDirectory(path)) { dataEntries.append(entry) }
                if isCode { codeEntries.append(entry) }
            }
        }
        func fileCount(_ entries: [LayerEntry]) -> Int { entries.filter { $0.header.kind != .directory }.count }
        var layers: [Layer] = []
        for (role, entries) in [(Role.data, dataEntries), (.code, codeEntries)] where fileCount(entries) > 0 {
            layers.append(Layer(role: role, entries: entries, fileCount: fileCount(entries), inputs: try entries.map(Self.describe)))
        }
        guard !layers.isEmpty else { throw BuilderError.emptyApp(folder: folder) }
        self.layers = layers
        unmatchedDataPatterns = data.patterns.enumerated().filter { !matched.contains($0.offset) }.map(\.element)
    }
}

extension AppLayerPlan {
    /// One line of a layer's cache inputs: the entry as it goes into the tar,
    /// plus, for a file, its size, modification and change times (nanoseconds),
    /// inode and mode on this machine, read with `stat` (never its bytes).
    static func describe(_ entry: LayerEntry) throws -> String {
        let header = entry.header
        // The path as text; a name that is not UTF-8 is spelled out in bytes, so two never collide.
        let path = String(validating: header.path.bytes, as: UTF8.self) ?? "\(header.path.bytes)"
        var line = "\(header.kind) \(header.permissions) \(path)"
        if case .file(let path) = entry.contents {
            var status = stat()
            guard path.withCString({ stat($0, &status) }) == 0 else {
                throw ArchiveError.cannotRead(path, errno: errno)
            }
            line += " \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
                + " \(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec) \(status.st_ino) \(status.st_mode)"
        }
        return line
    }
}
