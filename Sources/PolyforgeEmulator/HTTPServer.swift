import PolyforgeMesh
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 over POSIX sockets: one accept thread, one thread per connection
/// (keep-alive loop). Request bodies by Content-Length or chunked; `Expect: 100-continue` answered.
///
/// Robustness over speed: every malformed request gets a 400 and a close, never a crash; nothing the peer
/// sends is trusted for a size before it is checked against a cap.
final class HTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    static let maximumHeadBytes = 64 * 1024
    /// Large enough to receive an over-size (> 20 MB) Tripo upload and answer it with code 2022.
    static let maximumBodyBytes = 64 * 1024 * 1024
    /// A keep-alive connection with no request for this long is closed, so idle pools do not pin threads forever.
    static let idleTimeoutSeconds = 120

    let port: UInt16
    let stopSignal = StopSignal()
    private let listener: Int32
    private let handler: Handler
    private let threads = ThreadGroup()
    private let lock = Lock()
    private var openConnections: Set<Int32> = []
    private var started = false
    private var stopped = false

    /// Binds and listens on 127.0.0.1:`port` (0 = an ephemeral port, read back with getsockname).
    init(port: UInt16, handler: @escaping Handler) throws(EmulatorError) {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EmulatorError("cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw EmulatorError("cannot bind 127.0.0.1:\(port): \(reason)")
        }
        guard listen(fd, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw EmulatorError("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = fd
    }

    deinit { stop() }

    func start() {
        let go: Bool = lock.withLock {
            if started || stopped { return false }
            started = true
            return true
        }
        guard go else { return }
        if !threads.spawn({ [self] in acceptLoop() }) {
            stop()
        }
    }

    /// Closes the listening socket, wakes every sleeping or blocked connection and waits for their threads.
    func stop() {
        let first: Bool = lock.withLock {
            if stopped { return false }
            stopped = true
            return true
        }
        guard first else { return }
        stopSignal.raise()
        shutdown(listener, Int32(SHUT_RDWR))
        lock.withLock {
            for fd in openConnections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        threads.wait(timeout: 10)
        close(listener)
    }

    private var isStopping: Bool { stopSignal.isRaised }

    private func acceptLoop() {
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if isStopping { break }
            if ready <= 0 { continue }
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                // Out of descriptors: back off instead of spinning on a listener that stays readable.
                if errno == EMFILE || errno == ENFILE { stopSignal.sleep(seconds: 0.01) }
                continue
            }
            configure(fd)
            let registered: Bool = lock.withLock {
                if stopped { return false }
                openConnections.insert(fd)
                return true
            }
            guard registered else { close(fd); break }
            if !threads.spawn({ [self] in serve(fd) }) {
                finish(fd, reset: false)
            }
        }
    }

    private func configure(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        // Replies are small and latency-bound: do not let Nagle hold the last segment back.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var idle = timeval(tv_sec: HTTPServer.idleTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, socklen_t(MemoryLayout<timeval>.size))
        var sendTimeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Unregisters before closing, so `stop()` never shuts down a descriptor number that was reused elsewhere.
    private func finish(_ fd: Int32, reset: Bool) {
        lock.withLock { _ = openConnections.remove(fd) }
        if reset {
            var noLinger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        } else {
            shutdown(fd, Int32(SHUT_WR))
        }
        close(fd)
    }

    private func serve(_ fd: Int32) {
        var reader = ConnectionReader(fd: fd)
        var reset = false
        defer { finish(fd, reset: reset) }
        while !isStopping {
            let parsed = RequestParser.next(from: &reader) { [self] in
                _ = sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            switch parsed {
            case .closed:
                return
            case .malformed(let status, let message):
                let body = Array("{\"message\":\"\(message)\"}".utf8)
                _ = write(HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body),
                          to: fd, includeBody: true, keepAlive: false)
                return
            case .request(let request, let keepAlive):
                switch deliver(handler(request), to: fd, request: request, keepAlive: keepAlive) {
                case .keepOpen: continue
                case .close: return
                case .reset: reset = true; return
                }
            }
        }
    }

    private enum Disposition { case keepOpen, close, reset }

    private func deliver(_ reply: HTTPReply, to fd: Int32, request: HTTPRequest, keepAlive: Bool) -> Disposition {
        switch reply {
        case .response(let response):
            let ok = write(response, to: fd, includeBody: request.method != "HEAD", keepAlive: keepAlive)
            return ok && keepAlive ? .keepOpen : .close
        case .streamed(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            if !headers.contains(where: { $0.name.lowercased() == "connection" }) { head += "Connection: close\r\n" }
            head += "\r\n"
            guard sendAll(fd, Array(head.utf8)) else { return .close }
            if request.method != "HEAD" {
                body(ResponseStream(stop: stopSignal) { [self] bytes in sendAll(fd, bytes) })
            }
            return .close
        case .reset:
            return .reset
        case .hangThenClose(let seconds):
            stopSignal.sleep(seconds: seconds)
            return .close
        case .delayed(let seconds, let inner):
            guard stopSignal.sleep(seconds: seconds) else { return .close }
            return deliver(inner, to: fd, request: request, keepAlive: keepAlive)
        }
    }

    private func write(_ response: HTTPResponse, to fd: Int32, includeBody: Bool, keepAlive: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "connection" || lower == "transfer-encoding" { continue }
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        guard includeBody, !response.body.isEmpty else { return sendAll(fd, bytes) }
        // Small replies go out in one send (one segment); large bodies are not copied.
        if response.body.count <= 64 * 1024 {
            bytes += response.body
            return sendAll(fd, bytes)
        }
        return sendAll(fd, bytes) && sendAll(fd, response.body)
    }

    /// send() until every byte is out; MSG_NOSIGNAL turns a vanished peer into an error instead of SIGPIPE.
    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }
}

/// Buffered reads from one connection.
struct ConnectionReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    var hasBufferedBytes: Bool { start < buffer.count }

    /// Receives more bytes; false on end of stream, error or idle timeout.
    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received < 0 && errno == EINTR { continue }
            if received <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<received])
            return true
        }
    }

    enum Line { case line([UInt8]), end, tooLong }

    /// One line without its CR LF (a bare LF is accepted too).
    mutating func readLine(limit: Int) -> Line {
        // Relative to `start`, because fill() may compact the buffer.
        var scanned = 0
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                return line.count > limit ? .tooLong : .line(line)
            }
            scanned = buffer.count - start
            if scanned > limit { return .tooLong }
            if !fill() { return .end }
        }
    }

    /// Exactly `count` bytes, or nil when the stream ended first.
    mutating func read(count: Int) -> [UInt8]? {
        while buffer.count - start < count {
            if !fill() { return nil }
        }
        let bytes = Array(buffer[start..<(start + count)])
        start += count
        return bytes
    }
}

