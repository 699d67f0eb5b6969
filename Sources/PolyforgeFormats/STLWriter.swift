import PolyforgeMesh

/// Writes binary STL: every drawn triangle in world space, with its face normal computed from the vertices.
public enum STLWriter {
    public static func encode(_ scene: Scene) -> [UInt8] {
        let flat = SceneFlattener.flatten(scene)
        let triangles = flat.reduce(0) { $0 + $1.primitive.indices.count / 3 }
        var out: [UInt8] = []
        out.reserveCapacity(84 + 50 * triangles)
        // Must not start with "solid": readers would take the file for ASCII.
        var header = Array("binary STL written by Polyforge".utf8)
        header += [UInt8](repeating: 0x20, count: 80 - header.count)
        out += header
        out.appendLE(UInt32(clamping: triangles))
        for item in flat {
            let positions = item.primitive.positions
            let vertexCount = positions.count / 3
            let indices = item.primitive.indices
            for t in stride(from: 0, to: indices.count - 2, by: 3) {
                let a = Int(indices[t]), b = Int(indices[t + 1]), c = Int(indices[t + 2])
                var v: [Float] = [0, 0, 0, 0, 0, 0, 0, 0, 0]
                if a < vertexCount, b < vertexCount, c < vertexCount {
                    v = [positions[3 * a], positions[3 * a + 1], positions[3 * a + 2],
                         positions[3 * b], positions[3 * b + 1], positions[3 * b + 2],
                         positions[3 * c], positions[3 * c + 1], positions[3 * c + 2]]
                }
                let e1 = (v[3] - v[0], v[4] - v[1], v[5] - v[2]), e2 = (v[6] - v[0], v[7] - v[1], v[8] - v[2])
                var n = (e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0)
                let length = (n.0 * n.0 + n.1 * n.1 + n.2 * n.2).squareRoot()
                if length > 0, length.isFinite { n = (n.0 / length, n.1 / length, n.2 / length) } else { n = (0, 0, 0) }
                out.appendFloatLE(n.0); out.appendFloatLE(n.1); out.appendFloatLE(n.2)
                for f in v { out.appendFloatLE(f) }
                out.appendLE(UInt16(0))
            }
        }
        return out
    }
}
