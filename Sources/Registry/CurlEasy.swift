import CCurl
import Foundation

/// libcurl's process-wide setup, done once before the first handle.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// A few curl easy handles kept between transfers: a reused handle keeps its connection cache,
/// DNS cache and TLS session cache, so consecutive requests to one registry reuse connections.
final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    func take() -> UnsafeMutableRawPointer? {
        lock.lock()
        let handle = idle.popLast()
        lock.unlock()
        if let handle {
            curl_easy_reset(handle)  // keeps the caches, forgets the options
            return handle
        }
        guard CurlGlobal.initialized else { return nil }
        return curl_easy_init()
    }

    func give(_ handle: UnsafeMutableRawPointer) {
        lock.lock()
        if idle.count < capacity {
            idle.append(handle)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(handle)
        }
    }
}

/// The state of one transfer that curl's C callbacks reach through their user pointer.
final class CurlTransfer {
    let sink: HTTPResponseSink
    var status = 0
    var headers = HTTPHeaders()
    var body = Data()
    var bodyFile: FileHandle?
    var sinkError: (any Error)?
    var tooLarge = false
    var uploadFile: FileHandle?
    var uploadRemaining: Int64 = .max
    var uploadProgress: (@Sendable (Int64) -> Void)?
    /// Set from another thread when the task that started the transfer is cancelled.
    let cancellation: TransferCancellation
    var uploaded: Int64 = 0
    var uploadData: Data = Data()
    var uploadOffset = 0
    static let errorBodyLimit = 64 * 1024

    init(sink: HTTPResponseSink, cancellation: TransferCancellation) {
        self.sink = sink
        self.cancellation = cancellation
    }

    var goesToSink: Bool { (200..<300).contains(status) }

    func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new header block (after 100 Continue or a proxy's CONNECT) replaces the previous one.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }

    /// Takes a chunk of the body; false stops the transfer.
    func receive(_ chunk: Data) -> Bool {
        guard goesToSink else {
            if body.count < Self.errorBodyLimit { body.append(chunk.prefix(Self.errorBodyLimit - body.count)) }
            return true
        }
        switch sink {
        case let .collect(limit):
            guard body.count + chunk.count <= limit else {
                tooLarge = true
                return false
            }
            body.append(chunk)
        case let .file(path):
            do {
                if bodyFile == nil {
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                    }
                    bodyFile = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                }
                try bodyFile?.write(contentsOf: chunk)
            } catch {
                sinkError = error
                return false
            }
        case let .stream(consume):
            do { try consume(chunk) } catch {
                sinkError = error
                return false
            }
        }
        return true
    }

    /// Fills curl's upload buffer; returns the byte count, 0 at the end.
    func send(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if let uploadFile {
            // Straight into curl's buffer: no Data per call, no copy.
            let wanted = Int(min(Int64(capacity), uploadRemaining))
            guard wanted > 0 else { return 0 }
            var count: Int
            repeat { count = read(uploadFile.fileDescriptor, buffer, wanted) } while count < 0 && errno == EINTR
            guard count >= 0 else { return Int(CURL_READFUNC_ABORT) }
            uploadRemaining -= Int64(count)
            uploaded += Int64(count)
            uploadProgress?(uploaded)
            return count
        }
        let count = min(capacity, uploadData.count - uploadOffset)
        guard count > 0 else { return 0 }
        uploadData.withUnsafeBytes { raw in
            if let base = raw.baseAddress {
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + uploadOffset, byteCount: count)
            }
        }
        uploadOffset += count
        return count
    }
}

private let writeCallback: curl_write_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let chunk = Data(bytes: pointer, count: length)
    return transfer.receive(chunk) ? length : 0
}

private let headerCallback: curl_write_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.header(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self))
    return length
}

/// Called by curl about once a second and on every chunk: a non-zero answer aborts the transfer.
private let progressCallback: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
}

private let readCallback: curl_read_callback = { pointer, size, count, context in
    guard let pointer, let context else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.send(into: pointer, capacity: size * count)
}

