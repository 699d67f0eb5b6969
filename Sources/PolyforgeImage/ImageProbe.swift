/// What an image file says about itself in its header.
public struct ImageHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `"png"`, `"jpeg"`, `"webp"` or `"ktx2"`.
    public var format: String
    /// Channels after the usual expansion (a palette or gray PNG with tRNS counts alpha); nil when the header does not say.
    public var channels: Int?

    public init(width: Int, height: Int, format: String, channels: Int?) {
        self.width = width
        self.height = height
        self.format = format
        self.channels = channels
    }
}

/// Reads image dimensions from headers only — no pixel decoding, no allocation proportional to the image —
/// so `polyforge info` can report texture sizes cheaply and safely on any input.
public enum ImageProbe {
    /// Returns nil when the bytes are not a recognised, well-formed image header.
    public static func probe(_ bytes: [UInt8]) -> ImageHeader? {
        bytes.withUnsafeBytes { probe($0) }
    }

    public static func probe(_ b: UnsafeRawBufferPointer) -> ImageHeader? {
        if b.starts(with: PNGCodec.signature) { return png(b) }
        if b.starts(with: [0xFF, 0xD8]) { return jpeg(b) }
        if b.starts(with: Array("RIFF".utf8)), b.count >= 16, Array(b[8..<12]) == Array("WEBP".utf8) { return webp(b) }
        if b.starts(with: ktx2Identifier) { return ktx2(b) }
        return nil
    }

    private static let ktx2Identifier: [UInt8] = [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A]

    private static func be32(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int {
        Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
    }

    private static func be16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }
    private static func le16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    private static func le24(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { le16(b, o) | Int(b[o + 2]) << 16 }
    private static func le32(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { le16(b, o) | le16(b, o + 2) << 16 }

    /// IHDR must be the first chunk; the chunks up to IDAT are walked only to see whether tRNS adds alpha.
    private static func png(_ b: UnsafeRawBufferPointer) -> ImageHeader? {
        guard b.count >= 8 + 8 + 13, be32(b, 8) == 13, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        let width = be32(b, 16), height = be32(b, 20)
        guard width > 0, height > 0 else { return nil }
        let colorType = b[25]
        var channels: Int?
        switch colorType {
        case 0: channels = 1
        case 2, 3: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: return nil
        }
        if colorType == 0 || colorType == 2 || colorType == 3 {
            var offset = 8 + 8 + 13 + 4
            while offset + 8 <= b.count {
                let length = be32(b, offset)
                let type = Array(b[(offset + 4)..<(offset + 8)])
                if type == Array("tRNS".utf8) {
                    channels! += 1
                    break
                }
                if type == Array("IDAT".utf8) || type == Array("IEND".utf8) { break }
                let next = offset + 12 + length
                guard next > offset else { break }
                offset = next
            }
        }
        return ImageHeader(width: width, height: height, format: "png", channels: channels)
    }

    /// Walks the marker segments to the first SOFn (C0–CF except DHT C4, JPG C8, DAC CC) and reads its frame header.
    private static func jpeg(_ b: UnsafeRawBufferPointer) -> ImageHeader? {
        var offset = 2
        while offset < b.count {
            guard b[offset] == 0xFF else { return nil }
            // Any number of 0xFF fill bytes may precede a marker.
            while offset < b.count, b[offset] == 0xFF { offset += 1 }
            guard offset < b.count else { return nil }
            let marker = b[offset]
            offset += 1
            switch marker {
            case 0x01, 0xD0...0xD7:
                continue  // standalone markers: no length
            case 0xD8, 0xD9, 0xDA:
                return nil  // SOI again, EOI or start of scan before any frame header
            default:
                break
            }
            guard offset + 2 <= b.count else { return nil }
            let length = be16(b, offset)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                guard length >= 8, offset + 8 <= b.count else { return nil }
                let height = be16(b, offset + 3), width = be16(b, offset + 5)
                let components = Int(b[offset + 7])
                // A zero height is legal (set later by a DNL marker) but unknown here.
                guard width > 0, height > 0 else { return nil }
                return ImageHeader(width: width, height: height, format: "jpeg", channels: components > 0 ? components : nil)
            }
            offset += length
        }
        return nil
    }

    /// RIFF/WEBP with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk.
    private static func webp(_ b: UnsafeRawBufferPointer) -> ImageHeader? {
        guard b.count >= 20 else { return nil }
        let chunk = String(decoding: b[12..<16], as: UTF8.self)
        let data = 20
        switch chunk {
        case "VP8 ":
            // 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (top 2 bits are scaling).
            guard b.count >= data + 10, b[data + 3] == 0x9D, b[data + 4] == 0x01, b[data + 5] == 0x2A else { return nil }
            let width = le16(b, data + 6) & 0x3FFF, height = le16(b, data + 8) & 0x3FFF
            guard width > 0, height > 0 else { return nil }
            return ImageHeader(width: width, height: height, format: "webp", channels: 3)
        case "VP8L":
            // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha hint, 3 bits version.
            guard b.count >= data + 5, b[data] == 0x2F else { return nil }
            let bits = le32(b, data + 1)
            let width = (bits & 0x3FFF) + 1, height = ((bits >> 14) & 0x3FFF) + 1
            let alpha = (bits >> 28) & 1 == 1
            return ImageHeader(width: width, height: height, format: "webp", channels: alpha ? 4 : 3)
        case "VP8X":
            // Flags byte (0x10 = alpha), 3 reserved bytes, then 24-bit canvas width-1 and height-1.
            guard b.count >= data + 10 else { return nil }
            let alpha = b[data] & 0x10 != 0
            return ImageHeader(width: le24(b, data + 4) + 1, height: le24(b, data + 7) + 1, format: "webp", channels: alpha ? 4 : 3)
        default:
            return nil
        }
    }

    /// KTX2 header: identifier, vkFormat, typeSize, pixelWidth, pixelHeight, …; channels need the data format descriptor, so they stay nil.
    private static func ktx2(_ b: UnsafeRawBufferPointer) -> ImageHeader? {
        guard b.count >= 48 else { return nil }
        let width = le32(b, 20), height = le32(b, 24)
        guard width > 0 else { return nil }
        // pixelHeight 0 means a 1D texture: one row.
        return ImageHeader(width: width, height: max(height, 1), format: "ktx2", channels: nil)
    }
}
