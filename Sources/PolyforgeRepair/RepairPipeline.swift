import PolyforgeMesh
import PolyforgeTopology

/// What a repair does; the defaults change nothing that is not broken and delete no real geometry.
public struct RepairOptions: Sendable {
    /// Absolute weld tolerance in model units; nil: 1e-6 of each mesh's bounding-box diagonal.
    public var weldTolerance: Float? = nil
    /// Keep UV and normal seams: vertices on one point stay apart when their attributes differ.
    public var keepSeams = true
    /// Fill boundary loops of up to this many edges; 0 fills nothing.
    public var maxHoleEdges = 100
    /// Remove components below this fraction of the mesh's total area; 0 removes none.
    public var floaterFraction: Float = 0
    /// Remove components below this fraction of the largest component's area; 0 removes none.
    public var floaterFractionOfLargest: Float = 0

    public init() {}
}

/// Runs the repair steps on every triangle primitive of a scene, in the order each one needs:
/// weld → cleanup → make manifold → remove floaters (when asked) → orient → fill holes → orient.
///
/// The primitives of one mesh are repaired together, so a seam between two materials is not a hole; every
/// face keeps its primitive (material), and every corner its vertex's attributes (UVs, normals, colours,
/// skinning, morph deltas). Fill faces join the primitive of the face beside their first corner. Primitives
/// that are not triangles are kept as they are.
public struct RepairPipeline: Sendable {
    public var options: RepairOptions

    public init(options: RepairOptions = RepairOptions()) {
        self.options = options
    }

    public func repair(_ scene: Scene) -> (scene: Scene, report: RepairReport) {
        var out = scene
        var steps: [RepairStepReport] = []
        for m in out.meshes.indices {
            let (mesh, meshSteps) = repair(out.meshes[m])
            out.meshes[m] = mesh
            for s in meshSteps {
                if let i = steps.firstIndex(where: { $0.step == s.step }) { steps[i].add(s) } else { steps.append(s) }
            }
        }
        let report = RepairReport(before: MeshTopology.analyzeSurface(of: scene), after: MeshTopology.analyzeSurface(of: out),
                                  trianglesBefore: scene.drawnTriangleCount, trianglesAfter: out.drawnTriangleCount, steps: steps)
        return (out, report)
    }

    /// Repairs one mesh's triangle primitives together; returns the mesh and each step's account.
    public func repair(_ mesh: Mesh) -> (mesh: Mesh, steps: [RepairStepReport]) {
        let targets = mesh.primitives.indices.filter {
            mesh.primitives[$0].mode == .triangles && mesh.primitives[$0].vertexCount > 0 && !mesh.primitives[$0].indices.isEmpty
        }
        guard !targets.isEmpty else { return (mesh, []) }
        let source = MeshVertices(mesh.primitives, targets: targets)
        var work = RepairMesh(positions: source.positions, indices: source.indices)
        var steps: [RepairStepReport] = []

        var weld = Weld(tolerance: options.weldTolerance, keepSeams: options.keepSeams)
        if options.weldTolerance == nil { weld.relativeTolerance = 1e-6 }
        steps.append(weld.apply(to: &work, attributes: options.keepSeams ? source.attributes() : nil).report)
        steps.append(Cleanup().apply(to: &work).report)
        steps.append(MakeManifold().apply(to: &work).report)
        if options.floaterFraction > 0 || options.floaterFractionOfLargest > 0 {
            steps.append(FloaterRemoval(fractionOfTotalArea: options.floaterFraction,
                                        fractionOfLargest: options.floaterFractionOfLargest).apply(to: &work).report)
        }
        steps.append(Orient().apply(to: &work).report)
        if options.maxHoleEdges > 0 {
            let fill = HoleFiller(maxEdges: options.maxHoleEdges).apply(to: &work)
            steps.append(fill.report)
            if fill.filledTriangles > 0 {
                var again = Orient().apply(to: &work).report
                again.step = "orient-filled"
                steps.append(again)
            }
        }
        var out = mesh
        let rebuilt = source.rebuild(work)
        var kept: [Primitive] = []
        for (i, primitive) in mesh.primitives.enumerated() {
            if let t = targets.firstIndex(of: i) {
                if !rebuilt[t].indices.isEmpty { kept.append(rebuilt[t]) }
            } else {
                kept.append(primitive)
            }
        }
        out.primitives = kept
        return (out, steps)
    }
}

/// The triangle primitives of one mesh as one vertex space: vertex ids run through the primitives in order.
struct MeshVertices {
    let primitives: [Primitive]
    let offsets: [Int]          // first vertex of each primitive, plus the total
    let positions: [Float]
    let indices: [UInt32]

    init(_ all: [Primitive], targets: [Int]) {
        primitives = targets.map { all[$0] }
        var offsets = [0]
        var positions: [Float] = []
        var indices: [UInt32] = []
        for p in primitives {
            let base = UInt32(offsets.last!)
            positions += p.positions
            indices += p.indices.map { $0 + base }
            offsets.append(offsets.last! + p.vertexCount)
        }
        self.offsets = offsets
        self.positions = positions
        self.indices = indices
    }

    var vertexCount: Int { offsets.last! }

