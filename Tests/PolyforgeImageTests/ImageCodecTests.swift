import Foundation
import PolyforgeFixtures
import Testing
@testable import PolyforgeImage

private func sharedAsset(_ relative: String) -> String {
    if let env = ProcessInfo.processInfo.environment["POLYFORGE_SHARED_ASSETS"] { return env + "/" + relative }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/PolyforgeImageTests/<file> → parent of the checkout
    return url.appendingPathComponent("shared/assets").appendingPathComponent(relative).path
}

private func readAsset(_ relative: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: sharedAsset(relative))))
}

/// A smooth gradient with varying alpha: JPEG handles it well, and every byte value pattern differs per pixel.
private func gradient(width: Int, height: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(width * height * 4)
    for y in 0..<height {
        for x in 0..<width {
            out += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), UInt8((x + y) * 127 / max(width + height - 2, 1)), UInt8(255 - (x * 3 + y) % 256)]
        }
    }
    return out
}

@Suite struct PNGCodecTests {
    @Test func roundTripIsExact() throws {
        var pixels = gradient(width: 37, height: 23)
        pixels[0] = 0; pixels[1] = 255; pixels[2] = 17; pixels[3] = 0  // fully transparent first pixel must keep its colour
        let png = try PNGCodec.encode(rgba: pixels, width: 37, height: 23)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let decoded = try PNGCodec.decode(png)
        #expect(decoded.width == 37)
        #expect(decoded.height == 23)
        #expect(decoded.rgba == pixels)
        #expect(ImageProbe.probe(png) == ImageHeader(width: 37, height: 23, format: "png", channels: 4))
    }

    @Test func wrongPixelCountIsRejected() {
        #expect(throws: ImageError.self) { try PNGCodec.encode(rgba: [0, 0, 0], width: 1, height: 1) }
    }

    @Test func avocadoTextureProbeMatchesDecode() throws {
        let bytes = try readAsset("gltf/Avocado-glTF/Avocado_baseColor.png")
        let header = try #require(ImageProbe.probe(bytes))
        let image = try ImageDecoder.decode(bytes)
        #expect(header.format == "png")
        #expect(header.width == image.width)
        #expect(header.height == image.height)
        #expect(image.rgba.count == image.width * image.height * 4)
        #expect(image.width > 0 && image.height > 0)
    }

    @Test func truncatedAndGarbagePNGsThrow() throws {
        let bytes = try readAsset("gltf/Avocado-glTF/Avocado_baseColor.png")
        for cut in [0, 4, 8, 20, 33, 100, bytes.count / 2, bytes.count - 13] {
            #expect(throws: ImageError.self) { try PNGCodec.decode(Array(bytes[..<cut])) }
        }
        var corrupt = bytes
        for i in stride(from: 200, to: corrupt.count - 20, by: 97) { corrupt[i] ^= 0x5A }
        #expect(throws: ImageError.self) { try PNGCodec.decode(corrupt) }
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Array(repeating: 0xAB, count: 500)) }
        #expect(throws: ImageError.self) { try ImageDecoder.decode([]) }
    }

    @Test func hugeDeclaredSizeIsRefusedBeforeAllocating() throws {
        // A valid 1×1 PNG whose IHDR is patched to claim 60000×60000: must fail on the size, not try to allocate 14 GB.
        var png = try PNGCodec.encode(rgba: [1, 2, 3, 4], width: 1, height: 1)
        patchPNGSize(&png, width: 60_000, height: 60_000)
        #expect(ImageProbe.probe(png)?.width == 60_000)
        let error = try #require(throws: ImageError.self) { try PNGCodec.decode(png) }
        #expect(error.description.contains("limit"))
    }
}

