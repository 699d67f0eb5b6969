import PolyforgeCore

/// Closes boundary loops of up to `maxEdges` edges with triangles over the loop's own vertices (no new vertex),
/// ear-clipped in the loop's plane when it is planar enough, minimum-area otherwise. Fill corners take the
/// attributes (UV, normal) of the loop vertex they sit on.
public struct HoleFiller: Sendable {
    public var maxEdges: Int

    public init(maxEdges: Int = 100) {
        self.maxEdges = maxEdges
    }

    public struct Result: Sendable {
        public var loops, filledLoops, filledTriangles: Int
        public var openTooLarge, openDegenerate, openNotPlanar, openNoTriangulation, openNotSimple, openSingleFace: Int
        public var largestOpenLoop: Int
        public var openLoops: Int { loops - filledLoops }

        /// Why loops were left open, as sentences (empty when all were filled).
        public var openReasons: [String] {
            var out: [String] = []
            func add(_ n: Int, _ what: String) { if n > 0 { out.append("\(n) \(n == 1 ? "loop" : "loops") \(what)") } }
            add(openTooLarge, "longer than the fill limit (the largest has \(largestOpenLoop) edges; raise --fill-holes)")
            add(openDegenerate, "collinear or coincident (any fill would have zero area)")
            add(openNotPlanar, "too far from planar and longer than 256 edges")
            add(openNoTriangulation, "without a triangulation that avoids existing edges and zero-area faces")
            add(openNotSimple, "passing a vertex twice or not closing")
            add(openSingleFace, "around a lone triangle (the fill would be its back-to-back twin)")
            return out
        }

        public var report: RepairStepReport {
            RepairStepReport(step: "fill-holes", counts: [
                ("boundary loops", loops), ("loops filled", filledLoops), ("triangles added", filledTriangles),
                ("open: too large", openTooLarge), ("open: degenerate", openDegenerate), ("open: not planar", openNotPlanar),
                ("open: no triangulation", openNoTriangulation), ("open: not simple", openNotSimple),
                ("open: lone triangle", openSingleFace), ("largest open loop", largestOpenLoop)])
        }
    }

    @discardableResult
    public func apply(to mesh: inout RepairMesh) -> Result {
        var stats = pf_hole_fill_result()
        // Fill triangles never exceed boundary edges, and those never exceed corners.
        let capacity = mesh.corners.count * 3
        var fill = [UInt32](repeating: 0, count: max(capacity, 3))
        var source = [UInt32](repeating: 0, count: max(capacity, 3))
        let written = mesh.positions.withUnsafeBufferPointer { p in
            mesh.corners.withUnsafeBufferPointer { c in
                fill.withUnsafeMutableBufferPointer { f in
                    source.withUnsafeMutableBufferPointer { s in
                        pf_fill_holes(c.baseAddress, c.count, p.count / 3, p.baseAddress, maxEdges, f.baseAddress, s.baseAddress, capacity, &stats)
                    }
                }
            }
        }
        precondition(written != size_t.max, "out of memory filling holes")
        mesh.corners += fill[0..<written]
        mesh.cornerVertices.reserveCapacity(mesh.corners.count)
        for k in 0..<written { mesh.cornerVertices.append(mesh.cornerVertices[Int(source[k])]) }
        return Result(loops: stats.loops, filledLoops: stats.filled_loops, filledTriangles: stats.filled_triangles,
                      openTooLarge: stats.open_too_large, openDegenerate: stats.open_degenerate, openNotPlanar: stats.open_not_planar,
                      openNoTriangulation: stats.open_no_triangulation, openNotSimple: stats.open_not_simple,
                      openSingleFace: stats.open_single_face, largestOpenLoop: stats.largest_open_loop)
    }
}
