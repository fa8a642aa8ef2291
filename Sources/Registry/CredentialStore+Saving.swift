import Archive
import Foundation

/// Where `gantry login` put credentials.
public enum CredentialDestination: Sendable, Equatable, CustomStringConvertible {
    /// The docker config file, in its `auths`.
    case file(String)
    /// A `docker-credential-NAME` helper (the config file names it).
    case helper(String)

    /// `FILE` or `docker-credential-NAME`.
    public var description: String {
        switch self {
        case let .file(path): return path
        case let .helper(program): return program
        }
    }
}

/// What `gantry logout` removed, and where a login it does not own remains.
public struct CredentialRemoval: Sendable, Equatable {
    /// The places credentials were removed from (a helper, the docker config); empty when there were none.
    public let removedFrom: [String]
    /// Other auth files (podman's) that still hold credentials for the registry.
    public let remainingIn: [String]
}

extension CredentialStore {
    /// The docker config file login writes: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public var dockerConfigPath: String? {
        if let dockerConfig = environment["DOCKER_CONFIG"], !dockerConfig.isEmpty {
            return (dockerConfig as NSString).appendingPathComponent("config.json")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return (home as NSString).appendingPathComponent(".docker/config.json")
        }
        return nil
    }

    /// Stores verified credentials as docker does: through the credential helper the docker config names
    /// for the registry (`credHelpers`, else `credsStore`), leaving an empty `auths` entry as the record;
    /// otherwise in the file's `auths`, with every other key of the file kept.
    /// - Parameters:
    ///   - username: the user name.
    ///   - password: the password; not stored when an identity token is given.
    ///   - identityToken: a refresh token from the registry's token server, stored instead of the password.
    ///   - server: the registry.
    /// - Returns: where the credentials went.
    /// - Throws: `RegistryError.credentialsUnreadable` for a malformed config (left untouched),
    ///   `.credentialsNotWritable`, or `.credentialHelperFailed`.
    public func save(username: String, password: String, identityToken: String?, for server: LoginServer) async throws(RegistryError) -> CredentialDestination {
        try await blocking { () throws(RegistryError) -> CredentialDestination in
            let path = try self.requireConfigPath()
            var config = try DockerConfigFile.read(path)
            if let helper = config.helper(for: server) {
                // A helper keeps an identity token under the user `<token>`, as docker's helpers expect.
                let answer = ["ServerURL": server.key, "Username": identityToken == nil ? username : "<token>", "Secret": identityToken ?? password]
                let input = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data()
                let run = try self.runHelperProgram(helper, verb: "store", input: input, registry: server.name)
                try run.check()
                config.removeAuths(for: server)
                config.setHelperMarker(server.key)
                try config.write()
                return .helper(run.program)
            }
            config.setAuth(server.key, username: username, password: password, identityToken: identityToken)
            try config.write()
            return .file(path)
        }
    }

    /// Removes the registry's credentials from where `gantry login` (and docker) put them: the configured
    /// helper's `erase`, and every `auths` entry of the docker config naming the registry. Podman's auth
    /// files are only read, to tell the user where a login remains.
    /// - Throws: `RegistryError.credentialsUnreadable` for a malformed config, `.credentialsNotWritable`,
    ///   or `.credentialHelperFailed` when the helper fails for another reason than "credentials not found".
    public func remove(for server: LoginServer) async throws(RegistryError) -> CredentialRemoval {
        try await blocking { () throws(RegistryError) -> CredentialRemoval in
            let path = try self.requireConfigPath()
            var config = try DockerConfigFile.read(path)
            var removedFrom: [String] = []
            if let helper = config.helper(for: server) {
                let run = try self.runHelperProgram(helper, verb: "erase", input: Data(server.key.utf8), registry: server.name)
                if !run.output.localizedCaseInsensitiveContains("credentials not found") {
                    try run.check()
                    removedFrom.append(run.program)
                }
            }
            if !config.removeAuths(for: server).isEmpty {
                try config.write()
                removedFrom.append(path)
            }
            let remainingIn = self.files.filter { $0 != path && FileManager.default.fileExists(atPath: $0) }.filter { file in
                guard let other = try? Self.readConfig(file) else { return false }
                return (try? Self.fileEntry(other, host: server.name, file: file)) != nil
            }
            return CredentialRemoval(removedFrom: removedFrom, remainingIn: remainingIn)
        }
    }

    private func requireConfigPath() throws(RegistryError) -> String {
        guard let path = dockerConfigPath else {
            throw .credentialsNotWritable(file: "~/.docker/config.json", reason: "neither DOCKER_CONFIG nor HOME is set")
        }
        return path
    }

    /// Runs file and helper work off Swift's cooperative pool.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(RegistryError) -> T) async throws(RegistryError) -> T {
        let result: Result<T, RegistryError> = await BlockingWork.run(stackSize: 1 << 20) {
            do throws(RegistryError) { return .success(try work()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
