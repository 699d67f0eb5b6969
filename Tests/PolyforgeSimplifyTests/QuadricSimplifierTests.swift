import Testing
#if canImport(Glibc)
import Glibc
#endif
import CMeshopt
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeSimplify
import PolyforgeTopology

/// Tiny hand-made meshes with exact expected results, and the shared Avocado for flips.
@Suite struct QuadricSimplifierTests {
    static func scene(_ primitive: Primitive) -> Scene {
        Scene(mesh: Mesh(primitives: [primitive]), materials: [Material()])
    }

    /// An n x n grid of quads over [0,1]^2 at height z(x, y), counter-clockwise from +z, with UVs = (x, y).
    static func grid(_ n: Int, z: (Float, Float) -> Float = { _, _ in 0 }) -> Primitive {
        var p: [Float] = [], uv: [Float] = [], idx: [UInt32] = []
        for j in 0...n {
            for i in 0...n {
                let x = Float(i) / Float(n), y = Float(j) / Float(n)
                p += [x, y, z(x, y)]
                uv += [x, y]
            }
        }
        for j in 0..<n {
            for i in 0..<n {
                let a = UInt32(j * (n + 1) + i), b = a + 1, c = a + UInt32(n + 1), d = c + 1
                idx += [a, b, d, a, d, c]
            }
        }
        return Primitive(streams: [VertexStream(.position, components: 3, data: p), VertexStream(.texcoord(0), components: 2, data: uv)],
                         indices: idx, material: 0)
    }

