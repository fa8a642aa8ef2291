import Archive
import Foundation
import ImageModel
import Testing

@Suite("LayerWriter")
struct LayerWriterTests {
    /// A few entries of every kind the writer takes directly.
    private func appendSample(_ writer: LayerWriter, folder: TemporaryFolder) throws {
        let source = try folder.write("source.txt", String(repeating: "streamed from a file\n", count: 500))
        try writer.append(.directory("app", modificationTime: testEpoch))
        try writer.append(.file("app/hello.txt", contents: .data(Data("hello\n".utf8)), modificationTime: testEpoch))
        try writer.append(.file("app/run.sh", contents: .file(PathBytes(source)), permissions: 0o755, modificationTime: testEpoch))
        try writer.append(.symbolicLink("app/link", target: "hello.txt", modificationTime: testEpoch))
        try writer.append(.hardLink("app/hard", target: "app/hello.txt", modificationTime: testEpoch))
        try writer.append(.file("app/empty", contents: .none, modificationTime: testEpoch))
    }

    @Test("gzip layer: digest is sha256sum of the blob, diffID is sha256sum of gunzip's output, sizes match")
    func gzipDigestsMatchTools() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("layer.tar.gz")
        let layer = try writeLayer(to: blob, compression: .gzip(level: 6)) { try appendSample($0, folder: folder) }

