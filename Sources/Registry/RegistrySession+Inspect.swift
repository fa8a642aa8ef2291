import Archive
import Foundation
import ImageModel

extension RegistrySession {
    /// GETs a small blob (a config) into memory and checks it against its digest.
    /// - Throws: `PullError.notFound`, `.unexpectedStatus`, `.blobRejected` for other bytes, and `RegistryError`.
    public func fetchSmallBlob(_ descriptor: Descriptor, reference: String, repository: String) async throws -> Data {
        let response = try await send("GET", "/v2/\(repository)/blobs/\(descriptor.digest)", repository: repository,
                                      scopes: [.pull(repository)], sink: .collect(limit: 16 << 20))
        if response.status == 404 { throw PullError.notFound(reference: reference) }
        guard response.isSuccess else {
            throw PullError.unexpectedStatus(reference: reference, object: "blob \(descriptor.digest)", status: response.status)
        }
        let actual = try Digester.digest(of: response.body)
        guard actual == descriptor.digest else {
            throw PullError.blobRejected(reference: reference, object: "blob \(descriptor.digest)", reason: "its bytes have digest \(actual)")
        }
        return response.body
    }
}
