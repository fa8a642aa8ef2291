import Foundation

/// What gantry reads from an image in an engine's storage.
public struct EngineImage: Sendable, Hashable {
    /// The engine's image id.
    public var id: String
    /// The image config's labels.
    public var labels: [String: String]
    /// The image config's user, empty for root.
    public var user: String
    /// The image config's stop signal, when it sets one.
    public var stopSignal: String?
}

/// When `build` pulls the images the Dockerfile starts from.
public enum PullPolicy: String, CaseIterable, Sendable {
    /// Only when the engine does not have them (the engines' default).
    case missing
    /// Never; fail when they are missing.
    case never
    /// Every time, to get the newest.
    case always

    /// The build flags for `kind`. docker's classic builder pulls only what is
    /// missing and has no way to forbid it, so `never` is `missing` there.
    func buildArguments(for kind: EngineKind) -> [String] {
        switch (kind, self) {
        case (.podman, _): return ["--pull=\(rawValue)"]
        case (.docker, .always): return ["--pull"]
        case (.docker, _): return []
        }
    }
}

extension Engine {
    /// `image inspect REF`: the image when the engine has it, else nil.
    /// - Throws: `EngineError.commandFailed` when the engine fails otherwise,
    ///   `.unexpectedOutput` when its answer cannot be read.
    public func image(_ reference: String) async throws(EngineError) -> EngineImage? {
        let result = try await output(["image", "inspect", reference])
        if !result.succeeded {
            if result.saysNotFound { return nil }
            throw failure(result, hint: "check that \(name) works ('\(kind.executableName) info')")
        }
        struct Entry: Decodable {
            struct Config: Decodable {
                var Labels: [String: String]?
                var User: String?
                var StopSignal: String?
            }
            var Id: String
            var Config: Config?
        }
        guard let entry = try decode([Entry].self, from: result).first else { return nil }
        return EngineImage(id: entry.Id, labels: entry.Config?.Labels ?? [:], user: entry.Config?.User ?? "",
                           stopSignal: entry.Config?.StopSignal.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `load -i ARCHIVE`: loads a docker-archive (or, for podman, an OCI archive) tar.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    public func load(archive: URL) async throws(EngineError) {
        try await checked(["load", "-i", archive.path], timeout: .seconds(900),
                          hint: "check that \(archive.path) is a docker-archive tar")
    }

    /// `pull REF`, with the engine's progress hidden.
    /// - Throws: `EngineError.commandFailed` with the engine's message.
    public func pull(_ reference: String) async throws(EngineError) {
        try await checked(["pull", "--quiet", reference],
                          timeout: .seconds(1800),
                          hint: "check the reference, and log in to its registry if it is private")
    }

    /// `build --file DOCKERFILE --tag TAG CONTEXT`, the engine's output streaming to the terminal.
    ///
    /// - Parameters:
    ///   - context: the build context folder.
    ///   - dockerfile: the Dockerfile; the context's own when nil.
    ///   - tag: the reference to give the result.
    ///   - pull: when to pull the images it starts from; the engine's default when nil.
    ///   - timeout: how long the build may take.
    /// - Throws: `EngineError.commandFailed` with the last line the engine printed on stderr.
    public func build(
        context: URL, dockerfile: URL? = nil, tag: String, pull: PullPolicy? = nil,
        timeout: Duration = .seconds(3600)
    ) async throws(EngineError) {
        let arguments = buildArguments(context: context, dockerfile: dockerfile, tag: tag, pull: pull)
        var result = try await Subprocess.stream(executable, arguments, environment: environment, timeout: timeout)
        result.command = commandLine(arguments)
        guard result.succeeded else {
            throw failure(result, hint: "the build's output above shows the step that failed")
        }
    }

    /// The arguments of `build`.
    func buildArguments(context: URL, dockerfile: URL?, tag: String, pull: PullPolicy?) -> [String] {
        var arguments = ["build"]
        if let dockerfile { arguments += ["--file", dockerfile.path] }
        arguments += ["--tag", tag]
        if let pull { arguments += pull.buildArguments(for: kind) }
        arguments.append(context.path)
        return arguments
    }

    /// Decodes the JSON an inspect command printed.
    func decode<T: Decodable>(_ type: T.Type, from result: ProcessOutput) throws(EngineError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(result.stdout.utf8))
        } catch {
            throw EngineError.unexpectedOutput(command: result.command, detail: "\(error)")
        }
    }
}
