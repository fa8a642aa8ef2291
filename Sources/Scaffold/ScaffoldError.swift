/// Problems `gantry base init` and `gantry init` report to the user.
public enum ScaffoldError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No template has that name.
    case unknownTemplate(String, available: [String])
    /// The app name cannot be a repository path component.
    case invalidAppName(String)
    /// The target exists and is not a folder.
    case notADirectory(String)
    /// Files the scaffold would write already exist.
    case filesExist(directory: String, files: [String])
    /// A folder exists, is not empty, and `--force` was not given.
    case directoryNotEmpty(String)
    /// Writing failed.
    case cannotWrite(path: String, reason: String)
    /// Reading failed.
    case cannotRead(path: String, reason: String)
    /// An embedded template is inconsistent (a bug in gantry, not in the user's input).
    case brokenTemplate(String, problem: String)

    public var description: String {
        switch self {
        case let .unknownTemplate(name, available):
            return "unknown template \"\(name)\"; choose one of: \(available.joined(separator: ", ")) (see 'gantry base templates')"
        case let .invalidAppName(name):
            return "invalid app name \"\(name)\": it must be a valid repository name component (lowercase letters and digits, separated by '.', '_', '__' or '-'), such as 'election-results'"
        case let .notADirectory(path):
            return "\(path) exists and is not a folder; choose another path"
        case let .filesExist(directory, files):
            let shown = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " and \(files.count - 3) more" : "")
            return "\(directory) already has \(shown); nothing was written; use --force to overwrite the scaffold's files"
        case let .directoryNotEmpty(path):
            return "\(path) exists and is not empty; nothing was written; use --force to write the scaffold's files into it (other files are left alone)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason); nothing was written; choose a folder you can write to"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .brokenTemplate(name, problem):
            return "template \(name) is broken in this build of gantry: \(problem); please report it"
        }
    }
}
