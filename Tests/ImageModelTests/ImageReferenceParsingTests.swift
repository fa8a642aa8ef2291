import Testing
@testable import ImageModel

// Cases ported from github.com/distribution/reference (reference_test.go,
// normalize_test.go, regexp_test.go), restated for normalized parsing
// (ParseNormalizedNamed): every accepted reference has a domain.

private let ffff64 = String(repeating: "f", count: 64)
private let ffff128 = String(repeating: "f", count: 128)
private let busybox = "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
private let tooLongNamespace =
    String(repeating: "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_", count: 3)
    + "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker"
private let redis = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"

/// An input and the parts it must normalize to.
struct ParsedCase: Sendable, CustomTestStringConvertible {
    let input: String
    let domain: String
    let path: String
    var tag: String? = nil
    var digest: String? = nil

    var testDescription: String { input.count > 80 ? String(input.prefix(77)) + "..." : input }
}

@Suite("ImageReference parsing")
struct ImageReferenceParsingTests {
    static let accepted: [ParsedCase] = [
        // reference_test.go TestReferenceParse, normalized.
        ParsedCase(input: "test_com", domain: "docker.io", path: "library/test_com"),
        ParsedCase(input: "test.com:tag", domain: "docker.io", path: "library/test.com", tag: "tag"),
        ParsedCase(input: "test.com:5000", domain: "docker.io", path: "library/test.com", tag: "5000"),
        ParsedCase(input: "test.com/repo:tag", domain: "test.com", path: "repo", tag: "tag"),
        ParsedCase(input: "test:5000/repo", domain: "test:5000", path: "repo"),
        ParsedCase(input: "test:5000/repo:tag", domain: "test:5000", path: "repo", tag: "tag"),
        ParsedCase(input: "test:5000/repo@sha256:" + ffff64, domain: "test:5000", path: "repo",
                   digest: "sha256:" + ffff64),
        ParsedCase(input: "test:5000/repo:tag@sha256:" + ffff64, domain: "test:5000", path: "repo",
                   tag: "tag", digest: "sha256:" + ffff64),
        ParsedCase(input: "lowercase:Uppercase", domain: "docker.io", path: "library/lowercase", tag: "Uppercase"),
        ParsedCase(input: String(repeating: "a/", count: 127) + "a:tag-puts-this-over-max", domain: "docker.io",
                   path: String(repeating: "a/", count: 127) + "a", tag: "tag-puts-this-over-max"),
        ParsedCase(input: "sub-dom1.foo.com/bar/baz/quux", domain: "sub-dom1.foo.com", path: "bar/baz/quux"),
        ParsedCase(input: "sub-dom1.foo.com/bar/baz/quux:some-long-tag", domain: "sub-dom1.foo.com",
                   path: "bar/baz/quux", tag: "some-long-tag"),
        ParsedCase(input: "b.gcr.io/test.example.com/my-app:test.example.com", domain: "b.gcr.io",
                   path: "test.example.com/my-app", tag: "test.example.com"),
        ParsedCase(input: "xn--n3h.com/myimage:xn--n3h.com", domain: "xn--n3h.com", path: "myimage",
                   tag: "xn--n3h.com"),
        ParsedCase(input: "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + ffff128, domain: "xn--7o8h.com",
                   path: "myimage", tag: "xn--7o8h.com", digest: "sha512:" + ffff128),
        ParsedCase(input: "foo_bar.com:8080", domain: "docker.io", path: "library/foo_bar.com", tag: "8080"),
        ParsedCase(input: "foo/foo_bar.com:8080", domain: "docker.io", path: "foo/foo_bar.com", tag: "8080"),
        ParsedCase(input: "192.168.1.1", domain: "docker.io", path: "library/192.168.1.1"),
        ParsedCase(input: "192.168.1.1:tag", domain: "docker.io", path: "library/192.168.1.1", tag: "tag"),
        ParsedCase(input: "192.168.1.1:5000", domain: "docker.io", path: "library/192.168.1.1", tag: "5000"),
        ParsedCase(input: "192.168.1.1/repo", domain: "192.168.1.1", path: "repo"),
        ParsedCase(input: "192.168.1.1:5000/repo", domain: "192.168.1.1:5000", path: "repo"),
        ParsedCase(input: "192.168.1.1:5000/repo:5050", domain: "192.168.1.1:5000", path: "repo", tag: "5050"),
        ParsedCase(input: "[2001:db8::1]/repo", domain: "[2001:db8::1]", path: "repo"),
        ParsedCase(input: "[2001:db8:1:2:3:4:5:6]/repo:tag", domain: "[2001:db8:1:2:3:4:5:6]", path: "repo",
                   tag: "tag"),
        ParsedCase(input: "[2001:db8::1]:5000/repo", domain: "[2001:db8::1]:5000", path: "repo"),
        ParsedCase(input: "[2001:db8::1]:5000/repo:tag", domain: "[2001:db8::1]:5000", path: "repo", tag: "tag"),
        ParsedCase(input: "[2001:db8::1]:5000/repo@sha256:" + ffff64, domain: "[2001:db8::1]:5000", path: "repo",
                   digest: "sha256:" + ffff64),
        ParsedCase(input: "[2001:db8::1]:5000/repo:tag@sha256:" + ffff64, domain: "[2001:db8::1]:5000",
                   path: "repo", tag: "tag", digest: "sha256:" + ffff64),
        ParsedCase(input: "[2001:db8::]:5000/repo", domain: "[2001:db8::]:5000", path: "repo"),
        ParsedCase(input: "[::1]:5000/repo", domain: "[::1]:5000", path: "repo"),

        // normalize_test.go TestValidateReferenceName, valid names.
        ParsedCase(input: "docker/docker", domain: "docker.io", path: "docker/docker"),
        ParsedCase(input: "library/debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "docker.io/docker/docker", domain: "docker.io", path: "docker/docker"),
        ParsedCase(input: "docker.io/library/debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "docker.io/debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "index.docker.io/docker/docker", domain: "docker.io", path: "docker/docker"),
        ParsedCase(input: "index.docker.io/library/debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "index.docker.io/debian", domain: "docker.io", path: "library/debian"),
        ParsedCase(input: "127.0.0.1:5000/docker/docker", domain: "127.0.0.1:5000", path: "docker/docker"),
        ParsedCase(input: "127.0.0.1:5000/library/debian", domain: "127.0.0.1:5000", path: "library/debian"),
        ParsedCase(input: "127.0.0.1:5000/debian", domain: "127.0.0.1:5000", path: "debian"),
        ParsedCase(input: "192.168.0.1", domain: "docker.io", path: "library/192.168.0.1"),
        ParsedCase(input: "192.168.0.1:80", domain: "docker.io", path: "library/192.168.0.1", tag: "80"),
        ParsedCase(input: "192.168.0.1:8/debian", domain: "192.168.0.1:8", path: "debian"),
        ParsedCase(input: "192.168.0.2:25000/debian", domain: "192.168.0.2:25000", path: "debian"),
        ParsedCase(input: "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", domain: "docker.io",
                   path: "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
        ParsedCase(input: "[fc00::1]:5000/docker", domain: "[fc00::1]:5000", path: "docker"),
        ParsedCase(input: "[fc00::1]:5000/docker/docker", domain: "[fc00::1]:5000", path: "docker/docker"),
        ParsedCase(input: "[fc00:1:2:3:4:5:6:7]:5000/library/debian", domain: "[fc00:1:2:3:4:5:6:7]:5000",
                   path: "library/debian"),
        ParsedCase(input: "docker.io/" + redis, domain: "docker.io", path: "library/" + redis),
        // An uppercase first component is taken as a registry host, as the library does.
        ParsedCase(input: "Docker/docker", domain: "Docker", path: "docker"),
        ParsedCase(input: "DOCKER/docker", domain: "DOCKER", path: "docker"),
        ParsedCase(input: "Uppercase/lowercase:tag", domain: "Uppercase", path: "lowercase", tag: "tag"),

        // normalize_test.go TestValidateRemoteName, valid names.
        ParsedCase(input: "docker-rules/docker", domain: "docker.io", path: "docker-rules/docker"),
        ParsedCase(input: "docker---rules/docker", domain: "docker.io", path: "docker---rules/docker"),
        ParsedCase(input: "doc/docker", domain: "docker.io", path: "doc/docker"),
        ParsedCase(input: "d/docker", domain: "docker.io", path: "d/docker"),
        ParsedCase(input: "jess/t", domain: "docker.io", path: "jess/t"),
        ParsedCase(input: "dock__er/docker", domain: "docker.io", path: "dock__er/docker"),

        // normalize_test.go TestNormalizedSplitHostname.
        ParsedCase(input: "test.com/foo", domain: "test.com", path: "foo"),
        ParsedCase(input: "test_com/foo", domain: "docker.io", path: "test_com/foo"),
        ParsedCase(input: "docker/migrator", domain: "docker.io", path: "docker/migrator"),
        ParsedCase(input: "test.com:8080/foo", domain: "test.com:8080", path: "foo"),
        ParsedCase(input: "test-com:8080/foo", domain: "test-com:8080", path: "foo"),
        ParsedCase(input: "foo", domain: "docker.io", path: "library/foo"),
        ParsedCase(input: "xn--n3h.com/foo", domain: "xn--n3h.com", path: "foo"),
        ParsedCase(input: "xn--n3h.com:18080/foo", domain: "xn--n3h.com:18080", path: "foo"),
        ParsedCase(input: "docker.io/foo", domain: "docker.io", path: "library/foo"),
        ParsedCase(input: "docker.io/library/foo/bar", domain: "docker.io", path: "library/foo/bar"),

        // normalize_test.go TestParseAnyReference, named references.
        ParsedCase(input: "redis:latest", domain: "docker.io", path: "library/redis", tag: "latest"),
        ParsedCase(input: "redis@sha256:" + redis, domain: "docker.io", path: "library/redis",
                   digest: "sha256:" + redis),
        ParsedCase(input: "dmcgowan/myapp@sha256:" + redis, domain: "docker.io", path: "dmcgowan/myapp",
                   digest: "sha256:" + redis),
        ParsedCase(input: String(redis.dropLast()), domain: "docker.io", path: "library/" + String(redis.dropLast())),
        ParsedCase(input: "dbcc1", domain: "docker.io", path: "library/dbcc1"),
        ParsedCase(input: "busybox:latest@sha256:" + busybox, domain: "docker.io", path: "library/busybox",
                   tag: "latest", digest: "sha256:" + busybox),

        // regexp_test.go TestFullNameRegexp and TestReferenceRegexp.
        ParsedCase(input: "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", domain: "docker.io",
                   path: "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"),
        ParsedCase(input: "aa-a/a", domain: "docker.io", path: "aa-a/a"),
        ParsedCase(input: "foo_bar", domain: "docker.io", path: "library/foo_bar"),
        ParsedCase(input: "foo_bar.com", domain: "docker.io", path: "library/foo_bar.com"),
        ParsedCase(input: "foo.com/foo_bar", domain: "foo.com", path: "foo_bar"),
        ParsedCase(input: "localhost:8080/bar", domain: "localhost:8080", path: "bar"),
        ParsedCase(input: "localhost/bar", domain: "localhost", path: "bar"),
        ParsedCase(input: "example.com/xn--7o8h.com/myimage", domain: "example.com", path: "xn--7o8h.com/myimage"),
        ParsedCase(input: "example.com/some_separator__underscore/myimage", domain: "example.com",
                   path: "some_separator__underscore/myimage"),
        ParsedCase(input: "do__cker/docker", domain: "docker.io", path: "do__cker/docker"),
        ParsedCase(input: "registry.io/foo/project--id.module--name.ver---sion--name", domain: "registry.io",
                   path: "foo/project--id.module--name.ver---sion--name"),
        ParsedCase(input: "Asdf.com/foo/bar", domain: "Asdf.com", path: "foo/bar"),
        ParsedCase(input: "registry.com:8080/myapp:tag2@sha256:" + busybox, domain: "registry.com:8080",
                   path: "myapp", tag: "tag2", digest: "sha256:" + busybox),
        // A bare "localhost" is a Hub repository, so ":8080" is its tag.
        ParsedCase(input: "localhost:8080@sha256:" + busybox, domain: "docker.io", path: "library/localhost",
                   tag: "8080", digest: "sha256:" + busybox),
        ParsedCase(input: "localhost@sha256:" + busybox, domain: "docker.io", path: "library/localhost",
                   digest: "sha256:" + busybox),
        // "sha256:<hex>" alone is the repository "sha256" with a 64-character tag.
        ParsedCase(input: "sha256:" + busybox, domain: "docker.io", path: "library/sha256", tag: busybox),
        ParsedCase(input: busybox + "8482", domain: "docker.io", path: "library/" + busybox + "8482"),
        ParsedCase(input: busybox + ":v1", domain: "docker.io", path: "library/" + busybox, tag: "v1"),

        // Hosts from TestDomainRegexp that the parser recognizes as hosts.
        ParsedCase(input: "192.168.1.1:75050/repo", domain: "192.168.1.1:75050", path: "repo"),
        ParsedCase(input: "[fd00:1:2::3]:75050/repo", domain: "[fd00:1:2::3]:75050", path: "repo"),
        ParsedCase(input: "[fd00123123123]:75050/repo", domain: "[fd00123123123]:75050", path: "repo"),
        ParsedCase(input: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505/repo",
                   domain: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", path: "repo"),
        ParsedCase(input: "0101.com/repo", domain: "0101.com", path: "repo"),
        ParsedCase(input: "ab.c-om/repo", domain: "ab.c-om", path: "repo"),

        // Tags at the edges of the grammar.
        ParsedCase(input: "app:" + String(repeating: "t", count: 128), domain: "docker.io", path: "library/app",
                   tag: String(repeating: "t", count: 128)),
        ParsedCase(input: "app:_", domain: "docker.io", path: "library/app", tag: "_"),
        ParsedCase(input: "app:v1.0-rc_2", domain: "docker.io", path: "library/app", tag: "v1.0-rc_2"),
    ]

    @Test("accepts the reference and splits it into normalized domain, path, tag and digest", arguments: accepted)
    func parsesValidReference(_ testCase: ParsedCase) throws {
        let reference = try ImageReference(parsing: testCase.input)
        #expect(reference.domain == testCase.domain)
        #expect(reference.path == testCase.path)
        #expect(reference.repository == testCase.path)
        #expect(reference.name == testCase.domain + "/" + testCase.path)
        #expect(reference.tag == testCase.tag)
        #expect(reference.digest?.description == testCase.digest)
    }

    @Test("the normalized and the familiar string both parse back to an equal reference", arguments: accepted)
    func descriptionRoundTrips(_ testCase: ParsedCase) throws {
        let reference = try ImageReference(parsing: testCase.input)
        #expect(try ImageReference(parsing: reference.description) == reference)
        #expect(try ImageReference(parsing: reference.familiarString) == reference)
    }

    static let rejected: [(String, ImageReferenceError)] = [
        // reference_test.go TestReferenceParse, invalid inputs.
        ("", .emptyReference),
        (":justtag", .missingRepository(reference: ":justtag")),
        ("@sha256:" + ffff64, .missingRepository(reference: "@sha256:" + ffff64)),
        ("repo@sha256:ffffffffffffffffffffffffffffffffff",
         .invalidDigest("sha256:ffffffffffffffffffffffffffffffffff", problem: .invalidEncoding(.sha256),
                        reference: "repo@sha256:ffffffffffffffffffffffffffffffffff")),
        ("validname@invaliddigest:" + ffff64,
         .invalidDigest("invaliddigest:" + ffff64, problem: .unsupportedAlgorithm("invaliddigest"),
                        reference: "validname@invaliddigest:" + ffff64)),
        ("Uppercase:tag", .uppercaseRepository(reference: "Uppercase:tag", path: "Uppercase")),
        ("test:5000/Uppercase/lowercase:tag",
         .uppercaseRepository(reference: "test:5000/Uppercase/lowercase:tag", path: "Uppercase/lowercase")),
        (String(repeating: "a/", count: 128) + "a:tag",
         .repositoryTooLong(reference: String(repeating: "a/", count: 128) + "a:tag", length: 257)),
        ("aa/asdf$$^/aa", .invalidPathComponent(reference: "aa/asdf$$^/aa", component: "asdf$$^")),
        ("[2001:db8::1]", .missingRepository(reference: "[2001:db8::1]")),
        ("[2001:db8::1]:5000", .missingRepository(reference: "[2001:db8::1]:5000")),
        ("[2001:db8::1]:tag", .invalidPathComponent(reference: "[2001:db8::1]:tag", component: "[2001:db8::1]")),
        ("[fe80::1%eth0]:5000/repo", .invalidDomain(reference: "[fe80::1%eth0]:5000/repo", domain: "[fe80::1%eth0]:5000")),

        // normalize_test.go TestValidateReferenceName and TestValidateRemoteName, invalid names.
        // A first component with "." is read as a registry host, so "dock..er" fails as a host.
        ("https://github.com/docker/docker",
         .invalidDomain(reference: "https://github.com/docker/docker", domain: "https:")),
        ("docker/Docker", .uppercaseRepository(reference: "docker/Docker", path: "docker/Docker")),
        ("-docker", .invalidPathComponent(reference: "-docker", component: "-docker")),
        ("-docker/docker", .invalidPathComponent(reference: "-docker/docker", component: "-docker")),
        ("-docker.io/docker/docker", .invalidDomain(reference: "-docker.io/docker/docker", domain: "-docker.io")),
        ("docker///docker", .invalidPathComponent(reference: "docker///docker", component: "")),
        ("docker.io/docker/Docker", .uppercaseRepository(reference: "docker.io/docker/Docker", path: "docker/Docker")),
        ("docker.io/docker///docker", .invalidPathComponent(reference: "docker.io/docker///docker", component: "")),
        ("[fc00::1]", .missingRepository(reference: "[fc00::1]")),
        ("[fc00::1]:5000", .missingRepository(reference: "[fc00::1]:5000")),
        ("fc00::1:5000/debian", .invalidDomain(reference: "fc00::1:5000/debian", domain: "fc00::1:5000")),
        ("[fe80::1%eth0]:5000/debian",
         .invalidDomain(reference: "[fe80::1%eth0]:5000/debian", domain: "[fe80::1%eth0]:5000")),
        ("[2001:db8:3:4::192.0.2.33]:5000/debian",
         .invalidDomain(reference: "[2001:db8:3:4::192.0.2.33]:5000/debian", domain: "[2001:db8:3:4::192.0.2.33]:5000")),
        (redis, .ambiguousIdentifier(redis)),
        ("docker-/docker", .invalidPathComponent(reference: "docker-/docker", component: "docker-")),
        ("-docker-/docker", .invalidPathComponent(reference: "-docker-/docker", component: "-docker-")),
        ("____/____", .invalidPathComponent(reference: "____/____", component: "____")),
        ("_docker/_docker", .invalidPathComponent(reference: "_docker/_docker", component: "_docker")),
        ("dock..er/docker", .invalidDomain(reference: "dock..er/docker", domain: "dock..er")),
        ("dock_.er/docker", .invalidDomain(reference: "dock_.er/docker", domain: "dock_.er")),
        ("dock-.er/docker", .invalidDomain(reference: "dock-.er/docker", domain: "dock-.er")),
        ("docker/", .invalidPathComponent(reference: "docker/", component: "")),
        (tooLongNamespace, .repositoryTooLong(reference: tooLongNamespace, length: 278)),
        ("-foo", .invalidPathComponent(reference: "-foo", component: "-foo")),

        // regexp_test.go TestFullNameRegexp and TestReferenceRegexp, invalid inputs.
        ("a/a/a/a/", .invalidPathComponent(reference: "a/a/a/a/", component: "")),
        ("a//a/a", .invalidPathComponent(reference: "a//a/a", component: "")),
        ("foo.com/", .missingRepository(reference: "foo.com/")),
        ("foo.com:http/bar", .invalidDomain(reference: "foo.com:http/bar", domain: "foo.com:http")),
        ("a^a", .invalidPathComponent(reference: "a^a", component: "a^a")),
        ("a-/a/a/a", .invalidPathComponent(reference: "a-/a/a/a", component: "a-")),
        ("foo.com/a-/a/a", .invalidPathComponent(reference: "foo.com/a-/a/a", component: "a-")),
        ("foo/bar-", .invalidPathComponent(reference: "foo/bar-", component: "bar-")),
        ("foo-/bar", .invalidPathComponent(reference: "foo-/bar", component: "foo-")),
        ("foo/-bar", .invalidPathComponent(reference: "foo/-bar", component: "-bar")),
        ("_foo/bar", .invalidPathComponent(reference: "_foo/bar", component: "_foo")),
        ("foo_bar.com:8080/app", .invalidDomain(reference: "foo_bar.com:8080/app", domain: "foo_bar.com:8080")),
        ("docker_/docker_", .invalidPathComponent(reference: "docker_/docker_", component: "docker_")),
        ("example.com/__underscore/myimage",
         .invalidPathComponent(reference: "example.com/__underscore/myimage", component: "__underscore")),
        ("example.com/..dots/myimage", .invalidPathComponent(reference: "example.com/..dots/myimage", component: "..dots")),
        ("example.com/.dots/myimage", .invalidPathComponent(reference: "example.com/.dots/myimage", component: ".dots")),
        ("example.com/nodouble..dots/myimage",
         .invalidPathComponent(reference: "example.com/nodouble..dots/myimage", component: "nodouble..dots")),
        ("docker./docker", .invalidDomain(reference: "docker./docker", domain: "docker.")),
        (".docker/docker", .invalidDomain(reference: ".docker/docker", domain: ".docker")),
        ("do..cker/docker", .invalidDomain(reference: "do..cker/docker", domain: "do..cker")),
        ("do__cker:8080/docker", .invalidDomain(reference: "do__cker:8080/docker", domain: "do__cker:8080")),
        ("Foo/FarB", .uppercaseRepository(reference: "Foo/FarB", path: "FarB")),
        ("registry.com:8080/myapp@sha256:badbadbadbad",
         .invalidDigest("sha256:badbadbadbad", problem: .invalidEncoding(.sha256),
                        reference: "registry.com:8080/myapp@sha256:badbadbadbad")),
        ("registry.com:8080/myapp:invalid~tag",
         .invalidTag(reference: "registry.com:8080/myapp:invalid~tag", tag: "invalid~tag")),
        ("bad_hostname.com:8080/myapp:tag",
         .invalidDomain(reference: "bad_hostname.com:8080/myapp:tag", domain: "bad_hostname.com:8080")),
        ("localhost:http/name@sha256:" + busybox,
         .invalidDomain(reference: "localhost:http/name@sha256:" + busybox, domain: "localhost:http")),
        ("registry.com:8080/myapp@bad",
         .invalidDigest("bad", problem: .malformed, reference: "registry.com:8080/myapp@bad")),
        ("registry.com:8080/myapp@2bad",
         .invalidDigest("2bad", problem: .malformed, reference: "registry.com:8080/myapp@2bad")),
        ("7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C",
         .uppercaseRepository(reference: "7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C",
                              path: "7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C")),

        // Hosts that TestDomainRegexp rejects.
        ("test.com:http/repo", .invalidDomain(reference: "test.com:http/repo", domain: "test.com:http")),
        ("-ab.com/repo", .invalidDomain(reference: "-ab.com/repo", domain: "-ab.com")),
        ("ab-.com/repo", .invalidDomain(reference: "ab-.com/repo", domain: "ab-.com")),
        ("ab.-com/repo", .invalidDomain(reference: "ab.-com/repo", domain: "ab.-com")),
        ("ab.com-/repo", .invalidDomain(reference: "ab.com-/repo", domain: "ab.com-")),
        ("[fd00:1:2::3]75050/repo", .invalidDomain(reference: "[fd00:1:2::3]75050/repo", domain: "[fd00:1:2::3]75050")),
        ("[fd00:1:2::3]::75050/repo",
         .invalidDomain(reference: "[fd00:1:2::3]::75050/repo", domain: "[fd00:1:2::3]::75050")),
        ("[fd00:1:2::3%eth0]:75050/repo",
         .invalidDomain(reference: "[fd00:1:2::3%eth0]:75050/repo", domain: "[fd00:1:2::3%eth0]:75050")),
        ("fd00:1:2::3:75050/repo", .invalidDomain(reference: "fd00:1:2::3:75050/repo", domain: "fd00:1:2::3:75050")),

        // Edges that the library's tables do not spell out.
        ("[]:5000/repo", .invalidDomain(reference: "[]:5000/repo", domain: "[]:5000")),
        (":5000/repo", .invalidDomain(reference: ":5000/repo", domain: ":5000")),
        ("localhost:/repo", .invalidDomain(reference: "localhost:/repo", domain: "localhost:")),
        ("docker.io/", .missingRepository(reference: "docker.io/")),
        ("app:", .invalidTag(reference: "app:", tag: "")),
        ("app:-rc", .invalidTag(reference: "app:-rc", tag: "-rc")),
        ("app:.rc", .invalidTag(reference: "app:.rc", tag: ".rc")),
        ("app:" + String(repeating: "t", count: 129),
         .invalidTag(reference: "app:" + String(repeating: "t", count: 129), tag: String(repeating: "t", count: 129))),
        ("app:ünïcode", .invalidTag(reference: "app:ünïcode", tag: "ünïcode")),
        ("app@", .invalidDigest("", problem: .malformed, reference: "app@")),
        ("app@sha256:" + busybox + "@sha256:" + busybox,
         .invalidDigest("sha256:" + busybox + "@sha256:" + busybox, problem: .invalidEncoding(.sha256),
                        reference: "app@sha256:" + busybox + "@sha256:" + busybox)),
        ("news/app@sha256:" + busybox.uppercased(),
         .invalidDigest("sha256:" + busybox.uppercased(), problem: .invalidEncoding(.sha256),
                        reference: "news/app@sha256:" + busybox.uppercased())),
        ("caf\u{E9}/app", .invalidPathComponent(reference: "caf\u{E9}/app", component: "caf\u{E9}")),
        ("news app", .invalidPathComponent(reference: "news app", component: "news app")),
        // Underscores are not hostname characters; the library keeps such names with an empty domain.
        ("foo_bar.com/app", .invalidDomain(reference: "foo_bar.com/app", domain: "foo_bar.com")),
        ("Foo_Bar/baz", .uppercaseRepository(reference: "Foo_Bar/baz", path: "Foo_Bar/baz")),
    ]

    @Test("rejects the reference with the error naming its first problem", arguments: rejected)
    func rejectsInvalidReference(input: String, expected: ImageReferenceError) {
        #expect(throws: expected) {
            try ImageReference(parsing: input)
        }
    }

    @Test("the repository path may be 255 characters but not 256, not counting the registry host")
    func pathLengthLimitExcludesDomain() throws {
        let longest = String(repeating: "a", count: 255)
        let reference = try ImageReference(parsing: "registry.example.com:5000/" + longest)
        #expect(reference.path.count == 255)
        #expect(throws: ImageReferenceError.repositoryTooLong(reference: "example.com/" + longest + "a", length: 256)) {
            try ImageReference(parsing: "example.com/" + longest + "a")
        }
        // The implied "library/" counts, as it does in the library.
        let hub = String(repeating: "a", count: 247)
        #expect(try ImageReference(parsing: hub).path.count == 255)
        #expect(throws: ImageReferenceError.repositoryTooLong(reference: hub + "a", length: 256)) {
            try ImageReference(parsing: hub + "a")
        }
    }
}
