import CCurl
import Dispatch
import Glibc
import PolyforgeMesh

/// One HTTP request as the providers build it. Bodies are bytes; multipart parts are for uploads.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var multipart: [MultipartPart]?
    /// Whole-request limit in seconds (nil: the client's default).
    public var timeout: Double?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                multipart: [MultipartPart]? = nil, timeout: Double? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body; self.multipart = multipart; self.timeout = timeout
    }
}

public struct MultipartPart: Sendable {
    public var name: String
    public var fileName: String
    public var contentType: String
    public var data: [UInt8]
    public init(name: String, fileName: String, contentType: String, data: [UInt8]) {
        self.name = name; self.fileName = fileName; self.contentType = contentType; self.data = data
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased, in arrival order.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) { self.status = status; self.headers = headers; self.body = body }
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.last(where: { $0.0 == n })?.1
    }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A failure below HTTP: no connection, reset, timeout, TLS. `requestMayHaveBeenSent` is false only when curl
/// never got a connection, which is what makes a POST safe to resend.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public let curlCode: Int
    public let message: String
    public let url: String
    public var requestMayHaveBeenSent: Bool {
        curlCode != Int(CURLE_COULDNT_CONNECT.rawValue) && curlCode != Int(CURLE_COULDNT_RESOLVE_HOST.rawValue)
            && curlCode != Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue) && curlCode != Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue)
            && curlCode != Int(CURLE_URL_MALFORMAT.rawValue)
    }
    /// Certificate and handshake failures: reported, never retried and never "fixed" by turning verification off.
    public var isTLS: Bool {
        [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM]
            .contains { Int($0.rawValue) == curlCode }
    }
    public var isTimeout: Bool { curlCode == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var description: String { "\(message) (curl error \(curlCode)) for \(HTTPClient.displayURL(url))" }
}

/// Result of a streaming download into a file: what reached the disk and what the server said.
public struct DownloadResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    /// Body of a non-2xx reply (kept in memory, capped), for the error message.
    public var errorBody: [UInt8]
    /// Bytes in the file after this transfer (including bytes resumed from).
    public var fileSize: Int64
    /// The full length the server announced (Content-Range total or offset + Content-Length), when it did.
    public var expectedSize: Int64?
    /// Set when the transfer broke off after some bytes arrived: the caller resumes with Range.
    public var transportError: HTTPTransportError?
    public func header(_ name: String) -> String? { HTTPResponse(status: status, headers: headers, body: []).header(name) }
}

private let curlGlobalInit: Void = { _ = ccurl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

/// Per-transfer state the C callbacks write into. Lives on the thread running `curl_easy_perform`.
private final class TransferSink {
    var status = 0
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var bodyLimit = Int.max
    // Download mode.
    var fileDescriptor: Int32 = -1
    var resumeOffset: Int64 = 0
    var fileBytes: Int64 = 0
    var fileError: Int32 = 0
    var firstBodyChunk = true
    // Line mode (server-sent events): return false to stop the transfer.
    var onLine: ((String) -> Bool)?
    var pendingLine: [UInt8] = []
    var stoppedByHandler = false

    func takeHeaderLine(_ line: String) {
        let trimmed = line.trimming("\r\n")
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a redirect) starts a new header block.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers.removeAll()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimming(" \t")
            headers.append((name, value))
        }
    }

    func takeBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if fileDescriptor >= 0 && (200..<300).contains(status) {
            if firstBodyChunk {
                firstBodyChunk = false
                // The server ignored our Range and sent the whole file: start the file over.
                if resumeOffset > 0 && status == 200 { _ = ftruncate(fileDescriptor, 0); _ = lseek(fileDescriptor, 0, SEEK_SET); fileBytes = 0; resumeOffset = 0 }
            }
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fileDescriptor, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 { if errno == EINTR { continue }; fileError = errno; return false }
                done += n
            }
            fileBytes += Int64(bytes.count)
            return true
        }
        if let onLine, (200..<300).contains(status) {
            for byte in bytes {
                if byte == 10 {
                    if pendingLine.last == 13 { pendingLine.removeLast() }
                    let line = String(decoding: pendingLine, as: UTF8.self)
                    pendingLine.removeAll(keepingCapacity: true)
                    if !onLine(line) { stoppedByHandler = true; return false }
                } else {
                    pendingLine.append(byte)
                }
            }
            return true
        }
        if body.count < bodyLimit { body.append(contentsOf: bytes.prefix(bodyLimit - body.count)) }
        return true
    }
}

