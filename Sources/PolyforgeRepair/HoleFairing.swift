#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the flat fills `HoleFiller` makes into patches that continue the surrounding surface (after Liepa,
/// "Filling holes in meshes", 2003): fill triangles larger than the rim's edges are split at their centroid and
/// the fill's inner edges flipped towards Delaunay, until the fill is about as dense as its rim; then the new points
/// move to where the bi-Laplacian of the surface vanishes, with every other point fixed. The Laplacian is the
/// scale-dependent umbrella (neighbours weighted by inverse edge length), so a fill denser than the surface around it
/// does not distort. The patch then meets the surface with matching slope and curvature instead of as a flat cap.
///
/// New points carry the attributes of a corner of the face they split (their UVs and normals are a nearby rim
/// vertex's, as the flat fill's corners are). Nothing outside the fill moves.
public struct HoleFairing: Sendable {
    /// Refinement rounds (each at most triples the fill's triangles).
    public var rounds = 6
    /// Largest patch (new points) solved for directly (a dense solve, cubic in the count); a larger patch keeps the
    /// refined flat fill and the report says it was not faired.
    public var maximumPoints = 1500

    public init() {}

    public struct Result: Sendable {
        public var fillFaces, addedPoints: Int
        public var faired: Bool

        public var report: RepairStepReport {
            RepairStepReport(step: "fair-holes", counts: [("fill faces", fillFaces), ("points added", addedPoints), ("faired", faired ? 1 : 0)])
        }
    }

    /// Fairs the faces from `firstFillFace` on (the fill `HoleFiller` appended).
    @discardableResult
    public func apply(to mesh: inout RepairMesh, firstFillFace: Int) -> Result {
        let firstPoint = mesh.pointCount
        guard firstFillFace < mesh.triangleCount else { return Result(fillFaces: 0, addedPoints: 0, faired: false) }
        // Rim edges: fill-face edges no other fill face shares. Their mean length sets the density.
        var uses: [UInt64: Int] = [:]
        for f in firstFillFace..<mesh.triangleCount {
            for k in 0..<3 { uses[edgeKey(mesh.corners[3 * f + k], mesh.corners[3 * f + (k + 1) % 3]), default: 0] += 1 }
        }
        var rimTotal = 0.0, rimCount = 0
        for f in firstFillFace..<mesh.triangleCount {
            for k in 0..<3 {
                let a = mesh.corners[3 * f + k], b = mesh.corners[3 * f + (k + 1) % 3]
                if uses[edgeKey(a, b)] == 1 { rimTotal += distance(mesh, a, b); rimCount += 1 }
            }
        }
        guard rimCount > 0 else { return Result(fillFaces: mesh.triangleCount - firstFillFace, addedPoints: 0, faired: false) }
        let target = rimTotal / Double(rimCount)
        let splitArea = 0.433 * target * target * 1.5   // 1.5 x an equilateral triangle of the rim's edge length

        // Edges the surface outside the fill already has between fill points: a flip must never create one of them.
        var inFill = Set<UInt32>()
        for f in firstFillFace..<mesh.triangleCount { for k in 0..<3 { inFill.insert(mesh.corners[3 * f + k]) } }
        var outside = Set<UInt64>()
        for f in 0..<firstFillFace {
            for k in 0..<3 {
                let a = mesh.corners[3 * f + k], b = mesh.corners[3 * f + (k + 1) % 3]
                if inFill.contains(a) && inFill.contains(b) { outside.insert(edgeKey(a, b)) }
            }
        }
        for _ in 0..<rounds {
            var split = false
            for f in firstFillFace..<mesh.triangleCount {
                let a = mesh.corners[3 * f], b = mesh.corners[3 * f + 1], c = mesh.corners[3 * f + 2]
                let (pa, pb, pc) = (point(mesh, a), point(mesh, b), point(mesh, c))
                let n = cross(pb - pa, pc - pa)
                guard 0.5 * length(n) > splitArea else { continue }
                let centre = (pa + pb + pc) / 3
                let p = UInt32(mesh.pointCount)
                mesh.positions += [Float(centre.x), Float(centre.y), Float(centre.z)]
                let va = mesh.cornerVertices[3 * f], vb = mesh.cornerVertices[3 * f + 1], vc = mesh.cornerVertices[3 * f + 2]
                mesh.corners[3 * f + 2] = p
                mesh.cornerVertices[3 * f + 2] = va
                mesh.corners += [b, c, p, c, a, p]
                mesh.cornerVertices += [vb, vc, va, vc, va, va]
                split = true
            }
            flipTowardsDelaunay(&mesh, firstFillFace: firstFillFace, outside: outside)
            if !split { break }
        }
        let added = mesh.pointCount - firstPoint
        guard added > 0 else { return Result(fillFaces: mesh.triangleCount - firstFillFace, addedPoints: 0, faired: false) }
        // One system per patch: points joined through fill faces (a patch's new points couple only to each other).
        var parent = Array(0..<mesh.pointCount)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        for f in firstFillFace..<mesh.triangleCount {
            let a = find(Int(mesh.corners[3 * f]))
            for k in 1..<3 { let b = find(Int(mesh.corners[3 * f + k])); if a != b { parent[max(a, b)] = min(a, b) } }
        }
        var patches: [Int: [Int]] = [:]
        for v in firstPoint..<mesh.pointCount { patches[find(v), default: []].append(v) }
        // Neighbour lists, once, for the new points and every point sharing a face with one (the rim and its ring).
        var involved = [Bool](repeating: false, count: mesh.pointCount)
        for v in firstPoint..<mesh.pointCount { involved[v] = true }
        for f in 0..<mesh.triangleCount {
            let c = [mesh.corners[3 * f], mesh.corners[3 * f + 1], mesh.corners[3 * f + 2]]
            if c.contains(where: { Int($0) >= firstPoint }) { for k in 0..<3 { involved[Int(c[k])] = true } }
        }
        var neighbours = [Int: [UInt32]]()
        for f in 0..<mesh.triangleCount {
            let c = [mesh.corners[3 * f], mesh.corners[3 * f + 1], mesh.corners[3 * f + 2]]
            for k in 0..<3 where involved[Int(c[k])] {
                for o in [c[(k + 1) % 3], c[(k + 2) % 3]] where !(neighbours[Int(c[k])]?.contains(o) ?? false) {
                    neighbours[Int(c[k]), default: []].append(o)
                }
            }
        }
        var faired = true
        for key in patches.keys.sorted() {
            let points = patches[key]!
            if points.count > maximumPoints || !fair(&mesh, points: points, neighbours: neighbours) { faired = false }
        }
        return Result(fillFaces: mesh.triangleCount - firstFillFace, addedPoints: added, faired: faired)
    }

