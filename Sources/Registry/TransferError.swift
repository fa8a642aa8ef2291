/// Why a copy could not read its source or write its destination. One line each, naming the
/// object and the fix.
public enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A source or destination whose transport gantry does not know.
    case unknownTransport(String, transport: String)
    /// A transport reference without its path (`oci:`).
    case missingPath(String)
    /// An OCI layout without the image asked for (or, untagged, with several).
    case imageNotInLayout(source: String, available: [String])
    /// An index whose manifest for a platform is not in a local source (a pull keeps one platform).
    case manifestMissing(source: String, digest: String, platform: String?)
    /// A blob a manifest names that a local source does not hold.
    case blobMissing(source: String, digest: String)
    /// A blob the store lacks that none of the registries naming it could supply.
    case blobUnavailable(digest: String, origins: [String], reason: String)
    /// A docker-archive that is not one docker or podman wrote.
    case invalidArchive(file: String, reason: String)
    /// A docker-archive holding several images and no name to pick one.
    case ambiguousArchive(file: String, images: [String])
    /// An image with a manifest gantry cannot copy into a docker-archive.
    case unsupportedConversion(source: String, reason: String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case let .unknownTransport(text, transport):
            return "'\(text)': gantry does not know the transport '\(transport):'; use a registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]"
        case let .missingPath(text):
            return "'\(text)' names no path; write oci:DIR[:TAG] or docker-archive:FILE[:REF]"
        case let .imageNotInLayout(source, available):
            let list = available.isEmpty ? "no named images" : "it has " + available.joined(separator: ", ")
            return "\(source): no such image in the OCI layout (\(list)); name one as oci:DIR:TAG"
        case let .manifestMissing(source, digest, platform):
            return "\(source) holds an index whose \(platform ?? "unknown-platform") manifest \(digest) is not stored (a pull keeps one platform); pass --platform OS/ARCH to copy one platform"
        case let .blobMissing(source, digest):
            return "\(source) lacks blob \(digest) that its manifest names; pull or build the image again"
        case let .blobUnavailable(digest, origins, reason):
            return "blob \(digest) is not in gantry's store and fetching it from \(origins.joined(separator: ", ")) failed (\(reason)); check the registry, or run 'gantry pull \(origins.first ?? "BASE")'"
        case let .invalidArchive(file, reason):
            return "\(file) is not a docker-archive: \(reason); write one with 'docker save', 'podman save' or 'gantry copy'"
        case let .ambiguousArchive(file, images):
            return "\(file) holds several images (\(images.joined(separator: ", "))); name one as docker-archive:FILE:REF"
        case let .unsupportedConversion(source, reason):
            return "cannot write \(source) as a docker-archive: \(reason)"
        }
    }
}
