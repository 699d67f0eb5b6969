import CMeshopt

/// EXT_meshopt_compression bufferView codec over Debian's libmeshoptimizer (0.18). The one place that calls it.
///
/// The stride and count rules are the extension's ("For the extension object to be valid, the following must hold");
/// they are checked before any libmeshoptimizer call, because the library asserts on them instead of failing.
public enum MeshoptCodec {
    /// Decodes one compressed bufferView into `count * byteStride` bytes.
    /// - Parameters:
    ///   - source: the extension's compressed byte range.
    ///   - count, byteStride: the extension's element count and stride.
    ///   - mode: `"ATTRIBUTES"`, `"TRIANGLES"` or `"INDICES"`.
    ///   - filter: `"NONE"`, `"OCTAHEDRAL"`, `"QUATERNION"` or `"EXPONENTIAL"`; applied in place after decoding.
    ///   - fileName, path: put into the `FormatError` (path is the JSON path of the extension object).
    public static func decode(
        _ source: UnsafeRawBufferPointer,
        count: Int,
        byteStride: Int,
        mode: String,
        filter: String = "NONE",
        fileName: String = "<meshopt>",
        path: String = "extensions.EXT_meshopt_compression"
    ) throws(FormatError) -> [UInt8] {
        func fail(_ field: String?, _ reason: String) -> FormatError {
            FormatError(file: fileName, .jsonPath(field.map { "\(path).\($0)" } ?? path), reason)
        }

        guard count >= 0 else { throw fail("count", "count \(count) is negative") }
        guard byteStride > 0 else { throw fail("byteStride", "byteStride \(byteStride) must be positive") }
        let (size, overflow) = count.multipliedReportingOverflow(by: byteStride)
        guard !overflow else { throw fail("count", "count \(count) × byteStride \(byteStride) overflows") }

        switch mode {
        case "ATTRIBUTES":
            guard byteStride % 4 == 0, byteStride <= 256 else {
                throw fail("byteStride", "ATTRIBUTES mode needs a byteStride that is a multiple of 4 and at most 256, not \(byteStride)")
            }
        case "TRIANGLES", "INDICES":
            guard byteStride == 2 || byteStride == 4 else {
                throw fail("byteStride", "\(mode) mode needs a byteStride of 2 or 4, not \(byteStride)")
            }
            guard mode == "INDICES" || count % 3 == 0 else {
                throw fail("count", "TRIANGLES mode needs a count divisible by 3, not \(count)")
            }
            guard filter == "NONE" else { throw fail("filter", "\(mode) mode allows no filter, but \(filter) is set") }
        default:
            throw fail("mode", "unknown mode \"\(mode)\" (expected ATTRIBUTES, TRIANGLES or INDICES)")
        }
        switch filter {
        case "NONE": break
        case "OCTAHEDRAL":
            guard byteStride == 4 || byteStride == 8 else {
                throw fail("byteStride", "the OCTAHEDRAL filter needs a byteStride of 4 or 8, not \(byteStride)")
            }
        case "QUATERNION":
            guard byteStride == 8 else { throw fail("byteStride", "the QUATERNION filter needs a byteStride of 8, not \(byteStride)") }
        case "EXPONENTIAL":
            break  // ATTRIBUTES already forces a multiple of 4.
        default:
            throw fail("filter", "unknown filter \"\(filter)\" (expected NONE, OCTAHEDRAL, QUATERNION or EXPONENTIAL)")
        }

        // Refuse decompression bombs before allocating: each format has a floor on the bytes it spends per element.
        // ATTRIBUTES: at best 2 header bits per 16 bytes of one byte lane, so at most 64 output bytes per input byte.
        // TRIANGLES: at least one code byte per triangle. INDICES: at least one varint byte per index.
        let plausible: Bool
        switch mode {
        case "ATTRIBUTES": plausible = size / 64 <= source.count
        case "TRIANGLES": plausible = count / 3 <= source.count
        default: plausible = count <= source.count
        }
        guard plausible else {
            throw fail("byteLength", "\(source.count) compressed bytes cannot hold \(count) elements of \(byteStride) bytes in \(mode) mode")
        }
        guard size > 0 else { return [] }
        guard let input = source.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw fail("byteLength", "the compressed data is empty")
        }

