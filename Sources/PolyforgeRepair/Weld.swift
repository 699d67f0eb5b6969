import PolyforgeCore
import PolyforgeMesh

/// Merges coincident vertices into surface points, the step every other one relies on: an unwelded soup (STL
/// stores three vertices per triangle) has no shared edges, so it would look like all holes and floaters.
///
/// Points merge when within `tolerance` per axis. With `keepSeams`, vertices on one point stay separate when
/// their attributes differ (UV and normal seams), yet share the point, so topology sees one surface.
public struct Weld: Sendable {
    /// Absolute tolerance in the mesh's units; nil means `relativeTolerance` × the bounding-box diagonal.
    public var tolerance: Float?
    public var relativeTolerance: Float = 1e-6
    public var keepSeams: Bool
    /// Per-component tolerance for attributes when keeping seams.
    public var attributeTolerance: Float = 1e-5

    public init(tolerance: Float? = nil, keepSeams: Bool = true) {
        self.tolerance = tolerance
        self.keepSeams = keepSeams
    }

    public struct Result: Sendable {
        public var tolerance: Float
        public var vertices: Int
        public var points: Int
        public var weldedVertices: Int

        public var report: RepairStepReport {
            RepairStepReport(step: "weld", counts: [("vertices", vertices), ("points", points), ("vertices after", weldedVertices)])
        }
    }

    /// The tolerance this weld uses on `positions`.
    public func effectiveTolerance(for positions: [Float]) -> Float {
        if let tolerance { return tolerance }
        var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
        positions.withUnsafeBufferPointer { _ = pf_bounds($0.baseAddress, $0.count / 3, 3, &lo, &hi) }
        guard lo[0] <= hi[0] else { return 0 }
        return BoundingBox(min: lo, max: hi).diagonal * relativeTolerance
    }

    /// Welds a fresh mesh (points still equal to vertices). `attributes` rows are per source vertex.
    @discardableResult
    public func apply(to mesh: inout RepairMesh, attributes: VertexAttributes? = nil) -> Result {
        let n = mesh.pointCount
        let tol = effectiveTolerance(for: mesh.positions)
        var remap = [UInt32](repeating: 0, count: n)
        let points = mesh.positions.withUnsafeBufferPointer { p in
            remap.withUnsafeMutableBufferPointer { r in pf_weld(p.baseAddress, n, 3, tol, nil, 0, 0, 0, r.baseAddress) }
        }
        var vertexRemap = remap
        var vertices = points
        if keepSeams, let attributes, attributes.components > 0, attributes.data.count >= n * attributes.components {
            // The vertex classes refine the point classes: vertices on one point merge when their attributes match.
            vertices = remap.withUnsafeBufferPointer { p in
                attributes.data.withUnsafeBufferPointer { a in
                    vertexRemap.withUnsafeMutableBufferPointer { r in
                        pf_weld_refine(p.baseAddress, n, a.baseAddress, attributes.components, attributes.components, attributeTolerance, r.baseAddress)
                    }
                }
            }
        }
        remap.withUnsafeBufferPointer { r in
            vertexRemap.withUnsafeBufferPointer { vr in
                mesh.corners.withUnsafeMutableBufferPointer { corners in
                    mesh.cornerVertices.withUnsafeMutableBufferPointer { cornerVertices in
                        for c in 0..<corners.count {
                            corners[c] = r[Int(corners[c])]
                            cornerVertices[c] = vr[Int(cornerVertices[c])]
                        }
                    }
                }
            }
        }
        return Result(tolerance: tol, vertices: n, points: points, weldedVertices: vertices)
    }
}
