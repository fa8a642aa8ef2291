import ArgumentParser
import Archive
import Beanstalk
import Foundation
import ImageModel
import Registry
import Scaffold

/// `gantry beanstalk auth-file`: writes the registry credentials file Beanstalk fetches from S3.
struct BeanstalkAuthFileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth-file",
        abstract: "Write the docker-config JSON with a registry's credentials that Beanstalk reads from S3.",
        discussion: """
            The credentials are the ones gantry would use for the registry (docker's and podman's \
            auth files and credential helpers). The file is written with mode 0600: it holds a \
            secret. Upload it to a private S3 bucket and name it in Authentication (--bucket/--key).
            """
    )

    @Option(help: "The registry host, such as registry.example.com; default: the registry of gantry.yml's image.")
    var registry: String?

    @Option(help: "Where to write the file.")
    var out: String

    @Flag(help: "Replace an existing file.")
    var force = false

    func run() async throws {
        let host: String
        if let registry {
            host = registry
        } else {
            let spec = try AppSpec.load(fromDirectory: ".")
            host = try ImageReference(parsing: spec.image).domain
        }
        if !force && FileManager.default.fileExists(atPath: out) {
            throw BeanstalkError.outputExists(path: out, why: "may hold other credentials")
        }
        let search = try await CredentialStore().credentials(for: host)
        guard let credentials = search.credentials else {
            let places = search.lookedIn.isEmpty ? "no auth file exists" : "looked in \(search.lookedIn.joined(separator: ", "))"
            throw UsageError("no credentials for \(host) (\(places)); log in with 'docker login \(host)' or 'podman login \(host)' first")
        }
        let file = RegistryAuthFile(registry: try LoginServer(parsing: host).key, username: credentials.username, password: credentials.password,
                                    identityToken: credentials.identityToken)
        do {
            try AtomicFile.write(Data(file.rendered().utf8), to: out, mode: 0o600)
        } catch {
            throw BeanstalkError.cannotWrite(path: out, reason: error.description)
        }
        Terminal.say("Wrote \(out) for \(host) (\(credentials))")
        Terminal.warning("\(out) holds the secret for \(host): keep it out of git and the bundle; upload it to a private S3 bucket (aws s3 cp \(out) s3://BUCKET/KEY) and name it with --bucket/--key or beanstalk.bucket/key in gantry.yml")
    }
}
