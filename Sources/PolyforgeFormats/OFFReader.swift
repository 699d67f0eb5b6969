import PolyforgeMesh

/// Reads ASCII OFF (Geomview) and its COFF, NOFF, STOFF variants into one primitive.
///
/// Vertex lines hold x y z, then nx ny nz (N), r g b [a] (C, or extra values on a plain OFF line), then s t (ST).
/// Colours written as 0–255 integers are scaled to 0–1. Faces are `n i0 … in-1` with optional trailing colours,
/// which are ignored; polygons are triangulated. BINARY and 4D files are rejected.
public enum OFFReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Scene {
        var c = TextCursor(bytes)
        func error(_ line: Int, _ reason: String) -> FormatError { FormatError(file: fileName, .line(line), reason) }

        c.skipWhitespaceAndComments()
        let keyword = c.tokenString()
        guard keyword.hasSuffix("OFF") else { throw FormatError(file: fileName, .byteOffset(0), "not an OFF file (it must start with OFF, COFF, NOFF or STOFF)") }
        var flags = keyword.dropLast(3)
        let hasTexcoords = flags.hasPrefix("ST")
        if hasTexcoords { flags = flags.dropFirst(2) }
        let hasColors = flags.hasPrefix("C")
        if hasColors { flags = flags.dropFirst() }
        let hasNormals = flags.hasPrefix("N")
        if hasNormals { flags = flags.dropFirst() }
        guard flags.isEmpty else { throw error(c.line, "OFF variant '\(keyword.prefix(20))' is not supported (4D and n-dimensional OFF are not meshes)") }
        c.skipBlanks()
        if c.hasWord("BINARY") { throw error(c.line, "binary OFF is not supported") }

        c.skipWhitespaceAndComments()
        guard let vertexCount = c.integer(), vertexCount >= 0 else { throw error(c.line, "cannot parse the vertex count") }
        c.skipWhitespaceAndComments()
        guard let faceCount = c.integer(), faceCount >= 0 else { throw error(c.line, "cannot parse the face count") }
        c.skipBlanks()
        if !c.atLineEnd, c.integer() == nil { throw error(c.line, "cannot parse the edge count") }
        c.nextLine()
        // Smallest records: "0 0 0\n" per vertex, "0\n" per face. Checked before reserving anything.
        let (vertexBytes, o1) = vertexCount.multipliedReportingOverflow(by: 6)
        let (faceBytes, o2) = faceCount.multipliedReportingOverflow(by: 2)
        guard !o1, !o2, vertexBytes <= c.remaining + 1, faceBytes <= c.remaining + 1, vertexBytes + faceBytes <= c.remaining + 2 else {
            throw error(c.line - 1, "header announces \(vertexCount) vertices and \(faceCount) faces, more than the \(c.remaining) remaining bytes can hold")
        }

        var positions: [Float] = [], normals: [Float] = [], texcoords: [Float] = [], colors: [Float] = []
        positions.reserveCapacity(3 * vertexCount)
        var anyColor = false, anyAlpha = false, maxColor: Float = 0
        var values: [Float] = []
        for v in 0..<vertexCount {
            c.skipWhitespaceAndComments()
            let line = c.line
            values.removeAll(keepingCapacity: true)
            while !c.atLineEnd {
                guard let value = c.float() else { throw error(line, "cannot parse vertex \(v)") }
                values.append(value)
                c.skipBlanks()
            }
            c.nextLine()
            let fixed = 3 + (hasNormals ? 3 : 0) + (hasTexcoords ? 2 : 0)
            guard values.count >= fixed else { throw error(line, "vertex \(v) has \(values.count) values, expected at least \(fixed)") }
            positions.append(contentsOf: values[0..<3])
            var k = 3
            if hasNormals { normals.append(contentsOf: values[3..<6]); k = 6 }
            let colorValues = values.count - fixed
            if colorValues >= 3 {
                if !anyColor { colors = [Float](repeating: .nan, count: 4 * v); anyColor = true }
                colors.append(contentsOf: values[k..<(k + 3)])
                colors.append(colorValues >= 4 ? values[k + 3] : .nan)
                if colorValues >= 4 { anyAlpha = true }
                for x in values[k..<(k + min(colorValues, 4))] { maxColor = max(maxColor, x) }
                k += colorValues
            } else {
                if anyColor { colors.append(contentsOf: [.nan, .nan, .nan, .nan] as [Float]) }
                k += colorValues
            }
            if hasTexcoords { texcoords.append(values[k]); texcoords.append(1 - values[k + 1]) }
        }

        var indices: [UInt32] = []
        indices.reserveCapacity(3 * faceCount)
        var polygon: [Int] = []
        var corners: [Int] = []
        var triangulator = PolygonTriangulator()
        for f in 0..<faceCount {
            c.skipWhitespaceAndComments()
            let line = c.line
            guard let n = c.integer(), n >= 0 else { throw error(line, "cannot parse the corner count of face \(f)") }
            polygon.removeAll(keepingCapacity: true)
            for _ in 0..<n {
                c.skipWhitespaceAndComments()
                guard let index = c.integer() else { throw error(c.line, "cannot parse a vertex index of face \(f)") }
                guard index >= 0, index < vertexCount else { throw error(c.line, "face \(f) refers to vertex \(index), but there are \(vertexCount) vertices") }
                polygon.append(index)
            }
            // Trailing face colour, if any.
            c.nextLine()
            if n == 3 {
                indices.append(UInt32(polygon[0])); indices.append(UInt32(polygon[1])); indices.append(UInt32(polygon[2]))
            } else if n > 3 {
                corners.removeAll(keepingCapacity: true)
                let pos = positions, poly = polygon
                triangulator.triangulate(count: n, out: &corners) { i in (pos[3 * poly[i]], pos[3 * poly[i] + 1], pos[3 * poly[i] + 2]) }
                for k in corners { indices.append(UInt32(polygon[k])) }
            }
        }

        var streams = [VertexStream(.position, components: 3, data: positions)]
        if hasNormals { streams.append(VertexStream(.normal, components: 3, data: normals)) }
        if hasTexcoords { streams.append(VertexStream(.texcoord(0), components: 2, data: texcoords)) }
        if anyColor {
            // 0–255 integers (the common COFF form) when any channel exceeds 1.
            let scale: Float = maxColor > 1 ? 1 / 255 : 1
            let components = anyAlpha ? 4 : 3
            var data: [Float] = []
            data.reserveCapacity(components * vertexCount)
            for v in 0..<vertexCount {
                // NaN marks a channel the file did not give: opaque white.
                for k in 0..<components { data.append(colors[4 * v + k].isNaN ? 1 : colors[4 * v + k] * scale) }
            }
            streams.append(VertexStream(.color(0), components: components, data: data))
        }
        let primitive = Primitive(streams: streams, indices: indices)
        return Scene(mesh: Mesh(name: FileSystem.stem(of: fileName), primitives: [primitive]))
    }
}
