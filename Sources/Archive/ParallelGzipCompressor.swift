import Foundation

/// Compresses a byte stream to gzip on several cores and hands the compressed
/// bytes to `output` in order, on the caller's thread.
///
/// The stream is cut into blocks of `blockSize` bytes; each block becomes one
/// complete gzip member (own header, CRC-32 and length) on one of the
/// compressing threads, and the members are written in stream order. RFC 1952
/// reads concatenated members as one file, and so do GNU gzip, Go's
/// compress/gzip (containerd, docker, podman, skopeo) and libarchive.
///
/// Unlike pigz, a block starts with an empty dictionary: a member depends on
/// its own bytes only, so the output depends on the input, the block size and
/// the level, never on the number of threads or their timing. The price is
/// the first 32 KiB of each block compressing without history: a few tenths
/// of a percent at 1 MiB blocks.
///
/// At most `maximumPending` blocks wait for compression or for their turn to
/// be written, plus the one being filled, so memory stays bounded whatever
/// the stream's length. A stream shorter than a block is one member,
/// compressed on the caller's thread without starting any other.
final class ParallelGzipCompressor: StreamCompressor {
    /// Uncompressed bytes per member. Part of the output's identity: changing
    /// it changes every multi-block layer's digest.
    static let defaultBlockSize = 1 << 20

    /// Compressing threads by default: one per core, at most 8.
    static var defaultThreadCount: Int {
        min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    }

    private let level: Int
    private let blockSize: Int
    private let threadCount: Int
    private let maximumPending: Int
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private let queue = GzipWorkQueue()
    private var threadsStarted = false
    /// The block being filled.
    private var filling: GzipBlock?
    /// Blocks handed to the threads, oldest first: the order they are written in.
    private var pending: [GzipBlock] = []
    /// Written blocks kept for reuse.
    private var spare: [GzipBlock] = []
    private var membersWritten = 0

    /// Makes a compressor at gzip `level` that writes members to `output`.
    ///
    /// - Parameters:
    ///   - level: 1 (fastest) to 9 (smallest).
    ///   - blockSize: Uncompressed bytes per member.
    ///   - threadCount: Compressing threads; the output does not depend on it.
    ///   - output: Receives the gzip stream in order, a member at a time.
    init(level: Int, blockSize: Int = defaultBlockSize, threadCount: Int = defaultThreadCount,
         output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.level = level
        self.blockSize = max(blockSize, 1)
        self.threadCount = max(threadCount, 1)
        // Enough for every thread to hold a block and one more to be ready, without holding the layer.
        self.maximumPending = self.threadCount + 2
        self.output = output
    }

    deinit {
        queue.close()
    }

    /// Compresses `bytes`; members reach `output` as their blocks are done.
    ///
    /// - Throws: Whatever `output` threw, or `ArchiveError.compressionFailed`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while let source = remaining.baseAddress, !remaining.isEmpty {
            let block = try fillingBlock()
            let count = min(block.spareCapacity, remaining.count)
            UnsafeMutableRawBufferPointer(rebasing: block.input[block.inputCount..<(block.inputCount + count)])
                .copyMemory(from: UnsafeRawBufferPointer(start: source, count: count))
            block.inputCount += count
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
            if block.spareCapacity == 0 {
                filling = nil
                try submit(block)
            }
        }
    }

    /// Compresses what is left and writes every member still outstanding.
    ///
    /// An empty stream gives one empty member, so the output is always a valid gzip file.
    ///
    /// - Throws: Whatever `output` threw, or `ArchiveError.compressionFailed`.
    func finish() throws {
        defer { queue.close() }
        let last = filling
        filling = nil
        if pending.isEmpty && membersWritten == 0 {
            // A small stream: one member, on this thread.
            let block = if let last { last } else { try GzipBlock(capacity: blockSize, level: level) }
            block.compress()
            try writeMember(of: block)
            return
        }
        if let last, last.inputCount > 0 { try submit(last) }
        try writeFinishedMembers(leavingPending: 0)
        guard pending.isEmpty else {
            throw ArchiveError.compressionFailed(.gzip(level: level), message: "blocks were left uncompressed")
        }
    }

    private func fillingBlock() throws(ArchiveError) -> GzipBlock {
        if let filling { return filling }
        let block = if let reused = spare.popLast() { reused } else { try GzipBlock(capacity: blockSize, level: level) }
        filling = block
        return block
    }

    /// Hands `block` to the threads, then writes the members that are done,
    /// waiting for the oldest while too many are pending.
    private func submit(_ block: GzipBlock) throws {
        startThreadsOnce()
        queue.submit(block)
        pending.append(block)
        try writeFinishedMembers(leavingPending: maximumPending - 1)
    }

    /// Writes finished members in order: all that are done already, and then,
    /// waiting, the oldest ones until no more than `limit` are pending.
    private func writeFinishedMembers(leavingPending limit: Int) throws {
        while let oldest = pending.first, queue.waitUntilCompressed(oldest, ifWaiting: pending.count > limit) {
            pending.removeFirst()
            try writeMember(of: oldest)
            try oldest.reset()
            spare.append(oldest)
        }
    }

    private func writeMember(of block: GzipBlock) throws {
        if let status = block.failure {
            throw ArchiveError.compressionFailed(.gzip(level: level), message: "zlib deflate returned \(status)")
        }
        try output(block.member)
        membersWritten += 1
    }

    private func startThreadsOnce() {
        guard !threadsStarted else { return }
        threadsStarted = true
        for _ in 0..<threadCount {
            let queue = queue
            let thread = Thread { queue.compressUntilClosed() }
            thread.name = "gantry-gzip"
            thread.start()
        }
    }
}

/// The blocks waiting for a compressing thread, and the signal that one is done.
///
/// One lock orders everything: a block is filled before it is queued, and read
/// after `isCompressed` is set under the lock, so no two threads touch it at once.
final class GzipWorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [GzipBlock] = []
    private var isClosed = false

    /// Queues `block` for the next free thread.
    func submit(_ block: GzipBlock) {
        condition.lock()
        waiting.append(block)
        condition.broadcast()
        condition.unlock()
    }

    /// Whether `block` is compressed; when `ifWaiting`, first waits until it is.
    func waitUntilCompressed(_ block: GzipBlock, ifWaiting: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ifWaiting && !block.isCompressed && !isClosed { condition.wait() }
        return block.isCompressed
    }

    /// Stops the threads once they finish the block in hand; drops the blocks not started.
    func close() {
        condition.lock()
        isClosed = true
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// A compressing thread's loop: takes the oldest waiting block, compresses it, marks it done.
    func compressUntilClosed() {
        while let block = next() {
            block.compress()
            condition.lock()
            block.isCompressed = true
            condition.broadcast()
            condition.unlock()
        }
    }

    private func next() -> GzipBlock? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !isClosed { condition.wait() }
        return isClosed ? nil : waiting.removeFirst()
    }
}
