import Foundation

/// Why a Beanstalk file, bundle or auth file could not be read or written.
///
/// Each description is one line naming the file or object and the fix.
public enum BeanstalkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A JSON file has a syntax error at a line and column (1-based).
    case malformedJSON(file: String, line: Int, column: Int, problem: String)
    /// A Dockerrun file has a value of the wrong type or no usable version, at a key path.
    case invalidDockerrun(file: String, path: String, problem: String)
    /// `check` found errors in a Dockerrun file (each printed on its own line first).
    case checkFailed(file: String, errors: Int)
    /// A file could not be read.
    case cannotRead(path: String, reason: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// The output exists and is not gantry's to replace.
    case outputExists(path: String, why: String)
    /// A platform hook has no `#!` line, so Beanstalk cannot run it.
    case hookWithoutInterpreter(path: String)
    /// The bundle would be larger than Beanstalk accepts.
    case bundleTooLarge(path: String, limit: Int64)
    /// Writing the bundle's zip failed.
    case bundleFailed(path: String, reason: String)
    /// `.ebignore` cannot be used.
    case badIgnoreFile(reason: String)
    /// A path given to include in the bundle is missing or leaves the app folder.
    case badInclude(path: String, problem: String)

    /// A one-line explanation naming the object and the fix.
    public var description: String {
        switch self {
        case .malformedJSON(let file, let line, let column, let problem):
            return "\(file):\(line):\(column): invalid JSON: \(problem)"
        case .invalidDockerrun(let file, let path, let problem):
            return path.isEmpty ? "\(file): \(problem)" : "\(file): \(path): \(problem)"
        case .checkFailed(let file, let errors):
            return "\(file) has \(errors) error\(errors == 1 ? "" : "s") Beanstalk would reject; fix the lines above and run 'gantry beanstalk check' again"
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason); check the folder exists and is writable"
        case .outputExists(let path, let why):
            return "\(path) exists and \(why); give --force to replace it, or --out another file"
        case .hookWithoutInterpreter(let path):
            return "platform hook \(path) has no '#!' line, so Beanstalk cannot run it; start it with '#!/bin/bash' (or its interpreter)"
        case .bundleTooLarge(let path, let limit):
            return "source bundle \(path) would exceed Beanstalk's limit of \(limit / 1_000_000) MB; add what it need not hold to .ebignore"
        case .bundleFailed(let path, let reason):
            return "cannot write source bundle \(path): \(reason)"
        case .badIgnoreFile(let reason):
            return "\(reason)"
        case .badInclude(let path, let problem):
            return "cannot put \(path) in the bundle: \(problem)"
        }
    }
}
