import PolyforgeMesh

/// Writes binary little-endian PLY: every drawn triangle primitive merged into one vertex and one face element.
///
/// Vertex properties: x y z, then nx ny nz, s t (v flipped back to bottom-left) and red green blue alpha (uchar)
/// when any primitive has them (others get 0 normals, 0 0 UVs and white). Faces: `list uchar int vertex_indices`.
public enum PLYWriter {
    public static func encode(_ scene: Scene) -> [UInt8] {
        let flat = SceneFlattener.flatten(scene).map(\.primitive)
        let vertexCount = flat.reduce(0) { $0 + $1.vertexCount }
        let triangleCount = flat.reduce(0) { $0 + $1.indices.count / 3 }
        let hasNormals = flat.contains { $0.stream(.normal)?.components == 3 }
        let hasTexcoords = flat.contains { $0.stream(.texcoord(0))?.components == 2 }
        let hasColors = flat.contains { ($0.stream(.color(0))?.components ?? 0) >= 3 }

        var header = "ply\nformat binary_little_endian 1.0\ncomment written by Polyforge\n"
        header += "element vertex \(vertexCount)\nproperty float x\nproperty float y\nproperty float z\n"
        if hasNormals { header += "property float nx\nproperty float ny\nproperty float nz\n" }
        if hasTexcoords { header += "property float s\nproperty float t\n" }
        if hasColors { header += "property uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n" }
        header += "element face \(triangleCount)\nproperty list uchar int vertex_indices\nend_header\n"

        let vertexSize = 12 + (hasNormals ? 12 : 0) + (hasTexcoords ? 8 : 0) + (hasColors ? 4 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(header.utf8.count + vertexSize * vertexCount + 13 * triangleCount)
        out.appendText(header)
        for primitive in flat {
            let n = primitive.vertexCount
            let positions = primitive.positions
            let normals = primitive.stream(.normal).flatMap { $0.components == 3 && $0.count == n ? $0.data : nil }
            let texcoords = primitive.stream(.texcoord(0)).flatMap { $0.components == 2 && $0.count == n ? $0.data : nil }
            let colorStream = primitive.stream(.color(0)).flatMap { $0.components >= 3 && $0.count == n ? $0 : nil }
            for v in 0..<n {
                out.appendFloatLE(positions[3 * v]); out.appendFloatLE(positions[3 * v + 1]); out.appendFloatLE(positions[3 * v + 2])
                if hasNormals {
                    for k in 0..<3 { out.appendFloatLE(normals?[3 * v + k] ?? 0) }
                }
                if hasTexcoords {
                    out.appendFloatLE(texcoords?[2 * v] ?? 0)
                    out.appendFloatLE(1 - (texcoords?[2 * v + 1] ?? 1))
                }
                if hasColors {
                    if let colorStream {
                        let k = colorStream.components
                        for c in 0..<3 { out.append(unitToByte(colorStream.data[k * v + c])) }
                        out.append(k >= 4 ? unitToByte(colorStream.data[k * v + 3]) : 255)
                    } else {
                        out += [255, 255, 255, 255]
                    }
                }
            }
        }
        var base: UInt32 = 0
        for primitive in flat {
            let limit = UInt32(primitive.vertexCount)
            let indices = primitive.indices
            for t in stride(from: 0, to: indices.count - 2, by: 3) {
                out.append(3)
                for k in 0..<3 {
                    // An index outside the primitive would point into another one; clamp it to vertex 0 of its own.
                    let i = indices[t + k] < limit ? indices[t + k] : 0
                    out.appendLE(Int32(bitPattern: base + i))
                }
            }
            base += limit
        }
        return out
    }

    @inline(__always)
    static func unitToByte(_ v: Float) -> UInt8 {
        guard v.isFinite else { return 0 }
        return UInt8(min(max(v, 0), 1) * 255 + 0.5)
    }
}
