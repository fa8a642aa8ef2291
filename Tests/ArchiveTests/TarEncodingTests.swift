import Foundation
import ImageModel
import Testing

@testable import Archive

/// Names and fields that need pax records, checked by extracting with bsdtar and GNU tar.
@Suite("Tar encoding")
struct TarEncodingTests {
    static let longASCII = "app/" + String(repeating: "d", count: 60) + "/" + String(repeating: "f", count: 80) + ".txt"
    static let veryLong = "app/" + (0..<12).map { "segment\($0)-" + String(repeating: "x", count: 20) }.joined(separator: "/") + "/leaf.txt"
    static let accented = "app/caf\u{E9}-\u{6F22}\u{5B57}.txt"
    /// `app/bad<0xff>name.txt`: not UTF-8.
    static let notUTF8 = PathBytes(bytes: Array("app/bad".utf8) + [0xff] + Array("name.txt".utf8))

    private func writeNames(to blob: String) throws -> LayerDigests {
        try writeLayer(to: blob) { writer in
            try writer.append(.directory("app", modificationTime: testEpoch))
            for (index, path) in [PathBytes(Self.longASCII), PathBytes(Self.veryLong), PathBytes(Self.accented), Self.notUTF8].enumerated() {
                try writer.append(.file(path, contents: .data(Data("file \(index)\n".utf8)), modificationTime: testEpoch))
            }
            try writer.append(.symbolicLink("app/long-link", target: PathBytes(Self.veryLong), modificationTime: testEpoch))
            try writer.append(.symbolicLink("app/odd-link", target: Self.notUTF8, modificationTime: testEpoch))
        }
    }

    /// Every path under `folder`, as raw bytes relative to it, from `find -print0`.
    private func extractedPaths(_ folder: String) throws -> Set<[UInt8]> {
        let result = try shell("find . -mindepth 1 -print0", in: folder)
        #expect(result.status == 0)
        return Set(result.output.split(separator: 0).map { Array($0.dropFirst(2)) })
    }

    private var expectedPaths: Set<[UInt8]> {
        var paths: Set<[UInt8]> = [Array("app".utf8), Array("app/long-link".utf8), Array("app/odd-link".utf8), Self.notUTF8.bytes]
        for path in [Self.longASCII, Self.veryLong, Self.accented] {
            // Each file and every directory above it.
            let components = path.split(separator: "/")
            for end in 1...components.count { paths.insert(Array(components[..<end].joined(separator: "/").utf8)) }
        }
        return paths
    }

    @Test("long, non-ASCII and non-UTF-8 names and link targets survive extraction by bsdtar byte for byte",
          arguments: ["bsdtar -xzf", "tar -xzf"])
    func namesRoundTrip(extractor: String) throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("names.tar.gz")
        _ = try writeNames(to: blob)
        let out = try folder.makeFolder("out")
        _ = try check("\(extractor) '\(blob)'", in: out)

