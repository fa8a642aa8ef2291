import Foundation

/// Any JSON value, for the fields of image documents that gantry does not model.
///
/// Base image configs and manifests carry fields gantry has no type for
/// (Docker's `container_config`, vendor extensions); decoding them into
/// `JSONValue` lets gantry edit a document and write it back without losing them.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits 64 bits, kept exact.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    /// Decodes whatever JSON value the decoder holds.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` when the value is not JSON.
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd {
                elements.append(try array.decode(JSONValue.self))
            }
            self = .array(elements)
            return
        }
        if let object = try? decoder.container(keyedBy: JSONKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys {
                members[key.stringValue] = try object.decode(JSONValue.self, forKey: key)
            }
            self = .object(members)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? value.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else if let string = try? value.decode(String.self) {
            self = .string(string)
        } else {
            throw DecodingError.dataCorruptedError(in: value, debugDescription: "expected a JSON value")
        }
    }

    /// Encodes the value as the JSON it stands for.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws, e.g. for a non-finite number.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var value = encoder.singleValueContainer()
            try value.encodeNil()
        case .bool(let bool):
            var value = encoder.singleValueContainer()
            try value.encode(bool)
        case .integer(let integer):
            var value = encoder.singleValueContainer()
            try value.encode(integer)
        case .number(let number):
            var value = encoder.singleValueContainer()
            try value.encode(number)
        case .string(let string):
            var value = encoder.singleValueContainer()
            try value.encode(string)
        case .array(let elements):
            var array = encoder.unkeyedContainer()
            for element in elements { try array.encode(element) }
        case .object(let members):
            var object = encoder.container(keyedBy: JSONKey.self)
            for (key, member) in members { try object.encode(member, forKey: JSONKey(key)) }
        }
    }
}

/// A coding key for any member name, used where the names are not known in advance.
struct JSONKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}

extension KeyedDecodingContainer where Key == JSONKey {
    /// The members whose names are not in `known`: what a typed document keeps as its extras.
    func unknownMembers(excluding known: Set<String>) throws -> [String: JSONValue] {
        var extras: [String: JSONValue] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            extras[key.stringValue] = try decode(JSONValue.self, forKey: key)
        }
        return extras
    }
}

extension KeyedEncodingContainer where Key == JSONKey {
    /// Writes back the members a typed document did not model; a name it models wins over an extra.
    mutating func encodeUnknownMembers(_ extras: [String: JSONValue], excluding known: Set<String>) throws {
        for (name, value) in extras where !known.contains(name) {
            try encode(value, forKey: JSONKey(name))
        }
    }
}

/// JSON that gantry writes itself: the same value always gives the same bytes.
///
/// Keys are sorted and slashes are not escaped, like the JSON that Go tools
/// (skopeo, crane, containerd) write, so digests of configs and manifests
/// gantry makes are reproducible. Blobs that come from elsewhere are never
/// re-encoded; they keep their original bytes.
public enum CanonicalJSON {
    /// A new encoder with the canonical settings: sorted keys, unescaped slashes, no extra whitespace.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes `value` canonically.
    ///
    /// - Parameter value: The document to encode.
    /// - Returns: The JSON bytes, without a trailing newline.
    /// - Throws: `EncodingError` when the value cannot be encoded, e.g. a non-finite number.
    public static func encode(_ value: some Encodable) throws -> Data {
        try makeEncoder().encode(value)
    }
}
