import CTurboJPEG

/// JPEG through the TurboJPEG 2.x `tj*` API, which reports errors by return value instead of libjpeg's exit().
public enum JPEGCodec {
    static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xFF, 0xD8, 0xFF]) }

    /// Decodes a baseline or progressive JPEG to 8-bit RGBA (alpha 255). Warnings such as a truncated
    /// scan are treated as errors: a half-grey texture is worse than a clear failure.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> DecodedImage {
        guard hasSignature(bytes) else { throw ImageError("the data is not a JPEG image (no SOI marker)") }
        guard let handle = tjInitDecompress() else { throw ImageError("TurboJPEG could not start a decompressor") }
        defer { tjDestroy(handle) }
        let result: Result<DecodedImage, ImageError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ImageError) in
                let data = raw.bindMemory(to: UInt8.self)
                var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
                guard tjDecompressHeader3(handle, data.baseAddress, UInt(data.count), &w, &h, &subsampling, &colorspace) == 0 else {
                    throw ImageError("the JPEG header is invalid: \(errorText(handle))")
                }
                let width = Int(w), height = Int(h)
                try ImageLimits.check(width: width, height: height, format: "JPEG")
                var rgba = [UInt8](repeating: 0, count: width * height * 4)
                // LIMITSCANS refuses progressive files with absurd scan counts (a CPU bomb).
                let flags = TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS | TJFLAG_STOPONWARNING
                let rc = rgba.withUnsafeMutableBufferPointer { out in
                    tjDecompress2(handle, data.baseAddress, UInt(data.count), out.baseAddress, w, 0, h, Int32(TJPF_RGBA.rawValue), flags)
                }
                guard rc == 0 else { throw ImageError("the JPEG data is corrupt or truncated: \(errorText(handle))") }
                return DecodedImage(width: width, height: height, rgba: rgba)
            }
        }
        return try result.get()
    }

    /// Encodes 8-bit RGBA pixels (alpha is dropped: JPEG has none). `quality` is 1…100; at 90 and above
    /// chroma is kept at full resolution (4:4:4), below it is subsampled 4:2:0 for size.
    public static func encode(rgba: [UInt8], width: Int, height: Int, quality: Int = 90) throws(ImageError) -> [UInt8] {
        try ImageLimits.check(width: width, height: height, format: "JPEG")
        guard rgba.count == width * height * 4 else {
            throw ImageError("expected \(width * height * 4) bytes of RGBA pixels for \(width)×\(height), got \(rgba.count)")
        }
        guard (1...100).contains(quality) else { throw ImageError("JPEG quality must be 1…100, not \(quality)") }
        guard let handle = tjInitCompress() else { throw ImageError("TurboJPEG could not start a compressor") }
        defer { tjDestroy(handle) }
        let subsampling = quality >= 90 ? TJSAMP_444 : TJSAMP_420
        var jpeg: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { if let jpeg { tjFree(jpeg) } }
        let rc = rgba.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGBA.rawValue),
                        &jpeg, &size, Int32(subsampling.rawValue), Int32(quality), TJFLAG_ACCURATEDCT)
        }
        guard rc == 0, let jpeg else { throw ImageError("JPEG encoding failed: \(errorText(handle))") }
        return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }
}
