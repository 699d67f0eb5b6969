import Testing
import PolyforgeCore
import PolyforgeMesh
import PolyforgeTopology

@Suite struct MeshTopologyTests {
    /// A unit cube as 8 shared corners and 12 outward triangles.
    static let cube = TriangleSoup(
        positions: [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1],
        indices: [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3])

    @Test func closedCubeIsWatertightAndConsistent() {
        let r = MeshTopology.analyze(Self.cube)
        #expect(r.triangles == 12 && r.vertices == 8 && r.edges == 18)
        #expect(r.boundaryEdges == 0 && r.nonManifoldEdges == 0 && r.nonManifoldVertices == 0)
        #expect(r.isWatertight && r.isWindingConsistent)
        #expect(r.components == 1 && r.boundaryLoops == 0 && r.degenerateFaces == 0 && r.duplicateFaces == 0)
    }

    @Test func openCubeHasOneHoleOfFourEdges() {
        var soup = Self.cube
        soup.indices.removeSubrange(6..<12) // drop the top face (z = 1)
        let r = MeshTopology.analyze(soup)
        #expect(r.boundaryEdges == 4 && r.boundaryLoops == 1 && !r.isWatertight)
        #expect(r.components == 1)
    }

    @Test func flippedFaceMakesWindingInconsistent() {
        var soup = Self.cube
        soup.indices.swapAt(1, 2)
        let r = MeshTopology.analyze(soup)
        #expect(!r.isWindingConsistent)
        #expect(r.inconsistentEdges == 3)
        #expect(r.isWatertight)
    }

    @Test func threeFacesOnOneEdgeAndABowTie() {
        // Edge 0-1 carries three triangles; vertex 0 also joins a second, separate fan (a bow-tie).
        let soup = TriangleSoup(
            positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, -1, 0, 0, -1, -1, 0],
            indices: [0, 1, 2, 1, 0, 3, 0, 1, 4, 0, 5, 6])
        let r = MeshTopology.analyze(soup)
        #expect(r.nonManifoldEdges == 1)
        #expect(r.boundaryEdges == 6 + 3)
        #expect(r.nonManifoldVertices == 2) // vertex 0 and vertex 1
        #expect(r.components == 4)          // three-face edges do not join faces (trimesh's rule)
    }

    @Test func degenerateAndDuplicateFacesAreCounted() {
        let soup = TriangleSoup(
            positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0],
            indices: [0, 1, 2, 2, 1, 0, 0, 0, 1, 0, 1, 3])
        let r = MeshTopology.analyze(soup)
        #expect(r.duplicateFaces == 1)    // back-to-back twin of face 0
        #expect(r.degenerateFaces == 2)   // repeated index, and collinear 0-1-3
    }

    @Test func weldingJoinsASoupIntoOneSurface() {
        // The cube as an STL would store it: three unshared vertices per triangle.
        var positions: [Float] = []
        for i in Self.cube.indices { let v = Int(i); positions += Self.cube.positions[3 * v..<3 * v + 3] }
        let soup = TriangleSoup(positions: positions, indices: (0..<UInt32(36)).map { $0 })
        #expect(MeshTopology.analyze(soup).components == 12)
        let (welded, _, unique) = MeshTopology.weldPositions(soup, tolerance: 0)
        #expect(unique == 8)
        let r = MeshTopology.analyze(welded)
        #expect(r.isWatertight && r.components == 1 && r.vertices == 8)
    }

    @Test func weldToleranceMergesNearVerticesOnly() {
        let p: [Float] = [0, 0, 0, 0.0004, 0, 0, 0.002, 0, 0, -0.0, 0, 0]
        var remap = [UInt32](repeating: 9, count: 4)
        #expect(pf_weld(p, 4, 3, 0.001, nil, 0, 0, 0, &remap) == 2)
        #expect(remap == [0, 0, 2, 0])
        // Attributes keep a seam apart: same position, different UV.
        let uv: [Float] = [0, 0, 0.5, 0.5, 0, 0, 0, 0]
        #expect(pf_weld(p, 4, 3, 0.001, uv, 2, 2, 1e-6, &remap) == 3)
        #expect(remap == [0, 1, 2, 0])
    }
}