    /// Flips inner fill edges (two fill faces; the rim has one) whose two opposite angles sum to more than 180
    /// degrees, at most once per face per sweep; never to an edge the fill or the surface around it already has.
    private func flipTowardsDelaunay(_ mesh: inout RepairMesh, firstFillFace: Int, outside: Set<UInt64>) {
        for _ in 0..<20 {
            var sides: [UInt64: [(face: Int, corner: Int)]] = [:]
            for f in firstFillFace..<mesh.triangleCount {
                for k in 0..<3 { sides[edgeKey(mesh.corners[3 * f + k], mesh.corners[3 * f + (k + 1) % 3]), default: []].append((f, k)) }
            }
            var touched = Set<Int>(), created = Set<UInt64>()
            var flips = 0
            for (_, faces) in sides.sorted(by: { $0.key < $1.key }) where faces.count == 2 {
                let (f, k) = faces[0], (g, kg) = faces[1]
                guard !touched.contains(f), !touched.contains(g) else { continue }
                let a = mesh.corners[3 * f + k], b = mesh.corners[3 * f + (k + 1) % 3]
                guard mesh.corners[3 * g + kg] == b, mesh.corners[3 * g + (kg + 1) % 3] == a else { continue }
                let c = mesh.corners[3 * f + (k + 2) % 3], d = mesh.corners[3 * g + (kg + 2) % 3]
                guard c != d, sides[edgeKey(c, d)] == nil, !created.contains(edgeKey(c, d)), !outside.contains(edgeKey(c, d)),
                      angle(mesh, at: c, a, b) + angle(mesh, at: d, a, b) > Double.pi + 1e-9 else { continue }
                let va = mesh.cornerVertices[3 * f + k], vb = mesh.cornerVertices[3 * f + (k + 1) % 3]
                let vc = mesh.cornerVertices[3 * f + (k + 2) % 3], vd = mesh.cornerVertices[3 * g + (kg + 2) % 3]
                // (a, b, c) + (b, a, d) → (a, d, c) + (d, b, c), wound alike.
                mesh.corners.replaceSubrange((3 * f)..<(3 * f + 3), with: [a, d, c])
                mesh.cornerVertices.replaceSubrange((3 * f)..<(3 * f + 3), with: [va, vd, vc])
                mesh.corners.replaceSubrange((3 * g)..<(3 * g + 3), with: [d, b, c])
                mesh.cornerVertices.replaceSubrange((3 * g)..<(3 * g + 3), with: [vd, vb, vc])
                touched.insert(f); touched.insert(g); created.insert(edgeKey(c, d))
                flips += 1
            }
            if flips == 0 { break }
        }
    }

