import PolyforgeMesh

/// Deterministic procedural meshes for tests, examples and benchmarks.
///
/// Every fixture is a `Scene` of plain triangles with POSITION, NORMAL and TEXCOORD_0, built from fixed
/// arithmetic only (no randomness, no clocks), so two calls give bit-identical arrays. The defect fixtures
/// state what they contain in `KnownDefects`, counted after welding positions. The large scan-like surface
/// lives in `ScanSurface`.
public enum Fixtures {
    /// One primitive in one mesh in one node: the shape every small fixture has.
    static func scene(name: String, positions: [Float], normals: [Float], uvs: [Float], indices: [UInt32],
                      material: Material?) -> Scene {
        let primitive = Primitive(streams: streams(positions: positions, normals: normals, uvs: uvs),
                                  indices: indices, material: material == nil ? nil : 0)
        return Scene(mesh: Mesh(name: name, primitives: [primitive]), materials: material.map { [$0] } ?? [])
    }

    static func streams(positions: [Float], normals: [Float], uvs: [Float]) -> [VertexStream] {
        [VertexStream(.position, components: 3, data: positions),
         VertexStream(.normal, components: 3, data: normals),
         VertexStream(.texcoord(0), components: 2, data: uvs)]
    }

    static func material(_ name: String, rgb: (Float, Float, Float), metallic: Float = 0, roughness: Float = 0.6) -> Material {
        var m = Material(name: name)
        m.baseColorFactor = [rgb.0, rgb.1, rgb.2, 1]
        m.metallicFactor = metallic
        m.roughnessFactor = roughness
        return m
    }

    /// Area-weighted vertex normals; vertices no non-degenerate face touches get +Z.
    static func vertexNormals(positions: [Float], indices: [UInt32]) -> [Float] {
        var n = [Float](repeating: 0, count: positions.count)
        for t in stride(from: 0, to: indices.count, by: 3) {
            let a = Int(indices[t]) * 3, b = Int(indices[t + 1]) * 3, c = Int(indices[t + 2]) * 3
            let e1 = (positions[b] - positions[a], positions[b + 1] - positions[a + 1], positions[b + 2] - positions[a + 2])
            let e2 = (positions[c] - positions[a], positions[c + 1] - positions[a + 1], positions[c + 2] - positions[a + 2])
            let cross = (e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0)
            for v in [a, b, c] {
                n[v] += cross.0; n[v + 1] += cross.1; n[v + 2] += cross.2
            }
        }
        for v in stride(from: 0, to: n.count, by: 3) {
            let length = (n[v] * n[v] + n[v + 1] * n[v + 1] + n[v + 2] * n[v + 2]).squareRoot()
            if length > 0 {
                n[v] /= length; n[v + 1] /= length; n[v + 2] /= length
            } else {
                n[v] = 0; n[v + 1] = 0; n[v + 2] = 1
            }
        }
        return n
    }

    /// UVs from the X/Y extent of the positions, for flat-ish fixtures with no natural parameterisation.
    static func planarUVs(positions: [Float]) -> [Float] {
        var lo: (Float, Float) = (.greatestFiniteMagnitude, .greatestFiniteMagnitude)
        var hi: (Float, Float) = (-.greatestFiniteMagnitude, -.greatestFiniteMagnitude)
        for v in stride(from: 0, to: positions.count, by: 3) {
            lo = (min(lo.0, positions[v]), min(lo.1, positions[v + 1]))
            hi = (max(hi.0, positions[v]), max(hi.1, positions[v + 1]))
        }
        let sx = hi.0 > lo.0 ? 1 / (hi.0 - lo.0) : 1, sy = hi.1 > lo.1 ? 1 / (hi.1 - lo.1) : 1
        var uv: [Float] = []
        uv.reserveCapacity(positions.count / 3 * 2)
        for v in stride(from: 0, to: positions.count, by: 3) {
            uv.append((positions[v] - lo.0) * sx)
            uv.append(1 - (positions[v + 1] - lo.1) * sy)
        }
        return uv
    }
}
