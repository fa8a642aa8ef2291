/// The POSIX pax interchange format, written by hand rather than through
/// libarchive so that a layer's bytes do not change with the libarchive
/// version, and so that extended attributes are `SCHILY.xattr.*` records,
/// the form Docker, containerd and GNU tar read (libarchive 3.6 writes only
/// its own `LIBARCHIVE.xattr.*`).
///
/// Like `pax` in its restricted mode, an entry gets a pax extended header only
/// when a field does not fit the ustar header: a non-ASCII or long path or link
/// target, a size of 8 GiB or more, large ids, names or times, or extended
/// attributes.
extension TarHeader {
    /// The size of a tar block; headers are one block, data is padded to a whole number of them.
    static let blockSize = 512

    /// The header as it goes into the tar stream: a pax extended header and its
    /// records when needed, then the ustar header block.
    ///
    /// - Throws: `ArchiveError.invalidEntryPath` for an empty path or a NUL in
    ///   the path or link target; `ArchiveError.invalidAttributeName` for an
    ///   attribute name that cannot be a pax key.
    func encoded() throws(ArchiveError) -> [UInt8] {
        try validate()
        var records = PaxRecords()
        var block = [UInt8](repeating: 0, count: Self.blockSize)

        var pathBytes = path.bytes
        if kind == .directory, pathBytes.last != UInt8(ascii: "/") { pathBytes.append(UInt8(ascii: "/")) }
        let target = linkTarget
        if !path.isValidUTF8 || !(target?.isValidUTF8 ?? true) {
            // POSIX records are UTF-8 unless the header says otherwise.
            records.append("hdrcharset", "BINARY")
        }

        if let (prefix, name) = Self.ustarSplit(pathBytes) {
            block.put(name, at: 0, width: 100)
            block.put(prefix, at: 345, width: 155)
        } else {
            records.append("path", pathBytes)
            block.put(Self.asciiFallback(pathBytes, width: 100), at: 0, width: 100)
        }

        block.putOctal(UInt64(permissions & 0o7777), at: 100, width: 8)
        block.putNumber(UInt64(uid), at: 108, width: 8, orRecord: "uid", in: &records)
        block.putNumber(UInt64(gid), at: 116, width: 8, orRecord: "gid", in: &records)
        block.putNumber(UInt64(dataSize), at: 124, width: 12, orRecord: "size", in: &records)
        if modificationTime >= 0 {
            block.putNumber(UInt64(modificationTime), at: 136, width: 12, orRecord: "mtime", in: &records)
        } else {
            block.putOctal(0, at: 136, width: 12)
            records.append("mtime", String(modificationTime))
        }
        block[156] = typeFlag

        if let target {
            if target.isASCII, target.bytes.count <= 100 {
                block.put(target.bytes, at: 157, width: 100)
            } else {
                records.append("linkpath", target.bytes)
                block.put(Self.asciiFallback(target.bytes, width: 100), at: 157, width: 100)
            }
        }

        block.put(Array("ustar".utf8) + [0], at: 257, width: 6)
        block.put(Array("00".utf8), at: 263, width: 2)
        block.putName(userName, at: 265, orRecord: "uname", in: &records)
        block.putName(groupName, at: 297, orRecord: "gname", in: &records)

        switch kind {
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor):
            block.putNumber(UInt64(major), at: 329, width: 8, orRecord: "SCHILY.devmajor", in: &records)
            block.putNumber(UInt64(minor), at: 337, width: 8, orRecord: "SCHILY.devminor", in: &records)
        default:
            block.putOctal(0, at: 329, width: 8)
            block.putOctal(0, at: 337, width: 8)
        }

