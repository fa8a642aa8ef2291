@testable import Archive
import Foundation
import Testing

/// The gzip stage that compresses a layer in blocks on several threads.
@Suite("Parallel gzip")
struct ParallelGzipTests {
    /// Checks every member of a gzip file with Python's zlib, one `decompressobj` per member, and
    /// prints `MEMBERS BYTES SHA256` of the whole decompressed stream. A member header with a
    /// name, a time, flags or an OS other than Unix fails it.
    static let memberCheck = """
        import hashlib, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        members, out = 0, hashlib.sha256()
        total = 0
        while data:
            if data[:10] != b'\\x1f\\x8b\\x08\\x00\\x00\\x00\\x00\\x00' + data[8:9] + b'\\x03':
                sys.exit('member %d header %s' % (members, data[:10].hex()))
            d = zlib.decompressobj(31)
            chunk = d.decompress(data)
            if not d.eof:
                sys.exit('member %d is truncated' % members)
            out.update(chunk)
            total += len(chunk)
            data = d.unused_data
            members += 1
        print(members, total, out.hexdigest())
        """

    /// `members bytes sha256` of a gzip file, by `memberCheck`.
    static func members(of path: String) throws -> String {
        let script = path + ".check.py"
        try memberCheck.write(toFile: script, atomically: true, encoding: .utf8)
        return try check("python3 '\(script)' '\(path)'")
    }

    /// Text that compresses like source code, `count` bytes, the same on every run.
    static func sampleBytes(_ count: Int) -> Data {
        var bytes = Data(capacity: count)
        var state: UInt64 = 42
        while bytes.count < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(contentsOf: "word\(state >> 54) ".utf8)
        }
        return bytes.prefix(count)
    }

    /// Compresses `input` in pieces of `piece` bytes and returns the gzip stream.
    static func compress(_ input: Data, blockSize: Int, threads: Int, level: Int = 6, piece: Int = 10_000) throws -> Data {
        var output = Data()
        let compressor = ParallelGzipCompressor(level: level, blockSize: blockSize, threadCount: threads) { output.append(contentsOf: $0) }
        try input.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + piece, bytes.count)
                try compressor.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                offset = end
            }
        }
        try compressor.finish()
        return output
    }

    @Test("a stream of several blocks becomes one member per block that gzip and Python's zlib read back whole")
    func blocksBecomeMembersInOrder() throws {
        let folder = try TemporaryFolder()
        let input = Self.sampleBytes(5 * 65_536 + 1_234)
        let gz = folder.file("stream.gz")
        try Self.compress(input, blockSize: 65_536, threads: 3).write(to: URL(fileURLWithPath: gz))
        try input.write(to: URL(fileURLWithPath: folder.file("stream")))

        let expected = try sha256(ofFile: folder.file("stream")).dropFirst("sha256:".count)
        #expect(try Self.members(of: gz) == "6 \(input.count) \(expected)")
        #expect(try check("gzip -t '\(gz)' && echo ok") == "ok")
        #expect(try check("gunzip -c '\(gz)' | cmp - '\(folder.file("stream"))' && echo same") == "same")
    }

    @Test("the bytes depend on the block size and level only: 1, 2 and 8 threads, any write sizes, give the same stream")
    func outputDoesNotDependOnThreads() throws {
        let input = Self.sampleBytes(9 * 32_768 + 77)
        let one = try Self.compress(input, blockSize: 32_768, threads: 1, piece: 4_096)
        let two = try Self.compress(input, blockSize: 32_768, threads: 2, piece: 100_000)
        let eight = try Self.compress(input, blockSize: 32_768, threads: 8, piece: 32_768)
        #expect(one == two)
        #expect(one == eight)
        #expect(try Self.compress(input, blockSize: 65_536, threads: 2) != one, "the block size is part of the output")
    }

    @Test("a stream shorter than a block is a single member; an empty stream is one empty member gzip accepts")
    func smallStreamsAreOneMember() throws {
        let folder = try TemporaryFolder()
        let small = folder.file("small.gz")
        try Self.compress(Self.sampleBytes(1_000), blockSize: 65_536, threads: 4).write(to: URL(fileURLWithPath: small))
        #expect(try Self.members(of: small).hasPrefix("1 1000 "))

        let empty = folder.file("empty.gz")
        try Self.compress(Data(), blockSize: 65_536, threads: 4).write(to: URL(fileURLWithPath: empty))
        #expect(try Self.members(of: empty).hasPrefix("1 0 "))
        #expect(try check("gzip -t '\(empty)' && echo ok") == "ok")
    }

    @Test("a stream of exactly two blocks is two members, with no empty member after them")
    func exactMultipleHasNoTrailingEmptyMember() throws {
        let folder = try TemporaryFolder()
        let gz = folder.file("two.gz")
        try Self.compress(Self.sampleBytes(2 * 65_536), blockSize: 65_536, threads: 2).write(to: URL(fileURLWithPath: gz))
        #expect(try Self.members(of: gz).hasPrefix("2 131072 "))
    }

    @Test("an error from the output stops the compressor and reaches the caller")
    func outputErrorReachesTheCaller() throws {
        struct DiskFull: Error {}
        let compressor = ParallelGzipCompressor(level: 1, blockSize: 4_096, threadCount: 2) { _ in throw DiskFull() }
        let input = Self.sampleBytes(64 * 4_096)
        #expect(throws: DiskFull.self) {
            try input.withUnsafeBytes { try compressor.write($0) }
            try compressor.finish()
        }
    }

    @Test("a level zlib refuses is an error naming gzip, the level and zlib")
    func zlibRefusalIsAnError() throws {
        let compressor = ParallelGzipCompressor(level: 12, blockSize: 4_096, threadCount: 2) { _ in }
        let error = #expect(throws: ArchiveError.self) {
            try Self.sampleBytes(100).withUnsafeBytes { try compressor.write($0) }
            try compressor.finish()
        }
        #expect(error?.description.hasPrefix("gzip level 12 compression failed: zlib deflateInit2 returned") == true, "\(String(describing: error))")
        #expect(error?.description.contains("zlib1g") == true)
    }

    @Test("a gzip layer larger than a block: many members, tar and bsdtar list it, gunzip gives the diffID")
    func largeLayerIsMultiMember() throws {
        let folder = try TemporaryFolder()
        let source = folder.file("data.bin")
        try Self.sampleBytes(3 << 20).write(to: URL(fileURLWithPath: source))
        let blob = folder.file("layer.tar.gz")
        let layer = try writeLayer(to: blob, compression: .gzip(level: 6)) { writer in
            try writer.append(.directory("app", modificationTime: testEpoch))
            try writer.append(.file("app/data.bin", contents: .file(PathBytes(source)), modificationTime: testEpoch))
        }
        let checked = try Self.members(of: blob).split(separator: " ")
        // 3 MiB of data plus three headers and the end blocks: four 1 MiB blocks.
        #expect(checked.first == "4")
        #expect("sha256:" + (checked.last ?? "") == layer.diffID.description)
        #expect(layer.digest.description == (try sha256(ofFile: blob)))
        #expect(try check("tar -tzf '\(blob)'") == "app/\napp/data.bin")
        #expect(try check("bsdtar -tf '\(blob)'") == "app/\napp/data.bin")
        #expect(try check("tar -xzOf '\(blob)' app/data.bin | cmp - '\(source)' && echo same") == "same")
    }
}
