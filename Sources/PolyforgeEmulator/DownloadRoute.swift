import PolyforgeMesh
/// Artifact storage: `GET /_files/<task id>/<name>?Expires=…&sig=…`, S3-like. Unknown file → 404; bad signature
/// or past its expiry (virtual time) → 403 XML; `Range: bytes=N-` (or N-M) → 206.
enum DownloadRoute {
    static func match(path: String) -> (taskID: String, name: String)? {
        let parts = path.dropFirst("/_files/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func handle(taskID: String, name: String, _ context: RequestContext, _ state: EmulatorState) -> HTTPReply {
        guard let task = state.tasks[taskID], !task.deleted, let file = task.files.first(where: { $0.name == name }) else {
            return .response(ProviderErrors.storage(404, code: "NoSuchKey", "The specified key does not exist."))
        }
        if context.faultIs(.expiredURL) { return .response(ProviderErrors.storage(403, code: "AccessDenied", "Request has expired")) }
        switch state.signer.verify(path: URLSigner.path(taskID: taskID, name: name), query: context.request.query, virtualNow: context.now) {
        case .valid: break
        case .expired: return .response(ProviderErrors.storage(403, code: "AccessDenied", "Request has expired"))
        case .badSignature:
            return .response(ProviderErrors.storage(403, code: "AccessDenied", "The request signature does not match"))
        }

        let bytes = state.store.bytes(of: file.content, kind: task.meshKind)
        var status = 200
        var body = bytes[...]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", context.faultIs(.wrongContentType) ? "text/html" : file.content.contentType),
            ("Accept-Ranges", "bytes"),
        ]
        if let range = context.request.header("Range"), !context.faultIs(.ignoreRange) {
            switch parseRange(range, length: bytes.count) {
            case .whole:
                break
            case .unsatisfiable:
                return .response(HTTPResponse(status: 416, headers: [("Content-Range", "bytes */\(bytes.count)")]))
            case .part(let lower, let upper):
                status = 206
                body = bytes[lower...upper]
                headers.append(("Content-Range", "bytes \(lower)-\(upper)/\(bytes.count)"))
            }
        }
        state.counters.downloads += 1

        let payload = Array(body)
        if context.faultIs(.truncate) || context.faultIs(.slowDownload), let fault = context.fault?.fault {
            // Streamed: the full Content-Length is promised, then the body goes out cut short or slowly, then close.
            headers.append(("Content-Length", String(payload.count)))
            let sent = context.faultIs(.truncate)
                ? Int(Double(payload.count) * min(max(fault.param("fraction", default: 0.5), 0), 1))
                : payload.count
            let bytesPerSecond = max(1, fault.param("bytes_per_second", default: 100_000))
            let slow = context.faultIs(.slowDownload)
            return .streamed(status: status, headers: headers) { stream in
                guard slow else {
                    stream.write(Array(payload[0..<sent]))
                    return
                }
                // Twenty slices a second at the requested rate.
                let slice = max(1, Int(bytesPerSecond / 20))
                var offset = 0
                while offset < sent {
                    let end = min(sent, offset + slice)
                    guard stream.write(Array(payload[offset..<end])) else { return }
                    let written = end - offset
                    offset = end
                    if offset < sent { guard stream.pause(seconds: Double(written) / bytesPerSecond) else { return } }
                }
            }
        }
        return .response(HTTPResponse(status: status, headers: headers, body: payload))
    }

    enum RangeRequest: Equatable { case whole, unsatisfiable, part(Int, Int) }

    /// One `bytes=N-`, `bytes=N-M` or `bytes=-S` range; several ranges or another unit are served whole.
    static func parseRange(_ header: String, length: Int) -> RangeRequest {
        let value = header.trimming(" \t")
        guard value.lowercased().hasPrefix("bytes="), !value.contains(",") else { return .whole }
        let spec = value.dropFirst("bytes=".count)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimming(" \t") }
        guard bounds.count == 2 else { return .whole }
        if bounds[0].isEmpty {
            guard let suffix = Int(bounds[1]), suffix > 0 else { return .whole }
            if length == 0 { return .unsatisfiable }
            return .part(max(0, length - suffix), length - 1)
        }
        guard let lower = Int(bounds[0]), lower >= 0 else { return .whole }
        guard lower < length else { return .unsatisfiable }
        var upper = length - 1
        if !bounds[1].isEmpty {
            guard let last = Int(bounds[1]), last >= lower else { return .whole }
            upper = min(last, length - 1)
        }
        return .part(lower, upper)
    }
}
