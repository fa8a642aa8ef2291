#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a folder on this machine and yields it as normalized layer entries,
/// the same for the same files whatever their times, owners or creation order.
///
/// - Order: depth first, each directory's names sorted by their bytes, which is
///   the order of `tar --sort=name`; a directory comes before its contents.
/// - Paths: rooted at `prefix` (`app` for the mount point `/app`; layer paths
///   have no leading `/`), with every parent directory written explicitly,
///   the prefix's own directories included.
/// - Headers: uid and gid 0, no user or group name, `modificationTime` for
///   every entry; directories `0755`, files `0644`, or `0755` when the owner
///   may execute them; no extended attributes.
/// - Symbolic links whose target, resolved inside the layer, stays inside the
///   folder are kept as links. Others are refused with an error naming them,
///   or followed with `OutsideSymlinks.follow`.
/// - Sockets, device nodes and FIFOs are skipped with a warning.
/// - Hard links become separate regular files, as `docker build` does.
public struct DirectoryWalker {
    /// What to do with a symbolic link that points outside the folder.
    public enum OutsideSymlinks: Hashable, Sendable {
        /// Stop with `ArchiveError.symlinkOutsideFolder`, naming the link.
        case refuse
        /// Archive what the link points to (a file or a whole directory) under the link's name.
        case follow
    }

    /// Something the walk left out, with why.
    public struct Warning: Hashable, Sendable, CustomStringConvertible {
        /// The path on this machine.
        public let path: PathBytes
        /// Why it was left out.
        public let reason: String

        /// Makes a warning.
        ///
        /// - Parameters:
        ///   - path: The path on this machine.
        ///   - reason: Why it was left out.
        public init(path: PathBytes, reason: String) {
            self.path = path
            self.reason = reason
        }

        /// `skipped PATH: REASON`.
        public var description: String { "skipped \(path): \(reason)" }
    }

    /// The folder on this machine.
    public let root: PathBytes
    /// The path inside the layer the folder's contents go under, without leading or trailing `/`; empty for the layer root.
    public let prefix: PathBytes
    /// The modification time of every entry, in seconds since 1970-01-01 UTC.
    public let modificationTime: Int64
    /// What to do with symbolic links that point outside the folder.
    public let outsideSymlinks: OutsideSymlinks
    /// Decides for each path, relative to the folder with `/` separators, and
    /// whether it is a directory, if it goes into the layer; a directory left
    /// out is not walked into.
    public let filter: ((_ relativePath: String, _ isDirectory: Bool) -> Bool)?

    /// Makes a walker.
    ///
    /// - Parameters:
    ///   - root: The folder to walk.
    ///   - prefix: Where the folder's contents go in the layer, e.g. `app`; a
    ///     leading or trailing `/` is dropped.
    ///   - modificationTime: The time every entry gets.
    ///   - outsideSymlinks: Refuse (the default) or follow links that point outside the folder.
    ///   - filter: Decides which paths go in; everything does when nil.
    public init(
        root: PathBytes, prefix: PathBytes = "", modificationTime: Int64, outsideSymlinks: OutsideSymlinks = .refuse,
        filter: ((_ relativePath: String, _ isDirectory: Bool) -> Bool)? = nil
    ) {
        self.root = root
        self.prefix = PathBytes(bytes: Self.components(of: prefix.bytes).joined(separator: [UInt8(ascii: "/")]).map { $0 })
        self.modificationTime = modificationTime
        self.outsideSymlinks = outsideSymlinks
        self.filter = filter
    }

    /// Walks the folder and calls `visit` with each entry in order.
    ///
    /// - Parameter visit: Receives each entry; regular files have `.file` contents to read when appended.
    /// - Returns: What was skipped, with why.
    /// - Throws: `ArchiveError.invalidEntryPath` for a prefix with a `..`
    ///   component, `ArchiveError.cannotOpen` or `.cannotRead` for a folder that
    ///   cannot be read, `.symlinkOutsideFolder`, `.danglingSymlink` or
    ///   `.symlinkLoop` for links; whatever `visit` throws.
    public func walk(_ visit: (LayerEntry) throws -> Void) throws -> [Warning] {
        if Self.components(of: prefix.bytes).contains([UInt8(ascii: "."), UInt8(ascii: ".")]) {
            throw ArchiveError.invalidEntryPath(prefix, problem: "the prefix climbs out of the layer with \"..\"")
        }
        let rootDirectory = try OpenDirectory(path: root)
        var parent: [UInt8] = []
        for component in Self.components(of: prefix.bytes) {
            parent += (parent.isEmpty ? [] : [UInt8(ascii: "/")]) + component
            try visit(.directory(PathBytes(bytes: parent), permissions: 0o755, modificationTime: modificationTime))
        }
        return try withoutActuallyEscaping(visit) { visit in
            var walk = Walk(walker: self, visit: visit)
            try walk.visitContents(of: rootDirectory, relative: [], ancestors: [rootDirectory.identity])
            return walk.warnings
        }
    }

