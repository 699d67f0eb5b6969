import PolyforgeMesh
import PolyforgeTopology

/// The account of a repair: the surface before and after (as `MeshTopology.analyzeSurface` counts it, so the
/// same rule as QC and the shared assets' inventory) and what each step did, summed over meshes.
public struct RepairReport: Sendable {
    public var before: TopologyReport
    public var after: TopologyReport
    public var trianglesBefore: Int
    public var trianglesAfter: Int
    public var steps: [RepairStepReport]

    public init(before: TopologyReport, after: TopologyReport, trianglesBefore: Int, trianglesAfter: Int, steps: [RepairStepReport]) {
        self.before = before
        self.after = after
        self.trianglesBefore = trianglesBefore
        self.trianglesAfter = trianglesAfter
        self.steps = steps
    }

    public func step(_ name: String) -> RepairStepReport? { steps.first { $0.step == name } }

    public var isWatertight: Bool { after.isWatertight }
    public var isManifold: Bool { after.isManifold }

    /// Why the result is not watertight, as sentences; empty when it is.
    public var openReasons: [String] {
        guard !after.isWatertight else { return [] }
        var out: [String] = []
        if let fill = step("fill-holes") {
            func add(_ key: String, _ what: String) {
                let n = fill[key]
                if n > 0 { out.append("\(n) boundary \(n == 1 ? "loop" : "loops") \(what)") }
            }
            add("open: too large", "longer than the fill limit (largest: \(fill["largest open loop"]) edges; raise --fill-holes)")
            add("open: degenerate", "collinear or coincident, so any fill would have zero area")
            add("open: not planar", "too far from planar and longer than 256 edges")
            add("open: no triangulation", "with no triangulation that avoids existing edges and zero-area faces")
            add("open: not simple", "passing a vertex twice or not closing")
            add("open: lone triangle", "around a lone triangle, whose fill would be its back-to-back twin")
        } else {
            out.append("hole filling was off (--fill-holes 0)")
        }
        if after.nonManifoldEdges > 0 { out.append("\(after.nonManifoldEdges) non-manifold edges remain") }
        if out.isEmpty { out.append("\(after.boundaryEdges) boundary edges remain") }
        return out
    }

    /// The defect classes, in report order.
    public static func defects(_ t: TopologyReport) -> [(String, Int)] {
        [("triangles", t.triangles), ("vertices", t.vertices), ("components", t.components),
         ("boundary edges", t.boundaryEdges), ("boundary loops", t.boundaryLoops),
         ("non-manifold edges", t.nonManifoldEdges), ("non-manifold vertices", t.nonManifoldVertices),
         ("inconsistent edges", t.inconsistentEdges), ("degenerate faces", t.degenerateFaces),
         ("duplicate faces", t.duplicateFaces)]
    }

    public var json: JSONValue {
        func topology(_ t: TopologyReport) -> JSONValue {
            .object(Self.defects(t).map { (camel($0.0), .number(Double($0.1))) } +
                    [("watertight", .bool(t.isWatertight)), ("manifold", .bool(t.isManifold)),
                     ("windingConsistent", .bool(t.isWindingConsistent))])
        }
        let stepList: [JSONValue] = steps.map { s in
            .object([("step", .string(s.step))] + s.counts.map { (camel($0.name), .number(Double($0.value))) })
        }
        return .object([
            ("before", topology(before)), ("after", topology(after)),
            ("watertight", .bool(isWatertight)), ("manifold", .bool(isManifold)),
            ("steps", .array(stepList)),
            ("openReasons", .array(openReasons.map { .string($0) })),
        ])
    }
}

/// "non-manifold edges" → "nonManifoldEdges", "open: too large" → "openTooLarge".
func camel(_ s: String) -> String {
    var out = ""
    var upper = false
    for c in s {
        if c.isLetter || c.isNumber {
            out.append(upper && !out.isEmpty ? Character(c.uppercased()) : c)
            upper = false
        } else {
            upper = true
        }
    }
    return out
}
