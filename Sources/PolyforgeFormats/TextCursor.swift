/// A cursor over the bytes of a text format (OBJ, MTL, PLY ascii, OFF, ASCII STL).
///
/// Parses numbers straight from the mapped bytes, without a String per line or token. Blanks are space, tab
/// and `\r`; a backslash before the line end joins the next line (OBJ continuation); `#` starts a comment.
struct TextCursor {
    var p: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>
    let start: UnsafePointer<UInt8>
    var line = 1

    /// `bytes` must stay alive while the cursor is used. An empty buffer gives a cursor that is already at its end.
    init(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            start = base.assumingMemoryBound(to: UInt8.self)
        } else {
            start = TextCursor.emptyByte
        }
        p = start
        end = start + bytes.count
    }

    // Written once, never mutated: gives an empty buffer a valid address.
    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        b.initialize(to: 0)
        return UnsafePointer(b)
    }()

    var offset: Int { start.distance(to: p) }
    var atEnd: Bool { p >= end }
    var remaining: Int { p.distance(to: end) }

    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }

    /// Skips spaces, tabs, `\r` and backslash-newline continuations (never the line's own `\n`).
    @inline(__always)
    mutating func skipBlanks() {
        while p < end {
            let c = p.pointee
            if TextCursor.isBlank(c) {
                p += 1
            } else if c == 0x5C, continuesLine() {
                continue
            } else {
                return
            }
        }
    }

    /// At a backslash: when only blanks follow it up to `\n`, skips past that `\n` and returns true.
    private mutating func continuesLine() -> Bool {
        var q = p + 1
        while q < end, TextCursor.isBlank(q.pointee) { q += 1 }
        guard q < end, q.pointee == 0x0A else { return false }
        p = q + 1
        line += 1
        return true
    }

    /// True at the end of the data of this line: `\n`, end of file or a `#` comment.
    @inline(__always)
    var atLineEnd: Bool { p >= end || p.pointee == 0x0A || p.pointee == 0x23 }

    /// Moves past the next `\n` (or to the end).
    @inline(__always)
    mutating func nextLine() {
        while p < end {
            let c = p.pointee
            p += 1
            if c == 0x0A { line += 1; return }
        }
    }

    /// Skips blanks, comments and empty lines (for formats where line breaks carry no meaning).
    mutating func skipWhitespaceAndComments() {
        while p < end {
            let c = p.pointee
            if TextCursor.isBlank(c) { p += 1 }
            else if c == 0x0A { p += 1; line += 1 }
            else if c == 0x23 { nextLine() }
            else { return }
        }
    }

    @inline(__always)
    static func isDelimiter(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A || c == 0x23 }

    /// The next blank-separated token on this line (empty at the line end).
    mutating func token() -> UnsafeBufferPointer<UInt8> {
        skipBlanks()
        let s = p
        while p < end, !TextCursor.isDelimiter(p.pointee) { p += 1 }
        return UnsafeBufferPointer(start: s, count: s.distance(to: p))
    }

    mutating func tokenString() -> String { String(decoding: token(), as: UTF8.self) }

    /// The rest of the line without surrounding blanks (names may contain spaces and `#`).
    mutating func restOfLine() -> String {
        skipBlanks()
        let s = p
        while p < end, p.pointee != 0x0A { p += 1 }
        var e = p
        while e > s, TextCursor.isBlank((e - 1).pointee) || (e - 1).pointee == 0x5C { e -= 1 }
        return String(decoding: UnsafeBufferPointer(start: s, count: s.distance(to: e)), as: UTF8.self)
    }

    /// True when the token at the cursor equals `word` (ASCII, case-sensitive); does not move.
    func hasWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard p.distance(to: end) >= n, memcmp(p, word.utf8Start, n) == 0 else { return false }
        return p + n == end || TextCursor.isDelimiter((p + n).pointee)
    }

    /// Parses a float that must end at a delimiter. Nil when the token is not a number.
    @inline(__always)
    mutating func float() -> Float? {
        skipBlanks()
        guard let v = DecimalParser.parseFloat(&p, end), p >= end || TextCursor.isDelimiter(p.pointee) else { return nil }
        return v
    }

    /// Parses a decimal integer that must end at a delimiter.
    @inline(__always)
    mutating func integer() -> Int? {
        skipBlanks()
        guard let v = DecimalParser.parseInt(&p, end), p >= end || TextCursor.isDelimiter(p.pointee) else { return nil }
        return v
    }
}

