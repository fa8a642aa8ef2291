import Crypto
import Foundation
import ImageModel

/// SHA-256 over streamed bytes, giving an `ImageModel.Digest`.
///
/// Kept apart so that the rest of the module need not import Crypto, whose
/// `Digest` protocol would shadow the image model's `Digest`.
struct ContentHasher {
    private var hasher = SHA256()

    /// Adds the next bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The `sha256:<hex>` digest of everything added; nil never happens in practice.
    func finalize() -> ImageModel.Digest? {
        try? ImageModel.Digest.sha256(hex: hasher.finalize().hexDigits)
    }

    /// The hex encoding of `data`'s hash with `algorithm`, to compare with a digest's `encoded`.
    static func hex(of data: Data, algorithm: ImageModel.Digest.Algorithm) -> String {
        switch algorithm {
        case .sha256: SHA256.hash(data: data).hexDigits
        case .sha512: SHA512.hash(data: data).hexDigits
        }
    }
}

extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hexadecimal.
    var hexDigits: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
