import Foundation
import ImageModel

/// The last push of a repository, as `gantry push` records it.
public struct PushRecord: Codable, Hashable, Sendable {
    /// The reference pushed, with its tag (`registry.example.com/news/app:1a2b3c4`).
    public var reference: String
    /// The manifest digest the registry stored.
    public var digest: Digest
    /// When the push finished.
    public var pushed: Date

    /// Makes a record.
    public init(reference: String, digest: Digest, pushed: Date) {
        self.reference = reference
        self.digest = digest
        self.pushed = pushed
    }
}

extension ImageStore {
    var pushesPath: String { root.appendingPathComponent("pushes.json").path }

    /// Remembers that `reference` was pushed with manifest `digest`, replacing the repository's
    /// previous record (`pushes.json` in the store, changed under the index lock, written atomically).
    ///
    /// - Throws: `StoreError` when the file cannot be written.
    public func recordPush(_ reference: ImageReference, digest: Digest, at date: Date = Date()) throws(StoreError) {
        try indexLock.withLock { () throws(StoreError) in
            var records = pushRecords()
            records[reference.normalized.name] = PushRecord(reference: reference.normalized.description, digest: digest, pushed: date)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let data: Data
            do { data = try encoder.encode(records) } catch {
                throw .fileSystem(operation: "encode", path: pushesPath, reason: "\(error)")
            }
            try POSIXFile.writeAtomically(data, to: pushesPath)
        }
    }

    /// The last push of a repository (`registry.example.com/news/app`), if gantry pushed it from this store.
    public func lastPush(of repository: ImageReference) -> PushRecord? {
        pushRecords()[repository.normalized.name]
    }

    private func pushRecords() -> [String: PushRecord] {
        guard let data = FileManager.default.contents(atPath: pushesPath) else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([String: PushRecord].self, from: data)) ?? [:]
    }
}
