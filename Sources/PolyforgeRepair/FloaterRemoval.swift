import PolyforgeCore

/// Removes small disconnected pieces: components (through shared vertices) with less area than
/// `fractionOfTotalArea` of the whole, or than `fractionOfLargest` of the largest piece. The largest stays.
///
/// With `openOnly`, only components that still have a boundary edge may go: closed shells always stay. That is
/// the `--watertight` clean-up of slivers hole filling cannot close (a lone fin triangle cut off a non-manifold
/// edge would otherwise need its own back-to-back twin).
public struct FloaterRemoval: Sendable {
    public var fractionOfTotalArea: Float
    public var fractionOfLargest: Float
    public var openOnly: Bool

    public init(fractionOfTotalArea: Float = 0, fractionOfLargest: Float = 0, openOnly: Bool = false) {
        self.fractionOfTotalArea = fractionOfTotalArea
        self.fractionOfLargest = fractionOfLargest
        self.openOnly = openOnly
    }

    public struct Result: Sendable {
        public var components, removedComponents, removedFaces: Int
        public var removedArea, totalArea: Double

        public var report: RepairStepReport {
            RepairStepReport(step: "floaters", counts: [("components", components), ("components removed", removedComponents),
                                                        ("faces removed", removedFaces)])
        }
    }

    @discardableResult
    public func apply(to mesh: inout RepairMesh) -> Result {
        var stats = pf_floater_result()
        var source = [UInt32](repeating: 0, count: mesh.corners.count)
        let count = mesh.positions.withUnsafeBufferPointer { p in
            mesh.corners.withUnsafeMutableBufferPointer { c in
                source.withUnsafeMutableBufferPointer { s in
                    pf_remove_floaters(c.baseAddress, c.count, p.count / 3, p.baseAddress, fractionOfTotalArea, fractionOfLargest, openOnly ? 1 : 0, s.baseAddress, &stats)
                }
            }
        }
        precondition(count != size_t.max, "out of memory removing floaters")
        mesh.corners.removeSubrange(count...)
        mesh.gatherVertices(from: source, count: count)
        return Result(components: stats.components, removedComponents: stats.removed_components, removedFaces: stats.removed_faces,
                      removedArea: stats.removed_area, totalArea: stats.total_area)
    }
}
