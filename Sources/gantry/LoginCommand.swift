import ArgumentParser
import Foundation
import Registry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gantry login [REGISTRY]`: checks a user name and password against a registry, then stores them where
/// docker, podman and skopeo read them.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a registry and store the credentials.",
        discussion: """
            The credentials are checked against the registry first. They go to the credential helper the \
            docker config names (credHelpers, credsStore), else into the docker config's auths \
            ($DOCKER_CONFIG/config.json or ~/.docker/config.json, mode 0600). Without REGISTRY, Docker Hub.
            """
    )

    @Argument(help: "The registry, HOST[:PORT] (default: Docker Hub).")
    var registry: String?

    @Option(name: [.short, .long], help: "The user name (prompted for on a terminal when missing).")
    var username: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password from stdin (one trailing newline is dropped).")
    var passwordStdin = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        // A credential helper that exits without reading its stdin must not end gantry with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let server = try LoginServer(parsing: registry)
        let store = CredentialStore()
        // A docker config gantry could not rewrite fails the login before the registry is asked.
        if let path = store.dockerConfigPath { _ = try DockerConfigFile.read(path) }
        let (user, password) = try readCredentials(for: server)
        let credentials = Credentials(username: user, password: password, source: "gantry login")
        let session = RegistrySession(registry: server.apiHost, client: HTTPClient(options: connection.clientOptions),
                                      credentials: CredentialSearch(credentials: credentials, lookedIn: []))
        let verification = try await session.verifyLogin()
        let destination = try await store.save(username: user, password: password, identityToken: verification.identityToken, for: server)
        if verification.identityToken != nil {
            Terminal.note("The token server handed out an identity token; it is stored instead of the password.")
        }
        if case let .file(path) = destination {
            Terminal.note("Credentials for \(server) stored unencrypted in \(path); configure a credential helper (credsStore) to keep them elsewhere.")
        } else {
            Terminal.note("Credentials for \(server) stored with \(destination).")
        }
        Terminal.say("Login Succeeded")
    }

    /// The user name and password, from the flags, stdin or the terminal.
    private func readCredentials(for server: LoginServer) throws -> (String, String) {
        if passwordStdin {
            guard let username, !username.isEmpty else { throw LoginInputError.usernameMissing(registry: server.name) }
            var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw LoginInputError.emptyPassword(registry: server.name) }
            return (username, text)
        }
        guard PasswordPrompt.isInteractive else { throw LoginInputError.noTerminal(registry: server.name) }
        var user = username ?? ""
        if user.isEmpty {
            user = (PasswordPrompt.ask("Username: ", echo: true) ?? "").trimmingCharacters(in: .whitespaces)
        }
        guard !user.isEmpty else { throw LoginInputError.emptyUsername(registry: server.name) }
        let password = PasswordPrompt.ask("Password: ", echo: false) ?? ""
        guard !password.isEmpty else { throw LoginInputError.emptyPassword(registry: server.name) }
        return (user, password)
    }
}

/// What is missing from a `gantry login` command line; each description says how to give it.
enum LoginInputError: Error, CustomStringConvertible {
    /// `--password-stdin` without `--username`.
    case usernameMissing(registry: String)
    /// Neither `--password-stdin` nor a terminal to prompt on.
    case noTerminal(registry: String)
    /// An empty user name at the prompt.
    case emptyUsername(registry: String)
    /// An empty password on stdin or at the prompt.
    case emptyPassword(registry: String)

    var description: String {
        switch self {
        case let .usernameMissing(registry):
            return "--password-stdin needs --username: stdin carries only the password; run 'gantry login -u USER --password-stdin \(registry)'"
        case let .noTerminal(registry):
            return "no password for \(registry): stdin is not a terminal to prompt on; pipe it in with 'gantry login -u USER --password-stdin \(registry)'"
        case let .emptyUsername(registry):
            return "no user name given for \(registry); type one at the prompt or pass --username USER"
        case let .emptyPassword(registry):
            return "the password for \(registry) is empty; give the password on stdin or at the prompt"
        }
    }
}
