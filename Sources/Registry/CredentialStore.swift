import Archive
import Foundation

/// Finds registry credentials where docker and podman keep them: `$DOCKER_CONFIG/config.json` (or
/// `~/.docker/config.json`) with `credHelpers`, `credsStore` and `auths`, then `$REGISTRY_AUTH_FILE`,
/// then podman's `$XDG_RUNTIME_DIR/containers/auth.json`.
public struct CredentialStore: Sendable {
    /// The environment read for `DOCKER_CONFIG`, `HOME`, `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR` and `PATH`.
    public let environment: [String: String]

    /// Makes a store reading the given environment (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The auth files in the order they are read.
    public var files: [String] {
        var files = dockerConfigPath.map { [$0] } ?? []
        if let authFile = environment["REGISTRY_AUTH_FILE"], !authFile.isEmpty { files.append(authFile) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            files.append((runtime as NSString).appendingPathComponent("containers/auth.json"))
        }
        return files
    }

    /// Looks up the credentials for a registry host (`127.0.0.1:5000`, `docker.io`).
    /// Runs credential helpers as child processes, off Swift's cooperative thread pool.
    /// - Throws: `RegistryError.credentialsUnreadable` for an auth file that is not JSON of the
    ///   expected shape, `.credentialHelperFailed` when a helper fails for another reason than
    ///   "credentials not found".
    public func credentials(for registry: String) async throws(RegistryError) -> CredentialSearch {
        let result: Result<CredentialSearch, RegistryError> = await BlockingWork.run(stackSize: 1 << 20) {
            do { return .success(try self.lookUp(registry)) } catch let error as RegistryError { return .failure(error) } catch {
                return .failure(.credentialsUnreadable(file: registry, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    /// The synchronous lookup; it may block while a credential helper runs.
    func lookUp(_ registry: String) throws(RegistryError) -> CredentialSearch {
        let host = Self.canonicalHost(registry)
        var lookedIn: [String] = []
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else { continue }
            let config = try Self.readConfig(file)
            let helper = config.credHelpers?.first(where: { Self.canonicalHost($0.key) == host })?.value ?? config.credsStore
            if let helper, !helper.isEmpty {
                let name = "docker-credential-\(helper) (from \(file))"
                lookedIn.append(name)
                if let found = try runHelper(helper, registry: host, source: name) {
                    return CredentialSearch(credentials: found, lookedIn: lookedIn)
                }
            }
            lookedIn.append(file)
            if let found = try Self.fileEntry(config, host: host, file: file) {
                return CredentialSearch(credentials: found, lookedIn: lookedIn)
            }
        }
        return CredentialSearch(credentials: nil, lookedIn: lookedIn)
    }

    // MARK: - Auth files

    struct AuthEntry: Decodable {
        var auth: String?
        var username: String?
        var password: String?
        var identitytoken: String?
    }

    struct ConfigFile: Decodable {
        var auths: [String: AuthEntry]?
        var credHelpers: [String: String]?
        var credsStore: String?
    }

    static func readConfig(_ file: String) throws(RegistryError) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .credentialsUnreadable(file: file, reason: "cannot read the file")
        }
        return try decodeConfig(data, file: file)
    }

    /// Decodes an auth file's bytes (blank is empty), naming `file` in errors without quoting it.
    static func decodeConfig(_ data: Data, file: String) throws(RegistryError) -> ConfigFile {
        if isBlank(data) { return ConfigFile() }
        do {
            return try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch {
            // The decoder's message may quote the file's text, which may hold a secret: keep only the place.
            throw .credentialsUnreadable(file: file, reason: Self.jsonErrorPlace(error))
        }
    }

    /// Whether a file holds only white space (an empty auth file, as some tools leave).
    static func isBlank(_ data: Data) -> Bool {
        data.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    static func jsonErrorPlace(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .keyNotFound(_, context), let .dataCorrupted(context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not valid JSON" : "unexpected value at \(path)"
        @unknown default:
            return "not valid JSON"
        }
    }

    static func fileEntry(_ config: ConfigFile, host: String, file: String) throws(RegistryError) -> Credentials? {
        guard let auths = config.auths else { return nil }
        // An exact key wins over one that only normalizes to the same host.
        let keys = auths.keys.sorted()
        let key = keys.first(where: { $0 == host }) ?? keys.first(where: { canonicalHost($0) == host })
        guard let key, let entry = auths[key] else { return nil }
        let source = "\(file) (auths \"\(key)\")"
        var username = entry.username.flatMap { $0.isEmpty ? nil : $0 }
        var password = entry.password.flatMap { $0.isEmpty ? nil : $0 }
        if let auth = entry.auth, !auth.isEmpty {
            guard let decoded = Data(base64Encoded: auth, options: .ignoreUnknownCharacters),
                  let text = String(data: decoded, encoding: .utf8),
                  let colon = text.firstIndex(of: ":")
            else {
                throw .credentialsUnreadable(file: file, reason: "the auth field of \"\(key)\" is not base64 of user:password")
            }
            username = String(text[..<colon])
            password = String(text[text.index(after: colon)...])
        }
        let identityToken = entry.identitytoken.flatMap { $0.isEmpty ? nil : $0 }
        if identityToken == nil && (username == nil || password == nil) { return nil }
        return Credentials(username: username, password: identityToken == nil ? password : nil,
                           identityToken: identityToken, source: source)
    }

    /// The registry host a config key names: scheme and path dropped, Docker Hub's aliases folded.
    static func canonicalHost(_ key: String) -> String {
        var host = key
        for scheme in ["https://", "http://"] where host.lowercased().hasPrefix(scheme) {
            host = String(host.dropFirst(scheme.count))
        }
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        host = host.lowercased()
        if ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(host) { return "docker.io" }
        return host
    }

    /// What docker hands a helper as the server URL: Docker Hub's historical URL, else the host.
    static func helperServerURL(_ host: String) -> String {
        host == "docker.io" ? "https://index.docker.io/v1/" : host
    }

    // MARK: - Credential helpers

    struct HelperAnswer: Decodable {
        var Username: String?
        var Secret: String?
    }

    /// Runs `docker-credential-NAME get`; nil when the helper has no credentials for the registry.
    func runHelper(_ helper: String, registry host: String, source: String) throws(RegistryError) -> Credentials? {
        let run = try runHelperProgram(helper, verb: "get", input: Data(Self.helperServerURL(host).utf8), registry: host)
        if run.output.localizedCaseInsensitiveContains("credentials not found") { return nil }
        try run.check()
        guard let decoded = try? JSONDecoder().decode(HelperAnswer.self, from: Data(run.output.utf8)), let secret = decoded.Secret, !secret.isEmpty else {
            // Never quote the answer: it may hold the secret.
            throw .credentialHelperFailed(helper: run.program, registry: host, reason: "its answer is not the expected JSON with Username and Secret")
        }
        if decoded.Username == "<token>" {
            return Credentials(username: nil, password: nil, identityToken: secret, source: source)
        }
        return Credentials(username: decoded.Username ?? "", password: secret, source: source)
    }

    /// What a helper run left: its status and output, to be judged by the verb's caller.
    struct HelperRun {
        let program: String
        let registry: String
        let status: Int32
        let output: String
        let errors: String

        /// Throws `credentialHelperFailed` with the first line of the helper's message unless it exited 0.
        func check() throws(RegistryError) {
            guard status != 0 else { return }
            // On failure the protocol puts an error message on stdout; show its first line only.
            let text = output.isEmpty ? errors : output
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw .credentialHelperFailed(helper: program, registry: registry,
                                          reason: "exited with status \(status)\(line.isEmpty ? "" : ": " + String(line.prefix(200)))")
        }
    }

    /// Runs `docker-credential-NAME VERB` (`get`, `store`, `erase`) with `input` on its stdin.
    func runHelperProgram(_ helper: String, verb: String, input: Data, registry host: String) throws(RegistryError) -> HelperRun {
        let program = "docker-credential-\(helper)"
        guard let executable = findExecutable(program) else {
            throw .credentialHelperFailed(helper: program, registry: host, reason: "not found on PATH; install it or remove it from the docker config")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [verb]
        process.environment = environment
        let inputPipe = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = inputPipe
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw .credentialHelperFailed(helper: program, registry: host, reason: "cannot start it: \(error.localizedDescription)")
        }
        // A helper that exits without reading makes the write fail (EPIPE); its status tells what happened.
        try? inputPipe.fileHandleForWriting.write(contentsOf: input)
        try? inputPipe.fileHandleForWriting.close()
        // stderr is drained on a thread of its own, so that a helper writing a lot there cannot
        // block on a full pipe while gantry waits for its stdout.
        let message = StreamDrain(errors.fileHandleForReading)
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return HelperRun(program: program, registry: host, status: process.terminationStatus,
                         output: String(decoding: answer, as: UTF8.self), errors: String(decoding: message.wait(), as: UTF8.self))
    }

    func findExecutable(_ program: String) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = (String(folder) as NSString).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Reads a pipe to its end on a thread of its own.
final class StreamDrain: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    /// Everything the pipe gave, once its writer closed it.
    func wait() -> Data {
        done.wait()
        return data
    }
}