/// What one curl transfer ended with, before it becomes a response or a `RegistryError`.
enum CurlOutcome {
    case response(status: Int, headers: HTTPHeaders, body: Data)
    case curlFailed(code: CURLcode, message: String)
    case tooLarge(limit: Int)
    case sinkFailed(any Error)
    case cancelled
}

/// A flag the cancellation handler of a task sets and the transfer's thread reads.
final class TransferCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }
}

extension CurlHandlePool {
    static let uploadBufferSize = 1 << 20
    static let downloadBufferSize = 512 << 10

    /// Runs one request to completion on the calling thread (callers put it on a thread of its own).
    func perform(_ request: HTTPRequest, sink: HTTPResponseSink, options: HTTPClientOptions,
                 cancellation: TransferCancellation = TransferCancellation()) -> CurlOutcome {
        guard let handle = take() else {
            return .curlFailed(code: CURLE_FAILED_INIT, message: "libcurl could not be initialized")
        }
        defer { give(handle) }
        let transfer = CurlTransfer(sink: sink, cancellation: cancellation)
        transfer.uploadProgress = request.uploadProgress
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer {
            errorBuffer.deallocate()
            curl_slist_free_all(headerList)
            try? transfer.bodyFile?.close()
            try? transfer.uploadFile?.close()
        }

        _ = gantry_curl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        _ = gantry_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = gantry_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = gantry_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, options.connectTimeout)
        _ = gantry_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
        _ = gantry_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
        _ = gantry_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.checksCertificate ? 1 : 0)
        _ = gantry_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.checksCertificate ? 2 : 0)
        // An unchecked connection is never kept for a later request.
        if !request.checksCertificate { _ = gantry_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1) }
        if let caFile = options.caCertificateFile { _ = gantry_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        _ = gantry_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
        _ = gantry_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        _ = gantry_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        // Larger than curl's defaults (64 KiB up, 16 KiB down): fewer callbacks and syscalls per blob,
        // 1.5 MiB per handle at most (four in flight: 6 MiB).
        _ = gantry_curl_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, Self.uploadBufferSize)
        _ = gantry_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.downloadBufferSize)
        _ = gantry_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, writeCallback)
        _ = gantry_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = gantry_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, headerCallback)
        _ = gantry_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = gantry_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = gantry_curl_setopt_xferinfo_function(handle, progressCallback)
        _ = gantry_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)

        var headers = request.headers
        let method = request.method.uppercased()
        if method == "HEAD" {
            _ = gantry_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        } else if request.body != nil || ["POST", "PUT", "PATCH"].contains(method) {
            switch request.body {
            case let .data(data):
                transfer.uploadData = data
            case let .file(path):
                guard let file = FileHandle(forReadingAtPath: path) else {
                    return .sinkFailed(CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]))
                }
                transfer.uploadFile = file
            case let .fileRange(path, offset, count):
                guard let file = FileHandle(forReadingAtPath: path), (try? file.seek(toOffset: UInt64(max(offset, 0)))) != nil else {
                    return .sinkFailed(CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]))
                }
                transfer.uploadFile = file
                transfer.uploadRemaining = count
            case nil:
                break
            }
            _ = gantry_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            _ = gantry_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body?.length ?? 0))
            _ = gantry_curl_setopt_read_function(handle, readCallback)
            _ = gantry_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
            _ = gantry_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            if headers["Expect"] == nil { headers.set("Expect", "") }  // no 100-continue round trip
        } else if method != "GET" {
            _ = gantry_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        }
        for field in headers {
            // "Name:" alone removes a header curl would add; "Name;" sends it empty.
            let line = field.value.isEmpty ? "\(field.name):" : "\(field.name): \(field.value)"
            headerList = curl_slist_append(headerList, line)
        }
        _ = gantry_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        if cancellation.isCancelled { return .cancelled }
        let code = curl_easy_perform(handle)
        if cancellation.isCancelled { return .cancelled }
        _ = gantry_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        if transfer.tooLarge, case let .collect(limit) = sink { return .tooLarge(limit: limit) }
        if let error = transfer.sinkError { return .sinkFailed(error) }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .curlFailed(code: code, message: message)
        }
        var status = 0
        _ = gantry_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .response(status: status, headers: transfer.headers, body: transfer.body)
    }
}
