import PolyforgeMesh

extension Fixtures {
    /// Two separate pieces with one defect each, all vertices distinct (no welding needed):
    /// - a fin: three triangles sharing the edge (0, 0, 0)–(1, 0, 0) — two in the XY plane either side of it,
    ///   one standing up along +Z — so that edge has 3 faces;
    /// - a bow-tie at (3, 0, 0): two fans of two triangles each that meet only in that vertex.
    ///
    /// Triangles: 7. Vertices: 12. Non-manifold edges: 1. Non-manifold (bow-tie) vertices: 1 (the fin's
    /// vertices are not: their faces all share the fin edge). Boundary edges: 14 (6 on the fin, 4 per fan),
    /// in 2 connected chains (the fin's six; the two fans' eight, joined at the bow-tie) — see `nonManifoldDefects`.
    public static func nonManifold() -> Scene {
        let positions: [Float] = [
            0, 0, 0, 1, 0, 0, 0.5, 1, 0, 0.5, -1, 0, 0.5, 0, 1,           // fin: 0–1 shared edge, 2, 3, 4 apexes
            3, 0, 0,                                                       // 5: the bow-tie vertex
            2, 1, 0, 2.5, 1.5, 0, 3, 1.2, 0,                               // 6, 7, 8: upper fan rim
            4, -1, 0, 3.5, -1.5, 0, 3, -1.2, 0,                            // 9, 10, 11: lower fan rim
        ]
        let indices: [UInt32] = [
            0, 1, 2, 1, 0, 3, 0, 1, 4,
            5, 8, 7, 5, 7, 6,
            5, 11, 10, 5, 10, 9,
        ]
        return scene(name: "non_manifold", positions: positions,
                     normals: vertexNormals(positions: positions, indices: indices),
                     uvs: planarUVs(positions: positions), indices: indices,
                     material: material("non_manifold", rgb: (0.9, 0.6, 0.1)))
    }

    public static let nonManifoldDefects = KnownDefects(boundaryEdges: 14, boundaryLoops: 2, nonManifoldEdges: 1,
                                                        nonManifoldVertices: 1)
}
