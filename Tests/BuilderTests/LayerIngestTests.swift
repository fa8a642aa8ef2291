import Archive
import Foundation
import Store
import Testing
@testable import Builder

@Suite("writing a layer into the store")
struct LayerIngestTests {
    struct Stop: Error {}

    /// A new store in a temporary folder, removed after `body`.
    func withStore<Result>(_ body: (ImageStore) async throws -> Result) async throws -> Result {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-ingest-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        return try await body(try ImageStore(root: root))
    }

    func ingestFiles(_ store: ImageStore) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("ingest").path)) ?? []
    }

    let entries: [LayerEntry] = [
        .directory("app/"),
        .file("app/wsgi.py", contents: .data(Data("print('hi')\n".utf8))),
    ]

    @Test("a written layer is a blob of its size, and no ingest file stays")
    func writesABlob() async throws {
        try await withStore { store in
            let digests = try await AppBuild.write(entries, into: store, compression: .gzip(level: 6))
            #expect(store.hasBlob(digests.digest))
            #expect(try store.blobSize(digests.digest) == digests.size)
            #expect(ingestFiles(store).isEmpty)
            let again = try LayerIngest.writeLayer(into: store, compression: .gzip(level: 6)) { writer in
                for entry in entries { try writer.append(entry) }
            }
            #expect(again.digest == digests.digest)
        }
    }

    @Test("a layer that fails part-way leaves no ingest file and no blob")
    func failureLeavesNothing() async throws {
        try await withStore { store in
            #expect(throws: Stop.self) {
                try LayerIngest.writeLayer(into: store, compression: .gzip(level: 6)) { writer in
                    try writer.append(entries[0])
                    throw Stop()
                }
            }
            #expect(ingestFiles(store).isEmpty)
            let blobs = try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("blobs/sha256").path)
            #expect(blobs.isEmpty)
        }
    }
}
