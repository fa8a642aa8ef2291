import Foundation
import Scaffold

/// The `mmdebstrap` run that makes a base image's root file system from a
/// base spec: Debian's packages, the spec's files copied in, its build
/// steps run in a chroot, the result written as a tar on stdout.
///
/// With `SOURCE_DATE_EPOCH` set, mmdebstrap's tar is the same to the byte
/// for the same package versions; gantry's re-write of it keeps that.
public struct Mmdebstrap: Sendable {
    /// The spec to build.
    public var spec: BaseSpec
    /// The spec's folder; `files` sources are relative to it.
    public var specFolder: URL
    /// Seconds since the epoch that every timestamp is clamped to.
    public var epoch: Int
    /// Folder that keeps downloaded `.deb` files between builds, or nil for none.
    public var packageCache: URL?
    /// Debian mirror, or nil for mmdebstrap's default.
    public var mirror: String?

    /// Creates a run.
    public init(spec: BaseSpec, specFolder: URL, epoch: Int, packageCache: URL?, mirror: String? = nil) {
        self.spec = spec
        self.specFolder = specFolder
        self.epoch = epoch
        self.packageCache = packageCache
        self.mirror = mirror
    }

    /// PATH inside the chroot for the build steps, Debian's default.
    static let chrootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The arguments after `mmdebstrap`.
    public var arguments: [String] {
        var arguments = [
            "--variant=minbase",
            "--format=tar",
            // What debian:bookworm-slim leaves out, and apt's --no-install-recommends.
            "--aptopt=Apt::Install-Recommends \"false\"",
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            // Keep the run and lock folders the build steps make (mmdebstrap empties /run otherwise).
            "--skip=cleanup/run",
        ]
        if !spec.packages.isEmpty {
            arguments.append("--include=" + spec.packages.joined(separator: ","))
        }
        if let packageCache {
            // mmdebstrap's documented recipe for keeping .deb files between runs.
            let cache = DockerfileRenderer.shellQuoted(packageCache.path)
            arguments += [
                "--skip=download/empty",
                "--skip=essential/unlink",
                "--setup-hook=mkdir -p \(cache) \"$1\"/var/cache/apt/archives/",
                "--setup-hook=sync-in \(cache) /var/cache/apt/archives/",
            ]
        }
        var folders: [String] = []
        for file in spec.files {
            let folder = (file.destination as NSString).deletingLastPathComponent
            if !folders.contains(folder) { folders.append(folder) }
        }
        if !folders.isEmpty {
            arguments.append("--customize-hook=mkdir -p " + folders.map { "\"$1\"" + DockerfileRenderer.shellQuoted($0) }.joined(separator: " "))
        }
        for file in spec.files {
            let source = specFolder.appendingPathComponent(file.source).path
            arguments.append("--customize-hook=upload \(DockerfileRenderer.shellQuoted(source)) \(DockerfileRenderer.shellQuoted(file.destination))")
            arguments.append("--customize-hook=chmod \(DockerfileRenderer.octal(file.mode)) \"$1\"\(DockerfileRenderer.shellQuoted(file.destination))")
        }
        let environment = (["PATH=\(Self.chrootPath)", "DEBIAN_FRONTEND=noninteractive"] + spec.env.map { "\($0.key)=\($0.value)" })
            .map { DockerfileRenderer.shellQuoted($0) }.joined(separator: " ")
        for step in spec.run {
            arguments.append("--customize-hook=chroot \"$1\" /usr/bin/env -i \(environment) /bin/sh -ec \(DockerfileRenderer.shellQuoted(step))")
        }
        if let packageCache {
            arguments.append("--customize-hook=sync-out /var/cache/apt/archives \(DockerfileRenderer.shellQuoted(packageCache.path))")
        }
        arguments.append(spec.suite)
        arguments.append("-")
        if let mirror { arguments.append(mirror) }
        return arguments
    }

    /// The environment additions for the mmdebstrap process.
    public var environment: [String: String] {
        ["SOURCE_DATE_EPOCH": String(epoch)]
    }
}
