import Foundation
import PolyforgeFixtures
import Testing
@testable import PolyforgeFormats

private func decode(_ bytes: [UInt8], count: Int, byteStride: Int, mode: String, filter: String = "NONE") throws(FormatError) -> [UInt8] {
    let result: Result<[UInt8], FormatError> = bytes.withUnsafeBytes { raw in
        Result { () throws(FormatError) in
            try MeshoptCodec.decode(raw, count: count, byteStride: byteStride, mode: mode, filter: filter,
                                    fileName: "test.glb", path: "bufferViews[2].extensions.EXT_meshopt_compression")
        }
    }
    return try result.get()
}

private func encodeAttributes(_ bytes: [UInt8], count: Int, byteStride: Int) -> [UInt8] {
    bytes.withUnsafeBytes { MeshoptCodec.encodeAttributes($0, count: count, byteStride: byteStride) }
}


/// A (cols × rows)-quad grid: a realistic, locality-friendly triangle list.
private func gridIndices(cols: Int, rows: Int) -> [UInt32] {
    var out: [UInt32] = []
    for r in 0..<rows {
        for c in 0..<cols {
            let a = UInt32(r * (cols + 1) + c), b = a + 1, d = a + UInt32(cols + 1), e = d + 1
            out += [a, b, e, a, e, d]
        }
    }
    return out
}

/// (a, b, c) with its smallest index first, keeping the cyclic order (so winding is part of the comparison).
private func canonicalTriangles(_ indices: [UInt32]) -> [[UInt32]] {
    stride(from: 0, to: indices.count, by: 3).map { i in
        let t = Array(indices[i..<(i + 3)])
        let k = t.firstIndex(of: t.min()!)!
        return [t[k], t[(k + 1) % 3], t[(k + 2) % 3]]
    }
}