        #expect(try extractedPaths(out) == expectedPaths)
        #expect(try String(contentsOfFile: out + "/" + Self.veryLong, encoding: .utf8) == "file 1\n")
        #expect(try check("readlink app/long-link", in: out) == Self.veryLong)
        let oddTarget = try shell("readlink app/odd-link | tr -d '\\n'", in: out).output
        #expect(Array(oddTarget) == Self.notUTF8.bytes)
        let badFile = try shell("cat app/bad$'\\xff'name.txt", in: out).text
        #expect(badFile == "file 3\n")
    }

    @Test("a non-UTF-8 name is marked hdrcharset=BINARY; UTF-8 and long names get plain pax path records")
    func paxRecordsForNames() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("names.tar.gz")
        _ = try writeNames(to: blob)
        let tar = try Data(contentsOf: URL(fileURLWithPath: blob))
        let plain = try shell("gunzip -c '\(blob)'").output
        #expect(!tar.isEmpty)
        #expect(plain.range(of: Data("hdrcharset=BINARY".utf8)) != nil)
        #expect(plain.range(of: Data(("path=" + Self.accented).utf8)) != nil)
        #expect(plain.range(of: Data(("path=" + Self.veryLong).utf8)) != nil)
        #expect(plain.range(of: Data(("linkpath=" + Self.veryLong).utf8)) != nil)
        // 146 ASCII bytes fit the ustar prefix and name fields: no pax record.
        #expect(plain.range(of: Data(("path=" + Self.longASCII).utf8)) == nil)
    }

    @Test("a 9 GiB size goes into a pax size record, with a zero ustar size field")
    func largeSizeUsesPaxRecord() throws {
        let header = TarHeader(path: "big", kind: .regularFile, permissions: 0o644, size: 9 << 30)
        let bytes = try header.encoded()
        #expect(bytes.count == 3 * 512)
        #expect(String(decoding: bytes[512..<1024], as: UTF8.self).hasPrefix("19 size=9663676416\n"))
        #expect(Array(bytes[1024 + 124..<1024 + 136]) == Array("00000000000".utf8) + [0])
        #expect(bytes[156] == UInt8(ascii: "x"))
    }

    @Test("uid, gid, names and times that overflow the ustar fields become pax records")
    func overflowingFieldsUsePaxRecords() throws {
        let header = TarHeader(
            path: "f", kind: .regularFile, permissions: 0o4755, uid: 3_000_000, gid: 2_097_152,
            userName: String(repeating: "u", count: 40), groupName: "gr\u{FC}n", modificationTime: -5)
        let records = String(decoding: try header.encoded()[512..<1024], as: UTF8.self)
        #expect(records.contains(" uid=3000000\n"))
        #expect(records.contains(" gid=2097152\n"))
        #expect(records.contains(" uname=" + String(repeating: "u", count: 40) + "\n"))
        #expect(records.contains(" gname=gr\u{FC}n\n"))
        #expect(records.contains(" mtime=-5\n"))
    }

    @Test("extended attributes are SCHILY.xattr records, sorted by name, that GNU tar restores")
    func extendedAttributesRoundTrip() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("xattr.tar")
        let value: [UInt8] = [0x01, 0x00, 0x00, 0x02, 0xff, 0x0a]
        _ = try writeLayer(to: blob, compression: .none) { writer in
            var entry = LayerEntry.file("tagged", contents: .data(Data("x".utf8)))
            entry.header.extendedAttributes = [
                ExtendedAttribute(name: "user.zeta", value: Array("last".utf8)),
                ExtendedAttribute(name: "user.alpha", value: value),
            ]
            try writer.append(entry)
        }
        let tar = try Data(contentsOf: URL(fileURLWithPath: blob))
        let alpha = try #require(tar.range(of: Data("SCHILY.xattr.user.alpha=".utf8)))
        let zeta = try #require(tar.range(of: Data("SCHILY.xattr.user.zeta=last\n".utf8)))
        #expect(alpha.lowerBound < zeta.lowerBound)
        #expect(Array(tar[alpha.upperBound..<alpha.upperBound + value.count]) == value)

        let out = try folder.makeFolder("out")
        _ = try check("tar --xattrs --xattrs-include='*' -xf '\(blob)'", in: out)
        #expect(readAttribute(out + "/tagged", "user.alpha") == value)
        #expect(readAttribute(out + "/tagged", "user.zeta") == Array("last".utf8))
    }

    @Test("entries with an empty path, a NUL byte or an '=' in an attribute name are refused")
    func refusesUnwritableEntries() throws {
        #expect(throws: ArchiveError.invalidEntryPath("", problem: "the path is empty")) {
            _ = try TarHeader(path: "", kind: .directory, permissions: 0o755).encoded()
        }
        let nul = PathBytes(bytes: [0x61, 0x00, 0x62])
        #expect(throws: ArchiveError.invalidEntryPath(nul, problem: "the path holds a NUL byte")) {
            _ = try TarHeader(path: nul, kind: .regularFile, permissions: 0o644).encoded()
        }
        let attribute = TarHeader(
            path: "f", kind: .regularFile, permissions: 0o644, extendedAttributes: [ExtendedAttribute(name: "user.a=b", value: [])])
        #expect(throws: ArchiveError.invalidAttributeName(path: "f", name: "user.a=b")) { _ = try attribute.encoded() }
    }
}

/// The value of extended attribute `name` of the file at `path`, or nil (read with Python's `os.getxattr`).
func readAttribute(_ path: String, _ name: String) -> [UInt8]? {
    let script = "import os, sys; sys.stdout.buffer.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False))"
    guard let result = try? shell("python3 -c '\(script)' '\(path)' '\(name)'"), result.status == 0 else { return nil }
    return Array(result.output)
}

/// Sets extended attribute `name` of the file at `path`; false when the file system refuses.
func writeAttribute(_ path: String, _ name: String, _ value: [UInt8]) -> Bool {
    let hex = value.map { String(format: "%02x", $0) }.joined()
    let script = "import os, sys; os.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), follow_symlinks=False)"
    return (try? shell("python3 -c '\(script)' '\(path)' '\(name)' '\(hex)'"))?.status == 0
}
