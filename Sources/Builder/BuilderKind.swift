/// How `gantry base build` makes a base image.
public enum BuilderKind: String, CaseIterable, Sendable {
    /// mmdebstrap root file system written into gantry's store, no daemon.
    case native
    /// `podman build` of the rendered Dockerfile.
    case podman
    /// `docker build` of the rendered Dockerfile.
    case docker
}
