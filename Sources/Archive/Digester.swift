import Crypto
import Foundation
import ImageModel

/// SHA-256 of a byte stream, with its length, as it goes by.
public struct Digester {
    private var hasher = SHA256()
    /// The number of bytes hashed so far.
    public private(set) var count: Int64 = 0

    /// A digester that has hashed nothing.
    public init() {}

    /// Hashes the next bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    /// The digest of the bytes hashed so far, `sha256:<hex>`.
    public func finalize() throws(ImageReferenceError) -> ImageModel.Digest {
        try ImageModel.Digest.sha256(hex: Self.hex(hasher.finalize()))
    }

    /// The digest of `data`.
    public static func digest(of data: Data) throws(ImageReferenceError) -> ImageModel.Digest {
        var digester = Digester()
        data.withUnsafeBytes { digester.update($0) }
        return try digester.finalize()
    }

    /// The hex encoding of `data`'s hash with `algorithm`, to compare with a digest's `encoded`.
    public static func hex(of data: Data, algorithm: ImageModel.Digest.Algorithm) -> String {
        switch algorithm {
        case .sha256: hex(SHA256.hash(data: data))
        case .sha512: hex(SHA512.hash(data: data))
        }
    }

    /// The lowercase hex encoding of a digest's bytes.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
