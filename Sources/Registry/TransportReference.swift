import ImageModel

/// An image location as `gantry copy` takes it, with skopeo's transport prefixes: a registry
/// reference (`REF` or `docker://REF`), an OCI layout (`oci:DIR[:TAG]`), a docker-archive
/// (`docker-archive:FILE[:REF]`). As in skopeo, a path cannot hold a colon.
public enum TransportReference: Sendable, Equatable, CustomStringConvertible {
    /// An image in a registry.
    case registry(ImageReference)
    /// An OCI image layout folder and the tag of an image in it.
    case ociLayout(directory: String, tag: String?)
    /// A docker-archive tar file and the name of an image in it.
    case dockerArchive(file: String, reference: String?)

    /// skopeo's transports gantry does not read or write, named in the error.
    static let otherTransports: Set<String> = ["containers-storage", "dir", "docker-daemon", "oci-archive", "ostree", "sif", "tarball"]

    /// Parses `text`.
    /// - Throws: `TransferError.unknownTransport` for another transport, `.missingPath` for an empty
    ///   path, `ImageReferenceError` for a registry reference that does not parse.
    public init(parsing text: String) throws {
        if text.hasPrefix("docker://") {
            self = .registry(try ImageReference(parsing: String(text.dropFirst("docker://".count))))
            return
        }
        for (prefix, make) in [("oci:", Self.oci), ("docker-archive:", Self.archive)] where text.hasPrefix(prefix) {
            let rest = String(text.dropFirst(prefix.count))
            let path = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = path.first, !first.isEmpty else { throw TransferError.missingPath(text) }
            let suffix = path.count > 1 && !path[1].isEmpty ? String(path[1]) : nil
            self = make(String(first), suffix)
            return
        }
        if let colon = text.firstIndex(of: ":"), Self.otherTransports.contains(String(text[..<colon])) {
            throw TransferError.unknownTransport(text, transport: String(text[..<colon]))
        }
        self = .registry(try ImageReference(parsing: text))
    }

    private static func oci(_ directory: String, _ tag: String?) -> TransportReference { .ociLayout(directory: directory, tag: tag) }
    private static func archive(_ file: String, _ reference: String?) -> TransportReference { .dockerArchive(file: file, reference: reference) }

    /// The location as written with its prefix.
    public var description: String {
        switch self {
        case let .registry(reference): return reference.description
        case let .ociLayout(directory, tag): return "oci:" + directory + (tag.map { ":" + $0 } ?? "")
        case let .dockerArchive(file, reference): return "docker-archive:" + file + (reference.map { ":" + $0 } ?? "")
        }
    }
}
