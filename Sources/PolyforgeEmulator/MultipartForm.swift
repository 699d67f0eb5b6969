import PolyforgeMesh
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Just enough multipart/form-data parsing to find a named part (Tripo's `/upload` field `file`).
struct MultipartForm {
    struct Part {
        var name: String?
        var fileName: String?
        var body: ArraySlice<UInt8>
    }

    let parts: [Part]

    /// Nil when the Content-Type is not multipart/form-data with a boundary, or the body has no parts.
    init?(contentType: String?, body: [UInt8]) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        var boundary: String?
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimming(" \t").lowercased() == "boundary" {
                var value = pair[1].trimming(" \t")
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                boundary = value
            }
        }
        guard let boundary, !boundary.isEmpty else { return nil }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [Part] = []
        var cursor = Self.find(delimiter, in: body, from: 0)
        while let start = cursor {
            var partStart = start + delimiter.count
            // "--" after the delimiter closes the body.
            if partStart + 1 < body.count, body[partStart] == 0x2D, body[partStart + 1] == 0x2D { break }
            if partStart + 1 < body.count, body[partStart] == 0x0D, body[partStart + 1] == 0x0A { partStart += 2 }
            guard let next = Self.find(delimiter, in: body, from: partStart),
                  let headEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: partStart), headEnd < next else { break }
            let head = String(decoding: body[partStart..<headEnd], as: UTF8.self)
            var contentEnd = next
            if contentEnd >= 2, body[contentEnd - 2] == 0x0D, body[contentEnd - 1] == 0x0A { contentEnd -= 2 }
            let bodyStart = min(headEnd + 4, contentEnd)
            var part = Part(name: nil, fileName: nil, body: body[bodyStart..<contentEnd])
            for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                part.name = Self.parameter("name", in: line)
                part.fileName = Self.parameter("filename", in: line)
            }
            parts.append(part)
            cursor = next
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    func part(named name: String) -> Part? { parts.first { $0.name == name } }

    private static func parameter(_ name: String, in line: Substring) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimming(" \t").lowercased() == name else { continue }
            var value = pair[1].trimming(" \t")
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// memchr for the first byte, memcmp for the rest: uploads can be tens of megabytes.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            needle.withUnsafeBufferPointer { pin -> Int? in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return nil }
                var i = start
                let last = hay.count - pin.count
                while i <= last {
                    guard let hit = memchr(base + i, Int32(pin[0]), last - i + 1) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, pinBase, pin.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }
}
