import Archive
import Foundation
import ImageModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A docker config file (`config.json`) opened for editing. The whole document is kept as JSON values,
/// so every key gantry does not touch (`proxies`, `psFormat`, a tool's own settings) is written back.
public struct DockerConfigFile: Sendable {
    /// The file's path as configured; writes go to the file a symbolic link there points to.
    public let path: String
    private var document: [String: JSONValue]

    /// Reads the file; a missing or blank file is an empty document.
    /// - Throws: `RegistryError.credentialsUnreadable` naming the file when it is not a JSON object of
    ///   the docker config's shape; the message never quotes the file's content.
    public static func read(_ path: String) throws(RegistryError) -> DockerConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return DockerConfigFile(path: path, document: [:]) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentialsUnreadable(file: path, reason: "cannot read the file")
        }
        // The typed reader checks the shape (auths, credHelpers, credsStore) with the same messages as a lookup.
        _ = try CredentialStore.decodeConfig(data, file: path)
        if CredentialStore.isBlank(data) { return DockerConfigFile(path: path, document: [:]) }
        guard case let .object(members)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw .credentialsUnreadable(file: path, reason: "the file is not a JSON object")
        }
        return DockerConfigFile(path: path, document: members)
    }

    private var auths: [String: JSONValue] {
        if case let .object(entries)? = document["auths"] { return entries }
        return [:]
    }

    /// The credential helper docker would use for the registry: its `credHelpers` entry, else `credsStore`.
    public func helper(for server: LoginServer) -> String? {
        if case let .object(helpers)? = document["credHelpers"],
           let match = helpers.keys.sorted().first(where: { CredentialStore.canonicalHost($0) == server.name }),
           case let .string(name)? = helpers[match], !name.isEmpty {
            return name
        }
        if case let .string(name)? = document["credsStore"], !name.isEmpty { return name }
        return nil
    }

    /// The `auths` keys that name the registry (`HOST`, `https://HOST/v2/`, Docker Hub's aliases).
    public func authKeys(for server: LoginServer) -> [String] {
        auths.keys.filter { CredentialStore.canonicalHost($0) == server.name }.sorted()
    }

    /// Sets `auths[KEY]` as docker does: `auth` is base64 of `user:password`; with an identity token the
    /// password is left out (`user:`) and the token stored as `identitytoken`. The entry is replaced whole.
    public mutating func setAuth(_ key: String, username: String, password: String?, identityToken: String?) {
        var entry: [String: JSONValue] = [
            "auth": .string(Data("\(username):\(identityToken == nil ? password ?? "" : "")".utf8).base64EncodedString()),
        ]
        if let identityToken { entry["identitytoken"] = .string(identityToken) }
        var entries = auths
        entries[key] = .object(entry)
        document["auths"] = .object(entries)
    }

    /// Sets `auths[KEY]` to `{}`, as docker does when a helper holds the secret: the entry records the login.
    public mutating func setHelperMarker(_ key: String) {
        var entries = auths
        entries[key] = .object([:])
        document["auths"] = .object(entries)
    }

    /// Removes every `auths` entry naming the registry; returns the keys removed.
    @discardableResult
    public mutating func removeAuths(for server: LoginServer) -> [String] {
        let keys = authKeys(for: server)
        guard !keys.isEmpty else { return [] }
        var entries = auths
        for key in keys { entries.removeValue(forKey: key) }
        document["auths"] = .object(entries)
        return keys
    }

    /// Writes the document atomically (a temporary file in the same folder, then a rename) with mode 0600,
    /// creating missing folders with mode 0700; a symbolic link at `path` keeps pointing to the file.
    /// - Throws: `RegistryError.credentialsNotWritable` naming the file; the file is then unchanged.
    public func write() throws(RegistryError) {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { link in
            link.hasPrefix("/") ? link : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
        } ?? path
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(JSONValue.object(document)) + Data("\n".utf8)
        } catch {
            throw .credentialsNotWritable(file: path, reason: "a value cannot be written as JSON")
        }
        try Self.makeFolders((target as NSString).deletingLastPathComponent, file: path)
        do throws(ArchiveError) {
            try AtomicFile.write(data, to: target, mode: 0o600)
        } catch {
            throw .credentialsNotWritable(file: path, reason: "\(error)")
        }
    }

    /// `mkdir -p` with mode 0700 for the folders it makes: the folder holds secrets.
    private static func makeFolders(_ folder: String, file: String) throws(RegistryError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw .credentialsNotWritable(file: file, reason: "\(folder) is not a folder") }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != folder { try makeFolders(parent, file: file) }
        guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
            throw .credentialsNotWritable(file: file, reason: "cannot create \(folder): \(String(cString: strerror(errno)))")
        }
    }
}
