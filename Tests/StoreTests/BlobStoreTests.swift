import Foundation
import ImageModel
import Store
import Testing

@Suite("Blobs")
struct BlobStoreTests {
    @Test("a new store is an OCI layout: oci-layout, an empty index.json and blobs/sha256")
    func newStoreHasLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let layout = try String(contentsOf: store.root.appendingPathComponent("oci-layout"), encoding: .utf8)
        #expect(layout == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: store.root.appendingPathComponent("index.json")))
        #expect(index.schemaVersion == 2)
        #expect(index.manifests.isEmpty)
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: store.root.appendingPathComponent("blobs/sha256").path, isDirectory: &isFolder))
        #expect(isFolder.boolValue)
    }

    @Test("default() opens the store in GANTRY_HOME")
    func defaultUsesGantryHome() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore.default(environment: ["GANTRY_HOME": folder.appending("home").path])
        #expect(store.root.path == folder.appending("home").path)
        #expect(FileManager.default.fileExists(atPath: folder.appending("home/index.json").path))
    }

    @Test("a streamed blob gets the digest and size sha256sum and the file system report")
    func streamedBlobMatchesSha256sum() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let writer = try store.beginBlob()
        var expected = Data()
        for part in 0..<50 {
            let chunk = Data((0..<(1000 + part)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ part) })
            expected.append(chunk)
            chunk.withUnsafeBytes { bytes in
                #expect(throws: Never.self) { try writer.write(bytes) }
            }
        }
        let (digest, size) = try writer.commit()
        #expect(size == Int64(expected.count))
        #expect(writer.bytesWritten == size)
        let file = store.blobURL(digest)
        #expect(file.path == store.root.path + "/blobs/sha256/" + digest.encoded)
        #expect(try sha256sum(file) == digest)
        #expect(try Data(contentsOf: file) == expected)
        #expect(store.hasBlob(digest))
        #expect(try store.blobSize(digest) == size)
        #expect(try store.readBlob(digest) == expected)
        #expect(contents(of: store.root.appendingPathComponent("ingest")).isEmpty)
    }

    @Test("writeBlob returns a descriptor whose digest sha256sum agrees with, and an empty blob works")
    func writeBlobDescribesContent() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let descriptor = try store.writeBlob(Data(#"{"a":1}"#.utf8), mediaType: MediaType.ociConfig)
        #expect(descriptor.mediaType == MediaType.ociConfig)
        #expect(descriptor.size == 7)
        #expect(try sha256sum(store.blobURL(descriptor.digest)) == descriptor.digest)
        let empty = try store.writeBlob(Data(), mediaType: "application/vnd.oci.empty.v1+json")
        #expect(empty.digest.encoded == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(empty.size == 0)
    }

    @Test("a blob whose content does not match the expected digest is refused, naming both, and leaves no file")
    func digestMismatchLeavesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let expected = try Digest.sha256(hex: String(repeating: "0", count: 64))
        let actual = try Digest.sha256(hex: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        let writer = try store.beginBlob()
        try writer.write(Data("hello".utf8))
        #expect(throws: StoreError.digestMismatch(expected: expected, actual: actual)) {
            try writer.commit(expected: expected)
        }
        let message = StoreError.digestMismatch(expected: expected, actual: actual).description
        #expect(message.contains(expected.description) && message.contains(actual.description))
        #expect(!store.hasBlob(expected))
        #expect(!store.hasBlob(actual))
        #expect(contents(of: store.root.appendingPathComponent("blobs/sha256")).isEmpty)
        #expect(contents(of: store.root.appendingPathComponent("ingest")).isEmpty)
        #expect(throws: StoreError.writerFinished) { try writer.write(Data("more".utf8)) }
    }

    @Test("a blob with the wrong expected size is refused and leaves no file")
    func sizeMismatchLeavesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let writer = try store.beginBlob()
        try writer.write(Data("hello".utf8))
        let digest = try Digest.sha256(hex: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(throws: StoreError.sizeMismatch(digest, expected: 6, actual: 5)) {
            try writer.commit(expected: digest, expectedSize: 6)
        }
        #expect(!store.hasBlob(digest))
        #expect(contents(of: store.root.appendingPathComponent("ingest")).isEmpty)
    }

    @Test("an aborted or abandoned writer leaves no temporary file and no blob")
    func abortLeavesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let writer = try store.beginBlob()
        try writer.write(Data(repeating: 7, count: 10_000))
        #expect(contents(of: store.root.appendingPathComponent("ingest")).count == 1)
        writer.abort()
        writer.abort()
        #expect(contents(of: store.root.appendingPathComponent("ingest")).isEmpty)
        #expect(throws: StoreError.writerFinished) { try writer.commit() }

        do {
            let abandoned = try store.beginBlob()
            try abandoned.write(Data(repeating: 8, count: 100))
        }
        #expect(contents(of: store.root.appendingPathComponent("ingest")).isEmpty)
        #expect(contents(of: store.root.appendingPathComponent("blobs/sha256")).isEmpty)
    }

    @Test("committing the same content twice, from two writers, keeps one intact blob")
    func sameContentTwice() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let other = try ImageStore(root: folder.appending("store"))
        let first = try store.beginBlob()
        let second = try other.beginBlob()
        try first.write(Data("same".utf8))
        try second.write(Data("same".utf8))
        let a = try first.commit()
        let b = try second.commit()
        #expect(a.digest == b.digest)
        #expect(try store.readBlob(a.digest) == Data("same".utf8))
        #expect(contents(of: store.root.appendingPathComponent("blobs/sha256")) == [a.digest.encoded])
    }

    @Test("commitFile moves a file hashed elsewhere into place without copying, and refuses the wrong size")
    func commitFileMovesInPlace() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let url = try store.makeIngestFileURL()
        try Data("layer bytes".utf8).write(to: url)
        let digest = try sha256sum(url)
        try store.commitFile(at: url, digest: digest, size: 11)
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(try store.readBlob(digest) == Data("layer bytes".utf8))

        let wrong = try store.makeIngestFileURL()
        try Data("short".utf8).write(to: wrong)
        let wrongDigest = try sha256sum(wrong)
        #expect(throws: StoreError.sizeMismatch(wrongDigest, expected: 6, actual: 5)) {
            try store.commitFile(at: wrong, digest: wrongDigest, size: 6)
        }
        #expect(!store.hasBlob(wrongDigest))
        #expect(!FileManager.default.fileExists(atPath: wrong.path))
    }

    @Test("reading a missing blob names it and the store; a blob whose bytes changed is reported corrupt")
    func missingAndCorruptBlobs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let missing = try Digest.sha256(hex: String(repeating: "1", count: 64))
        #expect(throws: StoreError.blobMissing(missing, store: store.root.path)) { try store.readBlob(missing) }
        #expect(throws: StoreError.blobMissing(missing, store: store.root.path)) { try store.blobSize(missing) }
        #expect(StoreError.blobMissing(missing, store: "/s").description.contains(missing.description))

        let descriptor = try store.writeBlob(Data("original".utf8), mediaType: "text/plain")
        try Data("tampered".utf8).write(to: store.blobURL(descriptor.digest))
        #expect {
            try store.readBlob(descriptor.digest)
        } throws: { error in
            guard case StoreError.corruptBlob(let digest, _, _) = error else { return false }
            return digest == descriptor.digest
        }
    }

    @Test("readBlob refuses blobs over its size limit")
    func readBlobIsBounded() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ImageStore(root: folder.appending("store"))
        let descriptor = try store.writeBlob(Data(repeating: 1, count: 100), mediaType: "application/octet-stream")
        #expect(throws: StoreError.blobTooLarge(descriptor.digest, size: 100, limit: 99)) {
            try store.readBlob(descriptor.digest, maximumSize: 99)
        }
    }

    @Test("a store in a folder the user cannot write is refused as not writable (root writes anywhere, so it runs as non-root only)",
          .enabled(if: geteuid() != 0, "root can write anywhere"))
    func unwritableStoreNamesGantryHome() throws {
        let folder = try TemporaryFolder()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            folder.remove()
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        #expect(throws: StoreError.notWritable(folder: folder.path)) {
            try ImageStore(root: folder.appending("store"))
        }
    }

    @Test("the unwritable-store error names the folder and GANTRY_HOME")
    func unwritableStoreErrorNamesGantryHome() {
        let description = StoreError.notWritable(folder: "/srv/cache/gantry").description
        #expect(description.contains("/srv/cache/gantry"))
        #expect(description.contains("GANTRY_HOME"))
        #expect(!description.contains("\n"))
    }
}
