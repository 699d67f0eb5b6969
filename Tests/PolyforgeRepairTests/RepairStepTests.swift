import Foundation
import Testing
import PolyforgeMesh
import PolyforgeRepair
import PolyforgeTopology

/// Hand-made meshes with exact expected results, one per step.
@Suite struct RepairStepTests {
    /// A unit cube as 8 shared corners and 12 outward triangles (faces 0-1: z = 0, 2-3: z = 1, ...).
    static let cubePositions: [Float] = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]
    static let cubeIndices: [UInt32] = [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3]

    /// The cube with a UV island per face (24 vertices, seams on every edge), optionally missing one face.
    static func seamCube(omittingFace omitted: Int? = nil) -> Scene {
        var positions: [Float] = [], uvs: [Float] = [], indices: [UInt32] = []
        for f in 0..<6 where f != omitted {
            var local: [UInt32: UInt32] = [:]
            for v in Self.cubeIndices[(6 * f)..<(6 * f + 6)] {
                if local[v] == nil {
                    let k = local.count
                    local[v] = UInt32(positions.count / 3)
                    positions += Self.cubePositions[(3 * Int(v))..<(3 * Int(v) + 3)]
                    uvs += [Float(k & 1) + Float(2 * f), Float(k >> 1)]
                }
                indices.append(local[v]!)
            }
        }
        return scene(positions: positions, indices: indices, streams: [VertexStream(.texcoord(0), components: 2, data: uvs)])
    }

    static func analyze(_ mesh: RepairMesh) -> TopologyReport {
        MeshTopology.analyze(TriangleSoup(positions: mesh.positions, indices: mesh.corners))
    }

    static func scene(positions: [Float], indices: [UInt32], streams extra: [VertexStream] = []) -> Scene {
        Scene(mesh: Mesh(primitives: [Primitive(streams: [VertexStream(.position, components: 3, data: positions)] + extra,
                                                indices: indices, material: 0)]),
              materials: [Material()])
    }

    @Test func cubeMissingFaceIsFilledToTwelveWatertightTriangles() {
        var indices = Self.cubeIndices
        indices.removeSubrange(6..<12) // the top face (z = 1)
        let (out, report) = RepairPipeline().repair(Self.scene(positions: Self.cubePositions, indices: indices))
        #expect(report.before.boundaryLoops == 1 && !report.before.isWatertight)
        #expect(report.step("fill-holes")?["loops filled"] == 1)
        #expect(report.step("fill-holes")?["triangles added"] == 2)
        let primitive = out.meshes[0].primitives[0]
        #expect(primitive.triangleCount == 12)
        #expect(primitive.vertexCount == 8) // the fill adds no vertex
        #expect(report.after.isWatertight && report.after.isWindingConsistent && report.after.isManifold)
        #expect(report.after.boundaryEdges == 0 && report.after.components == 1)
        // The fill faces up (+z) like the face it replaces.
        let p = primitive.positions
        for f in 10..<12 {
            let i = primitive.indices[(3 * f)..<(3 * f + 3)].map { Int($0) }
            #expect(i.allSatisfy { p[3 * $0 + 2] == 1 })
            let ax = p[3 * i[1]] - p[3 * i[0]], ay = p[3 * i[1] + 1] - p[3 * i[0] + 1]
            let bx = p[3 * i[2]] - p[3 * i[0]], by = p[3 * i[2] + 1] - p[3 * i[0] + 1]
            #expect(ax * by - ay * bx > 0)
        }
    }

    /// The relative weld tolerance is a millionth of the diagonal at any scale. (The diagonal was squared in Float: at
    /// 1e20 it overflowed, so every vertex was within tolerance of every other; at 1e-30 it vanished.)
    @Test func weldToleranceFollowsTheScale() {
        for scale: Float in [1e-30, 1, 1e20] {
            let tolerance = Weld().effectiveTolerance(for: Self.cubePositions.map { $0 * scale })
            #expect(abs(tolerance / scale - 1.7320508e-6) < 1e-9, "at \(scale): \(tolerance)")
        }
    }

    @Test func bowTieVertexIsSplit() {
        // Two triangles touching at vertex 0 only.
        var mesh = RepairMesh(positions: [0, 0, 0, 1, 0, 0, 1, 1, 0, -1, 0, 0, -1, -1, 0], indices: [0, 1, 2, 0, 3, 4])
        #expect(Self.analyze(mesh).nonManifoldVertices == 1)
        let r = MakeManifold().apply(to: &mesh)
        #expect(r.nonManifoldEdges == 0 && r.splitPoints == 1 && r.addedPoints == 1 && r.detachedFaces == 0)
        #expect(mesh.corners == [0, 1, 2, 5, 3, 4])
        #expect(mesh.pointCount == 6)
        let t = Self.analyze(mesh)
        #expect(t.nonManifoldVertices == 0 && t.triangles == 2)
        // The copy moved off vertex 0, so a position weld does not undo the split.
        #expect(MeshTopology.analyze(MeshTopology.weldPositions(TriangleSoup(positions: mesh.positions, indices: mesh.corners), tolerance: 1e-8).soup).nonManifoldVertices == 0)
    }

    @Test func threeFaceEdgeIsMadeManifold() {
        // Edge 0-1 carries three triangles: 0-1-2 and 1-0-3 pair up (opposite directions), 0-1-4 is split off.
        var mesh = RepairMesh(positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1], indices: [0, 1, 2, 1, 0, 3, 0, 1, 4])
        #expect(Self.analyze(mesh).nonManifoldEdges == 1)
        let r = MakeManifold().apply(to: &mesh)
        #expect(r.nonManifoldEdges == 1 && r.addedPoints == 2 && r.splitPoints == 2)
        #expect(mesh.corners == [0, 1, 2, 1, 0, 3, 5, 6, 4])
        let t = Self.analyze(mesh)
        #expect(t.nonManifoldEdges == 0 && t.nonManifoldVertices == 0 && t.triangles == 3)
        #expect(t.boundaryEdges == 7)
    }

    @Test func duplicatesBackToBackAndRepeatedIndicesAreRemovedExactly() {
        var indices = Self.cubeIndices
        indices += [0, 2, 1]    // duplicate of face 0 (same winding)
        indices += [0, 2, 3]    // back-to-back twin of face 1 (0-3-2)
        indices += [4, 4, 5]    // repeated index
        indices += [3, 2, 0]    // face 1 again, rotated: same winding
        var mesh = RepairMesh(positions: Self.cubePositions, indices: indices)
        let r = Cleanup().apply(to: &mesh)
        #expect(r.duplicateFaces == 2 && r.backToBackFaces == 1 && r.repeatedIndexFaces == 1)
        #expect(r.zeroAreaFaces == 0 && r.facesAfter == 12)
        #expect(mesh.corners == Self.cubeIndices)
        let t = Self.analyze(mesh)
        #expect(t.isWatertight && t.duplicateFaces == 0 && t.degenerateFaces == 0)
    }

    @Test func zeroAreaCapIsSplitIntoItsNeighbour() {
        // Top triangle 0-1-3 over edge 0-1; vertex 2 sits on that edge (a T-junction), closed by the cap 1-0-2.
        let positions: [Float] = [0, 0, 0, 2, 0, 0, 1, 0, 0, 1, 1, 0, 1, -1, 0]
        var mesh = RepairMesh(positions: positions, indices: [0, 1, 3, 1, 0, 2, 0, 4, 2, 2, 4, 1])
        #expect(Self.analyze(mesh).degenerateFaces == 1)
        let r = Cleanup().apply(to: &mesh)
        #expect(r.zeroAreaFaces == 1 && r.zeroAreaSplit == 1 && r.zeroAreaRemoved == 0 && r.facesAfter == 4)
        #expect(mesh.corners == [0, 2, 3, 2, 1, 3, 0, 4, 2, 2, 4, 1])
        let t = Self.analyze(mesh)
        #expect(t.degenerateFaces == 0 && t.boundaryEdges == 4 && t.isWindingConsistent && t.nonManifoldEdges == 0)
    }

    @Test func isolatedZeroAreaFaceIsDropped() {
        var mesh = RepairMesh(positions: Self.cubePositions + [0, 0, 3, 1, 0, 3, 2, 0, 3], indices: Self.cubeIndices + [8, 9, 10])
        let r = Cleanup().apply(to: &mesh)
        #expect(r.zeroAreaFaces == 1 && r.zeroAreaRemoved == 1 && r.facesAfter == 12)
        #expect(mesh.corners == Self.cubeIndices)
    }

    @Test func flippedPatchIsReoriented() {
        var indices = Self.cubeIndices
        indices.swapAt(1, 2)   // face 0
        indices.swapAt(4, 5)   // face 1: the bottom square is flipped
        var mesh = RepairMesh(positions: Self.cubePositions, indices: indices)
        #expect(Self.analyze(mesh).inconsistentEdges == 4)
        let r = Orient().apply(to: &mesh)
        #expect(r.flippedFaces == 2 && r.components == 1 && r.closedComponents == 1 && r.conflictingEdges == 0)
        #expect(mesh.corners == Self.cubeIndices)
    }

    /// The cube flat-shaded (4 vertices and one outward normal per face), with face `flipped` wound inward; its
    /// normals inward too when `normalsFollowWinding`, as a tool computing them from the winding would write them.
    static func flatCube(flipped: Int, normalsFollowWinding: Bool) -> Scene {
        var positions: [Float] = [], normals: [Float] = [], indices: [UInt32] = []
        for f in 0..<6 {
            var tri = Array(Self.cubeIndices[(6 * f)..<(6 * f + 6)])
            let p = { (v: UInt32) in (Self.cubePositions[3 * Int(v)], Self.cubePositions[3 * Int(v) + 1], Self.cubePositions[3 * Int(v) + 2]) }
            let (a, b, c) = (p(tri[0]), p(tri[1]), p(tri[2]))
            let e1 = (b.0 - a.0, b.1 - a.1, b.2 - a.2), e2 = (c.0 - a.0, c.1 - a.1, c.2 - a.2)
            var n = [e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0]
            if f == flipped {
                tri.swapAt(1, 2); tri.swapAt(4, 5)
                if normalsFollowWinding { n = n.map { -$0 } }
            }
            var local: [UInt32: UInt32] = [:]
            for v in tri {
                if local[v] == nil {
                    local[v] = UInt32(positions.count / 3)
                    positions += Self.cubePositions[(3 * Int(v))..<(3 * Int(v) + 3)]
                    normals += n
                }
                indices.append(local[v]!)
            }
        }
        return scene(positions: positions, indices: indices, streams: [VertexStream(.normal, components: 3, data: normals)])
    }

    @Test func normalsOfAReorientedFaceTurnWithIt() throws {
        // Normals written from the wrong winding turn with the face: every normal ends outward.
        let (fixed, report) = RepairPipeline().repair(Self.flatCube(flipped: 2, normalsFollowWinding: true))
        let p = try #require(fixed.meshes.first?.primitives.first)
        let normals = try #require(p.stream(.normal)).data, positions = p.positions
        #expect(report.steps.first { $0.step == "normals" }?["vertex normals turned"] == 4)
        #expect(p.indices.count == 36)
        for f in 0..<12 {
            let i = p.indices[(3 * f)..<(3 * f + 3)].map(Int.init)
            let centre = (0..<3).map { d in i.reduce(Float(0)) { $0 + positions[3 * $1 + d] } / 3 - 0.5 }
            for v in i {
                // Outward: the normal points away from the cube's centre, and is one of the six axis directions.
                #expect(zip(centre, normals[(3 * v)..<(3 * v + 3)]).reduce(Float(0)) { $0 + $1.0 * $1.1 } > 0.1)
            }
        }
        // Normals that were right all along (only the winding was wrong) are left as they were.
        let input = Self.flatCube(flipped: 2, normalsFollowWinding: false)
        let (kept, keptReport) = RepairPipeline().repair(input)
        #expect(keptReport.steps.first { $0.step == "normals" }?["vertex normals turned"] == 0)
        #expect(kept.meshes[0].primitives[0].stream(.normal)?.data == input.meshes[0].primitives[0].stream(.normal)?.data)
    }

    /// A unit sphere with a 48-edge hole where its top cap was: the flat fill cuts across (its faces sag 7% of the
    /// radius inside the sphere); the faired fill follows the curvature (under 1%), and stays watertight and manifold.
    @Test func fairedFillFollowsTheSphereWhereAFlatFillCutsAcross() throws {
        let rings = 24, segments = 48
        var positions: [Float] = []
        for r in 1..<rings {
            let theta = Float(r) / Float(rings) * .pi
            for k in 0..<segments {
                let phi = Float(k) / Float(segments) * 2 * .pi
                positions += [sinf(theta) * cosf(phi), cosf(theta), -sinf(theta) * sinf(phi)]
            }
        }
        positions += [0, -1, 0]
        let south = UInt32(positions.count / 3 - 1)
        func ring(_ r: Int, _ k: Int) -> UInt32 { UInt32((r - 1) * segments + (k % segments)) }
        var indices: [UInt32] = []
        for r in 3..<(rings - 1) {   // the north cap (rings 1-2 and the pole) is left out: the hole
            for k in 0..<segments { indices += [ring(r, k), ring(r + 1, k), ring(r, k + 1), ring(r, k + 1), ring(r + 1, k), ring(r + 1, k + 1)] }
        }
        for k in 0..<segments { indices += [ring(rings - 1, k), south, ring(rings - 1, k + 1)] }
        let input = Self.scene(positions: positions, indices: indices)
        func repaired(fair: Bool) throws -> (sag: Float, report: RepairReport) {
            var options = RepairOptions()
            options.fairHoles = fair
            let (out, report) = RepairPipeline(options: options).repair(input)
            let p = try #require(out.meshes.first?.primitives.first)
            let q = p.positions
            var worst: Float = 0
            for f in 0..<(p.indices.count / 3) {
                let c = (0..<3).map { d in (0..<3).reduce(Float(0)) { $0 + q[3 * Int(p.indices[3 * f + $1]) + d] } / 3 }
                worst = max(worst, abs((c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).squareRoot() - 1))
            }
            return (worst, report)
        }
        let flat = try repaired(fair: false), faired = try repaired(fair: true)
        #expect(flat.sag > 0.05, "flat fill sag \(flat.sag)")
        #expect(faired.sag < 0.01, "faired sag \(faired.sag)")
        for r in [flat.report, faired.report] {
            #expect(r.after.isWatertight && r.after.nonManifoldEdges == 0 && r.after.isWindingConsistent && r.after.degenerateFaces == 0)
        }
        #expect((faired.report.steps.first { $0.step == "fair-holes" }?["points added"] ?? 0) > 100)
    }

    @Test func insideOutCubeIsTurnedOutward() {
        var indices = Self.cubeIndices
        for f in 0..<12 { indices.swapAt(3 * f + 1, 3 * f + 2) }
        var mesh = RepairMesh(positions: Self.cubePositions, indices: indices)
        let r = Orient().apply(to: &mesh)
        #expect(r.flippedFaces == 12 && r.invertedComponents == 1)
        #expect(mesh.corners == Self.cubeIndices)
    }

    @Test func floatersAreRemovedByFraction() {
        // The cube (area 6), a unit square at x = 5 (area 1) and a tiny triangle at x = 9 (area 0.005).
        let positions = Self.cubePositions + [5, 0, 0, 6, 0, 0, 6, 1, 0, 5, 1, 0] + [9, 0, 0, 9.1, 0, 0, 9, 0.1, 0]
        let indices = Self.cubeIndices + [8, 9, 10, 8, 10, 11] + [12, 13, 14]
        var byTotal = RepairMesh(positions: positions, indices: indices)
        let r = FloaterRemoval(fractionOfTotalArea: 0.01).apply(to: &byTotal)
        #expect(r.components == 3 && r.removedComponents == 1 && r.removedFaces == 1)
        #expect(byTotal.corners == Self.cubeIndices + [8, 9, 10, 8, 10, 11])
        var byLargest = RepairMesh(positions: positions, indices: indices)
        let l = FloaterRemoval(fractionOfLargest: 0.2).apply(to: &byLargest)
        #expect(l.removedComponents == 2 && l.removedFaces == 3)
        #expect(byLargest.corners == Self.cubeIndices)
    }

    @Test func unweldedSoupCubeIsWeldedToEightVerticesAndKeptWhole() {
        var positions: [Float] = []
        for i in Self.cubeIndices { positions += Self.cubePositions[(3 * Int(i))..<(3 * Int(i) + 3)] }
        let soup = Self.scene(positions: positions, indices: (0..<36).map { UInt32($0) })
        let (out, report) = RepairPipeline().repair(soup)
        let unwelded = MeshTopology.analyze(TriangleSoup(scene: soup))
        #expect(unwelded.components == 12 && unwelded.boundaryEdges == 36)
        let primitive = out.meshes[0].primitives[0]
        #expect(primitive.vertexCount == 8 && primitive.triangleCount == 12)
        #expect(report.after.isWatertight && report.after.isManifold && report.after.isWindingConsistent)
        #expect(report.step("weld")?["vertices after"] == 8)
    }

    @Test func weldKeepsUVSeamsUnlessAsked() {
        // Each cube face with its own four corners and UVs (24 vertices), as exporters write it.
        let scene = Self.seamCube()
        let (kept, keptReport) = RepairPipeline().repair(scene)
        #expect(kept.meshes[0].primitives[0].vertexCount == 24)
        #expect(kept.meshes[0].primitives[0].stream(.texcoord(0))?.count == 24)
        #expect(keptReport.after.isWatertight && keptReport.after.triangles == 12)
        var options = RepairOptions()
        options.keepSeams = false
        let (merged, mergedReport) = RepairPipeline(options: options).repair(scene)
        #expect(merged.meshes[0].primitives[0].vertexCount == 8)
        #expect(mergedReport.after.isWatertight)
    }

    @Test func moebiusStripIsCutWhereItsWindingDisagrees() {
        // A half-twisted strip of 12 quads: no winding agrees all the way round.
        let n = 12
        var positions: [Float] = [], indices: [UInt32] = []
        for i in 0..<n {
            let theta = 2 * Float.pi * Float(i) / Float(n), phi = theta / 2
            for s: Float in [0.5, -0.5] {
                let r = 2 + s * cos(phi)
                positions += [cos(theta) * r, sin(theta) * r, s * sin(phi)]
            }
        }
        for i in 0..<n {
            let t = UInt32(2 * i), b = t + 1
            // After a full turn the top edge comes back as the bottom one.
            let (t1, b1): (UInt32, UInt32) = i + 1 < n ? (t + 2, b + 2) : (1, 0)
            indices += [t, b, b1, t, b1, t1]
        }
        var mesh = RepairMesh(positions: positions, indices: indices)
        let first = Orient().apply(to: &mesh)
        #expect(first.conflictingEdges == 1 && first.conflictCorners.filter { $0 != 0 }.count == 2)
        let cut = MakeManifold(cutting: first.conflictCorners).apply(to: &mesh)
        #expect(cut.addedPoints == 2 && cut.detachedFaces == 0)
        let again = Orient().apply(to: &mesh)
        #expect(again.conflictingEdges == 0)
        let t = Self.analyze(mesh)
        #expect(t.inconsistentEdges == 0 && t.nonManifoldVertices == 0 && t.triangles == 2 * n && t.components == 1)
    }

    @Test func holeAcrossTwoMaterialsIsFilledAndPrimitivesKeepTheirMaterials() {
        // The cube's bottom square in material 0, its four sides in material 1, each primitive with its own
        // vertices; the top square is missing, so the hole is a border of material 1 only, and the bottom/side
        // border is a material seam, not a hole.
        let a = Primitive(streams: [VertexStream(.position, components: 3, data: Self.cubePositions)],
                          indices: Array(Self.cubeIndices[0..<6]), material: 0)        // faces 0-1
        let b = Primitive(streams: [VertexStream(.position, components: 3, data: Self.cubePositions)],
                          indices: Array(Self.cubeIndices[12..<36]), material: 1)      // faces 4-11
        let scene = Scene(mesh: Mesh(primitives: [a, b]), materials: [Material(), Material()])
        let (out, report) = RepairPipeline().repair(scene)
        #expect(report.before.boundaryLoops == 1)
        #expect(report.after.isWatertight && report.after.isWindingConsistent && report.after.triangles == 12)
        let primitives = out.meshes[0].primitives
        #expect(primitives.map(\.material) == [0, 1])
        #expect(primitives[0].triangleCount + primitives[1].triangleCount == 12)
    }

    @Test func fillOnASeamedMeshReusesTheRimVertices() {
        // Per-face UVs (24 vertices); the top square removed leaves 20 vertices in use, and the fill adds none.
        let scene = Self.seamCube(omittingFace: 1)
        let (out, report) = RepairPipeline().repair(scene)
        let primitive = out.meshes[0].primitives[0]
        #expect(report.after.isWatertight && primitive.triangleCount == 12)
        #expect(primitive.vertexCount == 20 && primitive.stream(.texcoord(0))?.count == 20)
    }

    @Test func transformedMeshIsRepairedInWorldSpaceAndWrittenBackInItsOwn() {
        // The open cube under a node that scales by 0.001, mirrors x and moves it; local positions must come back
        // unchanged, and the fill must face outward in world space.
        var indices = Self.cubeIndices
        indices.removeSubrange(6..<12)
        var scene = Self.scene(positions: Self.cubePositions, indices: indices)
        scene.nodes[0].scale = [-0.001, 0.001, 0.001]
        scene.nodes[0].translation = [5, 0, 0]
        let (out, report) = RepairPipeline().repair(scene)
        #expect(report.after.isWatertight && report.after.isWindingConsistent && report.after.triangles == 12)
        #expect(out.meshes[0].primitives[0].positions == Self.cubePositions)
        #expect(out.nodes[0].scale == [-0.001, 0.001, 0.001])
    }

    @Test func loopsOverTheLimitAreLeftOpenAndSaidSo() {
        var indices = Self.cubeIndices
        indices.removeSubrange(6..<12)
        var mesh = RepairMesh(positions: Self.cubePositions, indices: indices)
        let r = HoleFiller(maxEdges: 3).apply(to: &mesh)
        #expect(r.loops == 1 && r.filledLoops == 0 && r.openTooLarge == 1 && r.largestOpenLoop == 4)
        #expect(mesh.triangleCount == 10)
        #expect(r.openReasons == ["1 loop longer than the fill limit (the largest has 4 edges; raise --fill-holes)"])
    }

    @Test func nonConvexPlanarHoleIsEarClippedWithoutOverlap() {
        // A 4x4 grid of unit squares in z = 0 with an interior L-shaped hole (squares (1,1), (2,1) and (1,2)
        // missing): the fill must cover exactly the hole's area, 3, with the loop's 8 vertices (6 triangles).
        var positions: [Float] = []
        for y in 0...4 { for x in 0...4 { positions += [Float(x), Float(y), 0] } }
        var indices: [UInt32] = []
        let missing: Set<[Int]> = [[1, 1], [2, 1], [1, 2]]
        for y in 0..<4 { for x in 0..<4 where !missing.contains([x, y]) {
            let a = UInt32(5 * y + x), b = a + 1, c = a + 6, d = a + 5
            indices += [a, b, c, a, c, d]
        } }
        var mesh = RepairMesh(positions: positions, indices: indices)
        let before = mesh.triangleCount
        let r = HoleFiller().apply(to: &mesh)
        // Both loops close: the L-shaped hole from the front (+z, 6 triangles over area 3) and the grid's outer
        // border from the back (-z, 14 triangles over area 16), which turns the sheet into a closed pillow.
        #expect(r.loops == 2 && r.filledLoops == 2 && r.filledTriangles == 20, "\(r)")
        var front: (count: Int, area: Float) = (0, 0), back: (count: Int, area: Float) = (0, 0)
        for f in before..<mesh.triangleCount {
            let i = mesh.corners[(3 * f)..<(3 * f + 3)].map { Int($0) }
            let ax = positions[3 * i[1]] - positions[3 * i[0]], ay = positions[3 * i[1] + 1] - positions[3 * i[0] + 1]
            let bx = positions[3 * i[2]] - positions[3 * i[0]], by = positions[3 * i[2] + 1] - positions[3 * i[0] + 1]
            let twice = ax * by - ay * bx
            if twice > 0 { front.count += 1; front.area += twice / 2 } else { back.count += 1; back.area -= twice / 2 }
        }
        // Equal areas mean no two fill triangles overlap (an overlap would add area).
        #expect(front.count == 6 && front.area == 3, "\(front) \(back)")
        #expect(back.count == 14 && back.area == 16)
        #expect(MeshTopology.analyze(TriangleSoup(positions: mesh.positions, indices: mesh.corners)).isWatertight)
    }
}