    func primitive(of vertex: Int) -> Int {
        var lo = 0, hi = primitives.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= vertex { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Every non-position stream side by side (absent ones as zeros), plus the primitive id, so a weld that keeps
    /// seams merges only vertices of one primitive with equal attributes.
    func attributes() -> VertexAttributes {
        var layout: [(Semantic, Int)] = []
        for p in primitives {
            for s in p.streams where s.semantic != .position && !layout.contains(where: { $0.0 == s.semantic }) {
                layout.append((s.semantic, s.components))
            }
        }
        let width = layout.reduce(1) { $0 + $1.1 }
        var data = [Float](repeating: 0, count: vertexCount * width)
        for (pi, p) in primitives.enumerated() {
            var column = 0
            for (semantic, components) in layout {
                if let s = p.stream(semantic), s.components == components {
                    for v in 0..<min(p.vertexCount, s.count) {
                        let row = (offsets[pi] + v) * width + column
                        for k in 0..<components { data[row + k] = s.data[v * components + k] }
                    }
                }
                column += components
            }
            for v in 0..<p.vertexCount { data[(offsets[pi] + v) * width + column] = Float(pi) }
        }
        return VertexAttributes(data: data, components: width)
    }

    /// Builds the repaired primitives: one output vertex per distinct (source vertex, point) a face of the
    /// primitive uses, carrying the vertex's attributes at the point's position.
    func rebuild(_ mesh: RepairMesh) -> [Primitive] {
        let faceCount = mesh.triangleCount
        var ownerOf = [Int32](repeating: 0, count: vertexCount)
        for (pi, _) in primitives.enumerated() { for v in offsets[pi]..<offsets[pi + 1] { ownerOf[v] = Int32(pi) } }
        // Fast path: a vertex used in its own primitive with one point. Other uses go through a dictionary.
        var ownIndex = [UInt32](repeating: UInt32.max, count: vertexCount)
        var ownPoint = [UInt32](repeating: UInt32.max, count: vertexCount)
        var others = [[UInt64: UInt32]](repeating: [:], count: primitives.count)
        var order = [[(vertex: UInt32, point: UInt32)]](repeating: [], count: primitives.count)
        var indices = [[UInt32]](repeating: [], count: primitives.count)
        for f in 0..<faceCount {
            let owner = Int(ownerOf[Int(mesh.cornerVertices[3 * f])])
            for k in 0..<3 {
                let v = mesh.cornerVertices[3 * f + k], p = mesh.corners[3 * f + k]
                let index: UInt32
                if Int(ownerOf[Int(v)]) == owner && (ownPoint[Int(v)] == UInt32.max || ownPoint[Int(v)] == p) {
                    if ownPoint[Int(v)] == UInt32.max {
                        ownPoint[Int(v)] = p
                        ownIndex[Int(v)] = UInt32(order[owner].count)
                        order[owner].append((v, p))
                    }
                    index = ownIndex[Int(v)]
                } else {
                    let key = UInt64(v) << 32 | UInt64(p)
                    if let i = others[owner][key] { index = i } else {
                        index = UInt32(order[owner].count)
                        others[owner][key] = index
                        order[owner].append((v, p))
                    }
                }
                indices[owner].append(index)
            }
        }
        return primitives.indices.map { pi in
            var out = primitives[pi]
            let used = order[pi]
            out.indices = indices[pi]
            out.streams = out.streams.map { stream in
                var data = [Float](repeating: 0, count: used.count * stream.components)
                if stream.semantic == .position && stream.components == 3 {
                    for (i, u) in used.enumerated() {
                        for d in 0..<3 { data[3 * i + d] = mesh.positions[3 * Int(u.point) + d] }
                    }
                } else {
                    gather(stream.semantic, stream.components, from: \.streams, into: &data, used: used)
                }
                return VertexStream(stream.semantic, components: stream.components, data: data)
            }
            out.targets = out.targets.enumerated().map { ti, target in
                var t = target
                t.streams = target.streams.map { stream in
                    var data = [Float](repeating: 0, count: used.count * stream.components)
                    for (i, u) in used.enumerated() {
                        let owner = Int(ownerOf[Int(u.vertex)])
                        let local = Int(u.vertex) - offsets[owner]
                        guard ti < primitives[owner].targets.count,
                              let s = primitives[owner].targets[ti].streams.first(where: { $0.semantic == stream.semantic }),
                              s.components == stream.components, local < s.count else { continue }
                        for k in 0..<s.components { data[i * s.components + k] = s.data[local * s.components + k] }
                    }
                    return VertexStream(stream.semantic, components: stream.components, data: data)
                }
                return t
            }
            return out
        }

        func gather(_ semantic: Semantic, _ components: Int, from _: KeyPath<Primitive, [VertexStream]>,
                    into data: inout [Float], used: [(vertex: UInt32, point: UInt32)]) {
            for (i, u) in used.enumerated() {
                let owner = Int(ownerOf[Int(u.vertex)])
                let local = Int(u.vertex) - offsets[owner]
                guard let s = primitives[owner].stream(semantic), s.components == components, local < s.count else { continue }
                for k in 0..<components { data[i * components + k] = s.data[local * components + k] }
            }
        }
    }
}
