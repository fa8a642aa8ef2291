import Foundation
import Testing
@testable import ImageModel

private let busybox = "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
private let other = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"

/// One row of normalize_test.go TestParseRepositoryInfo.
struct RepositoryInfo: Sendable, CustomTestStringConvertible {
    let path: String
    let familiarName: String
    let fullName: String
    var ambiguousName: String? = nil
    let domain: String

    var testDescription: String { fullName }
    var spellings: [String] { [familiarName, fullName] + (ambiguousName.map { [$0] } ?? []) }
}

@Suite("ImageReference")
struct ImageReferenceTests {
    static let repositoryInfo: [RepositoryInfo] = [
        RepositoryInfo(path: "fooo/bar", familiarName: "fooo/bar", fullName: "docker.io/fooo/bar",
                       ambiguousName: "index.docker.io/fooo/bar", domain: "docker.io"),
        RepositoryInfo(path: "library/ubuntu", familiarName: "ubuntu", fullName: "docker.io/library/ubuntu",
                       ambiguousName: "library/ubuntu", domain: "docker.io"),
        RepositoryInfo(path: "nonlibrary/ubuntu", familiarName: "nonlibrary/ubuntu",
                       fullName: "docker.io/nonlibrary/ubuntu", domain: "docker.io"),
        RepositoryInfo(path: "other/library", familiarName: "other/library", fullName: "docker.io/other/library",
                       domain: "docker.io"),
        RepositoryInfo(path: "private/moonbase", familiarName: "127.0.0.1:8000/private/moonbase",
                       fullName: "127.0.0.1:8000/private/moonbase", domain: "127.0.0.1:8000"),
        RepositoryInfo(path: "privatebase", familiarName: "127.0.0.1:8000/privatebase",
                       fullName: "127.0.0.1:8000/privatebase", domain: "127.0.0.1:8000"),
        RepositoryInfo(path: "private/moonbase", familiarName: "example.com/private/moonbase",
                       fullName: "example.com/private/moonbase", domain: "example.com"),
        RepositoryInfo(path: "privatebase", familiarName: "example.com/privatebase",
                       fullName: "example.com/privatebase", domain: "example.com"),
        RepositoryInfo(path: "private/moonbase", familiarName: "example.com:8000/private/moonbase",
                       fullName: "example.com:8000/private/moonbase", domain: "example.com:8000"),
        RepositoryInfo(path: "privatebasee", familiarName: "example.com:8000/privatebasee",
                       fullName: "example.com:8000/privatebasee", domain: "example.com:8000"),
        RepositoryInfo(path: "library/ubuntu-12.04-base", familiarName: "ubuntu-12.04-base",
                       fullName: "docker.io/library/ubuntu-12.04-base",
                       ambiguousName: "index.docker.io/library/ubuntu-12.04-base", domain: "docker.io"),
        RepositoryInfo(path: "library/foo", familiarName: "foo", fullName: "docker.io/library/foo",
                       ambiguousName: "docker.io/foo", domain: "docker.io"),
        RepositoryInfo(path: "library/foo/bar", familiarName: "library/foo/bar",
                       fullName: "docker.io/library/foo/bar", domain: "docker.io"),
        RepositoryInfo(path: "store/foo/bar", familiarName: "store/foo/bar", fullName: "docker.io/store/foo/bar",
                       domain: "docker.io"),
        RepositoryInfo(path: "bar", familiarName: "Foo/bar", fullName: "Foo/bar", domain: "Foo"),
        RepositoryInfo(path: "bar", familiarName: "FOO/bar", fullName: "FOO/bar", domain: "FOO"),
        RepositoryInfo(path: "app", familiarName: "localhost/app", fullName: "localhost/app", domain: "localhost"),
        RepositoryInfo(path: "news/app", familiarName: "[::1]:5000/news/app", fullName: "[::1]:5000/news/app",
                       domain: "[::1]:5000"),
    ]

    @Test("every spelling of a repository gives the same domain, path, full name and familiar name",
          arguments: repositoryInfo)
    func repositoryInfoAgrees(_ info: RepositoryInfo) throws {
        for spelling in info.spellings {
            let reference = try ImageReference(parsing: spelling)
            #expect(reference.domain == info.domain, "\(spelling)")
            #expect(reference.path == info.path, "\(spelling)")
            #expect(reference.name == info.fullName, "\(spelling)")
            #expect(reference.description == info.fullName, "\(spelling)")
            #expect(reference.familiarName == info.familiarName, "\(spelling)")
        }
    }

