import PolyforgeMesh

extension Fixtures {
    /// A flat 4 × 4-quad grid on z = 0 (32 good triangles, vertices 0–24, index = 5·row + column) plus
    /// degenerate faces:
    /// - 3 with repeated indices: (6, 6, 7), (7, 12, 12), (18, 18, 18);
    /// - 1 that repeats an index only after welding: (12, 29, 13), vertex 29 being a copy of vertex 12;
    /// - 2 with zero area but distinct vertices: (25, 26, 27) and (25, 27, 28), on the line y = −1.
    ///
    /// Triangles: 38. Vertices: 30. After welding positions: 4 repeated-index faces, 2 zero-area faces
    /// (6 degenerate), and the grid's 16 boundary edges in one loop — see `degenerateFacesDefects`.
    public static func degenerateFaces() -> Scene {
        var positions = [Float]()
        for row in 0...4 {
            for column in 0...4 { positions += [Float(column), Float(row), 0] }
        }
        positions += [0, -1, 0, 1, -1, 0, 2.5, -1, 0, 4, -1, 0]
        positions += positions[(3 * 12)..<(3 * 12 + 3)]
        var indices = [UInt32]()
        for row in 0..<4 {
            for column in 0..<4 {
                let a = UInt32(5 * row + column), b = a + 1, c = a + 6, d = a + 5
                indices += [a, b, c, a, c, d]
            }
        }
        indices += [6, 6, 7, 7, 12, 12, 18, 18, 18]
        indices += [12, 29, 13]
        indices += [25, 26, 27, 25, 27, 28]
        let normals = [Float]((0..<30).flatMap { _ in [Float(0), 0, 1] })
        return scene(name: "degenerate", positions: positions, normals: normals,
                     uvs: planarUVs(positions: positions), indices: indices,
                     material: material("degenerate", rgb: (0.6, 0.6, 0.9)))
    }

    public static let degenerateFacesDefects = KnownDefects(boundaryEdges: 16, boundaryLoops: 1,
                                                            repeatedIndexFaces: 4, zeroAreaFaces: 2)
}