private let writeBodyCallback: ccurl_write_cb = { pointer, size, count, userData in
    let sink = Unmanaged<TransferSink>.fromOpaque(userData!).takeUnretainedValue()
    let length = size * count
    guard let pointer else { return length }
    return sink.takeBody(UnsafeRawBufferPointer(start: pointer, count: length)) ? length : 0
}

private let writeHeaderCallback: ccurl_write_cb = { pointer, size, count, userData in
    let sink = Unmanaged<TransferSink>.fromOpaque(userData!).takeUnretainedValue()
    let length = size * count
    if let pointer { sink.takeHeaderLine(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)) }
    return length
}

/// HTTP over libcurl. Easy handles are pooled so connections are reused (curl keeps its connection cache in the
/// handle across `curl_easy_reset`). TLS peer and host verification are set explicitly and never turned off.
/// Proxies come from the environment as curl reads them (`http_proxy`, `https_proxy`, `no_proxy`), with loopback
/// always direct. Blocking transfers run on a dedicated dispatch queue, off Swift's cooperative pool.
public final class HTTPClient: @unchecked Sendable {
    public let connectTimeout: Double
    public let requestTimeout: Double
    /// A download aborts when it moves fewer than 1 byte/s for this long (downloads have no total limit).
    public let stallTimeout: Double
    public let userAgent: String
    private let lock = Lock()
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Serial queues get a thread of their own when busy (a concurrent queue would be capped at the core count,
    /// and two stalled transfers would hold up every other request on a 2-core machine).
    private let queues = (0..<32).map { DispatchQueue(label: "polyforge.http.\($0)") }
    private var nextQueue = 0
    private let noProxy: String

    public init(connectTimeout: Double = 10, requestTimeout: Double = 60, stallTimeout: Double = 30, userAgent: String = "polyforge") {
        _ = curlGlobalInit
        self.connectTimeout = connectTimeout; self.requestTimeout = requestTimeout; self.stallTimeout = stallTimeout; self.userAgent = userAgent
        let env = getenv("no_proxy").map { String(cString: $0) } ?? getenv("NO_PROXY").map { String(cString: $0) } ?? ""
        noProxy = (env.isEmpty ? "" : env + ",") + "127.0.0.1,localhost,::1"
    }

    deinit {
        for handle in idleHandles { ccurl_easy_cleanup(handle) }
    }

    /// Runs a blocking closure on the client's queue and resumes the caller when it finishes.
    public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let queue = lock.withLock { () -> DispatchQueue in nextQueue = (nextQueue + 1) % queues.count; return queues[nextQueue] }
        return await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: work()) } }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await offPool { Result { try self.sendBlocking(request) } }.get()
    }

    public func sendBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        let sink = TransferSink()
        sink.bodyLimit = 256 << 20
        try perform(request, sink: sink, timeout: request.timeout ?? requestTimeout)
        return HTTPResponse(status: sink.status, headers: sink.headers, body: sink.body)
    }

    /// Streams a body line by line (server-sent events). `onLine` runs on the transfer thread; returning false stops it.
    /// Returns the status and headers; the body of a non-2xx reply is kept for the error message.
    public func streamLinesBlocking(_ request: HTTPRequest, onLine: @escaping (String) -> Bool) throws -> HTTPResponse {
        let sink = TransferSink()
        sink.bodyLimit = 1 << 20
        sink.onLine = onLine
        do {
            try perform(request, sink: sink, timeout: request.timeout ?? 0, stall: stallTimeout)
        } catch let error as HTTPTransportError where sink.stoppedByHandler && error.curlCode == Int(CURLE_WRITE_ERROR.rawValue) {
            // Stopped on purpose.
        }
        if !sink.pendingLine.isEmpty { _ = onLine(String(decoding: sink.pendingLine, as: UTF8.self)) }
        return HTTPResponse(status: sink.status, headers: sink.headers, body: sink.body)
    }

    /// Downloads into `path`, appending from its current size with a Range request (resume). The file is created if missing.
    public func downloadBlocking(url: String, to path: String, headers: [(String, String)] = []) -> Result<DownloadResponse, HTTPTransportError> {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            return .failure(HTTPTransportError(curlCode: Int(CURLE_WRITE_ERROR.rawValue), message: "cannot open \(path): \(String(cString: strerror(errno)))", url: url))
        }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let sink = TransferSink()
        sink.fileDescriptor = fd
        sink.resumeOffset = Int64(st.st_size)
        sink.fileBytes = Int64(st.st_size)
        sink.bodyLimit = 64 << 10
        var request = HTTPRequest(method: "GET", url: url, headers: headers)
        if st.st_size > 0 { request.headers.append(("Range", "bytes=\(st.st_size)-")) }
        var failure: HTTPTransportError?
        do { try perform(request, sink: sink, timeout: 0, stall: stallTimeout) } catch let e as HTTPTransportError { failure = e } catch {}
        if sink.fileError != 0 {
            return .failure(HTTPTransportError(curlCode: Int(CURLE_WRITE_ERROR.rawValue), message: "cannot write \(path): \(String(cString: strerror(sink.fileError)))", url: url))
        }
        var expected: Int64?
        let response = HTTPResponse(status: sink.status, headers: sink.headers, body: [])
        if sink.status == 206, let range = response.header("content-range"), let slash = range.lastIndex(of: "/") {
            expected = Int64(range[range.index(after: slash)...])
        } else if sink.status == 200, let length = response.header("content-length").flatMap({ Int64($0) }) {
            expected = length
        }
        if failure != nil && sink.status == 0 { return .failure(failure!) }
        return .success(DownloadResponse(status: sink.status, headers: sink.headers, errorBody: sink.body, fileSize: sink.fileBytes,
                                         expectedSize: expected, transportError: failure))
    }

    // MARK: - curl plumbing

    private func takeHandle() -> UnsafeMutableRawPointer {
        lock.lock()
        if let handle = idleHandles.popLast() { lock.unlock(); return handle }
        lock.unlock()
        return ccurl_easy_init()!
    }

    private func returnHandle(_ handle: UnsafeMutableRawPointer) {
        ccurl_easy_reset(handle)
        lock.lock()
        if idleHandles.count < 32 { idleHandles.append(handle); lock.unlock() } else { lock.unlock(); ccurl_easy_cleanup(handle) }
    }

    private func perform(_ request: HTTPRequest, sink: TransferSink, timeout: Double, stall: Double? = nil) throws {
        if let why = ccurl_load_error() {
            throw HTTPTransportError(curlCode: Int(CURLE_FAILED_INIT.rawValue), message: String(cString: why), url: request.url)
        }
        let handle = takeHandle()
        defer { returnHandle(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        var mime: OpaquePointer?
        defer {
            if let headerList { ccurl_slist_free_all(headerList) }
            if let mime { ccurl_mime_free(mime) }
        }
        _ = ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_string(handle, CURLOPT_NOPROXY, noProxy)
        _ = ccurl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
        if timeout > 0 { _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000)) }
        if let stall { _ = ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1); _ = ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall))) }
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 5)
        _ = ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        for (name, value) in request.headers { headerList = ccurl_slist_append(headerList, "\(name): \(value)") }
        // curl would otherwise wait for "100 Continue" on larger bodies.
        headerList = ccurl_slist_append(headerList, "Expect:")
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let bodyCopy = request.body
        switch request.method {
        case "GET": _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let parts = request.multipart {
            mime = ccurl_mime_init(handle)
            for part in parts {
                let p = ccurl_mime_addpart(mime)
                ccurl_mime_name(p, part.name)
                ccurl_mime_filename(p, part.fileName)
                ccurl_mime_type(p, part.contentType)
                part.data.withUnsafeBufferPointer { b in
                    _ = b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { ccurl_mime_data(p, $0, b.count) }
                }
            }
            _ = ccurl_setopt_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
        }
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        _ = ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, writeBodyCallback)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        _ = ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, writeHeaderCallback)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)

        let code: CURLcode = withExtendedLifetime(sink) {
            if let bodyCopy, request.multipart == nil {
                return bodyCopy.withUnsafeBytes { raw -> CURLcode in
                    _ = ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
                    _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                    return ccurl_easy_perform(handle)
                }
            }
            return ccurl_easy_perform(handle)
        }
        if code != CURLE_OK {
            throw HTTPTransportError(curlCode: Int(code.rawValue), message: String(cString: ccurl_easy_strerror(code)), url: request.url)
        }
    }

    /// A URL fit for messages: the query string (signatures, tokens) is dropped.
    public static func displayURL(_ url: String) -> String {
        if let q = url.firstIndex(of: "?") { return String(url[..<q]) + "?…" }
        return url
    }
}