    /// The non-empty components of a path, without `.`.
    static func components(of path: [UInt8]) -> [[UInt8]] {
        path.split(separator: UInt8(ascii: "/")).map(Array.init).filter { $0 != [UInt8(ascii: ".")] }
    }

    /// Whether a link at `linkDirectory` (components inside the folder) with
    /// `target` resolves, inside the layer, to a path still inside the folder.
    static func resolvesInside(linkDirectory: [[UInt8]], target: [UInt8]) -> Bool {
        guard target.first != UInt8(ascii: "/") else { return false }
        var depth = linkDirectory.count
        for component in target.split(separator: UInt8(ascii: "/")) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard depth > 0 else { return false }
                depth -= 1
            } else {
                depth += 1
            }
        }
        return true
    }
}

extension LayerWriter {
    /// Appends a folder's entries, as `walker` yields them.
    ///
    /// - Parameter walker: The folder walk.
    /// - Returns: What the walk skipped, with why.
    /// - Throws: What `DirectoryWalker.walk` or `append(_:)` throws.
    @discardableResult
    public func append(contentsOf walker: DirectoryWalker) throws -> [DirectoryWalker.Warning] {
        try walker.walk { try append($0) }
    }
}

/// The state of one walk: the callback and the warnings so far.
private struct Walk {
    let walker: DirectoryWalker
    let visit: (LayerEntry) throws -> Void
    var warnings: [DirectoryWalker.Warning] = []

    init(walker: DirectoryWalker, visit: @escaping (LayerEntry) throws -> Void) {
        self.walker = walker
        self.visit = visit
    }

    /// Visits the sorted contents of `directory`, which is at `relative` inside the folder.
    mutating func visitContents(of directory: OpenDirectory, relative: [[UInt8]], ancestors: [FileIdentity]) throws {
        for name in try directory.sortedNames() {
            let path = relative + [name]
            let hostPath = hostPath(path)
            let status = try directory.status(of: name, hostPath: hostPath, followingLinks: false)
            switch status.type {
            case FileType.directory:
                guard includes(path, isDirectory: true) else { continue }
                try visitDirectory(named: name, in: directory, path: path, ancestors: ancestors)
            case FileType.regular:
                guard includes(path, isDirectory: false) else { continue }
                try visitFile(path: path, status: status)
            case FileType.symbolicLink:
                try visitLink(named: name, in: directory, path: path, ancestors: ancestors)
            case FileType.fifo:
                skip(path, "a FIFO cannot be part of an image layer")
            case FileType.socket:
                skip(path, "a socket cannot be part of an image layer")
            case FileType.characterDevice, FileType.blockDevice:
                skip(path, "device nodes are left out of app layers")
            default:
                skip(path, "a file of unknown type")
            }
        }
    }

    private mutating func visitDirectory(
        named name: [UInt8], in parent: OpenDirectory, path: [[UInt8]], ancestors: [FileIdentity], viaLink: Bool = false
    ) throws {
        let directory = try parent.openDirectory(named: name, hostPath: hostPath(path), followingLinks: viaLink)
        if ancestors.contains(directory.identity) {
            throw ArchiveError.symlinkLoop(link: hostPath(path))
        }
        try visit(.directory(layerPath(path), permissions: 0o755, modificationTime: walker.modificationTime))
        try visitContents(of: directory, relative: path, ancestors: ancestors + [directory.identity])
    }

    private func visitFile(path: [[UInt8]], status: FileStatus) throws {
        let permissions: UInt32 = status.mode & 0o100 != 0 ? 0o755 : 0o644
        try visit(.file(layerPath(path), contents: .file(hostPath(path)), permissions: permissions, modificationTime: walker.modificationTime))
    }

    private mutating func visitLink(named name: [UInt8], in directory: OpenDirectory, path: [[UInt8]], ancestors: [FileIdentity]) throws {
        let target = try directory.linkTarget(of: name, hostPath: hostPath(path))
        if DirectoryWalker.resolvesInside(linkDirectory: Array(path.dropLast()), target: target.bytes) {
            guard includes(path, isDirectory: false) else { return }
            try visit(.symbolicLink(layerPath(path), target: target, modificationTime: walker.modificationTime))
            return
        }
        guard walker.outsideSymlinks == .follow else {
            throw ArchiveError.symlinkOutsideFolder(link: hostPath(path), target: target)
        }
        guard let status = try directory.statusIfPresent(of: name, hostPath: hostPath(path), followingLinks: true) else {
            throw ArchiveError.danglingSymlink(link: hostPath(path), target: target)
        }
        switch status.type {
        case FileType.directory:
            guard includes(path, isDirectory: true) else { return }
            try visitDirectory(named: name, in: directory, path: path, ancestors: ancestors, viaLink: true)
        case FileType.regular:
            guard includes(path, isDirectory: false) else { return }
            try visitFile(path: path, status: status)
        default:
            skip(path, "the symlink points to something that is not a file or directory")
        }
    }