    /// Solves L(L(x)) = 0 at the given new points, L the scale-dependent umbrella over the whole mesh's neighbours,
    /// every other point fixed (so the rim and the ring around it carry the surface's curvature in). Direct solve.
    private func fair(_ mesh: inout RepairMesh, points unknowns: [Int], neighbours: [Int: [UInt32]]) -> Bool {
        var column = [Int: Int]()
        for (i, v) in unknowns.enumerated() { column[v] = i }
        // Umbrella rows: L(x)_w = Σ λ_wu x_u - x_w, λ ∝ 1 / |x_u - x_w| (positions before fairing).
        var rows: [Int: [(Int, Double)]] = [:]
        func row(_ w: Int) -> [(Int, Double)] {
            if let r = rows[w] { return r }
            let list = neighbours[w] ?? []
            var weights = list.map { 1 / max(distance(mesh, UInt32(w), $0), 1e-12) }
            let total = weights.reduce(0, +)
            weights = weights.map { $0 / max(total, 1e-300) }
            let r = [(w, -1.0)] + zip(list, weights).map { (Int($0.0), $0.1) }
            rows[w] = r
            return r
        }
        let m = unknowns.count
        var a = [Double](repeating: 0, count: m * m)
        var rhs = [SIMD3<Double>](repeating: .zero, count: m)
        for (i, v) in unknowns.enumerated() {
            guard neighbours[v] != nil else { a[i * m + i] = 1; rhs[i] = point(mesh, UInt32(v)); continue }
            // L(L(x))_v = Σ_w λ_vw L(x)_w - L(x)_v
            var terms = row(v).map { ($0.0, -$0.1) }
            for (w, weight) in row(v).dropFirst() { for (u, c) in row(w) { terms.append((u, weight * c)) } }
            for (u, c) in terms {
                if let j = column[u] { a[i * m + j] += c } else { rhs[i] -= c * point(mesh, UInt32(u)) }
            }
        }
        guard let solved = solveDense(a, rhs, m) else { return false }
        for (i, p) in solved.enumerated() {
            let v = unknowns[i]
            mesh.positions[3 * v] = Float(p.x); mesh.positions[3 * v + 1] = Float(p.y); mesh.positions[3 * v + 2] = Float(p.z)
        }
        return true
    }
}

private func edgeKey(_ a: UInt32, _ b: UInt32) -> UInt64 { a < b ? UInt64(a) << 32 | UInt64(b) : UInt64(b) << 32 | UInt64(a) }

private func point(_ mesh: RepairMesh, _ p: UInt32) -> SIMD3<Double> {
    SIMD3(Double(mesh.positions[3 * Int(p)]), Double(mesh.positions[3 * Int(p) + 1]), Double(mesh.positions[3 * Int(p) + 2]))
}

private func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

private func distance(_ mesh: RepairMesh, _ a: UInt32, _ b: UInt32) -> Double { length(point(mesh, a) - point(mesh, b)) }

private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

private func angle(_ mesh: RepairMesh, at o: UInt32, _ x: UInt32, _ y: UInt32) -> Double {
    let u = point(mesh, x) - point(mesh, o), v = point(mesh, y) - point(mesh, o)
    let nu = length(u), nv = length(v)
    guard nu > 0, nv > 0 else { return 0 }
    return acos(max(-1, min(1, (u * v).sum() / (nu * nv))))
}

/// Gaussian elimination with partial pivoting on a dense m×m system with three right-hand sides; nil if singular.
private func solveDense(_ matrix: [Double], _ rhs: [SIMD3<Double>], _ m: Int) -> [SIMD3<Double>]? {
    var a = matrix, b = rhs
    for col in 0..<m {
        var pivot = col
        for r in (col + 1)..<max(col + 1, m) where abs(a[r * m + col]) > abs(a[pivot * m + col]) { pivot = r }
        guard abs(a[pivot * m + col]) > 1e-14 else { return nil }
        if pivot != col {
            for k in 0..<m { a.swapAt(col * m + k, pivot * m + k) }
            b.swapAt(col, pivot)
        }
        let inverse = 1 / a[col * m + col]
        for r in (col + 1)..<max(col + 1, m) {
            let f = a[r * m + col] * inverse
            guard f != 0 else { continue }
            for k in col..<m { a[r * m + k] -= f * a[col * m + k] }
            b[r] -= f * b[col]
        }
    }
    var x = [SIMD3<Double>](repeating: .zero, count: m)
    for r in stride(from: m - 1, through: 0, by: -1) {
        var s = b[r]
        for k in (r + 1)..<max(r + 1, m) { s -= a[r * m + k] * x[k] }
        x[r] = s / a[r * m + r]
    }
    return x.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite } ? x : nil
}