        for attribute in extendedAttributes.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
            records.append("SCHILY.xattr." + attribute.name, attribute.value)
        }
        block.putChecksum()

        guard !records.isEmpty else { return block }
        return paxHeaderBlock(recordsSize: records.bytes.count) + Self.padded(records.bytes) + block
    }

    /// The number of data bytes that follow the header in the stream.
    var dataSize: Int64 {
        kind == .regularFile ? size : 0
    }

    /// The link target of a symbolic or hard link.
    var linkTarget: PathBytes? {
        switch kind {
        case .symbolicLink(let target), .hardLink(let target): target
        default: nil
        }
    }

    /// The ustar typeflag byte.
    private var typeFlag: UInt8 {
        switch kind {
        case .regularFile: UInt8(ascii: "0")
        case .hardLink: UInt8(ascii: "1")
        case .symbolicLink: UInt8(ascii: "2")
        case .characterDevice: UInt8(ascii: "3")
        case .blockDevice: UInt8(ascii: "4")
        case .directory: UInt8(ascii: "5")
        case .fifo: UInt8(ascii: "6")
        }
    }

    private func validate() throws(ArchiveError) {
        if path.isEmpty { throw .invalidEntryPath(path, problem: "the path is empty") }
        if path.containsNUL { throw .invalidEntryPath(path, problem: "the path holds a NUL byte") }
        if let target = linkTarget {
            if target.isEmpty { throw .invalidEntryPath(path, problem: "the link target is empty") }
            if target.containsNUL { throw .invalidEntryPath(path, problem: "the link target holds a NUL byte") }
        }
        if size < 0 { throw .invalidEntryPath(path, problem: "the size \(size) is negative") }
        for attribute in extendedAttributes
        where attribute.name.isEmpty || attribute.name.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "=") }) {
            throw .invalidAttributeName(path: path, name: attribute.name)
        }
    }

    /// The `typeflag x` header that carries this entry's pax records.
    private func paxHeaderBlock(recordsSize: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        let name = Array("PaxHeaders/".utf8) + Self.asciiFallback(path.lastComponent.bytes, width: 89)
        block.put(name, at: 0, width: 100)
        block.putOctal(0o644, at: 100, width: 8)
        block.putOctal(0, at: 108, width: 8)
        block.putOctal(0, at: 116, width: 8)
        block.putOctal(UInt64(recordsSize), at: 124, width: 12)
        let time = UInt64(clamping: max(0, modificationTime))
        block.putOctal(time < 1 << 33 ? time : 0, at: 136, width: 12)
        block[156] = UInt8(ascii: "x")
        block.put(Array("ustar".utf8) + [0], at: 257, width: 6)
        block.put(Array("00".utf8), at: 263, width: 2)
        block.putOctal(0, at: 329, width: 8)
        block.putOctal(0, at: 337, width: 8)
        block.putChecksum()
        return block
    }

    /// Splits an ASCII path into the ustar `prefix` and `name` fields, or nil when it does not fit them.
    static func ustarSplit(_ path: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        guard path.allSatisfy({ $0 < 0x80 }) else { return nil }
        if path.count <= 100 { return ([], path) }
        guard path.count <= 256 else { return nil }
        // The shortest prefix whose rest fits the name field.
        for slash in max(1, path.count - 101)..<min(path.count - 1, 156) where path[slash] == UInt8(ascii: "/") {
            return (Array(path[..<slash]), Array(path[(slash + 1)...]))
        }
        return nil
    }

    /// A name for the ustar field of an entry whose real name is in a pax record:
    /// ASCII only, at most `width` bytes, for readers that ignore pax headers.
    static func asciiFallback(_ bytes: [UInt8], width: Int) -> [UInt8] {
        bytes.prefix(width).map { $0 < 0x80 && $0 != 0 ? $0 : UInt8(ascii: "_") }
    }

    /// The bytes padded with zeros to a whole number of blocks.
    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: paddingSize(for: Int64(bytes.count)))
    }

    /// The number of zero bytes that follow `size` data bytes to end a block.
    static func paddingSize(for size: Int64) -> Int {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? 0 : blockSize - remainder
    }
}

/// The records of a pax extended header: `"<length> <key>=<value>\n"`, where
/// the length counts the whole record, its own digits included.
struct PaxRecords {
    private(set) var bytes: [UInt8] = []

    var isEmpty: Bool { bytes.isEmpty }

    mutating func append(_ key: String, _ value: String) {
        append(key, Array(value.utf8))
    }

    mutating func append(_ key: String, _ value: [UInt8]) {
        let body = key.utf8.count + value.count + 3  // space, "=", newline
        var length = body + String(body).utf8.count
        while length != body + String(length).utf8.count {
            length = body + String(length).utf8.count
        }
        bytes += Array(String(length).utf8) + [UInt8(ascii: " ")] + Array(key.utf8) + [UInt8(ascii: "=")]
        bytes += value
        bytes.append(UInt8(ascii: "\n"))
    }
}

extension [UInt8] {
    /// Copies `value` into the field, truncated to `width`; the rest stays zero.
    fileprivate mutating func put(_ value: [UInt8], at offset: Int, width: Int) {
        for (index, byte) in value.prefix(width).enumerated() { self[offset + index] = byte }
    }

    /// Writes `value` as `width - 1` zero-padded octal digits and a NUL.
    fileprivate mutating func putOctal(_ value: UInt64, at offset: Int, width: Int) {
        let digits = Array(String(value, radix: 8).utf8)
        let padding = [UInt8](repeating: UInt8(ascii: "0"), count: Swift.max(0, width - 1 - digits.count))
        put(padding + digits + [0], at: offset, width: width)
    }

    /// Writes `value` in octal when it fits the field, else a zero field and a pax record.
    fileprivate mutating func putNumber(
        _ value: UInt64, at offset: Int, width: Int, orRecord key: String, in records: inout PaxRecords
    ) {
        if value < UInt64(1) << (3 * UInt64(width - 1)) {
            putOctal(value, at: offset, width: width)
        } else {
            putOctal(0, at: offset, width: width)
            records.append(key, String(value))
        }
    }

    /// Writes a user or group name when it is ASCII and fits with its NUL, else a pax record.
    fileprivate mutating func putName(_ name: String, at offset: Int, orRecord key: String, in records: inout PaxRecords) {
        let bytes = Array(name.utf8)
        if bytes.count < 32, bytes.allSatisfy({ $0 < 0x80 && $0 != 0 }) {
            put(bytes, at: offset, width: 32)
        } else {
            records.append(key, bytes)
        }
    }

    /// Fills the checksum field: the sum of all header bytes with the field as spaces,
    /// as six octal digits, a NUL and a space.
    fileprivate mutating func putChecksum() {
        for index in 148..<156 { self[index] = UInt8(ascii: " ") }
        let sum = reduce(UInt64(0)) { $0 + UInt64($1) }
        putOctal(sum, at: 148, width: 7)
        self[155] = UInt8(ascii: " ")
    }
}
