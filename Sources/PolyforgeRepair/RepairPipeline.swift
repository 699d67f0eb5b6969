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
    /// Fair the fills (refine them and let them follow the surrounding surface's curvature) instead of leaving them
    /// flat; adds points inside the holes.
    public var fairHoles = false
    /// Remove components below this fraction of the mesh's total area; 0 removes none.
    public var floaterFraction: Float = 0
    /// Remove components below this fraction of the largest component's area; 0 removes none.
    public var floaterFractionOfLargest: Float = 0
    /// After filling, remove components that are still open and below this fraction of the total area (what
    /// `--watertight` asks for: slivers such as fins cut off non-manifold edges, which no fill can close); 0 keeps them.
    public var openSliverFraction: Float = 0

    public init() {}
}

/// Runs the repair steps on every triangle primitive of a scene, in the order each one needs:
/// weld → cleanup → make manifold → remove floaters (when asked) → orient → align normals → fill holes → orient.
///
/// The primitives of one mesh are repaired together, and so are all meshes drawn once without a transform,
/// so a seam between two materials or OBJ groups is not a hole; every
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
        func merge(_ more: [RepairStepReport]) {
            for s in more {
                if let i = steps.firstIndex(where: { $0.step == s.step }) { steps[i].add(s) } else { steps.append(s) }
            }
        }
        // Meshes drawn once are repaired together in world space (OBJ groups, STL and PLY always; most GLBs), so
        // an edge two of them share is seen as shared and the zero-area rule sees world sizes. A mesh drawn
        // several times (or never, or through a singular transform) is repaired alone in its own space.
        var instances = [Int](repeating: 0, count: scene.meshes.count)
        var world = [Matrix4](repeating: .identity, count: scene.meshes.count)
        for instance in scene.meshInstances() {
            instances[instance.mesh] += 1
            world[instance.mesh] = instance.worldMatrix
        }
        let together = scene.meshes.indices.filter { instances[$0] == 1 && affineInverse(world[$0]) != nil }
        merge(repair(meshes: together, worldMatrices: together.map { world[$0] }, in: &out.meshes))
        for m in scene.meshes.indices where !together.contains(m) { merge(repair(meshes: [m], in: &out.meshes)) }
        let report = RepairReport(before: MeshTopology.analyzeSurface(of: scene), after: MeshTopology.analyzeSurface(of: out),
                                  trianglesBefore: scene.drawnTriangleCount, trianglesAfter: out.drawnTriangleCount, steps: steps)
        return (out, report)
    }

    /// Repairs one mesh's triangle primitives together; returns the mesh and each step's account.
    public func repair(_ mesh: Mesh) -> (mesh: Mesh, steps: [RepairStepReport]) {
        var meshes = [mesh]
        let steps = repair(meshes: [0], in: &meshes)
        return (meshes[0], steps)
    }

    /// Repairs the triangle primitives of `selected` meshes as one surface, in place; `worldMatrices` (one per
    /// selected mesh, identity when empty) place them in one space, and the results go back to each mesh's own.
    func repair(meshes selected: [Int], worldMatrices: [Matrix4] = [], in meshes: inout [Mesh]) -> [RepairStepReport] {
        var targets: [(mesh: Int, primitive: Int)] = []
        var matrices: [Matrix4] = []
        for (s, m) in selected.enumerated() {
            for (i, p) in meshes[m].primitives.enumerated() where p.mode == .triangles && p.vertexCount > 0 && !p.indices.isEmpty {
                targets.append((m, i))
                matrices.append(s < worldMatrices.count ? worldMatrices[s] : .identity)
            }
        }
        guard !targets.isEmpty else { return [] }
        let source = MeshVertices(targets.map { meshes[$0.mesh].primitives[$0.primitive] }, worldMatrices: matrices)
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
        // Source vertices of faces an orient step flipped: only their normals may need to turn.
        var flippedVertices = [Bool](repeating: false, count: source.vertexCount)
        func noteFlips(_ r: Orient.Result) {
            for f in r.flipped.indices where r.flipped[f] != 0 {
                for k in 0..<3 { flippedVertices[Int(work.cornerVertices[3 * f + k])] = true }
            }
        }
        let oriented = Orient().apply(to: &work)
        noteFlips(oriented)
        steps.append(oriented.report)
        if oriented.conflictingEdges > 0 {
            // Non-orientable strips: cut where the winding disagrees, then orient again.
            var cut = MakeManifold(cutting: oriented.conflictCorners).apply(to: &work).report
            cut.step = "cut-non-orientable"
            steps.append(cut)
            let reoriented = Orient().apply(to: &work)
            noteFlips(reoriented)
            var again = reoriented.report
            again.step = "orient-cut"
            steps.append(again)
        }
        // Faces may have been flipped: normals that point against their (now consistent) faces turn with them.
        let turnNormals = source.normalsAgainstWinding(work, among: flippedVertices)
        steps.append(RepairStepReport(step: "normals", counts: [("vertex normals turned", turnNormals.reduce(0) { $0 + ($1 ? 1 : 0) })]))
        if options.maxHoleEdges > 0 {
            let facesBeforeFill = work.triangleCount
            let fill = HoleFiller(maxEdges: options.maxHoleEdges).apply(to: &work)
            steps.append(fill.report)
            if options.fairHoles && fill.filledTriangles > 0 {
                steps.append(HoleFairing().apply(to: &work, firstFillFace: facesBeforeFill).report)
            }
            if fill.filledTriangles > 0 {
                var again = Orient().apply(to: &work).report
                again.step = "orient-filled"
                steps.append(again)
            }
        }
        if options.openSliverFraction > 0 {
            var slivers = FloaterRemoval(fractionOfTotalArea: options.openSliverFraction, openOnly: true).apply(to: &work).report
            slivers.step = "open-slivers"
            steps.append(slivers)
        }
        let rebuilt = source.rebuild(work, turningNormals: turnNormals)
        var emptied: [(mesh: Int, primitive: Int)] = []
        for (t, target) in targets.enumerated() {
            meshes[target.mesh].primitives[target.primitive] = rebuilt[t]
            if rebuilt[t].indices.isEmpty { emptied.append(target) }
        }
        // Primitives left without faces (all floaters) go; from the back, so indices stay valid.
        for e in emptied.reversed() { meshes[e.mesh].primitives.remove(at: e.primitive) }
        return steps
    }
}

