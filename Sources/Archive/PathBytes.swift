#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A path as the raw bytes the file system or a tar header holds.
///
/// Linux file names and tar member names are byte strings that need not be
/// UTF-8; keeping the bytes lets a name such as `caf\xE9` survive a round trip
/// that a `String` would turn into `caf\u{FFFD}`.
public struct PathBytes: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, without a terminating NUL.
    public var bytes: [UInt8]

    /// Makes a path from its raw bytes.
    ///
    /// - Parameter bytes: The bytes of the path, without a terminating NUL.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Makes a path from the UTF-8 encoding of a string.
    ///
    /// - Parameter string: The path text.
    public init(_ string: String) {
        self.bytes = Array(string.utf8)
    }

    /// Makes a path from a string literal, encoded as UTF-8.
    ///
    /// - Parameter value: The path text.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The path decoded as UTF-8, with U+FFFD for bytes that are not; for messages and filters.
    public var description: String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the path has no bytes.
    public var isEmpty: Bool { bytes.isEmpty }

    /// Whether every byte is 7-bit ASCII.
    var isASCII: Bool { bytes.allSatisfy { $0 < 0x80 } }

    /// Whether the bytes are well-formed UTF-8.
    var isValidUTF8: Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    /// The last `/`-separated component, ignoring a trailing `/`.
    var lastComponent: PathBytes {
        var trimmed = bytes[...]
        while trimmed.count > 1, trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: UInt8(ascii: "/")), slash != trimmed.index(before: trimmed.endIndex) {
            return PathBytes(bytes: Array(trimmed[trimmed.index(after: slash)...]))
        }
        return PathBytes(bytes: Array(trimmed))
    }

    /// This path with `component` appended after a `/` (no `/` when this path is empty).
    ///
    /// - Parameter component: A path or single name to append.
    /// - Returns: The joined path.
    public func appending(_ component: PathBytes) -> PathBytes {
        guard !bytes.isEmpty else { return component }
        var joined = bytes
        if joined.last != UInt8(ascii: "/") { joined.append(UInt8(ascii: "/")) }
        joined.append(contentsOf: component.bytes)
        return PathBytes(bytes: joined)
    }

    /// Orders paths by their bytes, as `tar --sort=name` and `LC_ALL=C sort` do.
    public static func < (lhs: PathBytes, rhs: PathBytes) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        let terminated = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        defer { terminated.deallocate() }
        for (index, byte) in bytes.enumerated() { terminated[index] = CChar(bitPattern: byte) }
        terminated[bytes.count] = 0
        return try body(terminated)
    }

    /// Makes a path from a NUL-terminated C string, keeping its bytes as they are.
    init(cString: UnsafePointer<CChar>) {
        let length = strlen(cString)
        self.bytes = cString.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Whether the path contains a NUL byte, which no file system or tar header can hold.
    var containsNUL: Bool { bytes.contains(0) }
}