        var output = [UInt8](repeating: 0, count: size)
        let status: Int32 = output.withUnsafeMutableBytes { out in
            let dst = out.baseAddress!
            switch mode {
            case "ATTRIBUTES":
                let rc = meshopt_decodeVertexBuffer(dst, count, byteStride, input, source.count)
                guard rc == 0 else { return rc }
                switch filter {
                case "OCTAHEDRAL": meshopt_decodeFilterOct(dst, count, byteStride)
                case "QUATERNION": meshopt_decodeFilterQuat(dst, count, byteStride)
                case "EXPONENTIAL": meshopt_decodeFilterExp(dst, count, byteStride)
                default: break
                }
                return 0
            case "TRIANGLES":
                return meshopt_decodeIndexBuffer(dst, count, byteStride, input, source.count)
            default:
                return meshopt_decodeIndexSequence(dst, count, byteStride, input, source.count)
            }
        }
        guard status == 0 else {
            throw fail(nil, "the \(mode) data is corrupt or truncated (libmeshoptimizer error \(status) decoding \(count) elements of \(byteStride) bytes from \(source.count) bytes)")
        }
        return output
    }

    /// Encodes vertex data for an ATTRIBUTES-mode bufferView (`filter` NONE).
    /// `data` holds `count` elements of `byteStride` bytes; `byteStride` must be a multiple of 4 and at most 256.
    public static func encodeAttributes(_ data: UnsafeRawBufferPointer, count: Int, byteStride: Int) -> [UInt8] {
        precondition(byteStride > 0 && byteStride % 4 == 0 && byteStride <= 256, "ATTRIBUTES byteStride must be a multiple of 4 in 4...256")
        precondition(data.count == count * byteStride, "data must hold count * byteStride bytes")
        let bound = meshopt_encodeVertexBufferBound(count, byteStride)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBufferPointer { o in
            meshopt_encodeVertexBuffer(o.baseAddress, o.count, data.baseAddress, count, byteStride)
        }
        precondition(written > 0, "meshopt_encodeVertexBuffer failed within its own bound")
        out.removeSubrange(written...)
        return out
    }

    /// Encodes a triangle list for a TRIANGLES-mode bufferView.
    /// Returns the bytes and the byteStride the extension (and the decoded bufferView) must declare:
    /// 4 when `vertexCount` exceeds 65535, else 2. Decoding reproduces the triangles in order, but each
    /// triangle's indices may come back rotated ((a, b, c) as (b, c, a)); winding is kept.
    public static func encodeTriangles(indices: [UInt32], vertexCount: Int) -> (bytes: [UInt8], byteStride: Int) {
        precondition(indices.count % 3 == 0, "a triangle list needs a multiple of 3 indices")
        _ = indexFormatVersion1
        let bound = meshopt_encodeIndexBufferBound(indices.count, vertexCount)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBufferPointer { o in
            indices.withUnsafeBufferPointer { i in meshopt_encodeIndexBuffer(o.baseAddress, o.count, i.baseAddress, i.count) }
        }
        precondition(written > 0, "meshopt_encodeIndexBuffer failed within its own bound")
        out.removeSubrange(written...)
        return (out, vertexCount > 65535 ? 4 : 2)
    }

    /// Encodes any index list (lines, strips, points, sparse indices) for an INDICES-mode bufferView.
    /// Returns the bytes and the byteStride to declare: 4 when `vertexCount` exceeds 65535, else 2. Decoding is exact.
    public static func encodeIndexSequence(_ indices: [UInt32], vertexCount: Int) -> (bytes: [UInt8], byteStride: Int) {
        _ = indexFormatVersion1
        let bound = meshopt_encodeIndexSequenceBound(indices.count, vertexCount)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBufferPointer { o in
            indices.withUnsafeBufferPointer { i in meshopt_encodeIndexSequence(o.baseAddress, o.count, i.baseAddress, i.count) }
        }
        precondition(written > 0, "meshopt_encodeIndexSequence failed within its own bound")
        out.removeSubrange(written...)
        return (out, vertexCount > 65535 ? 4 : 2)
    }

    /// libmeshoptimizer 0.18 encodes index format 0 (headers 0xe0/0xd0) by default, but the extension requires
    /// format 1 (0xe1/0xd1). The setting is process-global; a lazy global sets it exactly once, thread-safely.
    private static let indexFormatVersion1: Void = meshopt_encodeIndexVersion(1)
}