/// Triangle primitives as one vertex space: vertex ids run through the primitives in order, positions in the
/// shared (world) space.
struct MeshVertices {
    let primitives: [Primitive]
    let offsets: [Int]          // first vertex of each primitive, plus the total
    let positions: [Float]      // shared space
    let localPositions: [Float] // as stored, so untouched points are written back bit for bit
    let indices: [UInt32]
    let matrices: [Matrix4]     // each primitive's local-to-shared transform
    let inverses: [Matrix4]

    init(_ primitives: [Primitive], worldMatrices: [Matrix4]) {
        self.primitives = primitives
        var offsets = [0]
        var positions: [Float] = [], local: [Float] = []
        var indices: [UInt32] = []
        for (i, p) in primitives.enumerated() {
            let base = UInt32(offsets.last!)
            let m = worldMatrices[i]
            local += p.positions
            if m.isIdentity {
                positions += p.positions
            } else {
                let q = p.positions
                for v in stride(from: 0, to: q.count - 2, by: 3) {
                    let (x, y, z) = m.transformPoint(q[v], q[v + 1], q[v + 2])
                    positions += [x, y, z]
                }
            }
            indices += p.indices.map { $0 + base }
            offsets.append(offsets.last! + p.vertexCount)
        }
        self.offsets = offsets
        self.positions = positions
        self.localPositions = local
        self.indices = indices
        self.matrices = worldMatrices
        self.inverses = worldMatrices.map { affineInverse($0) ?? .identity }
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
    /// `turningNormals` (per source vertex, may be empty) negates the normals of the vertices marked.
    func rebuild(_ mesh: RepairMesh, turningNormals turn: [Bool] = []) -> [Primitive] {
        let faceCount = mesh.triangleCount
        var ownerOf = [Int32](repeating: 0, count: vertexCount)
        for (pi, _) in primitives.enumerated() { for v in offsets[pi]..<offsets[pi + 1] { ownerOf[v] = Int32(pi) } }
        // Fast path: a vertex used in its own primitive at one point keeps its place in the vertex order (so an
        // untouched primitive comes back as it was, minus unused vertices). Other (vertex, point) pairs (split
        // copies, fill corners from another primitive) follow, through a dictionary.
        var ownPoint = [UInt32](repeating: UInt32.max, count: vertexCount)
        for f in 0..<faceCount {
            let owner = ownerOf[Int(mesh.cornerVertices[3 * f])]
            for k in 0..<3 {
                let v = Int(mesh.cornerVertices[3 * f + k])
                if ownerOf[v] == owner && ownPoint[v] == UInt32.max { ownPoint[v] = mesh.corners[3 * f + k] }
            }
        }
        var ownIndex = [UInt32](repeating: UInt32.max, count: vertexCount)
        var order = [[(vertex: UInt32, point: UInt32)]](repeating: [], count: primitives.count)
        for pi in primitives.indices {
            for v in offsets[pi]..<offsets[pi + 1] where ownPoint[v] != UInt32.max {
                ownIndex[v] = UInt32(order[pi].count)
                order[pi].append((UInt32(v), ownPoint[v]))
            }
        }
        var others = [[UInt64: UInt32]](repeating: [:], count: primitives.count)
        var indices = [[UInt32]](repeating: [], count: primitives.count)
        for f in 0..<faceCount {
            let owner = Int(ownerOf[Int(mesh.cornerVertices[3 * f])])
            for k in 0..<3 {
                let v = mesh.cornerVertices[3 * f + k], p = mesh.corners[3 * f + k]
                let index: UInt32
                if Int(ownerOf[Int(v)]) == owner && ownPoint[Int(v)] == p {
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
                        let p = Int(u.point)
                        if p < vertexCount && matrices[Int(ownerOf[p])] == matrices[pi] {
                            // An original point in this primitive's space: its stored position, exactly.
                            for d in 0..<3 { data[3 * i + d] = localPositions[3 * p + d] }
                        } else if matrices[pi].isIdentity {
                            for d in 0..<3 { data[3 * i + d] = mesh.positions[3 * p + d] }
                        } else {
                            let (x, y, z) = inverses[pi].transformPoint(mesh.positions[3 * p], mesh.positions[3 * p + 1], mesh.positions[3 * p + 2])
                            data[3 * i] = x; data[3 * i + 1] = y; data[3 * i + 2] = z
                        }
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
                let sign: Float = semantic == .normal && Int(u.vertex) < turn.count && turn[Int(u.vertex)] ? -1 : 1
                for k in 0..<components { data[i * components + k] = sign * s.data[local * components + k] }
            }
        }
    }
}

/// The inverse of an affine transform (upper 3×3 plus translation), or nil when it is singular.
func affineInverse(_ t: Matrix4) -> Matrix4? {
    let m = t.m.map(Double.init)
    // Column-major: a(r, c) = m[c * 4 + r].
    func a(_ r: Int, _ c: Int) -> Double { m[c * 4 + r] }
    let det = a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) - a(0, 1) * (a(1, 0) * a(2, 2) - a(1, 2) * a(2, 0)) +
              a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0))
    guard det.isFinite, abs(det) > 1e-30 else { return nil }
    var inv = [[Double]](repeating: [0, 0, 0], count: 3)
    for r in 0..<3 {
        for c in 0..<3 {
            let r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3
            inv[r][c] = (a(r1, c1) * a(r2, c2) - a(r1, c2) * a(r2, c1)) / det
        }
    }
    let tx = a(0, 3), ty = a(1, 3), tz = a(2, 3)
    var out = [Float](repeating: 0, count: 16)
    for r in 0..<3 {
        for c in 0..<3 { out[c * 4 + r] = Float(inv[r][c]) }
        out[12 + r] = Float(-(inv[r][0] * tx + inv[r][1] * ty + inv[r][2] * tz))
    }
    out[15] = 1
    return Matrix4(columnMajor: out)
}
