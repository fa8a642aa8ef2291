import Foundation

extension OrderedJSON {
    /// Parses JSON text (RFC 8259), keeping members in order and numbers as written.
    ///
    /// - Parameters:
    ///   - text: The document.
    ///   - file: The name errors give the document.
    /// - Throws: `BeanstalkError.malformedJSON` naming the line and column of the first syntax error.
    public static func parse(_ text: String, file: String) throws(BeanstalkError) -> OrderedJSON {
        var parser = JSONParser(bytes: Array(text.utf8), file: file)
        return try parser.document()
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes that tracks line and column.
private struct JSONParser {
    let bytes: [UInt8]
    let file: String
    var offset = 0
    var line = 1
    var lineStart = 0
    /// Nesting depth, bounded so that a hostile file cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 200

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3; lineStart = 3 }
    }

    mutating func document() throws(BeanstalkError) -> OrderedJSON {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("the file is empty; it must hold a JSON object") }
        let value = try parseValue()
        skipWhitespace()
        guard offset == bytes.count else { throw failure("unexpected \(found) after the end of the JSON value") }
        return value
    }

    private var found: String {
        guard offset < bytes.count else { return "end of file" }
        let byte = bytes[offset]
        return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
    }

    private func failure(_ problem: String) -> BeanstalkError {
        // Columns count characters, not bytes: a UTF-8 continuation byte does not start one.
        let column = bytes[lineStart..<min(offset, bytes.count)].filter { $0 & 0xC0 != 0x80 }.count + 1
        return .malformedJSON(file: file, line: line, column: column, problem: problem)
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0D: offset += 1
            case 0x0A:
                offset += 1
                line += 1
                lineStart = offset
            default: return
            }
        }
    }

    private mutating func parseValue() throws(BeanstalkError) -> OrderedJSON {
        guard offset < bytes.count else { throw failure("unexpected end of file; a value is missing") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try nested { (parser: inout JSONParser) throws(BeanstalkError) in try parser.parseObject() }
        case UInt8(ascii: "["): return try nested { (parser: inout JSONParser) throws(BeanstalkError) in try parser.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected \(found); expected a value (object, list, string, number, true, false or null)")
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws(BeanstalkError) -> OrderedJSON) throws(BeanstalkError) -> OrderedJSON {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) levels deep") }
        return try body(&self)
    }

    private mutating func parseObject() throws(BeanstalkError) -> OrderedJSON {
        offset += 1
        var members: [OrderedJSON.Member] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw failure("unexpected \(found); expected a key in double quotes (no trailing comma before '}')")
            }
            let key = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw failure("unexpected \(found) after the key \"\(key)\"; expected ':'")
            }
            offset += 1
            skipWhitespace()
            members.append(OrderedJSON.Member(key, try parseValue()))
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of file; an object is not closed with '}'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw failure("unexpected \(found) after the value of \"\(key)\"; expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(BeanstalkError) -> OrderedJSON {
        offset += 1
        var elements: [OrderedJSON] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                throw failure("unexpected ']' after ','; remove the trailing comma")
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of file; a list is not closed with ']'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
            throw failure("unexpected \(found) in a list; expected ',' or ']'")
        }
    }

    private mutating func literal(_ word: String) throws(BeanstalkError) {
        let expected = Array(word.utf8)
        guard bytes[offset...].starts(with: expected) else { throw failure("unexpected \(found); expected \(word)") }
        offset += expected.count
    }

    private mutating func parseNumber() throws(BeanstalkError) -> String {
        let start = offset
        func digits(_ parser: inout JSONParser) -> Int {
            let begin = parser.offset
            while parser.offset < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.offset]) {
                parser.offset += 1
            }
            return parser.offset - begin
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integerStart = offset
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw failure("a number needs digits after '-'") }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
            offset = integerStart
            throw failure("a number must not start with 0; write it without leading zeros")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw failure("a number needs digits after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw failure("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func parseString() throws(BeanstalkError) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var chunkStart = offset
        func flush(_ parser: JSONParser, upTo end: Int, into scalars: inout String.UnicodeScalarView) {
            scalars.append(contentsOf: String(decoding: parser.bytes[chunkStart..<end], as: UTF8.self).unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                flush(self, upTo: offset, into: &scalars)
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(self, upTo: offset, into: &scalars)
                offset += 1
                scalars.append(try escape())
                chunkStart = offset
            case 0x00..<0x20:
                throw failure("a string holds a raw control character (such as a line break); write it as an escape like \\n")
            default:
                offset += 1
            }
        }
        throw failure("unexpected end of file inside a string; close it with '\"'")
    }

    private mutating func escape() throws(BeanstalkError) -> Unicode.Scalar {
        guard offset < bytes.count else { throw failure("unexpected end of file after '\\'") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hexQuad()
            if (0xD800..<0xDC00).contains(high), bytes[offset...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                offset += 2
                let low = try hexQuad()
                if (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) {
                    return scalar
                }
            }
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        default:
            offset -= 1
            throw failure("unknown escape \\\(Character(Unicode.Scalar(byte))) in a string; use \\\\ for a backslash")
        }
    }

    private mutating func hexQuad() throws(BeanstalkError) -> UInt32 {
        guard offset + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16) else {
            throw failure("\\u must be followed by four hex digits")
        }
        offset += 4
        return value
    }
}
