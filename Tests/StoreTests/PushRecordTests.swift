import Foundation
import ImageModel
import Store
import Testing

@Suite struct PushRecordTests {
    @Test func theLastPushOfARepositoryIsRememberedPerRepository() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gantry-push-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try ImageStore(root: root)
        let first = try Digest(parsing: "sha256:" + String(repeating: "a", count: 64))
        let second = try Digest(parsing: "sha256:" + String(repeating: "b", count: 64))
        let other = try Digest(parsing: "sha256:" + String(repeating: "c", count: 64))
        try store.recordPush(try ImageReference(parsing: "127.0.0.1:5000/news/app:1"), digest: first)
        try store.recordPush(try ImageReference(parsing: "127.0.0.1:5000/news/other:1"), digest: other)
        try store.recordPush(try ImageReference(parsing: "127.0.0.1:5000/news/app:2"), digest: second)
        let app = try #require(store.lastPush(of: try ImageReference(parsing: "127.0.0.1:5000/news/app")))
        #expect(app.digest == second && app.reference == "127.0.0.1:5000/news/app:2")
        #expect(store.lastPush(of: try ImageReference(parsing: "127.0.0.1:5000/news/other:9"))?.digest == other)
        #expect(store.lastPush(of: try ImageReference(parsing: "127.0.0.1:5000/news/none")) == nil)
    }
}
