import Archive
import Foundation
import ImageModel
import Testing

/// Re-writing a tar stream made by GNU tar, as gantry's native base build re-writes mmdebstrap's output.
@Suite("Re-writing tar streams")
struct TarCopyTests {
    /// A root-file-system-like tree packed by GNU tar (`./` names, pax format, xattrs).
    struct Source {
        let folder: TemporaryFolder
        let tarball: String
        /// Whether the file system took the `user.gantry` attribute.
        let hasUserAttribute: Bool
        /// Whether the file system took a `security.capability` attribute.
        let hasCapability: Bool
        /// Whether `mknod` made a character device.
        let hasDevice: Bool
    }

    /// `security.capability` v2 granting cap_net_raw (bit 13), permitted and effective, as `setcap cap_net_raw+ep` writes it.
    static let capability: [UInt8] = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00] + [UInt8](repeating: 0, count: 12)

    private func makeSource() throws -> Source {
        let folder = try TemporaryFolder()
        let root = try folder.makeFolder("rootfs")
        try folder.write("rootfs/etc/hostname", "gantry\n")
        try folder.write("rootfs/home/user/notes.txt", "owned by 1000\n")
        try folder.write("rootfs/usr/bin/ping", "not really ping\n", mode: 0o755)
        try folder.write("rootfs/usr/bin/perl5.36", "#!perl\n", mode: 0o755)
        _ = try check("""
            cd '\(root)' && ln usr/bin/perl5.36 usr/bin/perl && ln -s ../usr/bin/ping bin-ping \
            && chown -R 1000:1000 home/user && mkfifo run-initctl && chmod 4755 usr/bin/ping \
            && touch -d '2000-01-01 00:00:00 UTC' etc/hostname && find . -newer etc/hostname -exec touch -h -d '2038-01-01 00:00:00 UTC' {} +
            """)
        let hasUserAttribute = writeAttribute(root + "/etc/hostname", "user.gantry", Array("kept".utf8))
        let hasCapability = writeAttribute(root + "/usr/bin/ping", "security.capability", Self.capability)
        let hasDevice = (try shell("mknod '\(root)/null' c 1 3")).status == 0
        let tarball = folder.file("rootfs.tar.gz")
        _ = try check("tar --xattrs --xattrs-include='*' --format=posix -C '\(root)' -czf '\(tarball)' .")
        return Source(folder: folder, tarball: tarball, hasUserAttribute: hasUserAttribute, hasCapability: hasCapability, hasDevice: hasDevice)
    }

    private func rewrite(_ reader: TarReader, to blob: String) throws -> LayerDigests {
        try writeLayer(to: blob) { try $0.copyEntries(from: reader, normalization: .rootFileSystem(epoch: testEpoch)) }
    }

    @Test("owners, hard links, symlinks, FIFOs and devices are kept; mtimes are clamped; names are cleared")
    func keepsRootFileSystemHeaders() throws {
        let source = try makeSource()
        let blob = source.folder.file("layer.tar.gz")
        _ = try rewrite(try TarReader(path: source.tarball), to: blob)
        let numeric = try check("TZ=UTC tar --numeric-owner --full-time -tvzf '\(blob)'")
        let lines = numeric.split(separator: "\n").map(String.init)
        let line = { (suffix: String) in lines.first { $0.hasSuffix(suffix) } ?? "missing: \(suffix)" }

        #expect(line(" ./etc/hostname") == "-rw-r--r-- 0/0               7 2000-01-01 00:00:00 ./etc/hostname")
        #expect(line(" ./home/user/notes.txt") == "-rw-r--r-- 1000/1000        14 2024-01-02 03:04:05 ./home/user/notes.txt")
        #expect(line(" ./usr/bin/ping") == "-rwsr-xr-x 0/0              16 2024-01-02 03:04:05 ./usr/bin/ping")
        #expect(line("bin-ping -> ../usr/bin/ping") == "lrwxrwxrwx 0/0               0 2024-01-02 03:04:05 ./bin-ping -> ../usr/bin/ping")
        #expect(line("run-initctl") == "prw-r--r-- 0/0               0 2024-01-02 03:04:05 ./run-initctl")
        let hardLink = lines.contains { $0.hasSuffix("./usr/bin/perl link to ./usr/bin/perl5.36") }
            || lines.contains { $0.hasSuffix("./usr/bin/perl5.36 link to ./usr/bin/perl") }
        #expect(hardLink, "one of the pair stays a hard link to the other")
        if source.hasDevice {
            #expect(line(" ./null").hasPrefix("crw-r--r-- 0/0             1,3 2024-01-02 03:04:05"))
        }
        // Names are cleared: without --numeric-owner, bsdtar has no names to show.
        #expect(try check("bsdtar -tvzf '\(blob)' ./home/user/notes.txt | awk '{print $3 \"/\" $4}'") == "1000/1000")
        // Nothing later than the epoch is left.
        #expect(!numeric.contains("2038-"))
    }

    @Test("extended attributes such as security.capability survive as SCHILY.xattr records that GNU tar restores")
    func keepsExtendedAttributes() throws {
        let source = try makeSource()
        try #require(source.hasUserAttribute || source.hasCapability, "the file system takes no extended attributes")
        let blob = source.folder.file("layer.tar.gz")
        _ = try rewrite(try TarReader(path: source.tarball), to: blob)
        let tar = try shell("gunzip -c '\(blob)'").output
        let out = try source.folder.makeFolder("out")
        _ = try check("tar --xattrs --xattrs-include='*' -xzf '\(blob)'", in: out)
        if source.hasUserAttribute {
            #expect(tar.range(of: Data("SCHILY.xattr.user.gantry=kept\n".utf8)) != nil)
            #expect(readAttribute(out + "/etc/hostname", "user.gantry") == Array("kept".utf8))
        }
        if source.hasCapability {
            #expect(tar.range(of: Data("SCHILY.xattr.security.capability=".utf8) + Data(Self.capability) + Data("\n".utf8)) != nil)
            #expect(readAttribute(out + "/usr/bin/ping", "security.capability") == Self.capability)
        }
    }

    @Test("re-writing the same stream twice, from a path and from a pipe, gives the same digests")
    func rewriteIsDeterministic() throws {
        let source = try makeSource()
        let fromPath = try rewrite(try TarReader(path: source.tarball), to: source.folder.file("a.tar.gz"))
        let again = try rewrite(try TarReader(path: source.tarball), to: source.folder.file("b.tar.gz"))
        #expect(fromPath == again)

        // A pipe, as from mmdebstrap: not seekable, read once.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cat")
        process.arguments = [source.tarball]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let reader = try TarReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, name: "mmdebstrap")
        let fromPipe = try rewrite(reader, to: source.folder.file("c.tar.gz"))
        process.waitUntilExit()
        #expect(fromPipe == fromPath)
        #expect(fromPath.digest.description == (try sha256(ofFile: source.folder.file("a.tar.gz"))))
        #expect(fromPath.diffID.description == (try sha256(ofOutputOf: "gunzip -c '\(source.folder.file("a.tar.gz"))'")))
    }

    @Test("the reader gives back the raw bytes of names that are not UTF-8")
    func readerKeepsRawNames() throws {
        let folder = try TemporaryFolder()
        _ = try check("mkdir src && touch src/caf$'\\xc3\\xa9' src/bad$'\\xff' && tar --format=posix -cf names.tar src", in: folder.path)
        let reader = try TarReader(path: folder.file("names.tar"))
        var paths: [PathBytes] = []
        while let header = try reader.nextHeader() { paths.append(header.path) }
        #expect(paths.sorted() == [
            "src/", PathBytes(bytes: Array("src/bad".utf8) + [0xff]), PathBytes(bytes: Array("src/caf".utf8) + [0xc3, 0xa9]),
        ])
    }

    @Test("a truncated stream is an error naming the stream")
    func truncatedStreamFails() throws {
        let source = try makeSource()
        let truncated = source.folder.file("truncated.tar")
        _ = try check("gunzip -c '\(source.tarball)' | head -c 3000 > '\(truncated)'")
        let reader = try TarReader(path: truncated)
        let writer = try LayerWriter { _ in }
        let error = #expect(throws: ArchiveError.self) { try writer.copyEntries(from: reader, normalization: .rootFileSystem(epoch: 0)) }
        guard case .readFailed(let name, _) = error else {
            Issue.record("expected readFailed, got \(String(describing: error))")
            return
        }
        #expect(name == truncated)
    }

    @Test("a file that is not a tar stream is refused when reading starts")
    func notATarStream() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("notes.txt", String(repeating: "just text\n", count: 100))
        let error = #expect(throws: ArchiveError.self) {
            let reader = try TarReader(path: path)
            _ = try reader.nextHeader()
        }
        #expect(error?.description.hasPrefix("cannot read tar stream \(path): ") == true)
    }
}
