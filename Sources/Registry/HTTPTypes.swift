import Foundation

/// HTTP header fields in order, looked up case-insensitively; a name may repeat.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    /// The fields as sent or received.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Makes headers from name-value pairs.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Appends a field.
    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field of that name with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field of that name.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The first value of a field.
    public subscript(_ name: String) -> String? { values(name).first }

    /// Every value of a field, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Iterates over the fields.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.map { [$0.name.lowercased(), $0.value] } == rhs.fields.map { [$0.name.lowercased(), $0.value] }
    }
}

/// A request body.
public enum HTTPRequestBody: Sendable {
    /// Bytes in memory (a manifest, a token request form).
    case data(Data)
    /// The contents of a file, streamed as curl asks for it (a layer).
    case file(path: String)
    /// `length` bytes of a file from `offset` (one chunk of a chunked upload).
    case fileRange(path: String, offset: Int64, length: Int64)
}

/// Where a successful (2xx) response body goes. Bodies of other answers are always collected (up to 64 KiB)
/// so that an error can quote them.
public enum HTTPResponseSink: Sendable {
    /// Collected into `HTTPResponse.body`; a longer body fails the request.
    case collect(limit: Int)
    /// Written to a new file at this path.
    case file(path: String)
    /// Handed to a closure chunk by chunk; an error thrown there stops the transfer.
    case stream(@Sendable (Data) throws -> Void)
}

/// One HTTP request.
public struct HTTPRequest: Sendable {
    /// `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`.
    public var method: String
    /// The absolute URL.
    public var url: URL
    /// The header fields (the client adds `User-Agent`).
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: HTTPRequestBody?
    /// Told the body bytes handed to the connection so far, as they go.
    public var uploadProgress: (@Sendable (Int64) -> Void)?
    /// False only for the TLS probe of a registry that may speak plain HTTP: its answer is thrown away
    /// and its connection closed, and curl does not load the CA bundle for it.
    var checksCertificate = true

    /// Makes a request.
    public init(method: String = "GET", url: URL, headers: HTTPHeaders = HTTPHeaders(), body: HTTPRequestBody? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP response, after redirects.
public struct HTTPResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The header fields of the final response.
    public let headers: HTTPHeaders
    /// The collected body: the whole body for `.collect`, an error answer's first 64 KiB otherwise.
    public let body: Data
    /// The URL that answered (after redirects).
    public let url: URL

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Transport settings shared by every request of a client.
public struct HTTPClientOptions: Sendable {
    /// Seconds allowed to connect (TCP and TLS).
    public var connectTimeout: Int = 30
    /// A transfer slower than `lowSpeedLimit` bytes per second for `lowSpeedTime` seconds is aborted.
    public var lowSpeedLimit: Int = 1024
    /// See `lowSpeedLimit`.
    public var lowSpeedTime: Int = 60
    /// A PEM file of CA certificates trusted instead of the system's (`--ca-cert`).
    public var caCertificateFile: String?
    /// Registry hosts (`host` or `host:port`) that may be reached over plain HTTP (`--insecure-registry`).
    public var insecureRegistries: Set<String> = []
    /// The `User-Agent` header.
    public var userAgent: String = "gantry/\(gantryVersion)"
    /// Redirects followed before giving up.
    public var maximumRedirects: Int = 10
    /// When failed requests are sent again (`--retries`).
    public var retry = RetryPolicy()
    /// Blobs in flight at once in a push, pull or copy (`--jobs`).
    public var jobs: Int = 4
    /// Upload blobs larger than this in `PATCH` chunks of this size (`--chunk-size`); nil sends
    /// each blob in one `PUT` unless the registry asks for chunks or refuses a large request (413).
    public var chunkSize: Int64?

    /// Default options.
    public init() {}
}

/// The version gantry's User-Agent names.
public let gantryVersion = "0.1.0"
