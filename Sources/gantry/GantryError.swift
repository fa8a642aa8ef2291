import Engines

/// What goes wrong in the commands that run apps; each description is one
/// line naming the object and what to do.
enum GantryError: Error, CustomStringConvertible {
    /// The app's dev container is already running.
    case alreadyRunning(app: String, url: String?)
    /// A container has the dev container's name but gantry did not start it.
    case foreignContainer(name: String, engine: EngineKind)
    /// The base image is not in the engine and cannot be pulled.
    case baseImageUnavailable(reference: String, engine: EngineKind, reason: String)
    /// The base image carries a label gantry cannot read.
    case badLabel(reference: String, label: String, value: String)
    /// The container exited before the app answered.
    case exitedBeforeAnswering(app: String, status: Int)
    /// The app answered its first request with a server error.
    case failedFirstRequest(app: String, status: Int, exception: String?)
    /// The app did not answer in time.
    case noAnswer(app: String, url: String, seconds: Int, reason: String)
    /// The container stopped by itself while gantry followed it.
    case stoppedUnexpectedly(app: String, status: Int)
    /// `gantry dev --image` names an image gantry's store lacks.
    case builtImageMissing(reference: String, store: String)
    /// `gantry rmi` names images the store does not have (the others were removed).
    case imagesNotInStore([String], store: String)

    var description: String {
        switch self {
        case let .alreadyRunning(app, url):
            return "\(app) is already running" + (url.map { " at \($0)" } ?? "") + "; stop it with 'gantry dev stop'"
        case let .foreignContainer(name, engine):
            return "a container named \(name) exists in \(engine.rawValue) and gantry did not start it; remove it with '\(engine.executableName) rm --force \(name)' or rename the app"
        case let .baseImageUnavailable(reference, engine, reason):
            return "base image \(reference) is not in \(engine.rawValue) and pulling it failed (\(reason)); build it with 'gantry base build --tag \(reference)', or fix 'base' in gantry.yml"
        case let .badLabel(reference, label, value):
            return "image \(reference) has label \(label)=\(value), which gantry cannot read; rebuild the base with 'gantry base build'"
        case let .exitedBeforeAnswering(app, status):
            return "\(app)'s container exited with status \(status) before the app answered; its log is above; fix the problem and run 'gantry dev' again"
        case let .failedFirstRequest(app, status, exception):
            return "\(app) answered its first request with HTTP \(status)" + (exception.map { ": \($0)" } ?? "")
                + "; its log is above; fix the app and run 'gantry dev' again"
        case let .noAnswer(app, url, seconds, reason):
            return "\(app) did not answer at \(url) within \(seconds) s (\(reason)); its log is above; fix the problem, or wait longer with --wait"
        case let .stoppedUnexpectedly(app, status):
            return "\(app)'s container stopped by itself with status \(status); its log is above; run 'gantry dev' again"
        case let .imagesNotInStore(references, store):
            return "not in gantry's store (\(store)): \(references.joined(separator: ", ")); 'gantry images' lists what is there"
        case let .builtImageMissing(reference, store):
            return "image \(reference) is not in gantry's store (\(store)); run 'gantry build' first, or name a built image with 'gantry dev --image REF'"
        }
    }
}
