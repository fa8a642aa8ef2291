import Archive
import Foundation
import ImageModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sizes past the ustar limit, and the memory and speed of streaming a big file.
@Suite("Large layers", .serialized)
struct LargeLayerTests {
    /// The process's resident set now (`VmRSS`) or its peak (`VmHWM`), in bytes, from /proc/self/status.
    static func residentBytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// Resets the peak resident set to the current one, so `VmHWM` measures from now.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// How much the resident set peaked above where it was while `body` ran, in bytes.
    static func peakGrowth(during body: () throws -> Void) rethrows -> Int {
        resetPeak()
        let before = residentBytes("VmRSS")
        try body()
        return residentBytes("VmHWM") - before
    }

    @Test("streaming a 64 MiB file keeps the resident set within a few MiB of where it was",
          arguments: [LayerCompression.zstd(level: 1), .gzip(level: 1)])
    func memoryStaysFlat(compression: LayerCompression) throws {
        let folder = try TemporaryFolder()
        let source = folder.file("random.bin")
        _ = try check("head -c \(64 << 20) /dev/urandom > '\(source)'")
        var layer: LayerDigests?
        let growth = try Self.peakGrowth {
            layer = try writeLayer(to: folder.file("layer"), compression: compression) { writer in
                try writer.append(.file("data/random.bin", contents: .file(PathBytes(source))))
            }
        }
        #expect(layer?.uncompressedSize == Int64(64 << 20) + 512 + 1024)
        #expect(growth < 16 << 20, "peak resident set grew by \(growth >> 20) MiB")
    }

    @Test("a sparse 9 GiB file streams into an uncompressed layer that bsdtar lists with its full size",
          .enabled(if: ProcessInfo.processInfo.environment["GANTRY_TEST_LARGE"] == "1", "set GANTRY_TEST_LARGE=1 (about 20 s)"))
    func nineGiBFile() throws {
        let folder = try TemporaryFolder()
        let big = folder.file("big.img")
        _ = try check("truncate -s 9G '\(big)'")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/bsdtar")
        process.arguments = ["-tvf", "-"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let descriptor = input.fileHandleForWriting.fileDescriptor
        let start = Date()
        Self.resetPeak()
        let before = Self.residentBytes("VmRSS")
        let writer = try LayerWriter(compression: .none) { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let count = write(descriptor, base + offset, bytes.count - offset)
                guard count > 0 else { throw TestFailure("bsdtar stopped reading") }
                offset += count
            }
        }
        try writer.append(.file("disk/big.img", contents: .file(PathBytes(big)), modificationTime: testEpoch))
        let digests = try writer.finish()
        try input.fileHandleForWriting.close()
        let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        print("9 GiB layer streamed to bsdtar in \(String(format: "%.1f", seconds)) s; peak RSS grew by \((Self.residentBytes("VmHWM") - before) >> 20) MiB")

        #expect(listing.contains(" 9663676416 "))
        #expect(listing.contains("disk/big.img"))
        // A pax header block and its record block, the ustar header, the data, the end marker.
        #expect(digests.uncompressedSize == 3 * 512 + 9 * 1024 * 1024 * 1024 + 1024)
        #expect(digests.digest == digests.diffID)
    }
}

/// Throughput and memory of writing one 300 MiB random file, printed for the record.
@Suite("Layer benchmark", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["GANTRY_BENCH"] == "1", "set GANTRY_BENCH=1 (about a minute)"))
struct LayerBenchmark {
    static let fileSize = 300 * 1024 * 1024

    /// Where the 300 MiB come from: random bytes (deflate's worst case) or the
    /// files under /usr/lib, which compress like a root file system does.
    enum Content: String, CaseIterable, Sendable {
        case random
        case usrLib

        var command: String {
            switch self {
            case .random: "head -c \(LayerBenchmark.fileSize) /dev/urandom"
            case .usrLib: "set +o pipefail; find /usr/lib -type f -size +0 -print0 | sort -z | xargs -0 cat 2>/dev/null | head -c \(LayerBenchmark.fileSize)"
            }
        }
    }

    @Test("300 MiB file: MB/s and peak RSS for each compression",
          arguments: Content.allCases, [LayerCompression.gzip(level: 1), .gzip(level: 6), .zstd(level: 3), .none])
    func throughput(content: Content, compression: LayerCompression) throws {
        let folder = try TemporaryFolder()
        let source = folder.file("source.bin")
        _ = try check("\(content.command) > '\(source)'")
        var layer: LayerDigests?
        let start = Date()
        let growth = try LargeLayerTests.peakGrowth {
            layer = try writeLayer(to: folder.file("layer"), compression: compression) { writer in
                try writer.append(.file("data/source.bin", contents: .file(PathBytes(source))))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let megabytes = Double(Self.fileSize) / 1_000_000
        print(String(format: "BENCH %@ %@: %.2f s, %.1f MB/s, blob %.1f MB, peak RSS %d MiB, %d MiB above the start",
                     content.rawValue, compression.description, seconds, megabytes / seconds, Double(layer?.size ?? 0) / 1_000_000,
                     LargeLayerTests.residentBytes("VmHWM") >> 20, growth >> 20))
        #expect(growth < 32 << 20)
    }
}
