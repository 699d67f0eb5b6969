import PolyforgeCore

/// Makes winding consistent within each component, and closed shells face outward (positive volume).
public struct Orient: Sendable {
    public init() {}

    public struct Result: Sendable {
        public var flippedFaces, components, closedComponents, invertedComponents, conflictingEdges: Int
        /// Per corner, 1 where the edge starting there still has disagreeing faces (non-orientable); empty if none.
        /// `MakeManifold(cutting:)` takes it.
        public var conflictCorners: [UInt8] = []
        /// Per face, 1 where this step flipped it; empty if it flipped none.
        public var flipped: [UInt8] = []

        public var report: RepairStepReport {
            RepairStepReport(step: "orient", counts: [("faces flipped", flippedFaces), ("components", components),
                                                      ("closed components", closedComponents),
                                                      ("shells turned outward", invertedComponents),
                                                      ("non-orientable edges", conflictingEdges)])
        }
    }

    @discardableResult
    public func apply(to mesh: inout RepairMesh) -> Result {
        var stats = pf_orient_result()
        var flipped = [UInt8](repeating: 0, count: mesh.triangleCount)
        var conflicts = [UInt8](repeating: 0, count: mesh.corners.count)
        let r = mesh.positions.withUnsafeBufferPointer { p in
            mesh.corners.withUnsafeMutableBufferPointer { c in
                flipped.withUnsafeMutableBufferPointer { f in
                    conflicts.withUnsafeMutableBufferPointer { k in
                        pf_orient(c.baseAddress, c.count, p.count / 3, p.baseAddress, f.baseAddress, k.baseAddress, &stats)
                    }
                }
            }
        }
        precondition(r != size_t.max, "out of memory in orient")
        if stats.flipped_faces > 0 {
            for f in 0..<flipped.count where flipped[f] != 0 { mesh.cornerVertices.swapAt(3 * f + 1, 3 * f + 2) }
        }
        return Result(flippedFaces: stats.flipped_faces, components: stats.components, closedComponents: stats.closed_components,
                      invertedComponents: stats.inverted_components, conflictingEdges: stats.conflicting_edges,
                      conflictCorners: stats.conflicting_edges > 0 ? conflicts : [], flipped: stats.flipped_faces > 0 ? flipped : [])
    }
}
