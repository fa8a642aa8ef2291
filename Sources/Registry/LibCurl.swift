import CCurl

/// Facts about the libcurl the binary is linked against.
public enum LibCurl {
    /// libcurl's version string, such as `libcurl/7.88.1 OpenSSL/3.0.15 ...`.
    public static var version: String {
        guard let version = curl_version() else { return "libcurl (unknown version)" }
        return String(cString: version)
    }
}