/// Rewrites IHDR's width and height and its CRC.
private func patchPNGSize(_ png: inout [UInt8], width: UInt32, height: UInt32) {
    for (i, shift) in [24, 16, 8, 0].enumerated() {
        png[16 + i] = UInt8(truncatingIfNeeded: width >> UInt32(shift))
        png[20 + i] = UInt8(truncatingIfNeeded: height >> UInt32(shift))
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in png[12..<29] {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    crc ^= 0xFFFF_FFFF
    for (i, shift) in [24, 16, 8, 0].enumerated() { png[29 + i] = UInt8(truncatingIfNeeded: crc >> UInt32(shift)) }
}

@Suite struct JPEGCodecTests {
    @Test func roundTripStaysWithinTolerance() throws {
        let (w, h) = (64, 48)
        let pixels = gradient(width: w, height: h)
        let jpeg = try JPEGCodec.encode(rgba: pixels, width: w, height: h, quality: 95)
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        let decoded = try JPEGCodec.decode(jpeg)
        #expect(decoded.width == w && decoded.height == h)
        var maxError = 0
        var total = 0
        for i in 0..<(w * h) {
            for c in 0..<3 {
                let d = abs(Int(decoded.rgba[i * 4 + c]) - Int(pixels[i * 4 + c]))
                maxError = max(maxError, d)
                total += d
            }
            #expect(decoded.rgba[i * 4 + 3] == 255)
        }
        #expect(maxError <= 12)
        #expect(Double(total) / Double(w * h * 3) < 2.0)
        #expect(ImageProbe.probe(jpeg) == ImageHeader(width: w, height: h, format: "jpeg", channels: 3))
    }

    @Test func capsuleTextureProbeMatchesDecode() throws {
        let bytes = try readAsset("mesh/capsule0.jpg")
        let header = try #require(ImageProbe.probe(bytes))
        let image = try ImageDecoder.decode(bytes)
        #expect(header.format == "jpeg")
        #expect(header.width == image.width)
        #expect(header.height == image.height)
        #expect(image.rgba.count == image.width * image.height * 4)
    }

    @Test func truncatedAndGarbageJPEGsThrow() throws {
        let bytes = try readAsset("mesh/capsule0.jpg")
        for cut in [0, 2, 3, 10, 200, bytes.count / 2, bytes.count - 10] {
            #expect(throws: ImageError.self) { try ImageDecoder.decode(Array(bytes[..<cut])) }
        }
        #expect(throws: ImageError.self) { try JPEGCodec.decode([0xFF, 0xD8, 0xFF] + Array(repeating: 0x42, count: 300)) }
        #expect(throws: ImageError.self) { try JPEGCodec.encode(rgba: [0, 0, 0, 0], width: 1, height: 1, quality: 0) }
    }
}

@Suite struct ImageProbeTests {
    @Test func webpHeaders() {
        // VP8 lossy: frame tag, start code, 14-bit sizes.
        let vp8: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array("VP8 ".utf8) + [10, 0, 0, 0]
            + [0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00]
        #expect(ImageProbe.probe(vp8) == ImageHeader(width: 320, height: 240, format: "webp", channels: 3))
        // VP8L lossless: width-1 = 99, height-1 = 49, alpha bit set.
        let bits: UInt32 = 99 | (49 << 14) | (1 << 28)
        let vp8l: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array("VP8L".utf8) + [5, 0, 0, 0]
            + [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        #expect(ImageProbe.probe(vp8l) == ImageHeader(width: 100, height: 50, format: "webp", channels: 4))
        // VP8X extended: 24-bit canvas sizes minus one.
        let vp8x: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array("VP8X".utf8) + [10, 0, 0, 0]
            + [0x10, 0, 0, 0, 0xFF, 0x0F, 0x00, 0xFF, 0x07, 0x00]
        #expect(ImageProbe.probe(vp8x) == ImageHeader(width: 4096, height: 2048, format: "webp", channels: 4))
    }

    @Test func ktx2Header() {
        var ktx: [UInt8] = [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A]
        ktx += Array(repeating: 0, count: 8)          // vkFormat, typeSize
        ktx += [0x00, 0x02, 0, 0, 0x00, 0x01, 0, 0]   // 512 × 256
        ktx += Array(repeating: 0, count: 20)
        #expect(ImageProbe.probe(ktx) == ImageHeader(width: 512, height: 256, format: "ktx2", channels: nil))
        #expect(throws: ImageError.self) { try ImageDecoder.decode(ktx) }
    }

    @Test func jpegMarkerWalkSkipsTablesBeforeTheFrame() {
        // SOI, DHT (C4, must not be taken for a frame), fill bytes, SOF2 (progressive) 30×20 with 1 component.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 20, 0x00, 30, 0x01, 0x01, 0x11, 0x00]
        #expect(ImageProbe.probe(jpeg) == ImageHeader(width: 30, height: 20, format: "jpeg", channels: 1))
        // Start of scan before any frame header: no size to report.
        #expect(ImageProbe.probe([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == nil)
    }

    @Test func garbageAndTruncatedHeadersGiveNil() throws {
        #expect(ImageProbe.probe([]) == nil)
        #expect(ImageProbe.probe(Array(repeating: 0xFF, count: 64)) == nil)
        let png = try PNGCodec.encode(rgba: [1, 2, 3, 4], width: 1, height: 1)
        for cut in 0..<29 { #expect(ImageProbe.probe(Array(png[..<cut])) == nil) }
        let jpeg = try readAsset("mesh/capsule0.jpg")
        var sawNil = false
        for cut in 0..<min(jpeg.count, 2000) {
            // Must never trap; short prefixes give nil.
            if ImageProbe.probe(Array(jpeg[..<cut])) == nil { sawNil = true }
        }
        #expect(sawNil)
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            let prefix: [[UInt8]] = [PNGCodec.signature, [0xFF, 0xD8], Array("RIFF\0\0\0\0WEBPVP8X".utf8), [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A]]
            let bytes = prefix[seed % 4] + (0..<(seed % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = ImageProbe.probe(bytes)
            #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes) }
        }
    }
}

