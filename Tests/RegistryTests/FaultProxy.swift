import Foundation
import Testing

/// A fault-injecting HTTP proxy in front of a real registry, for what no registry does on purpose:
/// with a seeded probability per request it resets the connection in the middle of a request or
/// response body, answers 500/502/503 or 429 with `Retry-After`, or stalls; it can also refuse
/// requests larger than a cap with 413, as some load balancers do. `/__stats` reports what it did.
struct FaultProxy {
    let port: Int
    let server: ServerProcess
    var host: String { "127.0.0.1:\(port)" }

    /// The proxy itself: `scripts/fault-proxy.py`, shared with `scripts/soak`.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/fault-proxy.py").path

    /// Starts a proxy to the registry on `upstream`.
    /// - Parameters:
    ///   - rate: the share of requests that get a fault.
    ///   - faults: the faults to pick from: reset-request, reset-response, 500, 502, 503, 429, stall;
    ///     and modes: cut-large (requests over `cap` are reset after `cap` bytes instead of refused
    ///     with 413), no-patch (every PATCH answered 405).
    ///   - cap: requests with a larger body get 413 (0: no cap).
    static func start(in folder: TemporaryFolder, upstream: Int, rate: Double, seed: Int = 7,
                      faults: [String] = ["reset-request", "reset-response", "500", "502", "503", "429"],
                      cap: Int = 0, stall: Double = 4) async throws -> FaultProxy {
        let port = try await freePort()
        let server = try ServerProcess(try await pythonExecutable(),
                                       [script, "\(port)", "\(upstream)", "\(rate)", "\(seed)", "\(cap)", faults.joined(separator: ","), "\(stall)"],
                                       log: folder.appending("fault-proxy-\(port).log"))
        try await waitForPort(port, server: server)
        return FaultProxy(port: port, server: server)
    }

    /// What the proxy did so far, by kind, and the requests it forwarded, by method.
    func stats() async throws -> [String: Int] {
        let text = try await shell("curl -sf http://127.0.0.1:\(port)/__stats")
        return try JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
    }
}
