/// The container engines gantry drives to run containers.
public enum EngineKind: String, CaseIterable, Sendable {
    case podman
    case docker

    /// The command-line program of the engine.
    public var executableName: String { rawValue }
}
