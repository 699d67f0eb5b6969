import Testing
import PolyforgeMesh
import PolyforgeRepair
import PolyforgeTopology

/// Hand-made meshes with exact expected results, one per step.
@Suite struct RepairStepTests {
    /// A unit cube as 8 shared corners and 12 outward triangles (faces 0-1: z = 0, 2-3: z = 1, ...).
    static let cubePositions: [Float] = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]
    static let cubeIndices: [UInt32] = [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3]

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
        #expect(report.before.components == 12 && report.before.boundaryEdges == 36)
        let primitive = out.meshes[0].primitives[0]
        #expect(primitive.vertexCount == 8 && primitive.triangleCount == 12)
        #expect(report.after.isWatertight && report.after.isManifold && report.after.isWindingConsistent)
        #expect(report.step("weld")?["vertices after"] == 8)
    }

    @Test func weldKeepsUVSeamsUnlessAsked() {
        // Each cube face with its own four corners and UVs (24 vertices), as exporters write it.
        var positions: [Float] = [], uvs: [Float] = [], indices: [UInt32] = []
        for f in 0..<6 {
            var local: [UInt32: UInt32] = [:]
            for v in Self.cubeIndices[(6 * f)..<(6 * f + 6)] {
                if local[v] == nil {
                    let k = local.count
                    local[v] = UInt32(positions.count / 3)
                    positions += Self.cubePositions[(3 * Int(v))..<(3 * Int(v) + 3)]
                    uvs += [Float(k & 1) + Float(f), Float(k >> 1)]
                }
                indices.append(local[v]!)
            }
        }
        let scene = Self.scene(positions: positions, indices: indices, streams: [VertexStream(.texcoord(0), components: 2, data: uvs)])
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
}
