import ArgumentParser
import Foundation
import Registry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gantry logout [REGISTRY]`: removes the credentials `gantry login` (or `docker login`) stored.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove stored registry credentials.",
        discussion: """
            Erases them through the credential helper the docker config names and removes the registry's \
            entries from the docker config's auths. Podman's auth.json is left to 'podman logout', as docker \
            leaves it. Without REGISTRY, Docker Hub.
            """
    )

    @Argument(help: "The registry, HOST[:PORT] (default: Docker Hub).")
    var registry: String?

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let server = try LoginServer(parsing: registry)
        let removal = try await CredentialStore().remove(for: server)
        guard !removal.removedFrom.isEmpty else {
            Terminal.say("Not logged in to \(server)")
            for file in removal.remainingIn {
                Terminal.note("Credentials for \(server) remain in \(file), podman's auth file; remove them with 'podman logout \(server)'.")
            }
            return
        }
        Terminal.say("Removing login credentials for \(server)")
    }
}