        #expect(layer.digest.description == (try sha256(ofFile: blob)))
        #expect(layer.diffID.description == (try sha256(ofOutputOf: "gunzip -c '\(blob)'")))
        #expect(layer.size == (try FileManager.default.attributesOfItem(atPath: blob)[.size] as? Int64))
        #expect(layer.uncompressedSize == Int64(try check("gunzip -c '\(blob)' | wc -c")))
        #expect(layer.mediaType == MediaType.ociLayerGzip)
        #expect(try check("gzip -t '\(blob)' && echo ok") == "ok")
    }

    @Test("gzip header has no file name and a zero timestamp, and the output is the same on every run")
    func gzipHeaderIsReproducible() throws {
        let folder = try TemporaryFolder()
        let first = try writeLayer(to: folder.file("a.tar.gz")) { try appendSample($0, folder: folder) }
        sleep(1)
        let second = try writeLayer(to: folder.file("b.tar.gz")) { try appendSample($0, folder: folder) }
        #expect(first == second)

        let header = try Data(contentsOf: URL(fileURLWithPath: folder.file("a.tar.gz"))).prefix(10)
        #expect(Array(header.prefix(3)) == [0x1f, 0x8b, 0x08])
        #expect(header[3] == 0, "FLG: no FNAME, no FEXTRA, no comment")
        #expect(Array(header[4..<8]) == [0, 0, 0, 0], "MTIME is zero")
        #expect(header[9] == 3, "OS is Unix")
        #expect(try check("cmp '\(folder.file("a.tar.gz"))' '\(folder.file("b.tar.gz"))' && echo same") == "same")
    }

    @Test("gzip levels 1 and 9 both decompress to the same tar, so the diffID does not depend on the level")
    func gzipLevelsShareTheDiffID() throws {
        let folder = try TemporaryFolder()
        let fast = try writeLayer(to: folder.file("1.tar.gz"), compression: .gzip(level: 1)) { try appendSample($0, folder: folder) }
        let small = try writeLayer(to: folder.file("9.tar.gz"), compression: .gzip(level: 9)) { try appendSample($0, folder: folder) }
        #expect(fast.diffID == small.diffID)
        #expect(fast.digest != small.digest)
        #expect(small.size <= fast.size)
    }

    @Test("zstd layer decompresses with zstd -d to the tar whose digest is the diffID")
    func zstdDecompresses() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("layer.tar.zst")
        let layer = try writeLayer(to: blob, compression: .zstd(level: 3)) { try appendSample($0, folder: folder) }
        #expect(layer.mediaType == MediaType.ociLayerZstd)
        #expect(layer.digest.description == (try sha256(ofFile: blob)))
        #expect(layer.diffID.description == (try sha256(ofOutputOf: "zstd -d -c '\(blob)'")))
        #expect(try check("zstd -d -c '\(blob)' | tar -tf -").split(separator: "\n").count == 6)
    }

    @Test("uncompressed layer: the digest is the diffID and the blob is the tar")
    func uncompressedDigestIsDiffID() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("layer.tar")
        let layer = try writeLayer(to: blob, compression: .none) { try appendSample($0, folder: folder) }
        #expect(layer.digest == layer.diffID)
        #expect(layer.size == layer.uncompressedSize)
        #expect(layer.mediaType == MediaType.ociLayer)
        #expect(layer.digest.description == (try sha256(ofFile: blob)))
    }

    @Test("GNU tar lists the headers as written: modes, owner 0/0, mtime, link targets")
    func gnuTarListsHeaders() throws {
        let folder = try TemporaryFolder()
        let blob = folder.file("layer.tar.gz")
        _ = try writeLayer(to: blob) { try appendSample($0, folder: folder) }
        let listing = try check("TZ=UTC tar --numeric-owner --full-time -tvzf '\(blob)'")
        let expected = """
            drwxr-xr-x 0/0               0 2024-01-02 03:04:05 app/
            -rw-r--r-- 0/0               6 2024-01-02 03:04:05 app/hello.txt
            -rwxr-xr-x 0/0           10500 2024-01-02 03:04:05 app/run.sh
            lrwxrwxrwx 0/0               0 2024-01-02 03:04:05 app/link -> hello.txt
            hrw-r--r-- 0/0               0 2024-01-02 03:04:05 app/hard link to app/hello.txt
            -rw-r--r-- 0/0               0 2024-01-02 03:04:05 app/empty
            """
        #expect(listing == expected)
    }

    @Test("compression levels out of range are refused with the valid range")
    func refusesBadLevels() {
        #expect(throws: ArchiveError.invalidCompressionLevel(.gzip(level: 0))) {
            try LayerWriter(compression: .gzip(level: 0)) { _ in }
        }
        #expect(throws: ArchiveError.invalidCompressionLevel(.zstd(level: 23))) {
            try LayerWriter(compression: .zstd(level: 23)) { _ in }
        }
        #expect(ArchiveError.invalidCompressionLevel(.gzip(level: 0)).description.contains("use 1 (fastest) to 9"))
    }

    @Test("an error from the sink reaches the caller unchanged and closes the writer")
    func sinkErrorPropagates() throws {
        struct DiskFull: Error, Equatable {}
        let writer = try LayerWriter(compression: .gzip(level: 1)) { _ in throw DiskFull() }
        let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        #expect(throws: DiskFull.self) {
            try writer.append(.file("big", contents: .data(big)))
            _ = try writer.finish()
        }
        #expect(throws: ArchiveError.writerClosed) { _ = try writer.finish() }
    }

    @Test("contents on a directory entry are refused, naming the entry")
    func refusesContentsOnDirectory() throws {
        let writer = try LayerWriter { _ in }
        let entry = LayerEntry(header: TarHeader(path: "etc", kind: .directory, permissions: 0o755), contents: .data(Data("x".utf8)))
        #expect(throws: ArchiveError.invalidEntryPath("etc", problem: "only a regular file can have contents")) {
            try writer.append(entry)
        }
    }

    @Test("a file that cannot be opened is an error naming it")
    func missingFileIsNamed() throws {
        let writer = try LayerWriter { _ in }
        let error = #expect(throws: ArchiveError.self) {
            try writer.append(.file("app/x", contents: .file("/nonexistent/gantry-test-file")))
        }
        #expect(error?.description.hasPrefix("cannot open /nonexistent/gantry-test-file: No such file or directory") == true)
    }
}