private func littleEndianIndices(_ bytes: [UInt8], stride: Int) -> [UInt32] {
    Swift.stride(from: 0, to: bytes.count, by: stride).map { i in
        stride == 2 ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            : UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
}

@Suite struct MeshoptCodecTests {
    @Test(arguments: [(1, 4), (15, 12), (1000, 16), (777, 36), (300, 256)])
    func attributeRoundTripIsExact(count: Int, byteStride: Int) throws {
        var rng = SplitMix64(seed: UInt64(count * 1000 + byteStride))
        // Slowly varying values in the low bytes, noise in the high ones: both delta paths get exercised.
        var data = [UInt8](repeating: 0, count: count * byteStride)
        for i in data.indices {
            let element = i / byteStride, byte = i % byteStride
            data[i] = byte % 4 < 2 ? UInt8(truncatingIfNeeded: element &* (byte + 1)) : UInt8(truncatingIfNeeded: rng.next())
        }
        let encoded = encodeAttributes(data, count: count, byteStride: byteStride)
        #expect(encoded.first == 0xA0)  // the extension's mode-0 header byte
        let decoded = try decode(encoded, count: count, byteStride: byteStride, mode: "ATTRIBUTES")
        #expect(decoded == data)
    }

    @Test func triangleRoundTripKeepsTrianglesOrderAndWinding() throws {
        let indices = gridIndices(cols: 30, rows: 20)
        let vertexCount = 31 * 21
        let (bytes, byteStride) = MeshoptCodec.encodeTriangles(indices: indices, vertexCount: vertexCount)
        #expect(byteStride == 2)
        #expect(bytes.first == 0xE1)  // the extension's mode-1 header byte
        #expect(bytes.count < indices.count)  // well under a byte per index on a grid
        let decoded = try decode(bytes, count: indices.count, byteStride: byteStride, mode: "TRIANGLES")
        // meshopt may rotate a triangle's indices ((a, b, c) → (b, c, a)) but keeps triangle order and winding.
        #expect(canonicalTriangles(littleEndianIndices(decoded, stride: 2)) == canonicalTriangles(indices))
    }

    @Test func largeMeshesUseFourByteIndices() throws {
        let indices: [UInt32] = [0, 70_000, 70_001, 70_001, 70_000, 5, 99_999, 1, 2]
        let (bytes, byteStride) = MeshoptCodec.encodeTriangles(indices: indices, vertexCount: 100_000)
        #expect(byteStride == 4)
        let decoded = try decode(bytes, count: indices.count, byteStride: 4, mode: "TRIANGLES")
        #expect(canonicalTriangles(littleEndianIndices(decoded, stride: 4)) == canonicalTriangles(indices))
    }

    @Test func indexSequenceDecodes() throws {
        let sequence: [UInt32] = [0, 1, 2, 3, 2, 1, 4, 5, 100, 7, 7, 7, 65_000, 3]  // e.g. a line strip, no triangle structure
        let (encoded, byteStride) = MeshoptCodec.encodeIndexSequence(sequence, vertexCount: 65_001)
        #expect(byteStride == 2)
        #expect(encoded.first == 0xD1)  // the extension's mode-2 header byte
        let decoded = try decode(encoded, count: sequence.count, byteStride: 2, mode: "INDICES")
        #expect(littleEndianIndices(decoded, stride: 2) == sequence)
    }

    @Test func octahedralFilterDecodesKnownVectors() throws {
        // (x, y, 1.0, w) as 8-bit snorm with K = 8 (one = 127) and K = 4 (one = 7); w passes through.
        let input: [Int8] = [
            0, 0, 127, 9,        // +Z
            127, 0, 127, 55,     // +X
            0, -127, 127, 0,     // -Y
            127, 127, 127, -3,   // the octahedron's corner folds to -Z
            -7, 0, 7, 1,         // -X with 4-bit precision
        ]
        let expected: [Int8] = [0, 0, 127, 9, 127, 0, 0, 55, 0, -127, 0, 0, 0, 0, -127, -3, -127, 0, 0, 1]
        let raw = input.map { UInt8(bitPattern: $0) }
        let decoded = try decode(encodeAttributes(raw, count: 5, byteStride: 4), count: 5, byteStride: 4, mode: "ATTRIBUTES", filter: "OCTAHEDRAL")
        #expect(decoded.map { Int8(bitPattern: $0) } == expected)

        // 16-bit components against the spec's reference formula, to its 1-unit tolerance.
        var rng = SplitMix64(seed: 7)
        var words: [Int16] = []
        for _ in 0..<64 {
            let one = Int32(32767)
            let x = Int32(truncatingIfNeeded: rng.next() % 65_535) - one
            let y = Int32(truncatingIfNeeded: rng.next() % 65_535) - one
            words += [Int16(x), Int16(y), Int16(one), Int16(truncatingIfNeeded: rng.next())]
        }
        let bytes = words.withUnsafeBytes { Array($0) }
        let out = try decode(encodeAttributes(bytes, count: 64, byteStride: 8), count: 64, byteStride: 8, mode: "ATTRIBUTES", filter: "OCTAHEDRAL")
        let result = out.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        for v in 0..<64 {
            let one = Float(words[v * 4 + 2])
            var x = Float(words[v * 4]) / one, y = Float(words[v * 4 + 1]) / one
            let z = 1 - abs(x) - abs(y)
            let t = min(z, 0)
            x -= copysign(t, x)
            y -= copysign(t, y)
            let length = (x * x + y * y + z * z).squareRoot()
            let reference = [x, y, z].map { Int(($0 / length * 32767).rounded()) }
            for c in 0..<3 { #expect(abs(Int(result[v * 4 + c]) - reference[c]) <= 1) }
            #expect(result[v * 4 + 3] == words[v * 4 + 3])
        }
    }

    @Test func quaternionAndExponentialFiltersDecode() throws {
        // Identity quaternion, max component w (index 3), and one with max component x (index 0, one = 32764 | 3).
        let quats: [Int16] = [0, 0, 0, 32767, 0, 0, 0, 32764]
        let q = try decode(encodeAttributes(quats.withUnsafeBytes { Array($0) }, count: 2, byteStride: 8),
                           count: 2, byteStride: 8, mode: "ATTRIBUTES", filter: "QUATERNION")
        #expect(q.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) } == [0, 0, 0, 32767, 32767, 0, 0, 0])
        // 2^E · M with E in the top byte, M in the low 24 bits (both signed): 3·2^-1, -5·2^2, 1·2^0.
        let exps: [UInt32] = [0xFF00_0003, 0x02FF_FFFB, 0x0000_0001]
        let e = try decode(encodeAttributes(exps.withUnsafeBytes { Array($0) }, count: 1, byteStride: 12),
                           count: 1, byteStride: 12, mode: "ATTRIBUTES", filter: "EXPONENTIAL")
        #expect(e.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } == [1.5, -20, 1])
    }

    @Test func truncatedAndGarbageInputThrows() throws {
        var data = [UInt8](repeating: 0, count: 500 * 12)
        for i in data.indices { data[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        let attributes = encodeAttributes(data, count: 500, byteStride: 12)
        for cut in [0, 1, 10, attributes.count / 2, attributes.count - 1] {
            #expect(throws: FormatError.self) { try decode(Array(attributes[..<cut]), count: 500, byteStride: 12, mode: "ATTRIBUTES") }
        }
        let (triangles, _) = MeshoptCodec.encodeTriangles(indices: gridIndices(cols: 10, rows: 10), vertexCount: 121)
        for cut in [0, 1, 17, triangles.count / 2, triangles.count - 1] {
            #expect(throws: FormatError.self) { try decode(Array(triangles[..<cut]), count: 600, byteStride: 2, mode: "TRIANGLES") }
        }
        var rng = SplitMix64(seed: 99)
        for _ in 0..<100 {
            let garbage = (0..<64).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for (mode, stride) in [("ATTRIBUTES", 8), ("TRIANGLES", 2), ("INDICES", 4)] {
                // Garbage must fail cleanly (or, rarely, decode to garbage) — never crash.
                _ = try? decode(garbage, count: 48, byteStride: stride, mode: mode)
            }
        }
        let error = try #require(throws: FormatError.self) { try decode([0xA0, 1, 2], count: 100, byteStride: 4, mode: "ATTRIBUTES") }
        #expect(error.file == "test.glb")
    }

    @Test func extensionRulesAreEnforcedBeforeDecoding() throws {
        let base = "bufferViews[2].extensions.EXT_meshopt_compression."
        let cases: [(count: Int, stride: Int, mode: String, filter: String, field: String)] = [
            (4, 6, "ATTRIBUTES", "NONE", "byteStride"),
            (4, 260, "ATTRIBUTES", "NONE", "byteStride"),
            (4, 2, "TRIANGLES", "NONE", "count"),
            (3, 3, "TRIANGLES", "NONE", "byteStride"),
            (3, 8, "INDICES", "NONE", "byteStride"),
            (3, 2, "INDICES", "OCTAHEDRAL", "filter"),
            (3, 12, "ATTRIBUTES", "OCTAHEDRAL", "byteStride"),
            (3, 4, "ATTRIBUTES", "QUATERNION", "byteStride"),
            (3, 4, "ATTRIBUTES", "GZIP", "filter"),
            (3, 4, "VERTICES", "NONE", "mode"),
            (-1, 4, "ATTRIBUTES", "NONE", "count"),
            (1 << 40, 4, "ATTRIBUTES", "NONE", "byteLength"),  // a bomb: refused before allocating
        ]
        for c in cases {
            let error = try #require(throws: FormatError.self) { try decode([0xA0] + Array(repeating: 0, count: 40), count: c.count, byteStride: c.stride, mode: c.mode, filter: c.filter) }
            #expect(error.location == .jsonPath(base + c.field), "\(c)")
        }
        #expect(try decode([], count: 0, byteStride: 4, mode: "ATTRIBUTES") == [])
    }
}
