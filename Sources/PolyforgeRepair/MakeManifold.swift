import PolyforgeCore

/// Splits non-manifold edges and vertices by giving each extra fan its own copy of the point, so every edge has
/// at most two faces and every vertex one fan. Nothing is removed or moved.
///
/// A copy sits on its original's position, so a position-based check (trimesh, `MeshTopology.analyzeSurface`)
/// would weld it back: each copy is moved `separation` of the way towards the centroid of its own fan's other
/// corners (1e-3 by default, far below any visible change, far above float rounding).
///
/// `cutting` (per-corner flags, as `Orient.Result.conflictCorners`) also cuts those edges: a non-orientable strip
/// cut where its winding disagrees can then be oriented.
public struct MakeManifold: Sendable {
    public var separation: Float
    public var cutting: [UInt8]

    public init(separation: Float = 1e-3, cutting: [UInt8] = []) {
        self.separation = separation
        self.cutting = cutting
    }

    public struct Result: Sendable {
        public var nonManifoldEdges, splitPoints, addedPoints, detachedFaces: Int

        public var report: RepairStepReport {
            RepairStepReport(step: "manifold", counts: [("non-manifold edges", nonManifoldEdges), ("points split", splitPoints),
                                                        ("points added", addedPoints), ("faces detached", detachedFaces)])
        }
    }

    @discardableResult
    public func apply(to mesh: inout RepairMesh) -> Result {
        var stats = pf_manifold_result()
        var source = [UInt32](repeating: 0, count: max(mesh.corners.count, 1))
        let points = mesh.pointCount
        let newCount = mesh.corners.withUnsafeMutableBufferPointer { c in
            source.withUnsafeMutableBufferPointer { s in mesh.positions.withUnsafeBufferPointer { p in
                cutting.withUnsafeBufferPointer { cut in
                    pf_make_manifold(c.baseAddress, c.count, points, p.baseAddress, cut.count == c.count ? cut.baseAddress : nil, s.baseAddress, &stats)
                }
            } }
        }
        precondition(newCount != size_t.max, "out of memory in make-manifold")
        if newCount > points {
            mesh.positions.reserveCapacity(newCount * 3)
            for i in 0..<(newCount - points) {
                let p = Int(source[i])
                mesh.positions += [mesh.positions[3 * p], mesh.positions[3 * p + 1], mesh.positions[3 * p + 2]]
            }
            if separation > 0 { separate(&mesh, firstCopy: points) }
        }
        return Result(nonManifoldEdges: stats.nonmanifold_edges, splitPoints: stats.split_vertices,
                      addedPoints: stats.added_vertices, detachedFaces: stats.detached_faces)
    }

    /// Moves every point from `firstCopy` on a little towards the centroid of its faces' other corners.
    private func separate(_ mesh: inout RepairMesh, firstCopy: Int) {
        let copies = mesh.pointCount - firstCopy
        var sum = [Double](repeating: 0, count: copies * 3)
        var count = [Int](repeating: 0, count: copies)
        mesh.positions.withUnsafeBufferPointer { p in
            mesh.corners.withUnsafeBufferPointer { c in
                for f in 0..<(c.count / 3) {
                    for k in 0..<3 where Int(c[3 * f + k]) >= firstCopy {
                        let i = Int(c[3 * f + k]) - firstCopy
                        for o in [c[3 * f + (k + 1) % 3], c[3 * f + (k + 2) % 3]] {
                            for d in 0..<3 { sum[3 * i + d] += Double(p[3 * Int(o) + d]) }
                        }
                        count[i] += 2
                    }
                }
            }
        }
        for i in 0..<copies where count[i] > 0 {
            for d in 0..<3 {
                let at = 3 * (firstCopy + i) + d
                let centroid = sum[3 * i + d] / Double(count[i])
                mesh.positions[at] += Float(Double(separation) * (centroid - Double(mesh.positions[at])))
            }
        }
    }
}