    @Test("spellings of the same Docker Hub image are equal and hash alike")
    func normalizedSpellingsAreEqual() throws {
        let spellings = ["debian", "library/debian", "docker.io/debian", "docker.io/library/debian",
                         "index.docker.io/debian", "index.docker.io/library/debian"]
        let references = try spellings.map { try ImageReference(parsing: $0) }
        #expect(Set(references).count == 1)
        #expect(try ImageReference(parsing: "debian") != ImageReference(parsing: "debian:latest"))
    }

    @Test("description is fully normalized and adds no default tag; familiarString is what docker prints",
          arguments: [
              ("debian", "docker.io/library/debian", "debian"),
              ("debian:12", "docker.io/library/debian:12", "debian:12"),
              ("news/app:1.0", "docker.io/news/app:1.0", "news/app:1.0"),
              ("127.0.0.1:5000/news/app:1.0", "127.0.0.1:5000/news/app:1.0", "127.0.0.1:5000/news/app:1.0"),
              ("busybox:latest@sha256:" + other, "docker.io/library/busybox:latest@sha256:" + other,
               "busybox:latest@sha256:" + other),
              ("index.docker.io/library/redis@sha256:" + busybox, "docker.io/library/redis@sha256:" + busybox,
               "redis@sha256:" + busybox),
              ("docker.io/library/foo/bar:x", "docker.io/library/foo/bar:x", "library/foo/bar:x"),
          ])
    func descriptionAndFamiliarString(input: String, description: String, familiar: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.description == description)
        #expect(reference.familiarString == familiar)
    }

    @Test("familiarName keeps library/ when dropping it would leave a name that reads as an image ID")
    func familiarNameAvoidsIdentifier() throws {
        let reference = try ImageReference(parsing: "docker.io/" + busybox + ":1")
        #expect(reference.familiarName == "library/" + busybox)
        #expect(reference.familiarString == "library/" + busybox + ":1")
        #expect(try ImageReference(parsing: String(busybox.dropLast())).familiarName == String(busybox.dropLast()))
    }

    @Test("tagOrDefault is latest only when neither tag nor digest was given", arguments: [
        ("debian", "latest" as String?),
        ("debian:12", "12"),
        ("debian@sha256:" + busybox, nil),
        ("debian:12@sha256:" + busybox, "12"),
    ])
    func tagOrDefault(input: String, expected: String?) throws {
        #expect(try ImageReference(parsing: input).tagOrDefault == expected)
    }

    @Test("manifestSelector asks for the digest when there is one, else the tag or latest", arguments: [
        ("debian", "latest"),
        ("debian:12", "12"),
        ("debian@sha256:" + busybox, "sha256:" + busybox),
        ("debian:12@sha256:" + busybox, "sha256:" + busybox),
    ])
    func manifestSelector(input: String, expected: String) throws {
        #expect(try ImageReference(parsing: input).manifestSelector == expected)
    }

    @Test("normalized adds latest to a bare name and leaves tagged or digested references alone", arguments: [
        ("debian", "docker.io/library/debian:latest"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
        ("debian:12", "docker.io/library/debian:12"),
        ("debian@sha256:" + busybox, "docker.io/library/debian@sha256:" + busybox),
        ("debian:12@sha256:" + busybox, "docker.io/library/debian:12@sha256:" + busybox),
    ])
    func normalized(input: String, expected: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.normalized.description == expected)
        #expect(reference.normalized.normalized == reference.normalized)
    }

    // normalize_test.go TestParseDockerRef.
    @Test("pullReference keeps the digest alone when there is one, else the tag defaulting to latest", arguments: [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:latest", "docker.io/library/busybox:latest"),
        ("busybox@sha256:" + busybox, "docker.io/library/busybox@sha256:" + busybox),
        ("library/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/library/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/busybox:latest", "docker.io/library/busybox:latest"),
        ("library/busybox:latest", "docker.io/library/busybox:latest"),
        ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
        ("gcr.io/library/busybox", "gcr.io/library/busybox:latest"),
        ("gcr.io/library/busybox:latest@sha256:" + busybox, "gcr.io/library/busybox@sha256:" + busybox),
    ])
    func pullReference(input: String, expected: String) throws {
        let pull = try ImageReference(parsing: input).pullReference
        #expect(pull.description == expected)
        #expect(try ImageReference(parsing: pull.description) == pull)
    }

    // reference_test.go TestWithTag, on normalized names.
    @Test("withTag replaces the tag and keeps any digest", arguments: [
        ("test.com/foo", "tag", "test.com/foo:tag"),
        ("foo", "tag2", "docker.io/library/foo:tag2"),
        ("test.com:8000/foo", "tag4", "test.com:8000/foo:tag4"),
        ("test.com:8000/foo", "TAG5", "test.com:8000/foo:TAG5"),
        ("test.com:8000/foo:old", "TAG5", "test.com:8000/foo:TAG5"),
        ("test.com:8000/foo@sha256:" + busybox, "TAG5", "test.com:8000/foo:TAG5@sha256:" + busybox),
    ])
    func withTag(input: String, tag: String, expected: String) throws {
        let tagged = try ImageReference(parsing: input).withTag(tag)
        #expect(tagged.description == expected)
        #expect(tagged.tag == tag)
    }

    @Test("withTag rejects a tag outside the tag grammar", arguments: ["-foo", "", ".x", "a/b", "a:b",
                                                                         String(repeating: "t", count: 129)])
    func withTagRejects(tag: String) throws {
        let reference = try ImageReference(parsing: "busybox")
        #expect(throws: ImageReferenceError.invalidTag(reference: nil, tag: tag)) {
            try reference.withTag(tag)
        }
    }

    // reference_test.go TestWithDigest, on normalized names.
    @Test("withDigest replaces the digest and keeps any tag", arguments: [
        ("test.com/foo", "test.com/foo@sha256:" + busybox),
        ("foo", "docker.io/library/foo@sha256:" + busybox),
        ("test.com:8000/foo", "test.com:8000/foo@sha256:" + busybox),
        ("test.com:8000/foo:latest", "test.com:8000/foo:latest@sha256:" + busybox),
        ("test.com:8000/foo:latest@sha256:" + other, "test.com:8000/foo:latest@sha256:" + busybox),
    ])
    func withDigest(input: String, expected: String) throws {
        let digest = try Digest.sha256(hex: busybox)
        let digested = try ImageReference(parsing: input).withDigest(digest)
        #expect(digested.description == expected)
        #expect(digested.digest == digest)
    }

    @Test("withoutTagAndDigest keeps only domain and path")
    func withoutTagAndDigest() throws {
        let reference = try ImageReference(parsing: "localhost:5000/news/app:1.0@sha256:" + busybox)
        let bare = reference.withoutTagAndDigest
        #expect(bare.description == "localhost:5000/news/app")
        #expect(bare.tag == nil)
        #expect(bare.digest == nil)
        #expect(bare == (try ImageReference(parsing: "localhost:5000/news/app")))
    }

    @Test("encodes to JSON as its normalized string and decodes familiar spellings to the same value")
    func codable() throws {
        let reference = try ImageReference(parsing: "debian:12")
        let data = try JSONEncoder().encode([reference])
        #expect(String(decoding: data, as: UTF8.self) == #"["docker.io\/library\/debian:12"]"#)
        #expect(try JSONDecoder().decode([ImageReference].self, from: data) == [reference])
        let familiar = Data(#"["debian:12"]"#.utf8)
        #expect(try JSONDecoder().decode([ImageReference].self, from: familiar) == [reference])
    }

    @Test("decoding an invalid reference string fails with a data-corrupted error that explains it")
    func decodingRejectsInvalid() {
        let data = Data(#"["News/App"]"#.utf8)
        do {
            _ = try JSONDecoder().decode([ImageReference].self, from: data)
            Issue.record("decoding \"News/App\" succeeded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription
                == #"invalid reference "News/App": repository names must be lowercase, but "App" has uppercase letters"#)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("isValidPathComponent accepts lowercase alphanumerics joined by '.', '_', '__' or runs of '-'",
          arguments: ["app", "a", "0", "news-app", "news--app", "my_app", "my__app", "my.app", "app2", "2app",
                      "ubuntu-12.04-base", "a.b_c__d---e"])
    func validPathComponents(name: String) {
        #expect(ImageReference.isValidPathComponent(name))
    }

    @Test("isValidPathComponent rejects names that break the component grammar",
          arguments: ["", "News", "newsApp", "news app", "-app", "app-", "_app", "app_", ".app", "app.",
                      "a..b", "a___b", "a._b", "a-.b", "a/b", "a:b", "a@b", "caf\u{E9}", "app\n"])
    func invalidPathComponents(name: String) {
        #expect(!ImageReference.isValidPathComponent(name))
    }

    @Test("isValidTag accepts 1 to 128 word characters, dots and dashes not leading",
          arguments: ["latest", "1.0", "v1.0-rc_2", "_", "A", "TAG5", String(repeating: "t", count: 128)])
    func validTags(tag: String) {
        #expect(ImageReference.isValidTag(tag))
    }

    @Test("isValidTag rejects empty, long, dot- or dash-led and non-word tags",
          arguments: ["", ".x", "-x", "a b", "a/b", "a:b", "a@b", "ü", String(repeating: "t", count: 129)])
    func invalidTags(tag: String) {
        #expect(!ImageReference.isValidTag(tag))
    }
}
