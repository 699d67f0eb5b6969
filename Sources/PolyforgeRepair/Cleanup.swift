import PolyforgeCore

/// Removes faces that carry no surface: repeated indices, non-finite corners, zero area (caps split into their
/// neighbour, needles collapsed, the rest dropped) and duplicates (either winding; the first copy stays).
public struct Cleanup: Sendable {
    public init() {}

    public struct Result: Sendable {
        public var repeatedIndexFaces, nonFiniteFaces, zeroAreaFaces, zeroAreaSplit, zeroAreaCollapsed, zeroAreaRemoved: Int
        public var duplicateFaces, backToBackFaces: Int
        public var facesBefore, facesAfter: Int

        public var report: RepairStepReport {
            RepairStepReport(step: "cleanup", counts: [
                ("repeated-index faces removed", repeatedIndexFaces), ("non-finite faces removed", nonFiniteFaces),
                ("zero-area faces", zeroAreaFaces), ("zero-area split into neighbour", zeroAreaSplit),
                ("removed by needle collapse", zeroAreaCollapsed), ("zero-area removed", zeroAreaRemoved),
                ("duplicate faces removed", duplicateFaces), ("back-to-back faces removed", backToBackFaces),
                ("faces before", facesBefore), ("faces after", facesAfter)])
        }
    }

    @discardableResult
    public func apply(to mesh: inout RepairMesh) -> Result {
        var stats = pf_cleanup_result()
        var source = [UInt32](repeating: 0, count: mesh.corners.count)
        let before = mesh.triangleCount
        let count = mesh.positions.withUnsafeBufferPointer { p in
            mesh.corners.withUnsafeMutableBufferPointer { c in
                source.withUnsafeMutableBufferPointer { s in
                    pf_cleanup(c.baseAddress, c.count, p.count / 3, p.baseAddress, s.baseAddress, &stats)
                }
            }
        }
        precondition(count != Int.max && count != size_t.max, "out of memory in cleanup")
        mesh.corners.removeSubrange(count...)
        mesh.gatherVertices(from: source, count: count)
        return Result(repeatedIndexFaces: stats.repeated_index_faces, nonFiniteFaces: stats.nonfinite_faces,
                      zeroAreaFaces: stats.zero_area_faces, zeroAreaSplit: stats.zero_area_split,
                      zeroAreaCollapsed: stats.zero_area_collapsed, zeroAreaRemoved: stats.zero_area_removed,
                      duplicateFaces: stats.duplicate_faces, backToBackFaces: stats.opposite_faces,
                      facesBefore: before, facesAfter: count / 3)
    }
}
