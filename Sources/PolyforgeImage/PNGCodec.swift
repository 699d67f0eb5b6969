#if canImport(Glibc)
import Glibc
#endif
import CPNG

/// PNG through libpng: decoding with the simplified API (png_image_*), which reports errors in `message` instead of
/// longjmp; encoding through the shim's `cpng_encode_rgba`, which chooses filter and deflate settings.
public enum PNGCodec {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    /// Encodes 8-bit RGBA pixels (row-major, top row first, `width * height * 4` bytes) losslessly.
    /// `fast` trades a few percent of size for speed (the Up filter, run-length deflate at level 1): right for
    /// thumbnails. Otherwise libpng's default filters and compression.
    public static func encode(rgba: [UInt8], width: Int, height: Int, fast: Bool = false) throws(ImageError) -> [UInt8] {
        try ImageLimits.check(width: width, height: height, format: "PNG")
        guard rgba.count == width * height * 4 else {
            throw ImageError("expected \(width * height * 4) bytes of RGBA pixels for \(width)×\(height), got \(rgba.count)")
        }
        // Output rarely exceeds a fifth of the raw rows for rendered images; the buffer grows when it does.
        let hint = height * (width * 4 + 1) / 4 + 4096
        var data: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var error = [CChar](repeating: 0, count: 256)
        let ok = rgba.withUnsafeBufferPointer { pixels in
            error.withUnsafeMutableBufferPointer { cpng_encode_rgba(pixels.baseAddress, png_uint_32(width), png_uint_32(height), fast ? 1 : 0, hint, &data, &size, $0.baseAddress) }
        }
        guard ok != 0, let data else {
            throw ImageError("PNG encoding failed: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { free(data) }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Decodes any PNG (palette, gray, 16-bit, interlaced) to 8-bit RGBA.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> DecodedImage {
        guard hasSignature(bytes) else { throw ImageError("the data is not a PNG image (bad signature)") }
        var image = newImage()
        let result: Result<DecodedImage, ImageError> = bytes.withUnsafeBytes { data in
            Result { () throws(ImageError) in
                guard png_image_begin_read_from_memory(&image, data.baseAddress, data.count) != 0 else {
                    throw ImageError("the PNG header is invalid: \(message(of: &image))")
                }
                let width = Int(image.width), height = Int(image.height)
                do throws(ImageError) {
                    try ImageLimits.check(width: width, height: height, format: "PNG")
                } catch {
                    png_image_free(&image)
                    throw error
                }
                image.format = CPNG_FORMAT_RGBA
                var rgba = [UInt8](repeating: 0, count: width * height * 4)
                // finish_read frees the image's internal state whether it succeeds or fails.
                let ok = rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
                guard ok != 0 else { throw ImageError("the PNG data is corrupt or truncated: \(message(of: &image))") }
                return DecodedImage(width: width, height: height, rgba: rgba)
            }
        }
        return try result.get()
    }

    private static func newImage() -> png_image {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        return image
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let text = raw.prefix { $0 != 0 }
            return text.isEmpty ? "unknown libpng error" : String(decoding: text, as: UTF8.self)
        }
    }
}