    private func includes(_ path: [[UInt8]], isDirectory: Bool) -> Bool {
        guard let filter = walker.filter else { return true }
        let relative = PathBytes(bytes: Array(path.joined(separator: [UInt8(ascii: "/")])))
        return filter(relative.description, isDirectory)
    }

    private mutating func skip(_ path: [[UInt8]], _ reason: String) {
        warnings.append(DirectoryWalker.Warning(path: hostPath(path), reason: reason))
    }

    private func hostPath(_ path: [[UInt8]]) -> PathBytes {
        walker.root.appending(PathBytes(bytes: Array(path.joined(separator: [UInt8(ascii: "/")]))))
    }

    private func layerPath(_ path: [[UInt8]]) -> PathBytes {
        walker.prefix.appending(PathBytes(bytes: Array(path.joined(separator: [UInt8(ascii: "/")]))))
    }
}

/// A file's device and inode, which tell whether two paths are the same directory.
private struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64
}

/// What `fstatat` says about a file that the walk needs.
private struct FileStatus {
    let type: UInt32
    let mode: UInt32
    let identity: FileIdentity

    init(_ status: stat) {
        type = UInt32(status.st_mode) & FileType.mask
        mode = UInt32(status.st_mode) & 0o7777
        identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}

/// An open directory, read through its descriptor so that names are raw bytes
/// and each lookup is relative to the directory, not to a path that could change.
private final class OpenDirectory {
    let path: PathBytes
    let identity: FileIdentity
    private let descriptor: Int32

    /// Opens the folder at `path`.
    convenience init(path: PathBytes) throws(ArchiveError) {
        let descriptor = path.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .cannotOpen(path, errno: errno) }
        try self.init(descriptor: descriptor, path: path)
    }

    private init(descriptor: Int32, path: PathBytes) throws(ArchiveError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw .cannotRead(path, errno: code)
        }
        self.descriptor = descriptor
        self.path = path
        self.identity = FileStatus(status).identity
    }

    deinit {
        close(descriptor)
    }

    /// Opens the subdirectory `name`; with `followingLinks`, `name` may be a link to a directory.
    func openDirectory(named name: [UInt8], hostPath: PathBytes, followingLinks: Bool) throws(ArchiveError) -> OpenDirectory {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW)
        let child = PathBytes(bytes: name).withCString { openat(descriptor, $0, flags) }
        guard child >= 0 else { throw .cannotOpen(hostPath, errno: errno) }
        return try OpenDirectory(descriptor: child, path: hostPath)
    }

    /// The names in the directory, without `.` and `..`, sorted by their bytes.
    func sortedNames() throws(ArchiveError) -> [[UInt8]] {
        // fdopendir takes over the descriptor it is given, so give it a duplicate.
        let duplicate = dup(descriptor)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else {
            let code = errno
            if duplicate >= 0 { close(duplicate) }
            throw .cannotRead(path, errno: code)
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw .cannotRead(path, errno: errno) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    PathBytes(cString: $0).bytes
                }
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The status of `name`, of the link itself unless `followingLinks`.
    func status(of name: [UInt8], hostPath: PathBytes, followingLinks: Bool) throws(ArchiveError) -> FileStatus {
        var status = stat()
        let flags = followingLinks ? 0 : AT_SYMLINK_NOFOLLOW
        guard PathBytes(bytes: name).withCString({ fstatat(descriptor, $0, &status, flags) }) == 0 else {
            throw .cannotRead(hostPath, errno: errno)
        }
        return FileStatus(status)
    }

    /// The status of `name`, or nil when it (or what it links to) does not exist.
    func statusIfPresent(of name: [UInt8], hostPath: PathBytes, followingLinks: Bool) throws(ArchiveError) -> FileStatus? {
        do {
            return try status(of: name, hostPath: hostPath, followingLinks: followingLinks)
        } catch .cannotRead(_, let code) where code == ENOENT || code == ENOTDIR {
            return nil
        }
    }

    /// The target of the symbolic link `name`, as stored.
    func linkTarget(of name: [UInt8], hostPath: PathBytes) throws(ArchiveError) -> PathBytes {
        var capacity = 256
        while true {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            let count = PathBytes(bytes: name).withCString { readlinkat(descriptor, $0, buffer, capacity) }
            guard count >= 0 else { throw .cannotRead(hostPath, errno: errno) }
            if count < capacity {
                return PathBytes(bytes: UnsafeRawBufferPointer(start: buffer, count: count).map { $0 })
            }
            capacity *= 4
        }
    }
}
