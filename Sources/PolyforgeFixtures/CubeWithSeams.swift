import PolyforgeMesh

extension Fixtures {
    /// A unit cube centred on the origin with a separate quad per face: 24 vertices, 12 triangles, flat
    /// per-face normals and a full 0…1 UV square per face, so every edge is a normal and a UV seam.
    /// Welding positions leaves 8 vertices and a closed manifold surface.
    public static func cubeWithSeams() -> Scene {
        // Per face: outward normal, then the U and V axes of its UV square (U × V = −normal, so corners in
        // UV order a, b, c, d wind counter-clockwise seen from outside).
        let faces: [(n: (Float, Float, Float), u: (Float, Float, Float), v: (Float, Float, Float))] = [
            ((1, 0, 0), (0, 0, -1), (0, -1, 0)),
            ((-1, 0, 0), (0, 0, 1), (0, -1, 0)),
            ((0, 1, 0), (1, 0, 0), (0, 0, 1)),
            ((0, -1, 0), (1, 0, 0), (0, 0, -1)),
            ((0, 0, 1), (1, 0, 0), (0, -1, 0)),
            ((0, 0, -1), (-1, 0, 0), (0, -1, 0)),
        ]
        var positions = [Float](), normals = [Float](), uvs = [Float](), indices = [UInt32]()
        for (f, face) in faces.enumerated() {
            for (cu, cv) in [(Float(0), Float(0)), (0, 1), (1, 1), (1, 0)] {
                let su = cu - 0.5, sv = cv - 0.5
                positions += [0.5 * face.n.0 + su * face.u.0 + sv * face.v.0,
                              0.5 * face.n.1 + su * face.u.1 + sv * face.v.1,
                              0.5 * face.n.2 + su * face.u.2 + sv * face.v.2]
                normals += [face.n.0, face.n.1, face.n.2]
                uvs += [cu, cv]
            }
            let base = UInt32(4 * f)
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        }
        return scene(name: "cube_seams", positions: positions, normals: normals, uvs: uvs, indices: indices,
                     material: material("cube", rgb: (0.7, 0.7, 0.7)))
    }
}
