import PolyforgeMesh

/// One parsed HTTP/1.1 request. Header names keep their case on the wire; `header(_:)` looks them up case-insensitively.
struct HTTPRequest: Sendable {
    var method: String
    /// The request-target as sent (path plus query).
    var target: String
    /// The path part of the target, not percent-decoded (route matching works on the raw path).
    var path: String
    /// Query parameters, percent-decoded; the last occurrence of a name wins.
    var query: [String: String]
    var version: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == wanted })?.value
    }

    /// The token after `Bearer ` in Authorization, or nil when the header is missing or not a bearer token.
    var bearerToken: String? {
        guard let value = header("Authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimming(" \t")
        return token.isEmpty ? nil : token
    }

    /// Splits a request-target into its raw path and its decoded query parameters.
    static func splitTarget(_ target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(String(halves[0]))
            query[name] = halves.count > 1 ? percentDecoded(String(halves[1])) : ""
        }
        return (String(target[..<mark]), query)
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                      let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A complete reply; the server adds Content-Length and Connection.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: JSONWriter.bytes(value))
    }

    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == wanted })?.value
    }

    mutating func setHeader(_ name: String, _ value: String) {
        let wanted = name.lowercased()
        headers.removeAll(where: { $0.name.lowercased() == wanted })
        headers.append((name, value))
    }
}

/// What a handler asks the server to do with the connection.
indirect enum HTTPReply: Sendable {
    /// A normal reply; the connection stays open for the next request unless either side asked to close.
    case response(HTTPResponse)
    /// Sends the status line and exactly `headers` (no Content-Length is added), lets `body` write, then closes.
    /// Used for SSE and for slow or truncated downloads.
    case streamed(status: Int, headers: [(name: String, value: String)], body: @Sendable (ResponseStream) -> Void)
    /// Closes with SO_LINGER 0, so the peer sees a TCP reset instead of a reply.
    case reset
    /// Sends nothing for `seconds`, then closes (a request that was processed but never answered).
    case hangThenClose(seconds: Double)
    /// Waits `seconds` before sending the wrapped reply (slow first byte).
    case delayed(seconds: Double, HTTPReply)

    /// The status the log records: 0 when no status line was sent.
    var loggedStatus: Int {
        switch self {
        case .response(let response): return response.status
        case .streamed(let status, _, _): return status
        case .reset, .hangThenClose: return 0
        case .delayed(_, let inner): return inner.loggedStatus
        }
    }
}

/// The write side of a streamed reply. `write` and `pause` return false once the peer has gone or the server
/// is stopping; the body closure should then return.
final class ResponseStream: @unchecked Sendable {
    private let send: ([UInt8]) -> Bool
    private let stop: StopSignal

    init(stop: StopSignal, send: @escaping ([UInt8]) -> Bool) {
        self.stop = stop
        self.send = send
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        if stop.isRaised { return false }
        return send(bytes)
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Sleeps, waking early (and returning false) when the server stops.
    @discardableResult
    func pause(seconds: Double) -> Bool { stop.sleep(seconds: seconds) }
}


/// Reason phrases for the status codes the emulator sends.
func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: return "Continue"
    case 200: return "OK"
    case 202: return "Accepted"
    case 206: return "Partial Content"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 402: return "Payment Required"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 411: return "Length Required"
    case 413: return "Payload Too Large"
    case 416: return "Range Not Satisfiable"
    case 422: return "Unprocessable Entity"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    case 505: return "HTTP Version Not Supported"
    default: return "Status \(status)"
    }
}
