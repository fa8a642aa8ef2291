import ArgumentParser
import Foundation
import ImageModel
import Registry

/// How a push, pull or copy reports its blobs.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only the resulting reference.")
    var quiet = false

    @Flag(help: "Print one JSON object per event and line, for scripts.")
    var json = false

    func validate() throws {
        if quiet && json { throw ValidationError("--quiet and --json do not go together; pick one") }
    }
}

/// Shows the blobs of a transfer. On a terminal: one line per blob (bytes done of total, rate,
/// state: exists, mounted, uploading, retrying N), redrawn in place on stderr, and a summary;
/// otherwise one plain line per finished blob on stdout. `--quiet` prints nothing here,
/// `--json` one event per line. Colour only on a terminal and without `NO_COLOR`.
final class TransferDisplay: @unchecked Sendable {
    enum Mode { case interactive, plain, quiet, json }

    private enum State: Equatable {
        case waiting, transferring, retrying(Int), exists, mounted(from: String), sent

        var isFinished: Bool {
            switch self {
            case .exists, .mounted, .sent: return true
            case .waiting, .transferring, .retrying: return false
            }
        }
    }

    private struct Blob {
        var descriptor: Descriptor
        var state = State.waiting
        var bytes: Int64 = 0
        var started = Date()
    }

    private let lock = NSLock()
    private let mode: Mode
    private let verb: String
    private let colour: Bool
    private let start = Date()
    private var blobs: [Digest: Blob] = [:]
    private var order: [Digest] = []
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var upToDate = false

    /// A display for a transfer whose sent blobs are reported as `verb` ("pushed", "pulled", "copied").
    init(verb: String, options: ProgressOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.verb = verb
        let terminal = isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
        mode = options.json ? .json : options.quiet ? .quiet : terminal ? .interactive : .plain
        colour = terminal && environment["NO_COLOR"].map(\.isEmpty) != false
    }

    /// Takes one event of the transfer.
    func handle(_ event: CopyEvent) {
        lock.withLock {
            switch event {
            case let .transferring(blob, bytes):
                update(blob) { $0.bytes = bytes; $0.state = .transferring }
                redraw(force: false)
            case let .retrying(blob, attempt):
                update(blob) { $0.state = .retrying(attempt); $0.bytes = 0 }
                emit(["event": "retrying", "digest": blob.digest.description, "attempt": attempt])
                redraw(force: true)
            case let .exists(blob):
                finish(blob, as: .exists, event: ["event": "exists"])
            case let .mounted(blob, from):
                finish(blob, as: .mounted(from: from), event: ["event": "mounted", "from": from])
            case let .copied(blob):
                finish(blob, as: .sent, event: ["event": verb])
            case let .upToDate(manifest):
                upToDate = true
                if mode == .plain { Terminal.say("\(manifest.digest): up to date (the registry has it; nothing sent)") }
                emit(["event": "upToDate", "digest": manifest.digest.description, "mediaType": manifest.mediaType])
            case let .manifest(manifest):
                let platform = manifest.platform.map { " (\($0.shortName))" } ?? ""
                if mode == .plain { Terminal.say("\(manifest.digest): manifest\(platform)") }
                emit(["event": "manifest", "digest": manifest.digest.description, "mediaType": manifest.mediaType,
                      "platform": manifest.platform?.shortName ?? ""])
            }
        }
    }

    /// Draws the last state and the summary line; then prints `result` on stdout (unless --json).
    func finish(result: String, statistics: TransferStatistics) {
        lock.withLock {
            redraw(force: true)
            let done = order.compactMap { blobs[$0] }
            let sent = done.filter { $0.state == .sent }
            let bytes = sent.reduce(Int64(0)) { $0 + $1.descriptor.size }
            let elapsed = Date().timeIntervalSince(start)
            if mode == .interactive && upToDate {
                Terminal.note("Up to date: the destination has this image already; nothing sent.")
            } else if mode == .interactive {
                var parts = ["\(sent.count) \(verb) (\(ImageListing.humanSize(bytes)))"]
                let existing = done.filter { $0.state == .exists }.count
                let mounted = done.filter { if case .mounted = $0.state { true } else { false } }.count
                if existing > 0 { parts.append("\(existing) existed") }
                if mounted > 0 { parts.append("\(mounted) mounted") }
                if statistics.retries > 0 { parts.append("\(statistics.retries) retries") }
                Terminal.note("\(done.count) blobs: " + parts.joined(separator: ", ") + String(format: " in %.1f s", elapsed))
            }
            if mode == .json {
                emit(["event": "done", "reference": result, "bytes": bytes, "retries": statistics.retries,
                      "bytesResent": statistics.bytesResent, "seconds": (elapsed * 1000).rounded() / 1000])
            } else {
                Terminal.say(result)
            }
        }
    }

    private func update(_ descriptor: Descriptor, _ change: (inout Blob) -> Void) {
        if blobs[descriptor.digest] == nil {
            blobs[descriptor.digest] = Blob(descriptor: descriptor)
            order.append(descriptor.digest)
        }
        if var blob = blobs[descriptor.digest] {
            change(&blob)
            blobs[descriptor.digest] = blob
        }
    }

    private func finish(_ descriptor: Descriptor, as state: State, event: [String: Any]) {
        update(descriptor) { $0.state = state; $0.bytes = descriptor.size }
        if mode == .plain { Terminal.say("\(descriptor.digest): \(label(state, of: descriptor))") }
        emit(event.merging(["digest": descriptor.digest.description, "size": descriptor.size]) { $1 })
        redraw(force: true)
    }

    private func emit(_ object: [String: Any]) {
        guard mode == .json, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Terminal.say(String(decoding: data, as: UTF8.self))
    }

    /// Redraws every blob's line in place, at most ten times a second unless forced.
    private func redraw(force: Bool) {
        guard mode == .interactive, force || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for digest in order {
            guard let blob = blobs[digest] else { continue }
            text += "\r\u{1B}[K" + line(blob) + "\n"
        }
        drawnLines = order.count
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// What a blob's line says of its state.
    private func label(_ state: State, of descriptor: Descriptor) -> String {
        switch state {
        case .waiting: return "waiting"
        case .transferring: return "transferring"
        case let .retrying(attempt): return "retrying \(attempt)"
        case .exists: return "exists"
        case let .mounted(from): return "mounted from \(from)"
        case .sent: return "\(verb) \(ImageListing.humanSize(descriptor.size))"
        }
    }

    private func line(_ blob: Blob) -> String {
        let name = String(blob.descriptor.digest.encoded.prefix(12))
        let text = label(blob.state, of: blob.descriptor)
        guard !blob.state.isFinished else { return "\(name)  " + paint(text, code: 32) }
        let total = ImageListing.humanSize(blob.descriptor.size)
        let seconds = max(Date().timeIntervalSince(blob.started), 0.001)
        let rate = ImageListing.humanSize(Int64(Double(blob.bytes) / seconds)) + "/s"
        let state = if case .retrying = blob.state { paint(text, code: 33) } else { text }
        return "\(name)  \(state)  \(ImageListing.humanSize(blob.bytes)) / \(total)  \(rate)"
    }

    private func paint(_ text: String, code: Int) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
