import PolyforgeMesh

extension Fixtures {
    /// Quads (ring, first segment, quad count) cut out of a 16 × 8 UV sphere. They share no vertex, sit away
    /// from the poles and the UV seam, and leave no vertex unreferenced.
    static let holes: [(ring: Int, segment: Int, quads: Int)] = [(1, 2, 1), (3, 6, 2), (5, 10, 3)]

    /// A 16 × 8 UV sphere with three holes: one quad, two adjacent quads and three adjacent quads removed.
    ///
    /// Triangles: 212 (224 − 12). Vertices: 151. After welding positions: 3 boundary loops of 4, 6 and 8 edges
    /// (18 boundary edges), no non-manifold edge or vertex, no degenerate face — see `meshWithHolesDefects`.
    public static func meshWithHoles() -> Scene {
        let grid = SphereGrid(segments: 16, rings: 8)
        var positions = [Float](), uvs = [Float]()
        grid.forEachVertex { _, x, y, z, u, v in
            positions += [x, y, z]
            uvs += [u, v]
        }
        var removed = Set<Int>()
        for hole in holes {
            let first = grid.firstTriangle(ofRing: hole.ring)
            for q in hole.segment..<(hole.segment + hole.quads) {
                removed.insert(first + 2 * q)
                removed.insert(first + 2 * q + 1)
            }
        }
        let all = grid.indices()
        var indices = [UInt32]()
        indices.reserveCapacity(all.count - 3 * removed.count)
        for t in 0..<grid.triangleCount where !removed.contains(t) {
            indices += all[(3 * t)..<(3 * t + 3)]
        }
        return scene(name: "holes", positions: positions, normals: positions, uvs: uvs, indices: indices,
                     material: material("holes", rgb: (0.3, 0.7, 0.4)))
    }

    public static let meshWithHolesDefects = KnownDefects(boundaryEdges: 18, boundaryLoops: 3)
}
