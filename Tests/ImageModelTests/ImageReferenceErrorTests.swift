import Testing
@testable import ImageModel

private let hex64 = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"

@Suite("ImageReferenceError descriptions")
struct ImageReferenceErrorTests {
    @Test("each error kind reads as one line naming the input, the problem and what is allowed", arguments: [
        ("", #"invalid reference "": a reference needs at least a repository name, e.g. "debian" or "127.0.0.1:5000/news/app:1.0""#),
        (hex64, #"invalid reference "\#(hex64)": a bare 64-character hex string reads as an image ID, not a repository; put a registry host before it or use it as a digest, "name@sha256:\#(hex64)""#),
        (":1.0", #"invalid reference ":1.0": the repository name is missing; a reference is [host/]path[:tag][@digest], e.g. "debian:12" or "localhost:5000/app""#),
        ("News/App", #"invalid reference "News/App": repository names must be lowercase, but "App" has uppercase letters"#),
        ("news/My_App:1", #"invalid reference "news/My_App:1": repository names must be lowercase, but "news/My_App" has uppercase letters"#),
        ("news//app", #"invalid reference "news//app": the repository path has an empty component; separate components with a single "/" and do not end the path with "/""#),
        ("news/my..app", #"invalid reference "news/my..app": repository path component "my..app" is not allowed; use lowercase letters and digits, joined by ".", "_", "__" or runs of "-""#),
        ("example.com/" + String(repeating: "a", count: 256), #"invalid reference "example.com/\#(String(repeating: "a", count: 256))": the repository path is 256 characters long; at most 255 are allowed"#),
        ("[fe80::1%eth0]:5000/app", #"invalid reference "[fe80::1%eth0]:5000/app": registry host "[fe80::1%eth0]:5000" is not valid; use a hostname (letters, digits and inner "-" between dots), an IPv4 address or a bracketed IPv6 address without zone, optionally followed by ":" and a numeric port"#),
        ("app:-1", #"invalid reference "app:-1": tag "-1" is not valid; a tag is 1 to 128 characters of ASCII letters, digits, "_", "." and "-", and does not start with "." or "-""#),
        ("app@sha256:abc", #"invalid digest "sha256:abc" in reference "app@sha256:abc": sha256 digests are exactly 64 lowercase hexadecimal characters after the colon; it has 3"#),
        ("app@md5:abc", #"invalid digest "md5:abc" in reference "app@md5:abc": algorithm "md5" is not supported; only sha256 and sha512 are"#),
    ])
    func description(input: String, expected: String) {
        do {
            let reference = try ImageReference(parsing: input)
            Issue.record("\"\(input)\" parsed as \(reference)")
        } catch {
            #expect(error.description == expected)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a tag rejected outside a reference is described on its own")
    func standaloneTagDescription() {
        #expect(ImageReferenceError.invalidTag(reference: nil, tag: "-x").description
            == #"invalid tag "-x": a tag is 1 to 128 characters of ASCII letters, digits, "_", "." and "-", and does not start with "." or "-""#)
    }
}
