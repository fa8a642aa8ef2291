import Foundation

/// The files of `BaseImages/` and `Makefile.template`, compiled into the
/// binary by the `EmbedResources` build plugin.
public enum EmbeddedResources {
    /// One embedded file.
    public struct File: Sendable, Hashable {
        /// Path relative to the package root, such as `BaseImages/static/base.yml`.
        public let path: String
        /// Permission bits the file had in the source tree.
        public let mode: Int
        /// The file's bytes.
        public let contents: Data
    }

    /// Returns the embedded file at `path`, or nil when there is none.
    public static func file(_ path: String) -> File? {
        guard let entry = entries.first(where: { $0.path == path }),
              let data = Data(base64Encoded: entry.base64) else { return nil }
        return File(path: entry.path, mode: entry.mode, contents: data)
    }

    /// Returns every embedded file whose path starts with `prefix` + "/", sorted by path.
    public static func files(under prefix: String) -> [File] {
        let folder = prefix.hasSuffix("/") ? prefix : prefix + "/"
        return entries
            .filter { $0.path.hasPrefix(folder) }
            .compactMap { entry in
                Data(base64Encoded: entry.base64).map { File(path: entry.path, mode: entry.mode, contents: $0) }
            }
    }
}
