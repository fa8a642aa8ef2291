import ImageModel

/// Why a pull failed. Every description is one line that names the reference or blob and says what to do.
public enum PullError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The registry has no manifest for the reference (404).
    case notFound(reference: String)
    /// The registry answered a status gantry cannot use.
    case unexpectedStatus(reference: String, object: String, status: Int)
    /// A manifest whose media type is neither an OCI nor a Docker manifest or index.
    case unknownMediaType(reference: String, mediaType: String)
    /// A manifest or index that does not decode.
    case invalidDocument(reference: String, object: String, reason: String)
    /// An index without a manifest for the requested platform.
    case noMatchingPlatform(reference: String, wanted: String, available: [String])
    /// A blob whose bytes do not have the digest or size the manifest gives.
    case blobRejected(reference: String, object: String, reason: String)
    /// The store refused to take a blob or the tag.
    case store(reference: String, reason: String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case let .notFound(reference):
            return "pulling \(reference): the registry has no such image (404); check the repository and tag"
        case let .unexpectedStatus(reference, object, status):
            return "pulling \(reference): the registry answered \(status) for \(object); try again or check the registry"
        case let .unknownMediaType(reference, mediaType):
            return "pulling \(reference): manifest media type '\(mediaType)' is not an OCI or Docker image manifest or index; gantry cannot pull it"
        case let .invalidDocument(reference, object, reason):
            return "pulling \(reference): \(object) is not valid JSON of its type (\(reason)); report this to the registry's operator"
        case let .noMatchingPlatform(reference, wanted, available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "pulling \(reference): no image for platform \(wanted) (available: \(list)); pass --platform with one of them"
        case let .blobRejected(reference, object, reason):
            return "pulling \(reference): \(object) was rejected: \(reason); nothing was tagged, try again"
        case let .store(reference, reason):
            return "pulling \(reference): the store refused: \(reason)"
        }
    }
}
