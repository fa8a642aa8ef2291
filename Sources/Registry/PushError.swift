/// Why a push or copy failed. Every description is one line naming the repository or object and the fix.
public enum PushError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The registry answered a status gantry cannot use, with its error text when it sent one.
    case unexpectedStatus(repository: String, object: String, status: Int, detail: String? = nil)
    /// The registry reports another digest for what it stored than the bytes sent have.
    case digestMismatch(repository: String, object: String, reported: String)
    /// The registry (or a proxy in front of it) refused a request as too large (413).
    case requestTooLarge(repository: String, object: String)
    /// The registry no longer knows an upload session it opened.
    case uploadLost(repository: String, object: String, status: Int)
    /// The registry refused the first `PATCH` chunk of an upload: it takes whole blobs only.
    case chunksRefused(repository: String, object: String, status: Int)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case let .unexpectedStatus(repository, object, status, detail):
            let said = detail.map { " (\($0))" } ?? ""
            let fix = status == 403 || status == 401 ? "check that your login may push to it" : "check the registry's log"
            return "pushing to \(repository): the registry answered \(status) for \(object)\(said); \(fix)"
        case let .requestTooLarge(repository, object):
            return "pushing to \(repository): the registry refused \(object) as too large (413); pass --chunk-size with a smaller size"
        case let .chunksRefused(repository, object, status):
            return "pushing to \(repository): the registry refused \(object) in chunks (status \(status)); push without --chunk-size"
        case let .uploadLost(repository, object, status):
            return "pushing to \(repository): the registry lost the upload of \(object) (status \(status)); try again"
        case let .digestMismatch(repository, object, reported):
            return "pushing to \(repository): the registry stored \(object) as \(reported); the bytes changed on the way, try again"
        }
    }
}
