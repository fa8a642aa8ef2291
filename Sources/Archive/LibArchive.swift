import CArchive

/// Facts about the libarchive the binary is linked against.
public enum LibArchive {
    /// libarchive's version string, such as `libarchive 3.6.2 zlib/1.2.13 ...`.
    public static var versionDetails: String {
        guard let details = archive_version_details() else { return "libarchive (unknown version)" }
        return String(cString: details)
    }
}
