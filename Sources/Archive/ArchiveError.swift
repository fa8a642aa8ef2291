#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why writing or reading a layer, a tar stream or a docker archive failed.
///
/// Each description is one line that names the file, entry or object and says
/// what to do about it.
public enum ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The compression level is outside the range the compressor accepts.
    case invalidCompressionLevel(LayerCompression)
    /// An entry's path or link target cannot be written: it is empty or holds a NUL byte.
    case invalidEntryPath(PathBytes, problem: String)
    /// An entry's extended attribute name cannot be written as a pax record.
    case invalidAttributeName(path: PathBytes, name: String)
    /// A file or directory could not be opened; `errno` says why.
    case cannotOpen(PathBytes, errno: Int32)
    /// Reading a file or directory failed part-way; `errno` says why.
    case cannotRead(PathBytes, errno: Int32)
    /// File contents were to come from a path that is not a regular file.
    case notRegularFile(PathBytes)
    /// A file's size changed between its header and the end of its data.
    case fileChanged(PathBytes, expectedSize: Int64, actualSize: Int64)
    /// A `LayerWriter` was used after `finish()` or after an error.
    case writerClosed
    /// The compressor failed: zlib for gzip, libarchive's filter for zstd.
    case compressionFailed(LayerCompression, message: String)
    /// A symbolic link in a folder being archived points outside the folder.
    case symlinkOutsideFolder(link: PathBytes, target: PathBytes)
    /// A symbolic link being followed points at nothing.
    case danglingSymlink(link: PathBytes, target: PathBytes)
    /// Following symbolic links led back into a directory that is already being walked.
    case symlinkLoop(link: PathBytes)
    /// A tar stream could not be opened or read.
    case readFailed(source: String, message: String)
    /// A tar stream holds an entry of a kind a layer cannot hold, such as a socket.
    case unsupportedEntry(source: String, path: PathBytes, kind: String)
    /// A layer file's bytes do not match the digest it was given with.
    case layerDigestMismatch(file: String, expected: String, actual: String)
    /// A reference given as a repo tag has no tag, only a digest.
    case untaggedReference(String)
    /// Writing an output file failed; `errno` says why.
    case cannotWrite(String, errno: Int32)
    /// An archive grew past the size it may have.
    case archiveTooLarge(String, limit: Int64)

    /// A one-line explanation naming the object and the fix.
    public var description: String {
        switch self {
        case .invalidCompressionLevel(let compression):
            switch compression {
            case .gzip(let level):
                return "gzip compression level \(level) is out of range; use 1 (fastest) to 9 (smallest)"
            case .zstd(let level):
                return "zstd compression level \(level) is out of range; use 1 (fastest) to 19 (smallest)"
            case .none:
                return "uncompressed layers take no compression level; use .none as it is"
            }
        case .invalidEntryPath(let path, let problem):
            return "cannot write entry \"\(path)\" to the layer: \(problem); give the entry a non-empty path without NUL bytes"
        case .invalidAttributeName(let path, let name):
            return "cannot write extended attribute \"\(name)\" of \"\(path)\": "
                + "a name must be non-empty without \"=\" or NUL; drop or rename the attribute"
        case .cannotOpen(let path, let code):
            return "cannot open \(path): \(Self.message(for: code)); make it readable or exclude it"
        case .cannotRead(let path, let code):
            return "cannot read \(path): \(Self.message(for: code)); make it readable or exclude it"
        case .notRegularFile(let path):
            return "cannot archive \(path) as file contents: it is not a regular file; point at a regular file"
        case .fileChanged(let path, let expected, let actual):
            return "\(path) changed while it was archived (\(expected) bytes expected, \(actual) found); "
                + "build again when nothing writes to it"
        case .writerClosed:
            return "the layer writer was used after finish() or after an error; start a new LayerWriter"
        case .compressionFailed(let compression, let message):
            if case .gzip = compression {
                return "\(compression) compression failed: \(message); check free memory and the zlib library (zlib1g)"
            }
            return "\(compression) compression failed: \(message); check that libarchive has zstd (bsdtar --version)"
        case .symlinkOutsideFolder(let link, let target):
            return "symlink \(link) points outside the folder (to \(target)); make it a relative link inside the folder, "
                + "remove or exclude it, or follow symlinks"
        case .danglingSymlink(let link, let target):
            return "symlink \(link) points to \(target), which does not exist; fix or remove the link, or exclude it"
        case .symlinkLoop(let link):
            return "symlink \(link) leads back into a directory that contains it; remove or exclude the link"
        case .readFailed(let source, let message):
            return "cannot read tar stream \(source): \(message); check that it is a complete tar archive"
        case .unsupportedEntry(let source, let path, let kind):
            return "tar stream \(source) has \(kind) \(path), which a layer cannot hold; leave it out of the archive"
        case .layerDigestMismatch(let file, let expected, let actual):
            return "layer file \(file) has digest \(actual), not \(expected); the file is damaged, pull or build the image again"
        case .untaggedReference(let reference):
            return "\(reference) has no tag, and docker load needs one; give the reference a tag such as :latest"
        case .cannotWrite(let path, let code):
            return "cannot write \(path): \(Self.message(for: code)); check the folder exists and has free space"
        case .archiveTooLarge(let path, let limit):
            return "\(path) would be larger than \(limit) bytes, the most it may be; leave files out of it"
        }
    }

    private static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
