import ArgumentParser
import ImageModel
import Registry
import Store

/// How to reach a registry: the flags of every command that talks to one, `gantry login` included.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("ca-cert"), help: "A PEM file of CA certificates to trust besides the system's.")
    var caCert: String?

    @Option(name: .customLong("insecure-registry"), help: "A registry HOST[:PORT] that may be reached over plain HTTP (repeatable).")
    var insecureRegistries: [String] = []

    /// Transport settings with these flags applied.
    var clientOptions: HTTPClientOptions {
        var options = HTTPClientOptions()
        options.caCertificateFile = caCert
        options.insecureRegistries = Set(insecureRegistries)
        return options
    }
}

/// The flags of commands that move images: how to reach the registry, and how to transfer.
struct RegistryOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Blobs transferred at once.")
    var jobs: Int = 4

    @Option(help: "Times a failed request is sent again (dropped connections, timeouts, 408/429/5xx).")
    var retries: Int = 5

    @Option(name: .customLong("chunk-size"), help: "Upload blobs larger than this many MiB in chunks of this size (resumable).")
    var chunkSize: Int?

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64, found \(jobs)") }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be from 0 to 100, found \(retries)") }
        if let chunkSize, !(1...4096).contains(chunkSize) { throw ValidationError("--chunk-size is in MiB, from 1 to 4096; found \(chunkSize)") }
    }

    /// A client with these settings; one per command, so that its connections are reused.
    func makeClient() -> HTTPClient {
        var options = connection.clientOptions
        options.jobs = jobs
        options.retry.retries = retries
        options.chunkSize = chunkSize.map { Int64($0) << 20 }
        return HTTPClient(options: options)
    }

    /// A session with the registry of `reference`, with the credentials docker and podman would use.
    func session(for reference: ImageReference, client: HTTPClient) async throws -> RegistrySession {
        try await Self.session(for: reference, client: client)
    }

    static func session(for reference: ImageReference, client: HTTPClient) async throws -> RegistrySession {
        let credentials = try await CredentialStore().credentials(for: reference.domain)
        return RegistrySession(registry: RegistrySession.apiHost(forDomain: reference.domain), client: client, credentials: credentials)
    }

    /// Fetches blobs the store names but lacks (a lazily pulled base's layers) from their registries, through `client`.
    func absentBlobs(store: ImageStore, client: HTTPClient) -> AbsentBlobs {
        AbsentBlobs(store: store) { reference in try await Self.session(for: reference, client: client) }
    }

    /// Fetches the blobs of `image` that the store lacks (a lazily pulled base's layers), saying so;
    /// for what needs every layer's bytes (a load into an engine).
    /// - Throws: `TransferError` when a blob cannot be fetched.
    func fetchAbsentBlobs(of image: StoredImage, store: ImageStore, client: HTTPClient) async throws {
        guard let manifest = image.manifest else { return }
        let absent = manifest.layers.filter { !store.hasBlob($0.digest) }
        guard !absent.isEmpty else { return }
        let bytes = absent.reduce(Int64(0)) { $0 + $1.size }
        Terminal.note("Fetching \(absent.count) base layer(s) of \(image.reference) (\(ImageListing.humanSize(bytes))) that gantry's store lacks")
        try await absentBlobs(store: store, client: client).complete(image)
    }
}

extension Platform {
    /// Parses a `--platform` value.
    /// - Throws: `UsageError` naming the value when it is not `os/arch[/variant]`.
    static func option(_ text: String?) throws -> Platform? {
        guard let text else { return nil }
        guard let parsed = Platform(shortName: text) else {
            throw UsageError("--platform '\(text)' is not os/arch[/variant], e.g. linux/amd64")
        }
        return parsed
    }
}

