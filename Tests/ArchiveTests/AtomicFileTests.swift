import Archive
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `AtomicFile` also writes the store's `index.json`, `oci-layout` and push records.
@Suite("AtomicFile")
struct AtomicFileTests {
    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("replaces the file whole, with the mode asked for, and leaves no temporary file")
    func replaces() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("index.json")
        try AtomicFile.write(Data("old".utf8), to: path)
        let first = try mode(path)
        #expect(first & ~0o644 == 0 && first & 0o600 == 0o600, "0o644 before the umask")
        try AtomicFile.write(Data("new".utf8), to: path, mode: 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["index.json"])
    }

    @Test("a missing folder is cannotWrite naming the file, with the system's reason")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("gone/index.json")
        #expect(throws: ArchiveError.cannotWrite(path, errno: ENOENT)) {
            try AtomicFile.write(Data("x".utf8), to: path)
        }
    }
}
