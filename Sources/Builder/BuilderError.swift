/// Problems building images.
public enum BuilderError: Error, CustomStringConvertible, Sendable {
    /// A program the builder needs is not installed.
    case missingProgram(String, fix: String)
    /// mmdebstrap failed; the last lines of its output say why.
    case mmdebstrapFailed(status: Int32, lastLines: [String])
    /// mmdebstrap was stopped by a signal (Ctrl-C); nothing was stored.
    case interrupted
    /// The layer could not be written.
    case layerFailed(String)
    /// `gantry build`'s base image is not in the store.
    case baseMissing(String, store: String)
    /// The base reference names something that is not a single-platform image (an index).
    case baseNotAnImage(String, mediaType: String)
    /// A blob of the base image (a layer) is missing from the store.
    case baseBlobMissing(String, digest: String)
    /// The ignore file and data patterns leave nothing to put in the app's layers.
    case emptyApp(folder: String)
    /// zstd layers on a Docker schema 2 base would mix media type families.
    case compressionUnsupported(base: String, compression: String)

    public var description: String {
        switch self {
        case let .missingProgram(program, fix):
            return "\(program) is not installed; \(fix)"
        case let .mmdebstrapFailed(status, lines):
            let tail = lines.suffix(6).joined(separator: " | ")
            return "mmdebstrap failed (exit \(status)): \(tail.isEmpty ? "no output" : tail); fix the package list or the failing build step in base.yml"
        case .interrupted:
            return "the base build was interrupted; nothing was stored; run 'gantry base build' again to build it"
        case let .layerFailed(reason):
            return "writing the base layer failed: \(reason)"
        case let .baseMissing(reference, store):
            return "base image \(reference) is not in gantry's store (\(store)); run 'gantry pull \(reference)' or 'gantry base build --tag \(reference)', or fix 'base' in gantry.yml"
        case let .baseNotAnImage(reference, mediaType):
            return "base image \(reference) is stored as \(mediaType), not as one image; pull a single platform with 'gantry pull --platform os/arch \(reference)'"
        case let .baseBlobMissing(reference, digest):
            return "base image \(reference) lacks blob \(digest) in gantry's store; pull it again with 'gantry pull \(reference)'"
        case let .emptyApp(folder):
            return "the app's layers would be empty: .dockerignore in \(folder) excludes every file; remove the pattern that excludes everything (such as '*' or '**')"
        case let .compressionUnsupported(base, compression):
            return "base image \(base) has Docker schema 2 layers, which cannot be mixed with \(compression) layers; use gzip, or an OCI base"
        }
    }
}
