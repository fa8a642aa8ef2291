import Foundation

/// One entry to append to a layer: its header and, for a regular file, where its bytes come from.
public struct LayerEntry: Sendable {
    /// Where a regular file's bytes come from.
    public enum Contents: Sendable {
        /// No bytes: every kind but a regular file, or an empty file.
        case none
        /// Bytes in memory.
        case data(Data)
        /// The bytes of the file at a path on this machine, streamed in chunks when the entry is appended.
        case file(PathBytes)
    }

    /// The header; its `size` is taken from the contents when the entry is appended.
    public var header: TarHeader
    /// Where the bytes of a regular file come from.
    public var contents: Contents

    /// Makes an entry from a header and contents.
    ///
    /// - Parameters:
    ///   - header: The header; `size` is replaced by the size of `contents`.
    ///   - contents: The file's bytes, for a regular file.
    public init(header: TarHeader, contents: Contents = .none) {
        self.header = header
        self.contents = contents
    }

    /// A directory owned by root.
    ///
    /// - Parameters:
    ///   - path: The path inside the layer; a trailing `/` is added when written.
    ///   - permissions: The permission bits.
    ///   - modificationTime: Seconds since 1970-01-01 UTC.
    public static func directory(_ path: PathBytes, permissions: UInt32 = 0o755, modificationTime: Int64 = 0) -> LayerEntry {
        LayerEntry(header: TarHeader(path: path, kind: .directory, permissions: permissions, modificationTime: modificationTime))
    }

    /// A regular file owned by root.
    ///
    /// - Parameters:
    ///   - path: The path inside the layer.
    ///   - contents: Where the bytes come from.
    ///   - permissions: The permission bits.
    ///   - modificationTime: Seconds since 1970-01-01 UTC.
    public static func file(
        _ path: PathBytes, contents: Contents, permissions: UInt32 = 0o644, modificationTime: Int64 = 0
    ) -> LayerEntry {
        LayerEntry(
            header: TarHeader(path: path, kind: .regularFile, permissions: permissions, modificationTime: modificationTime),
            contents: contents)
    }

    /// A symbolic link owned by root, with the conventional permissions `0777`.
    ///
    /// - Parameters:
    ///   - path: The path inside the layer.
    ///   - target: What the link points to, as it is to be stored.
    ///   - modificationTime: Seconds since 1970-01-01 UTC.
    public static func symbolicLink(_ path: PathBytes, target: PathBytes, modificationTime: Int64 = 0) -> LayerEntry {
        LayerEntry(header: TarHeader(
            path: path, kind: .symbolicLink(target: target), permissions: 0o777, modificationTime: modificationTime))
    }

    /// A hard link owned by root to an entry written earlier in the same layer.
    ///
    /// - Parameters:
    ///   - path: The path inside the layer.
    ///   - target: The path of the earlier entry.
    ///   - permissions: The permission bits (readers take the target's).
    ///   - modificationTime: Seconds since 1970-01-01 UTC.
    public static func hardLink(
        _ path: PathBytes, target: PathBytes, permissions: UInt32 = 0o644, modificationTime: Int64 = 0
    ) -> LayerEntry {
        LayerEntry(header: TarHeader(
            path: path, kind: .hardLink(target: target), permissions: permissions, modificationTime: modificationTime))
    }
}
