#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeEmulator
import PolyforgeMesh

/// A reply as it arrived on the socket, including the ways it can go wrong.
struct RawResponse {
    /// 0 when no status line arrived.
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Interim (1xx) statuses seen before the final one.
    var interim: [Int] = []
    /// The connection ended before Content-Length bytes arrived.
    var truncated = false
    /// recv failed with ECONNRESET.
    var wasReset = false

    func header(_ name: String) -> String? {
        headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
    }

    var json: JSONValue? { try? JSONParser.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately tiny HTTP/1.1 client over a raw socket: no retries, no decoding beyond Content-Length, so the
/// tests see exactly what the emulator put on the wire.
final class RawConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, timeout: Double = 5) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends one request; `Content-Length` is added when there is a body.
    func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, keepAlive: Bool = false) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        send(Array(head.utf8) + (body ?? []))
    }

    /// false at end of stream, on error or on timeout.
    private func fill(_ response: inout RawResponse) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received < 0 && errno == ECONNRESET { response.wasReset = true }
        guard received > 0 else { return false }
        buffer += chunk[0..<received]
        return true
    }

    /// Reads one response (skipping 1xx); reads to end of stream when there is no Content-Length.
    func readResponse(isHead: Bool = false) -> RawResponse {
        var response = RawResponse()
        while true {
            var headEnd: Int? = nil
            while headEnd == nil {
                if let i = find([13, 10, 13, 10]) { headEnd = i; break }
                if !fill(&response) { return response }
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            buffer.removeFirst(headEnd! + 4)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusParts = lines[0].split(separator: " ")
            let status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
            if (100..<200).contains(status) {
                response.interim.append(status)
                continue
            }
            response.status = status
            response.headers = lines.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters())
            }
            break
        }
        if isHead { return response }
        if let lengthText = response.header("Content-Length"), let length = Int(lengthText) {
            while buffer.count < length {
                if !fill(&response) { break }
            }
            let available = min(length, buffer.count)
            response.body = Array(buffer[0..<available])
            buffer.removeFirst(available)
            response.truncated = available < length
        } else {
            while fill(&response) {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// The status of the next response head, interim (1xx) ones included; the head is consumed.
    func readStatusLine() -> Int {
        var ignored = RawResponse()
        while find([13, 10, 13, 10]) == nil {
            if !fill(&ignored) { return 0 }
        }
        let end = find([13, 10, 13, 10])!
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        let parts = head.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    }

    /// Whether the server closed the connection (a read returns end of stream).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// One request on a fresh connection.
func http(_ emulator: Emulator, _ method: String, _ path: String, key: String? = nil, json: JSONValue? = nil,
          body: [UInt8]? = nil, headers: [(String, String)] = [], timeout: Double = 5) -> RawResponse {
    let connection = RawConnection(port: emulator.port, timeout: timeout)
    var allHeaders = headers
    if let key { allHeaders.append(("Authorization", "Bearer \(key)")) }
    var payload = body
    if let json {
        allHeaders.append(("Content-Type", "application/json"))
        payload = JSONWriter.bytes(json)
    }
    connection.sendRequest(method, path, headers: allHeaders, body: payload)
    return connection.readResponse(isHead: method == "HEAD")
}

/// The path and query of one of the emulator's absolute URLs.
func pathOf(_ url: String, _ emulator: Emulator) -> String {
    url.hasPrefix(emulator.baseURL) ? String(url.dropFirst(emulator.baseURL.count)) : url
}

/// A scenario whose clock only moves through advanceClock, so tests decide exactly when tasks progress.
func frozenScenario(queue: Double = 2, run: Double = 8) -> EmulatorScenario {
    var scenario = EmulatorScenario()
    scenario.timeScale = 0
    scenario.queueSeconds = queue
    scenario.runSeconds = run
    scenario.aistudioRequestsPerMinute = 0
    return scenario
}

func monotonicNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func usleepSeconds(_ seconds: Double) { usleep(UInt32(seconds * 1e6)) }
