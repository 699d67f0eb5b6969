/// Size limits applied before any pixel buffer is allocated, so a tiny hostile file cannot demand gigabytes.
public enum ImageLimits {
    /// Largest accepted width or height.
    public static let maxDimension = 16_384
    /// Largest accepted width × height (256 megapixels; 1 GiB of RGBA8).
    public static let maxPixels = 256 * 1_048_576

    /// Throws unless `width` × `height` is a non-empty image within the limits.
    static func check(width: Int, height: Int, format: String) throws(ImageError) {
        guard width > 0, height > 0 else { throw ImageError("the \(format) image has an empty size \(width)×\(height)") }
        guard width <= maxDimension, height <= maxDimension, width * height <= maxPixels else {
            throw ImageError("the \(format) image is \(width)×\(height), over the \(maxDimension)×\(maxDimension) limit")
        }
    }
}

/// Decodes any supported image file (PNG or JPEG, sniffed from its first bytes) to RGBA8.
public enum ImageDecoder {
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> DecodedImage {
        if PNGCodec.hasSignature(bytes) { return try PNGCodec.decode(bytes) }
        if JPEGCodec.hasSignature(bytes) { return try JPEGCodec.decode(bytes) }
        if let header = ImageProbe.probe(bytes) {
            throw ImageError("\(header.format) images can be probed but not decoded (only PNG and JPEG are)")
        }
        throw ImageError("the data is not a PNG or JPEG image")
    }
}