/// Decimal text to numbers, fast for the short tokens mesh files hold and exact for every input.
enum DecimalParser {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`, `nan`, `inf`. On success `p` is after the number;
    /// on failure (nil) `p` is unchanged.
    ///
    /// Fast path (Clinger): up to 19 significant digits and |exponent| ≤ 22 are exact in Double, so the one
    /// multiply or divide is correctly rounded; the Double→Float rounding is then exact unless the Double sits
    /// exactly on a Float midpoint, which goes to the slow path with the rest (long or odd tokens).
    @inline(__always)
    static func parseFloat(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Float? {
        var q = p
        var negative = false
        if q < end, q.pointee == 0x2D || q.pointee == 0x2B {
            negative = q.pointee == 0x2D
            q += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        var truncated = false
        while q < end {
            let d = q.pointee &- 0x30
            if d > 9 { break }
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
            q += 1
        }
        if q < end, q.pointee == 0x2E {
            q += 1
            while q < end {
                let d = q.pointee &- 0x30
                if d > 9 { break }
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    exponent -= 1
                    if mantissa != 0 { significant += 1 }
                } else if d != 0 {
                    truncated = true
                }
                q += 1
            }
        }
        guard sawDigit else { return slowFloat(&p, end) }
        if q < end, q.pointee | 0x20 == 0x65 {
            var e = q + 1
            var expNegative = false
            if e < end, e.pointee == 0x2D || e.pointee == 0x2B {
                expNegative = e.pointee == 0x2D
                e += 1
            }
            var value = 0
            var sawExpDigit = false
            while e < end {
                let d = e.pointee &- 0x30
                if d > 9 { break }
                sawExpDigit = true
                if value < 100_000 { value = value * 10 + Int(d) }
                e += 1
            }
            if sawExpDigit {
                exponent += expNegative ? -value : value
                q = e
            }
        }
        if truncated { return slowFloat(&p, end) }
        if mantissa == 0 {
            p = q
            return negative ? -0.0 : 0.0
        }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return slowFloat(&p, end) }
        var d = Double(mantissa)
        d = exponent >= 0 ? d * powersOfTen[exponent] : d / powersOfTen[-exponent]
        // A Double exactly on a Float midpoint (low 29 mantissa bits = 1000…0) or below Float's normal
        // range could round differently than the decimal itself.
        if d.bitPattern & 0x1FFF_FFFF == 0x1000_0000 || d < Double(Float.leastNormalMagnitude) {
            return slowFloat(&p, end)
        }
        p = q
        let f = Float(d)
        return negative ? -f : f
    }

    /// Correctly rounded parse of the whole token through the standard library (long mantissas, nan, inf, hex).
    private static func slowFloat(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Float? {
        var q = p
        while q < end, !TextCursor.isDelimiter(q.pointee), q.pointee != 0x2F { q += 1 }
        guard q > p, p.distance(to: q) < 400 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(start: p, count: p.distance(to: q)), as: UTF8.self)
        guard let v = Float(text) else { return nil }
        p = q
        return v
    }

    /// Parses `[+-]digits` (at most 18 digits). On failure (nil) `p` is unchanged.
    @inline(__always)
    static func parseInt(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int? {
        var q = p
        var negative = false
        if q < end, q.pointee == 0x2D || q.pointee == 0x2B {
            negative = q.pointee == 0x2D
            q += 1
        }
        let digitsStart = q
        var value = 0
        while q < end {
            let d = q.pointee &- 0x30
            if d > 9 { break }
            value = value &* 10 &+ Int(d)
            q += 1
        }
        let digits = digitsStart.distance(to: q)
        guard digits > 0, digits <= 18 else { return nil }
        p = q
        return negative ? -value : value
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