/// Reads one request off a connection and checks its framing.
enum RequestParser {
    enum Result {
        case request(HTTPRequest, keepAlive: Bool)
        /// The peer closed (or went idle) between requests.
        case closed
        /// Answer `status` with `message` and close.
        case malformed(status: Int, message: String)
    }

    static func next(from reader: inout ConnectionReader, sendContinue: () -> Void) -> Result {
        var headBytes = 0
        // RFC 9112 §2.2: ignore at least one empty line before the request line.
        var requestLine: [UInt8] = []
        while requestLine.isEmpty {
            switch reader.readLine(limit: HTTPServer.maximumHeadBytes) {
            case .end: return .closed
            case .tooLong: return .malformed(status: 431, message: "request line too long")
            case .line(let line):
                headBytes += line.count + 2
                if headBytes > HTTPServer.maximumHeadBytes { return .malformed(status: 431, message: "request head too long") }
                requestLine = line
            }
        }
        guard let lineText = String(validating: requestLine, as: UTF8.self) else {
            return .malformed(status: 400, message: "request line is not UTF-8")
        }
        let parts = lineText.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }) else {
            return .malformed(status: 400, message: "malformed request line")
        }
        let method = String(parts[0]), version = String(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .malformed(status: version.hasPrefix("HTTP/") ? 505 : 400, message: "unsupported HTTP version")
        }
        var target = String(parts[1])
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            // Absolute form (sent through proxies): keep only the path and query.
            let afterScheme = target.drop(while: { $0 != "/" }).dropFirst(2)
            target = String(afterScheme.drop(while: { $0 != "/" }))
            if target.isEmpty { target = "/" }
        }
        guard target.hasPrefix("/") else { return .malformed(status: 400, message: "request target must be a path") }

        var headers: [(name: String, value: String)] = []
        readingHeaders: while true {
            switch reader.readLine(limit: HTTPServer.maximumHeadBytes) {
            case .end: return .closed
            case .tooLong: return .malformed(status: 431, message: "header line too long")
            case .line(let line):
                headBytes += line.count + 2
                if headBytes > HTTPServer.maximumHeadBytes { return .malformed(status: 431, message: "request head too long") }
                if line.isEmpty { break readingHeaders }
                guard let text = String(validating: line, as: UTF8.self), let colon = text.firstIndex(of: ":"),
                      colon != text.startIndex, text.first != " ", text.first != "\t",
                      !text[..<colon].contains(" ") else {
                    return .malformed(status: 400, message: "malformed header line")
                }
                headers.append((String(text[..<colon]), text[text.index(after: colon)...].trimming(" \t")))
                if headers.count > 200 { return .malformed(status: 431, message: "too many header fields") }
            }
        }

        let (path, query) = HTTPRequest.splitTarget(target)
        var request = HTTPRequest(method: method, target: target, path: path, query: query, version: version,
                                  headers: headers, body: [])
        let connectionTokens = (request.header("Connection") ?? "").lowercased()
            .split(separator: ",").map { $0.trimming(" \t") }
        let keepAlive = version == "HTTP/1.1" ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")

        let transferEncoding = request.header("Transfer-Encoding")?.lowercased()
        let contentLength = request.header("Content-Length")
        let expectsContinue = request.header("Expect")?.lowercased() == "100-continue" && version == "HTTP/1.1"

        if let transferEncoding {
            guard transferEncoding.split(separator: ",").last.map({ $0.trimming(" \t") }) == "chunked" else {
                return .malformed(status: 400, message: "unsupported Transfer-Encoding")
            }
            if expectsContinue { sendContinue() }
            switch readChunked(from: &reader) {
            case .success(let body): request.body = body
            case .failure(let failure): return failure.result
            }
        } else if let contentLength {
            // Several Content-Length fields are fine only when they agree (RFC 9112 §6.3).
            let values = Set(contentLength.split(separator: ",").map { $0.trimming(" \t") })
            guard values.count == 1, let text = values.first, !text.isEmpty, text.count <= 12,
                  text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(text) else {
                return .malformed(status: 400, message: "invalid Content-Length")
            }
            guard length <= HTTPServer.maximumBodyBytes else { return .malformed(status: 413, message: "request body too large") }
            if length > 0 {
                if expectsContinue { sendContinue() }
                guard let body = reader.read(count: length) else { return .closed }
                request.body = body
            }
        }
        return .request(request, keepAlive: keepAlive)
    }

    private struct Failure: Error { let result: Result }

    private static func readChunked(from reader: inout ConnectionReader) -> Swift.Result<[UInt8], Failure> {
        var body: [UInt8] = []
        while true {
            guard case .line(let sizeLine) = reader.readLine(limit: 1024) else {
                return .failure(Failure(result: .malformed(status: 400, message: "malformed chunk size")))
            }
            let sizeText = String(decoding: sizeLine.prefix(while: { $0 != UInt8(ascii: ";") }), as: UTF8.self).trimming(" \t")
            guard !sizeText.isEmpty, sizeText.count <= 8, let size = Int(sizeText, radix: 16) else {
                return .failure(Failure(result: .malformed(status: 400, message: "malformed chunk size")))
            }
            if size == 0 {
                // Trailer fields, ignored, up to the empty line.
                while true {
                    guard case .line(let trailer) = reader.readLine(limit: HTTPServer.maximumHeadBytes) else {
                        return .failure(Failure(result: .malformed(status: 400, message: "malformed chunk trailer")))
                    }
                    if trailer.isEmpty { return .success(body) }
                }
            }
            guard body.count + size <= HTTPServer.maximumBodyBytes else {
                return .failure(Failure(result: .malformed(status: 413, message: "request body too large")))
            }
            guard let chunk = reader.read(count: size) else { return .failure(Failure(result: .closed)) }
            body += chunk
            guard case .line(let end) = reader.readLine(limit: 2), end.isEmpty else {
                return .failure(Failure(result: .malformed(status: 400, message: "chunk not followed by CRLF")))
            }
        }
    }
}
