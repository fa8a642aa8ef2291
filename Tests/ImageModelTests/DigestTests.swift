import Foundation
import Testing
@testable import ImageModel

private let hex64 = "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
private let hex128 = String(repeating: "f", count: 128)

@Suite("Digest")
struct DigestTests {
    @Test("parses sha256 into algorithm and encoded hex, and prints it back unchanged")
    func parsesSHA256() throws {
        let digest = try Digest(parsing: "sha256:" + hex64)
        #expect(digest.algorithm == .sha256)
        #expect(digest.encoded == hex64)
        #expect(digest.description == "sha256:" + hex64)
    }

    @Test("parses sha512 with 128 hex characters")
    func parsesSHA512() throws {
        let digest = try Digest(parsing: "sha512:" + hex128)
        #expect(digest.algorithm == .sha512)
        #expect(digest.encoded == hex128)
        #expect(digest.description == "sha512:" + hex128)
    }

    @Test("sha256(hex:) and init(algorithm:encoded:) build the same digest as parsing")
    func conveniencesMatchParsing() throws {
        let parsed = try Digest(parsing: "sha256:" + hex64)
        #expect(try Digest.sha256(hex: hex64) == parsed)
        #expect(try Digest(algorithm: .sha256, encoded: hex64) == parsed)
    }

    @Test("sha256(hex:) rejects uppercase and short hex as an invalid sha256 encoding", arguments: [
        hex64.uppercased(), String(hex64.dropLast()), "",
    ])
    func sha256ConvenienceRejects(hex: String) {
        #expect(throws: ImageReferenceError.invalidDigest("sha256:" + hex, problem: .invalidEncoding(.sha256), reference: nil)) {
            try Digest.sha256(hex: hex)
        }
    }

    static let invalidDigests: [(String, ImageReferenceError.DigestProblem)] = [
        ("", .malformed),
        ("sha256", .malformed),
        (":" + hex64, .malformed),
        ("sha256:", .malformed),
        ("md5:d41d8cd98f00b204e9800998ecf8427e", .unsupportedAlgorithm("md5")),
        ("sha384:" + String(repeating: "a", count: 96), .unsupportedAlgorithm("sha384")),
        ("SHA256:" + hex64, .unsupportedAlgorithm("SHA256")),
        ("sha256+b64:" + hex64, .unsupportedAlgorithm("sha256+b64")),
        ("invaliddigest:" + hex64, .unsupportedAlgorithm("invaliddigest")),
        ("sha256:" + hex64.uppercased(), .invalidEncoding(.sha256)),
        ("sha256:" + String(hex64.dropLast()), .invalidEncoding(.sha256)),
        ("sha256:" + hex64 + "0", .invalidEncoding(.sha256)),
        ("sha256:ffffffffffffffffffffffffffffffffff", .invalidEncoding(.sha256)),
        ("sha256:" + String(hex64.dropLast()) + "g", .invalidEncoding(.sha256)),
        ("sha256: " + String(hex64.dropFirst()), .invalidEncoding(.sha256)),
        ("sha512:" + hex64, .invalidEncoding(.sha512)),
        ("sha256:" + hex64 + ":" + hex64, .invalidEncoding(.sha256)),
    ]

    @Test("rejects each malformed or unsupported digest with the problem it has", arguments: invalidDigests)
    func rejects(input: String, problem: ImageReferenceError.DigestProblem) {
        #expect(throws: ImageReferenceError.invalidDigest(input, problem: problem, reference: nil)) {
            try Digest(parsing: input)
        }
    }

    @Test("error descriptions quote the digest and say what the algorithm requires")
    func errorDescriptions() {
        #expect(
            ImageReferenceError.invalidDigest("sha256:abc", problem: .invalidEncoding(.sha256), reference: nil).description
                == #"invalid digest "sha256:abc": sha256 digests are exactly 64 lowercase hexadecimal characters after the colon; it has 3"#)
        let upper = "sha256:" + hex64.uppercased()
        #expect(
            ImageReferenceError.invalidDigest(upper, problem: .invalidEncoding(.sha256), reference: nil).description
                == #"invalid digest "\#(upper)": sha256 digests are exactly 64 lowercase hexadecimal characters after the colon; it has characters outside 0-9a-f"#)
        #expect(
            ImageReferenceError.invalidDigest("md5:00", problem: .unsupportedAlgorithm("md5"), reference: nil).description
                == #"invalid digest "md5:00": algorithm "md5" is not supported; only sha256 and sha512 are"#)
        #expect(
            ImageReferenceError.invalidDigest("nocolon", problem: .malformed, reference: "app@nocolon").description
                == #"invalid digest "nocolon" in reference "app@nocolon": expected "algorithm:hex", e.g. "sha256:" followed by 64 lowercase hexadecimal characters"#)
    }

    @Test("encodes to JSON as a single string and decodes back to an equal digest")
    func codableRoundTrip() throws {
        let digest = try Digest.sha256(hex: hex64)
        let data = try JSONEncoder().encode([digest])
        #expect(String(decoding: data, as: UTF8.self) == #"["sha256:\#(hex64)"]"#)
        #expect(try JSONDecoder().decode([Digest].self, from: data) == [digest])
    }

    @Test("decoding an invalid digest string fails with a data-corrupted error")
    func decodingRejectsInvalid() {
        let data = Data(#"["sha256:ABC"]"#.utf8)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Digest].self, from: data)
        }
    }

    @Test("equal digests hash alike, different ones do not collide in a set")
    func hashable() throws {
        let a = try Digest(parsing: "sha256:" + hex64)
        let b = try Digest.sha256(hex: hex64)
        let c = try Digest(parsing: "sha512:" + hex128)
        #expect(Set([a, b, c]).count == 2)
    }
}
