/// Media types of the OCI image spec and Docker's image manifest v2 schema 2.
public enum MediaType {
    /// OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// OCI image config.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// OCI gzip-compressed layer.
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// OCI zstd-compressed layer.
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// OCI uncompressed layer.
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    /// Docker schema 2 manifest.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list.
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker image config.
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// Docker gzip-compressed layer.
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Docker uncompressed layer (what skopeo writes into a docker-archive).
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"

    /// The manifests of one image (a config and layers): OCI's and Docker's.
    public static let imageManifests = [ociManifest, dockerManifest]
    /// The lists of manifests, one per platform: OCI's index and Docker's manifest list.
    public static let indexes = [ociIndex, dockerManifestList]
}
