/// The versions of `Dockerrun.aws.json` Elastic Beanstalk reads.
public enum DockerrunVersion: String, CaseIterable, Sendable {
    /// Docker platform, one container.
    case v1
    /// ECS-managed Docker platform, several containers.
    case v2
    /// Docker platform with Compose; only registry authentication.
    case v3
}
