import Foundation

/// A container as `container inspect` describes it.
public struct ContainerState: Sendable, Hashable {
    /// The full container id.
    public var id: String
    /// The name, without docker's leading `/`.
    public var name: String
    /// The id of the image it was made from, as `image inspect` gives it.
    public var imageID: String
    /// Whether it is running.
    public var running: Bool
    /// The engine's word for its state: `created`, `running`, `exited`…
    public var status: String
    /// The exit code of its last run (0 while running).
    public var exitCode: Int
    /// When it last started, as the engine prints it.
    public var startedAt: String
    /// The container's labels.
    public var labels: [String: String]
    /// Host ports by container port (TCP).
    public var publishedPorts: [Int: Int]

    /// The host port published for `containerPort`, else the only one published.
    public func hostPort(for containerPort: Int?) -> Int? {
        if let containerPort, let port = publishedPorts[containerPort] { return port }
        return publishedPorts.count == 1 ? publishedPorts.values.first : nil
    }
}

extension Engine {
    /// `run --detach …`: starts a container and returns its id.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    @discardableResult
    public func run(_ options: RunOptions) async throws(EngineError) -> String {
        let result = try await checked(try options.arguments(), timeout: .seconds(300),
                                       hint: "see '\(kind.executableName) info' if the engine itself is broken")
        return result.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }

    /// `container inspect NAME`: the container, or nil when there is none by that name.
    /// - Throws: `EngineError.commandFailed` when the engine fails otherwise.
    public func containerState(_ name: String) async throws(EngineError) -> ContainerState? {
        let result = try await output(["container", "inspect", name])
        if !result.succeeded {
            if result.saysNotFound { return nil }
            throw failure(result, hint: "check that \(self.name) works ('\(kind.executableName) info')")
        }
        struct Entry: Decodable {
            struct State: Decodable {
                var Status: String?
                var Running: Bool?
                var ExitCode: Int?
                var StartedAt: String?
            }
            struct Binding: Decodable {
                var HostPort: String?
            }
            struct Network: Decodable {
                var Ports: [String: [Binding]?]?
            }
            struct Config: Decodable {
                var Labels: [String: String]?
            }
            var Id: String
            var Name: String?
            var Image: String?
            var State: State?
            var NetworkSettings: Network?
            var Config: Config?
        }
        guard let entry = try decode([Entry].self, from: result).first else { return nil }
        var ports: [Int: Int] = [:]
        for (key, bindings) in entry.NetworkSettings?.Ports ?? [:] {
            guard key.hasSuffix("/tcp") || !key.contains("/"),
                  let containerPort = Int(key.split(separator: "/").first ?? ""),
                  let host = (bindings ?? []).compactMap({ $0.HostPort.flatMap { Int($0) } }).first
            else { continue }
            ports[containerPort] = host
        }
        let name = entry.Name.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? name
        return ContainerState(
            id: entry.Id, name: name, imageID: entry.Image ?? "", running: entry.State?.Running ?? false, status: entry.State?.Status ?? "unknown",
            exitCode: entry.State?.ExitCode ?? 0, startedAt: entry.State?.StartedAt ?? "",
            labels: entry.Config?.Labels ?? [:], publishedPorts: ports)
    }

    /// `stop --time SECONDS NAME`: sends the image's stop signal, then SIGKILL after `timeout` seconds.
    /// A container that is not there is no error.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    public func stop(_ name: String, timeout: Int = 10) async throws(EngineError) {
        let result = try await output(["stop", "--time", String(timeout), name], timeout: .seconds(timeout + 60))
        if !result.succeeded && !result.saysNotFound {
            throw failure(result, hint: "remove it with '\(kind.executableName) rm --force \(name)'")
        }
    }

    /// `rm [--force] NAME`; a container that is not there is no error.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    public func remove(_ name: String, force: Bool = false) async throws(EngineError) {
        let result = try await output(["rm"] + (force ? ["--force"] : []) + [name], timeout: .seconds(120))
        if !result.succeeded && !result.saysNotFound {
            throw failure(result, hint: "remove it with '\(kind.executableName) rm --force \(name)'")
        }
    }

    /// `logs --tail N NAME`: the container's last `tail` lines, stdout and stderr interleaved.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    public func logs(_ name: String, tail: Int? = nil) async throws(EngineError) -> String {
        var arguments = ["logs"]
        if let tail { arguments += ["--tail", String(tail)] }
        arguments.append(name)
        let result = try await output(arguments, mergeOutput: true)
        guard result.succeeded else { throw failure(result, hint: "") }
        return result.stdout
    }

    /// Starts `logs --follow NAME`, its output going to gantry's stdout and stderr.
    /// It ends by itself when the container stops.
    /// - Parameter tail: how many earlier lines to show first; all when nil.
    /// - Throws: `EngineError.cannotStart`.
    public func followLogs(_ name: String, tail: Int? = nil) throws(EngineError) -> ChildProcess {
        var arguments = ["logs", "--follow"]
        if let tail { arguments += ["--tail", String(tail)] }
        arguments.append(name)
        return try ChildProcess.spawn(executable, arguments, environment: environment)
    }

    /// `exec NAME COMMAND…`: runs a command in the running container.
    /// - Returns: its output, whatever its exit status.
    /// - Throws: `EngineError.cannotStart` or `.timedOut`.
    public func exec(_ name: String, _ command: [String], user: String? = nil, timeout: Duration = Engine.defaultTimeout) async throws(EngineError) -> ProcessOutput {
        var arguments = ["exec"]
        if let user { arguments += ["--user", user] }
        return try await output(arguments + [name] + command, timeout: timeout)
    }
}