    /// A unit cube with each face cut into n x n quads, welded (shared edges and corners), outward.
    static func subdividedCube(_ n: Int) -> Primitive {
        var positions: [Float] = []
        var lookup: [SIMD3<Int>: UInt32] = [:]
        var indices: [UInt32] = []
        func vertex(_ q: SIMD3<Int>) -> UInt32 {
            if let v = lookup[q] { return v }
            let v = UInt32(positions.count / 3)
            positions += [Float(q.x) / Float(n), Float(q.y) / Float(n), Float(q.z) / Float(n)]
            lookup[q] = v
            return v
        }
        // (origin, u axis, v axis) with u x v pointing outward
        let faces: [(SIMD3<Int>, SIMD3<Int>, SIMD3<Int>)] = [
            (SIMD3(0, 0, 0), SIMD3(0, 1, 0), SIMD3(1, 0, 0)), (SIMD3(0, 0, n), SIMD3(1, 0, 0), SIMD3(0, 1, 0)),
            (SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 0, 1)), (SIMD3(0, n, 0), SIMD3(0, 0, 1), SIMD3(1, 0, 0)),
            (SIMD3(0, 0, 0), SIMD3(0, 0, 1), SIMD3(0, 1, 0)), (SIMD3(n, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)),
        ]
        for (o, u, v) in faces {
            for j in 0..<n {
                for i in 0..<n {
                    let a = vertex(o &+ u &* i &+ v &* j), b = vertex(o &+ u &* (i + 1) &+ v &* j)
                    let c = vertex(o &+ u &* i &+ v &* (j + 1)), d = vertex(o &+ u &* (i + 1) &+ v &* (j + 1))
                    indices += [a, b, d, a, d, c]
                }
            }
        }
        return Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: indices, material: 0)
    }

    static func faceNormal(_ p: [Float], _ i: UInt32, _ j: UInt32, _ k: UInt32) -> SIMD3<Float> {
        let a = SIMD3(p[3 * Int(i)], p[3 * Int(i) + 1], p[3 * Int(i) + 2])
        let b = SIMD3(p[3 * Int(j)], p[3 * Int(j) + 1], p[3 * Int(j) + 2])
        let c = SIMD3(p[3 * Int(k)], p[3 * Int(k) + 1], p[3 * Int(k) + 2])
        let u = b - a, v = c - a
        return SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
    }

    /// Boundary edges as sorted position pairs.
    static func borderEdges(_ primitive: Primitive) -> Set<[Float]> {
        let p = primitive.positions
        var count: [[Float]: Int] = [:]
        let idx = primitive.indices
        for t in stride(from: 0, to: idx.count, by: 3) {
            for e in 0..<3 {
                let a = Int(idx[t + e]), b = Int(idx[t + (e + 1) % 3])
                let pa = [p[3 * a], p[3 * a + 1], p[3 * a + 2]], pb = [p[3 * b], p[3 * b + 1], p[3 * b + 2]]
                let key = pa.lexicographicallyPrecedes(pb) ? pa + pb : pb + pa
                count[key, default: 0] += 1
            }
        }
        return Set(count.filter { $0.value == 1 }.keys)
    }

    @Test func subdividedPlaneCollapsesToTwoTriangles() {
        var options = SimplifyOptions(target: .error(1e-4))
        options.attributes = []
        let (out, report) = QuadricSimplifier(options: options).simplify(Self.scene(Self.grid(8)))
        let primitive = out.meshes[0].primitives[0]
        #expect(report.trianglesBefore == 128)
        #expect(primitive.triangleCount == 2)
        #expect(primitive.vertexCount == 4)
        let corners = Set(stride(from: 0, to: 12, by: 3).map { [primitive.positions[$0], primitive.positions[$0 + 1], primitive.positions[$0 + 2]] })
        #expect(corners == [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]])
        #expect(report.error < 1e-6)
        // Still facing +z.
        let i = primitive.indices
        for t in stride(from: 0, to: i.count, by: 3) { #expect(Self.faceNormal(primitive.positions, i[t], i[t + 1], i[t + 2]).z > 0) }
    }

    @Test func cubeStaysACubeAtTwelveTriangles() {
        let (out, report) = QuadricSimplifier(options: SimplifyOptions(target: .triangles(12))).simplify(Self.scene(Self.subdividedCube(4)))
        let primitive = out.meshes[0].primitives[0]
        #expect(report.trianglesBefore == 192)
        #expect(primitive.triangleCount == 12)
        #expect(primitive.vertexCount == 8)
        var corners = Set<[Float]>()
        for v in 0..<primitive.vertexCount { corners.insert(Array(primitive.positions[(3 * v)..<(3 * v + 3)])) }
        #expect(corners == Set([0, 1].flatMap { x in [0, 1].flatMap { y in [0, 1].map { z in [Float(x), Float(y), Float(z)] } } }))
        #expect(report.error < 1e-5)
        let topology = MeshTopology.analyze(TriangleSoup(positions: primitive.positions, indices: primitive.indices))
        #expect(topology.isWatertight && topology.isWindingConsistent)
        // The eight-vertex cube itself has nothing left to give.
        let (again, _) = QuadricSimplifier(options: SimplifyOptions(target: .triangles(12))).simplify(out)
        #expect(again.meshes[0].primitives[0].indices == primitive.indices)
    }

    /// A tetrahedron has nothing to give: any collapse would leave two back-to-back triangles on the same corners.
    @Test func tetrahedronIsNotCollapsedIntoADoubleSidedTriangle() {
        var p = Primitive()
        p.streams = [VertexStream(.position, components: 3, data: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])]
        p.indices = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]
        for ratio: Float in [0.5, 0.25] {
            let (out, _) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(ratio))).simplify(Self.scene(p))
            let q = out.meshes[0].primitives[0]
            #expect(q.triangleCount == 4, "ratio \(ratio) left \(q.triangleCount) triangles")
            let topology = MeshTopology.analyze(TriangleSoup(positions: q.positions, indices: q.indices))
            #expect(topology.isWatertight)
        }
    }

    /// Two UV islands meeting on x = 0.5: the seam's vertices are doubled, u in [0, 0.4] left and [0.6, 1] right.
    @Test func uvSeamIsNeverCrossed() {
        let n = 16
        var grid = Self.grid(n) { x, y in 0.05 * sinf(6 * x) * cosf(5 * y) }
        var p: [Float] = grid.positions
        var uv: [Float] = grid.stream(.texcoord(0))!.data
        var idx: [UInt32] = grid.indices
        let seamColumn = n / 2
        var twin: [UInt32: UInt32] = [:]
        for j in 0...n {
            let v = UInt32(j * (n + 1) + seamColumn)
            twin[v] = UInt32(p.count / 3)
            let base = 3 * Int(v)
            let copy: [Float] = [p[base], p[base + 1], p[base + 2]]
            p += copy
            uv += [Float(0), Float(0)]
        }
        for v in 0..<(p.count / 3) {
            let x: Float = p[3 * v]
            let isTwin = twin.values.contains(UInt32(v))
            let right = isTwin || (x > 0.5 && !twin.keys.contains(UInt32(v)))
            let rightU: Float = 0.6 + 0.8 * (x - 0.5)
            let leftU: Float = 0.8 * x
            uv[2 * v] = right ? rightU : leftU
        }
        // Triangles right of the seam use the twins.
        for t in stride(from: 0, to: idx.count, by: 3) {
            let x0: Float = p[3 * Int(idx[t])], x1: Float = p[3 * Int(idx[t + 1])], x2: Float = p[3 * Int(idx[t + 2])]
            let cx: Float = (x0 + x1 + x2) / 3
            if cx > 0.5 { for k in 0..<3 { if let w = twin[idx[t + k]] { idx[t + k] = w } } }
        }
        grid.setStream(VertexStream(.position, components: 3, data: p))
        grid.setStream(VertexStream(.texcoord(0), components: 2, data: uv))
        grid.indices = idx
        let (out, report) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.1))).simplify(Self.scene(grid))
        let primitive = out.meshes[0].primitives[0]
        #expect(primitive.triangleCount < report.trianglesBefore / 2)
        let q: [Float] = primitive.positions
        let u: [Float] = primitive.stream(.texcoord(0))!.data
        for t in stride(from: 0, to: primitive.indices.count, by: 3) {
            let corners = (0..<3).map { Int(primitive.indices[t + $0]) }
            let left = corners.allSatisfy { u[2 * $0] <= 0.4 + 1e-6 }
            let right = corners.allSatisfy { u[2 * $0] >= 0.6 - 1e-6 }
            #expect(left || right, "a triangle spans both UV islands")
            // and its corners stay on their side of the seam line
            if left { #expect(corners.allSatisfy { q[3 * $0] <= 0.5 + 1e-6 }) }
            if right { #expect(corners.allSatisfy { q[3 * $0] >= 0.5 - 1e-6 }) }
        }
        // Seam vertices stay on the seam line, in matched pairs.
        var seamLeft = Set<[Float]>(), seamRight = Set<[Float]>()
        for v in 0..<primitive.vertexCount where q[3 * v] == 0.5 {
            let key = [q[3 * v + 1], q[3 * v + 2]]
            if u[2 * v] <= 0.4 + 1e-6 { seamLeft.insert(key) } else { seamRight.insert(key) }
        }
        #expect(!seamLeft.isEmpty && seamLeft == seamRight)
    }

    /// The subdivided cube as a flat-shaded export stores it: each quad its own four vertices, with its face's normal.
    static func flatShadedCube() -> Primitive {
        let welded = Self.subdividedCube(4)
        var positions: [Float] = [], normals: [Float] = [], indices: [UInt32] = []
        for t in stride(from: 0, to: welded.indices.count, by: 6) {
            let quad = Array(welded.indices[t..<(t + 6)])
            let corners = [quad[0], quad[1], quad[2], quad[5]]
            let base = UInt32(positions.count / 3)
            let n = Self.faceNormal(welded.positions, quad[0], quad[1], quad[2])
            let unit = n / (n * n).sum().squareRoot()
            for v in corners {
                positions += welded.positions[(3 * Int(v))..<(3 * Int(v) + 3)]
                normals += [unit.x, unit.y, unit.z]
            }
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        }
        return Primitive(streams: [VertexStream(.position, components: 3, data: positions),
                                   VertexStream(.normal, components: 3, data: normals)], indices: indices, material: 0)
    }

    /// A scene budget the guards make out of reach (a flat-shaded cube stalls at its hard edges) is reported as
    /// not reached, with the stalled part saying why; it used to read "target reached" for every part.
    @Test func anUnreachableSceneBudgetSaysWhy() {
        var scene = Self.scene(Self.flatShadedCube())
        scene.meshes[0].primitives.append(Self.grid(16) { x, y in 0.1 * sinf(5 * x) * cosf(4 * y) })
        let (_, report) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.05))).simplify(scene)
        #expect(report.trianglesAfter > (192 + 512) / 20)
        #expect(report.stop == .topology)
        #expect(report.primitives[0].stop == .topology)
    }

    /// Flat-shaded export: every quad of the cube has its own vertices with its face's normal. Inside a face the
    /// copies are exact duplicates and weld; across the cube's edges they are normal seams, and its corners complex
    /// vertices. Strict mode simplifies the faces, stops at the edges and says why; permissive mode welds the seams
    /// and gets there.
    @Test func permissiveModeReachesTheTargetWhereSeamsStall() {
        let primitive = Self.flatShadedCube()
        let strict = QuadricSimplifier(options: SimplifyOptions(target: .triangles(12))).simplify(Self.scene(primitive))
        #expect(strict.report.stop == .topology)
        #expect(strict.report.trianglesAfter > 12 && strict.report.trianglesAfter < 192, "\(strict.report.trianglesAfter)")
        var options = SimplifyOptions(target: .triangles(12))
        options.permissive = true
        let relaxed = QuadricSimplifier(options: options).simplify(Self.scene(primitive))
        #expect(relaxed.report.stop == .targetReached)
        #expect(relaxed.report.trianglesAfter == 12)
        #expect(relaxed.report.primitives[0].relaxation == 1)
        let out = relaxed.scene.meshes[0].primitives[0]
        let topology = MeshTopology.analyze(TriangleSoup(positions: out.positions, indices: out.indices))
        #expect(topology.isWatertight && topology.isWindingConsistent)
    }

    @Test func lockedBorderStaysIdentical() {
        let primitive = Self.grid(12) { x, y in 0.1 * sinf(7 * x + 1) * cosf(6 * y) }
        var options = SimplifyOptions(target: .ratio(0.2))
        options.lockBorder = true
        let (out, report) = QuadricSimplifier(options: options).simplify(Self.scene(primitive))
        let simplified = out.meshes[0].primitives[0]
        #expect(simplified.triangleCount < primitive.triangleCount / 2)
        #expect(report.trianglesAfter == simplified.triangleCount)
        #expect(Self.borderEdges(simplified) == Self.borderEdges(primitive))
        #expect(Self.borderEdges(primitive).count == 48)
    }

    @Test func avocadoAtAQuarterHasNoFlippedTriangles() throws {
        let loaded = try SceneIO.read("/work/shared/assets/gltf/Avocado-glTF/Avocado.gltf")
        var options = SimplifyOptions(target: .ratio(0.25))
        options.measureUVDrift = true
        let (out, report) = QuadricSimplifier(options: options).simplify(loaded.scene)
        // The texture stays in place: 95% of the surface within 4 texels of its 1024² map (measured 0.0036).
        let drift = try #require(report.uvDrift)
        #expect(drift.p95 < 0.005 && drift.mean < 0.005, "uv drift \(drift)")
        #expect(report.trianglesAfter <= report.trianglesBefore / 4 + 1)
        #expect(report.trianglesAfter >= report.trianglesBefore / 4 - 8)
        #expect(report.error < 0.03)
        for (m, mesh) in out.meshes.enumerated() {
            for (pi, primitive) in mesh.primitives.enumerated() {
                let before = loaded.scene.meshes[m].primitives[pi]
                // Flipped: the face turns against the shading normals it carries (none in the input does).
                func flipped(_ prim: Primitive) -> Int {
                    guard let normals = prim.stream(.normal)?.data else { return 0 }
                    var n = 0
                    let i = prim.indices
                    for t in stride(from: 0, to: i.count, by: 3) {
                        let f = Self.faceNormal(prim.positions, i[t], i[t + 1], i[t + 2])
                        var s = SIMD3<Float>(0, 0, 0)
                        for k in 0..<3 { let v = 3 * Int(i[t + k]); s += SIMD3(normals[v], normals[v + 1], normals[v + 2]) }
                        if (f * s).sum() < 0 { n += 1 }
                    }
                    return n
                }
                #expect(flipped(primitive) <= flipped(before))
                #expect(primitive.material == before.material)
                #expect(primitive.stream(.texcoord(0))?.count == primitive.vertexCount)
            }
        }
        // Textures stay in place: the UVs of the kept vertices are within the input's range.
        let uv = out.meshes[0].primitives[0].stream(.texcoord(0))!.data
        let uvIn = loaded.scene.meshes[0].primitives[0].stream(.texcoord(0))!.data
        #expect(uv.min()! >= uvIn.min()! - 1e-3 && uv.max()! <= uvIn.max()! + 1e-3)
    }

    /// The quantized Avocado stores integer UVs and scales them by KHR_texture_transform (about 1/4200): its drift
    /// is read through that transform, so it reads in texture units like the plain Avocado's, not thousands of them.
    @Test func uvDriftIsInTextureUnitsThroughTheTextureTransform() throws {
        var options = SimplifyOptions(target: .ratio(0.25))
        options.measureUVDrift = true
        var drifts: [UVDrift] = []
        for variant in ["Avocado-glTF", "Avocado-glTF-Quantized"] {
            let loaded = try SceneIO.read("/work/shared/assets/gltf/\(variant)/Avocado.gltf")
            drifts.append(try #require(QuadricSimplifier(options: options).simplify(loaded.scene).report.uvDrift))
        }
        #expect(drifts[1].p95 < 0.005 && drifts[1].mean < 0.005, "quantized uv drift \(drifts[1])")
        #expect(abs(drifts[1].p95 - drifts[0].p95) < 0.002, "\(drifts)")
    }

    /// A flat plane and a bumpy scan in one scene at half the triangles: the budget goes where it costs error.
    @Test func sceneBudgetIsSharedByErrorNotByEqualRatios() {
        let flat = Self.grid(16)
        let bumpy = ScanSurface.generate(triangles: 2_000, seed: 4).meshes[0].primitives[0]
        var scene = Self.scene(flat)
        scene.meshes[0].primitives.append(bumpy)
        let total = flat.triangleCount + bumpy.triangleCount
        let (out, report) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.5))).simplify(scene)
        let flatAfter = out.meshes[0].primitives[0].triangleCount, bumpyAfter = out.meshes[0].primitives[1].triangleCount
        #expect(report.trianglesAfter <= total / 2)
        #expect(report.trianglesAfter >= total / 2 - total / 20)
        #expect(flatAfter < flat.triangleCount / 8)
        #expect(bumpyAfter > bumpy.triangleCount / 2)
    }

    @Test func outputIsDeterministicForAnyThreadCount() {
        let scene = ScanSurface.generate(triangles: 60_000, seed: 3)
        let simplifier = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.1)))
        let threads = pf_thread_count()
        pf_set_thread_count(1)
        let one = simplifier.simplify(scene).scene.meshes[0].primitives[0]
        pf_set_thread_count(2)
        let two = simplifier.simplify(scene).scene.meshes[0].primitives[0]
        let twoAgain = simplifier.simplify(scene).scene.meshes[0].primitives[0]
        pf_set_thread_count(threads)
        #expect(one.indices == two.indices && two.indices == twoAgain.indices)
        #expect(one.streams.map(\.data) == two.streams.map(\.data))
        #expect(abs(one.triangleCount - 6_000) <= 2)
    }

    /// The C core on positions only (its fast ranking path) over a mesh of several spatial cells, so collapses run
    /// in cells, across cells in the second partition and serially: the same output on one and two threads, the
    /// exact count, and surface errors no worse than meshoptimizer's on the same input.
    @Test func cellsMatchOneThreadAndMeshoptimizersQuality() {
        let p = ScanSurface.generate(triangles: 60_000, seed: 5).meshes[0].primitives[0]
        let positions = p.positions, indices = p.indices
        let vertexCount = positions.count / 3
        func distance(_ out: [Float], _ idx: ArraySlice<UInt32>) -> (max: Double, mean: Double) {
            var r = pf_surface_distance_result()
            let i = Array(idx)
            _ = pf_surface_distance(positions, vertexCount, indices, indices.count, out, out.count / 3, i, i.count, 60_000, &r)
            return (r.max / r.diagonal, r.mean / r.diagonal)
        }
        let threads = pf_thread_count()
        defer { pf_set_thread_count(threads) }
        for ratio in [0.5, 0.05] {
            let target = 3 * Int(Double(indices.count / 3) * ratio)
            var runs: [(indices: [UInt32], positions: [Float])] = []
            for t: Int32 in [1, 2] {
                pf_set_thread_count(t)
                var out = [UInt32](repeating: 0, count: indices.count)
                var moved = [Float](repeating: 0, count: positions.count)
                var result = pf_simplify_result()
                let n = pf_simplify(&out, indices, indices.count, positions, vertexCount, 3, nil, 0, nil, 0, target,
                                    .greatestFiniteMagnitude, 0, nil, &moved, nil, &result)
                #expect(result.stop_reason == UInt32(PF_SIMPLIFY_STOP_TARGET_COUNT))
                #expect(abs(n - target) <= 3, "ratio \(ratio): \(n / 3) triangles for \(target / 3)")
                runs.append((Array(out[0..<n]), moved))
            }
            #expect(runs[0].indices == runs[1].indices && runs[0].positions == runs[1].positions)
            var reference = [UInt32](repeating: 0, count: indices.count)
            let m = meshopt_simplify(&reference, indices, indices.count, positions, vertexCount, 12, target, .greatestFiniteMagnitude, 0, nil)
            let ours = distance(runs[0].positions, runs[0].indices[...]), theirs = distance(positions, reference[0..<m])
            #expect(ours.mean <= theirs.mean, "ratio \(ratio): mean \(ours.mean) vs meshoptimizer \(theirs.mean)")
            #expect(ours.max <= 1.25 * theirs.max, "ratio \(ratio): max \(ours.max) vs meshoptimizer \(theirs.max)")
        }
    }

    /// An unindexed copy (each corner its own vertex, as every STL and many exports store it) simplifies as the
    /// indexed mesh does: exact duplicates are one vertex to the simplifier. Before, each point of six copies was a
    /// complex vertex and nothing collapsed.
    @Test func unindexedTrianglesSimplifyLikeIndexedOnes() {
        let indexed = Self.grid(12) { x, y in 0.1 * sinf(5 * x) * cosf(4 * y) }
        var streams = indexed.streams.map { VertexStream($0.semantic, components: $0.components, data: []) }
        for i in indexed.indices {
            for (s, stream) in indexed.streams.enumerated() {
                let c = stream.components
                streams[s].data += stream.data[(Int(i) * c)..<(Int(i) * c + c)]
            }
        }
        let unindexed = Primitive(streams: streams, indices: (0..<UInt32(indexed.indices.count)).map { $0 })
        #expect(unindexed.vertexCount == 6 * 144)
        var options = SimplifyOptions(target: .ratio(0.25))
        options.attributes = [.uv]
        let (a, ra) = QuadricSimplifier(options: options).simplify(Self.scene(indexed))
        let (b, rb) = QuadricSimplifier(options: options).simplify(Self.scene(unindexed))
        #expect(rb.stop == .targetReached, "\(rb.stop)")
        #expect(rb.trianglesAfter == ra.trianglesAfter)
        #expect(b.meshes[0].primitives[0].vertexCount == a.meshes[0].primitives[0].vertexCount)
        #expect(rb.error <= ra.error * 1.5 + 1e-6)

        // A tangent per face (as Suzanne's export has) keeps no copies apart: they get their tangents' mean.
        var withTangents = unindexed
        var tangents: [Float] = []
        for t in 0..<(unindexed.vertexCount / 3) {
            let a = Float(t % 7) * 0.05
            for _ in 0..<3 { tangents += [cosf(a), sinf(a), 0, 1] }
        }
        withTangents.streams.append(VertexStream(.tangent, components: 4, data: tangents))
        let (c, rc) = QuadricSimplifier(options: options).simplify(Self.scene(withTangents))
        #expect(rc.stop == .targetReached && rc.trianglesAfter == ra.trianglesAfter, "\(rc.stop) \(rc.trianglesAfter)")
        let out = c.meshes[0].primitives[0].stream(.tangent)!.data
        for v in 0..<(out.count / 4) {
            let l = (out[4 * v] * out[4 * v] + out[4 * v + 1] * out[4 * v + 1] + out[4 * v + 2] * out[4 * v + 2]).squareRoot()
            #expect(abs(l - 1) < 1e-4 && out[4 * v + 3] == 1)
        }
    }

    /// Vertices no triangle uses, at the same points as used ones (a glTF's leftovers), change nothing: the core
    /// leaves them out of the position rings instead of reading every point as a complex vertex.
    /// A small primitive drawn from a large shared vertex buffer (glTF allows it): far more vertices than indices.
    /// The core's scratch block once undercounted that case and wrote past its end (found with AddressSanitizer on
    /// one FlightHelmet part against the whole helmet's vertices); debug builds now check every array fits.
    @Test func aVertexBufferFarLargerThanItsIndicesStaysInItsBlock() {
        let grid = Self.grid(6) { x, y in 0.1 * sinf(5 * x) * cosf(4 * y) }
        var positions = grid.positions
        for k in 0..<20_000 { positions += [2 + Float(k % 100), Float(k / 100), 0] } // unused
        let indices = grid.indices, target = indices.count / 4
        for ratio in [0.25, 0.5] {
            var out = [UInt32](repeating: 0, count: indices.count)
            var moved = positions
            var result = pf_simplify_result()
            let n = pf_simplify(&out, indices, indices.count, positions, positions.count / 3, 3, nil, 0, nil, 0,
                                Int(Double(indices.count) * ratio) / 3 * 3, .greatestFiniteMagnitude, 0, nil, &moved, nil, &result)
            #expect(n > 0 && n <= max(target, Int(Double(indices.count) * ratio)), "ratio \(ratio): \(n) indices")
            #expect(out[0..<n].allSatisfy { Int($0) < grid.vertexCount })
        }
    }

    @Test func unusedDuplicateVerticesDoNotBlockCollapses() {
        let grid = Self.grid(16) { x, y in 0.1 * sinf(5 * x) * cosf(4 * y) }
        let positions = grid.positions, indices = grid.indices
        let padded = positions + positions // every vertex again, unused
        let target = indices.count / 4
        func simplify(_ p: [Float]) -> (count: Int, result: pf_simplify_result) {
            var out = [UInt32](repeating: 0, count: indices.count)
            var result = pf_simplify_result()
            let n = pf_simplify(&out, indices, indices.count, p, p.count / 3, 3, nil, 0, nil, 0, target,
                                .greatestFiniteMagnitude, 0, nil, nil, nil, &result)
            return (n, result)
        }
        let plain = simplify(positions), withUnused = simplify(padded)
        #expect(withUnused.result.stop_reason == UInt32(PF_SIMPLIFY_STOP_TARGET_COUNT))
        #expect(withUnused.count == plain.count)
        #expect(withUnused.result.error <= plain.result.error * 1.5 + 1e-6)
    }

    /// A mesh drawn at scale 1 and at scale 10 is simplified in its largest instance's space, so the error reported
    /// is the one the large copy shows (it used to be the first instance's, ten times too small for the other).
    @Test func aMeshDrawnTwiceIsMeasuredAtItsLargestInstance() {
        let primitive = Self.grid(12) { x, y in 0.1 * sinf(5 * x) * cosf(4 * y) }
        var large = Node(mesh: 0)
        large.scale = [10, 10, 10]
        var both = Self.scene(primitive)
        both.nodes = [Node(mesh: 0), large]
        both.rootNodes = [0, 1]
        var alone = Self.scene(primitive)
        alone.nodes = [large]
        alone.rootNodes = [0]
        let options = SimplifyOptions(target: .ratio(0.25))
        let (_, r2) = QuadricSimplifier(options: options).simplify(both)
        let (_, r1) = QuadricSimplifier(options: options).simplify(alone)
        #expect(r2.absoluteError == r1.absoluteError && r1.absoluteError > 0, "\(r2.absoluteError) vs \(r1.absoluteError)")
    }

    /// Errors are relative to the bounding-box diagonal, whatever the units: a bumpy grid scaled by 1e-30 or by 1e25
    /// gives what it gives at scale 1. (The diagonal was squared in Float: at 1e-30 it vanished, the error read 0 and
    /// an error target collapsed the plane to one triangle; at 1e25 it overflowed and nothing collapsed.)
    @Test func errorsAreTheSameAtAnyScale() {
        let bumpy = Self.grid(16) { x, y in 0.05 * sinf(6 * x) * cosf(5 * y) }
        func run(_ scale: Float, _ target: SimplifyTarget) -> (triangles: Int, report: SimplifyReport) {
            var primitive = bumpy
            var p = primitive.positions
            for k in p.indices { p[k] *= scale }
            primitive.streams = [VertexStream(.position, components: 3, data: p)]
            var options = SimplifyOptions(target: target)
            options.attributes = []
            let (out, report) = QuadricSimplifier(options: options).simplify(Self.scene(primitive))
            return (out.meshes[0].primitives[0].triangleCount, report)
        }
        for target in [SimplifyTarget.error(0.01), .ratio(0.2), .triangles(1)] {
            let unit = run(1, target)
            #expect(unit.report.error > 0 && unit.triangles > 1 || target == .triangles(1))
            for scale: Float in [1e-30, 1e25] {
                let scaled = run(scale, target)
                #expect(scaled.triangles == unit.triangles, "\(target) at \(scale): \(scaled.triangles) vs \(unit.triangles) triangles")
                #expect(abs(scaled.report.error - unit.report.error) <= 1e-3 * max(unit.report.error, 1e-6),
                        "\(target) at \(scale): error \(scaled.report.error) vs \(unit.report.error)")
                #expect(scaled.report.absoluteError.isFinite && abs(scaled.report.absoluteError / scale - unit.report.absoluteError) <= 1e-3 * max(unit.report.absoluteError, 1e-6))
            }
        }
    }

    /// A target of one triangle on a closed mesh: the last collapse removes two, and the pass may overshoot its goal
    /// by one; the core must stop short of an empty mesh (the Avocado at 0.01% came out with no triangle).
    @Test func aClosedMeshAskedForOneTriangleKeepsOne() throws {
        let cube = Self.subdividedCube(3)
        for target in [3, 6] {
            var out = [UInt32](repeating: 0, count: cube.indices.count)
            var result = pf_simplify_result()
            let n = pf_simplify(&out, cube.indices, cube.indices.count, cube.positions, cube.vertexCount, 3, nil, 0, nil, 0,
                                target, .greatestFiniteMagnitude, UInt32(PF_SIMPLIFY_PERMISSIVE), nil, nil, nil, &result)
            #expect(n >= 3, "target \(target / 3) triangle(s): \(n / 3)")
        }
        let loaded = try SceneIO.read("/work/shared/assets/gltf/Avocado-glTF/Avocado.gltf")
        let (_, report) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.0001))).simplify(loaded.scene)
        #expect(report.trianglesAfter >= 1)
    }

    /// The C core on positions only, moved vertices written (its fast ranking path), to `ratio` of the triangles:
    /// the indices kept, the target index count and the result.
    static func simplifyPositions(_ indices: [UInt32], _ positions: [Float], ratio: Double)
        -> (indices: ArraySlice<UInt32>, target: Int, result: pf_simplify_result) {
        let target = 3 * Int(Double(indices.count / 3) * ratio)
        var out = [UInt32](repeating: 0, count: indices.count)
        var moved = [Float](repeating: 0, count: positions.count)
        var result = pf_simplify_result()
        let n = pf_simplify(&out, indices, indices.count, positions, positions.count / 3, 3, nil, 0, nil, 0, target,
                            .greatestFiniteMagnitude, 0, nil, &moved, nil, &result)
        return (out[0..<n], target, result)
    }

    /// Every collapse takes at least one vertex away, so the collapses a result counts can never outnumber the
    /// vertices that went. A second-partition cell that selected nothing in a pass used to settle its log of an
    /// earlier pass again (by then rewritten by first-partition cells): phantom collapses, quadrics summed twice.
    @Test func collapsesAreNeverCountedTwice() {
        let p = ScanSurface.generate(triangles: 100_000, seed: 7).meshes[0].primitives[0]
        let positions = p.positions, indices = p.indices
        func referenced(_ idx: ArraySlice<UInt32>) -> Int { Set(idx).count }
        for ratio in [0.1, 0.02] {
            let (out, _, result) = Self.simplifyPositions(indices, positions, ratio: ratio)
            let removed = referenced(indices[...]) - referenced(out)
            #expect(result.passes > 3)
            #expect(result.collapses <= removed, "ratio \(ratio): \(result.collapses) collapses, \(removed) vertices removed")
            #expect(result.collapses >= removed * 99 / 100)
        }
    }

    /// One LOD chain (UVs as attributes, vertex maps) through the C core, with the vertex arrays compacted once half
    /// the vertices have gone and with PF_SIMPLIFY_NO_COMPACTION.
    private struct Chain: Equatable {
        var indices: [UInt32], positions: [Float], uvs: [Float], maps: [UInt32]
        var counts: [Int], errors: [Float], collapses: [Int], compactions: [Int]

        init(_ p: Primitive, targets: [Int], options: UInt32) throws {
            let positions = p.positions, indices = p.indices
            let uvs = try #require(p.stream(.texcoord(0))).data
            let vertexCount = positions.count / 3, levels = targets.count
            var out = [UInt32](repeating: 0, count: indices.count * levels)
            var moved = [Float](repeating: .nan, count: positions.count * levels)
            var uvOut = [Float](repeating: .nan, count: uvs.count * levels)
            var maps = [UInt32](repeating: .max, count: vertexCount * levels)
            var results = [pf_simplify_result](repeating: pf_simplify_result(), count: levels)
            let weights: [Float] = [1, 1]
            _ = pf_simplify_lod(&out, indices, indices.count, positions, vertexCount, 3, uvs, 2, weights, 2, targets, levels,
                                .greatestFiniteMagnitude, options, nil, &moved, &uvOut, &maps, &results)
            self.indices = out
            self.positions = moved
            self.uvs = uvOut
            self.maps = maps
            counts = results.map(\.index_count)
            errors = results.map(\.error)
            collapses = results.map(\.collapses)
            compactions = results.map(\.compactions)
        }
    }

    /// Compaction renumbers the live vertices in their order, so it must change nothing: the same triangles,
    /// positions, UVs, vertex maps and errors, byte for byte, on a generated scan and on a real generator output with
    /// UV seams, with permissive relaxation and with locked borders.
    @Test func compactionChangesNoOutput() throws {
        let scan = ScanSurface.generate(triangles: 120_000, seed: 9).meshes[0].primitives[0]
        let hunyuan = try SceneIO.read("/work/shared/assets/ai/hunyuanos_room_3d_tex.glb").scene.meshes[0].primitives[0]
        for (name, p) in [("scan", scan), ("hunyuan", hunyuan)] {
            #expect(p.vertexCount >= 2 * 8192, "\(name): too small to compact")
            let triangles = p.indices.count / 3
            let targets = [0.5, 0.2, 0.05, 0.005].map { 3 * Int(Double(triangles) * $0) }
            for options in [UInt32(0), UInt32(PF_SIMPLIFY_PERMISSIVE), UInt32(PF_SIMPLIFY_LOCK_BORDER)] {
                let packed = try Chain(p, targets: targets, options: options)
                let plain = try Chain(p, targets: targets, options: options | UInt32(PF_SIMPLIFY_NO_COMPACTION))
                #expect(packed.compactions.last! >= 1, "\(name) options \(options): no compaction happened")
                #expect(plain.compactions.allSatisfy { $0 == 0 })
                #expect(packed.counts == plain.counts && packed.errors == plain.errors && packed.collapses == plain.collapses,
                        "\(name) options \(options)")
                let same = packed.indices == plain.indices && packed.maps == plain.maps &&
                    packed.positions.withUnsafeBytes { a in plain.positions.withUnsafeBytes { a.elementsEqual($0) } } &&
                    packed.uvs.withUnsafeBytes { a in plain.uvs.withUnsafeBytes { a.elementsEqual($0) } }
                #expect(same, "\(name) options \(options): outputs differ")
            }
        }
    }

    /// The vertices a compaction retires keep their output position and UVs in every later level, and every level's
    /// map sends each input vertex to a vertex of that level (itself while it is used), consistently with the level
    /// before (a vertex's parent's parent is its parent in the coarser level).
    @Test func retiredVerticesKeepTheirOutputsAndMaps() throws {
        let p = ScanSurface.generate(triangles: 120_000, seed: 9).meshes[0].primitives[0]
        let vertexCount = p.vertexCount, triangles = p.indices.count / 3
        let targets = [0.5, 0.2, 0.05, 0.01].map { 3 * Int(Double(triangles) * $0) }
        let chain = try Chain(p, targets: targets, options: 0)
        #expect(chain.compactions.last! >= 2)
        var previousUsed = Set<UInt32>(0..<UInt32(vertexCount))
        var previousMap = Array(0..<UInt32(vertexCount))
        for l in 0..<targets.count {
            let n = chain.counts[l], base = l * p.indices.count
            #expect(abs(n - targets[l]) <= 6 || (l == targets.count - 1 && n > targets[l]), "level \(l): \(n) indices for \(targets[l])")
            let used = Set(chain.indices[base..<(base + n)])
            let map = Array(chain.maps[(l * vertexCount)..<((l + 1) * vertexCount)])
            var mapsOk = true, retiredOk = true
            for u in 0..<vertexCount {
                let m = map[u]
                mapsOk = mapsOk && (used.contains(UInt32(u)) ? m == UInt32(u) : used.contains(m)) && map[Int(previousMap[u])] == m
                guard l > 0, !previousUsed.contains(UInt32(u)) else { continue }
                let a = (l - 1) * vertexCount + u, b = l * vertexCount + u
                retiredOk = retiredOk && chain.positions[(3 * a)..<(3 * a + 3)].elementsEqual(chain.positions[(3 * b)..<(3 * b + 3)]) &&
                    chain.uvs[(2 * a)..<(2 * a + 2)].elementsEqual(chain.uvs[(2 * b)..<(2 * b + 2)])
            }
            #expect(mapsOk, "level \(l): a vertex maps outside the level or off its parent's survivor")
            #expect(retiredOk, "level \(l): a vertex gone before this level changed its outputs")
            let finite = used.allSatisfy { v in
                (0..<3).allSatisfy { chain.positions[3 * (l * vertexCount + Int(v)) + $0].isFinite } &&
                    (0..<2).allSatisfy { chain.uvs[2 * (l * vertexCount + Int(v)) + $0].isFinite }
            }
            #expect(finite)
            previousUsed = used
            previousMap = map
        }
    }

    /// A double-sided surface (every triangle also present reversed, as in chair_model.obj): each collapse takes four
    /// triangles, not the two its vertex classes suggest. The count comes out at the target instead of far below it
    /// (before exact counting, 95% of such a chair ended at 89.6%, and a pass that could finish overshot by 2x).
    @Test func doubleSidedSurfacesStopAtTheTarget() {
        let p = ScanSurface.generate(triangles: 4_000, seed: 11).meshes[0].primitives[0]
        var indices = p.indices
        for t in stride(from: 0, to: p.indices.count, by: 3) { indices += [p.indices[t], p.indices[t + 2], p.indices[t + 1]] }
        for ratio in [0.95, 0.75, 0.5, 0.2] {
            let (out, target, _) = Self.simplifyPositions(indices, p.positions, ratio: ratio)
            let n = out.count
            #expect(n <= target && n >= target - 12, "ratio \(ratio): \(n / 3) triangles for \(target / 3)")
        }
    }

    /// Small separate parts (quads of two triangles, as in TextureTransformTest) at a tenth: each keeps a triangle
    /// instead of vanishing, whether the ratio is applied per part or a scene budget is shared by error.
    @Test func aPartKeepsAtLeastOneTriangle() {
        var scene = Scene()
        for k in 0..<4 {
            let x = Float(k) * 2
            let quad = Primitive(streams: [VertexStream(.position, components: 3, data: [x, 0, 0, x + 1, 0, 0, x + 1, 1, 0, x, 1, 0])],
                                 indices: [0, 1, 2, 0, 2, 3], material: nil)
            scene.meshes.append(Mesh(primitives: [quad]))
            scene.nodes.append(Node(mesh: k))
            scene.rootNodes.append(k)
        }
        for target in [SimplifyTarget.ratio(0.1), .triangles(1)] {
            let (out, report) = QuadricSimplifier(options: SimplifyOptions(target: target)).simplify(scene)
            #expect(out.meshes.allSatisfy { $0.primitives.allSatisfy { $0.triangleCount >= 1 } })
            #expect(report.trianglesAfter == 4)
        }
        // One part alone takes the per-primitive ratio path.
        var one = Scene()
        one.meshes = [scene.meshes[0]]
        one.nodes = [Node(mesh: 0)]
        one.rootNodes = [0]
        let (single, _) = QuadricSimplifier(options: SimplifyOptions(target: .ratio(0.1))).simplify(one)
        #expect(single.meshes[0].primitives[0].triangleCount == 1)
    }

    @Test func lodChainLevelsShrinkAndErrorsGrow() {
        let scene = ScanSurface.generate(triangles: 20_000, seed: 2)
        let levels = LODChain(ratios: [1, 0.5, 0.25, 0.125]).build(scene)
        #expect(levels.count == 4)
        #expect(levels[0].triangles == scene.storedTriangleCount)
        #expect(levels[0].error == 0)
        for k in 1..<4 {
            #expect(levels[k].triangles < levels[k - 1].triangles)
            #expect(levels[k].error >= levels[k - 1].error)
            #expect(abs(levels[k].triangles - Int(Float(scene.storedTriangleCount) * levels[k].ratio)) <= 2)
        }
        // Geomorph parents: every vertex of a level points at a nearby vertex of the next, and every vertex of the
        // next is somebody's parent (its own survivor).
        for k in 1..<4 {
            let finer = levels[k - 1].scene.meshes[0].primitives[0], coarser = levels[k].scene.meshes[0].primitives[0]
            let map = levels[k].parents
            #expect(map.count == 1 && map[0].parents.count == finer.vertexCount)
            let parents = map[0].parents
            #expect(parents.allSatisfy { $0 < UInt32(coarser.vertexCount) })
            #expect(Set(parents).count == coarser.vertexCount)
            let diagonal = scene.worldBounds().diagonal
            var farthest: Float = 0
            for (v, p) in parents.enumerated() {
                let a = finer.positions[(3 * v)..<(3 * v + 3)], b = coarser.positions[(3 * Int(p))..<(3 * Int(p) + 3)]
                let d = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                farthest = max(farthest, d)
            }
            #expect(farthest < 0.1 * diagonal)
        }
        #expect(levels[0].parents.isEmpty)
        let single = LODChain.singleScene(levels)
        #expect(single.meshes.count == 4)
        #expect(single.nodes[0].extensions?["MSFT_lod"]?["ids"]?.arrayValue?.count == 3)
    }
}
