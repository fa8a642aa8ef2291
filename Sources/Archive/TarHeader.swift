/// The header of one tar entry: what a layer records about a file besides its bytes.
///
/// Times are whole seconds: a layer keeps no access or change time and no
/// sub-second part, so that the same tree always encodes to the same bytes.
public struct TarHeader: Hashable, Sendable {
    /// What kind of file the entry is, with what only that kind has.
    public enum Kind: Hashable, Sendable {
        /// A regular file; its bytes follow the header.
        case regularFile
        /// A directory.
        case directory
        /// A symbolic link to `target`, stored as written (relative or absolute).
        case symbolicLink(target: PathBytes)
        /// A hard link to the earlier entry named `target`.
        case hardLink(target: PathBytes)
        /// A character device node.
        case characterDevice(major: UInt32, minor: UInt32)
        /// A block device node.
        case blockDevice(major: UInt32, minor: UInt32)
        /// A named pipe.
        case fifo
    }

    /// The entry's path inside the layer, without a leading `/`, e.g. `app/wsgi.py`.
    public var path: PathBytes
    /// The kind of file.
    public var kind: Kind
    /// The permission bits, including set-user-ID, set-group-ID and sticky (`0o7777`).
    public var permissions: UInt32
    /// The numeric owner.
    public var uid: UInt32
    /// The numeric group.
    public var gid: UInt32
    /// The owner's name; empty in a normalized layer, where only the number counts.
    public var userName: String
    /// The group's name; empty in a normalized layer, where only the number counts.
    public var groupName: String
    /// The modification time, in seconds since 1970-01-01 UTC.
    public var modificationTime: Int64
    /// The number of data bytes that follow the header; 0 for every kind but `regularFile`.
    public var size: Int64
    /// Extended attributes such as `security.capability`, written as `SCHILY.xattr.*` pax records.
    public var extendedAttributes: [ExtendedAttribute]

    /// Makes a header.
    ///
    /// - Parameters:
    ///   - path: The path inside the layer, without a leading `/`.
    ///   - kind: The kind of file.
    ///   - permissions: The permission bits (`0o7777` at most).
    ///   - uid: The numeric owner.
    ///   - gid: The numeric group.
    ///   - userName: The owner's name, usually empty.
    ///   - groupName: The group's name, usually empty.
    ///   - modificationTime: Seconds since 1970-01-01 UTC.
    ///   - size: The number of data bytes, for a regular file.
    ///   - extendedAttributes: Extended attributes to record.
    public init(
        path: PathBytes, kind: Kind, permissions: UInt32, uid: UInt32 = 0, gid: UInt32 = 0,
        userName: String = "", groupName: String = "", modificationTime: Int64 = 0, size: Int64 = 0,
        extendedAttributes: [ExtendedAttribute] = []
    ) {
        self.path = path
        self.kind = kind
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.userName = userName
        self.groupName = groupName
        self.modificationTime = modificationTime
        self.size = size
        self.extendedAttributes = extendedAttributes
    }
}

/// One extended attribute of a file: a name such as `security.capability` and its bytes.
public struct ExtendedAttribute: Hashable, Sendable {
    /// The attribute's name, with its namespace: `user.mime_type`, `security.capability`.
    public var name: String
    /// The attribute's value, which may be binary.
    public var value: [UInt8]

    /// Makes an extended attribute.
    ///
    /// - Parameters:
    ///   - name: The name with its namespace.
    ///   - value: The value's bytes.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
