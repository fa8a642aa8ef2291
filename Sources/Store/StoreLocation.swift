import Foundation

/// Where gantry keeps its local OCI image layout.
public enum StoreLocation {
    /// `$GANTRY_HOME`, else `$XDG_CACHE_HOME/gantry`, else `~/.cache/gantry`.
    /// - Parameter environment: the process environment to read.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["GANTRY_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true)
        }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache, isDirectory: true).appendingPathComponent("gantry", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".cache", isDirectory: true)
            .appendingPathComponent("gantry", isDirectory: true)
    }
}
