import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP ports on 127.0.0.1, checked before an engine is asked to publish one,
/// so a busy port is reported by number rather than by the engine's words.
public enum LoopbackPort {
    /// Checks that a server could listen on 127.0.0.1:`port` now, by binding
    /// and listening there for a moment (`SO_REUSEADDR`, so connections
    /// still closing on the port do not count; a listener does).
    /// - Throws: `EngineError.portInUse` naming the port and the reason.
    public static func checkAvailable(_ port: Int) throws(EngineError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM_VALUE), 0)
        guard fd >= 0 else { throw EngineError.portInUse(port, reason: "cannot make a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = address(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            throw EngineError.portInUse(port, reason: String(cString: strerror(errno)))
        }
    }

    /// A port on 127.0.0.1 nothing listens on now: the kernel's pick for port 0.
    /// - Throws: `EngineError.portInUse` (port 0) when no socket can be bound.
    public static func free() throws(EngineError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM_VALUE), 0)
        guard fd >= 0 else { throw EngineError.portInUse(0, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = address(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw EngineError.portInUse(0, reason: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `127.0.0.1:port` as a socket address.
    static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}
