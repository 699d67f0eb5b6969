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

    /// The spatial hash against the definition, brute force: each vertex merges into the first earlier
    /// representative within tolerance (per axis) whose attributes match. Clusters of near copies straddle cell
    /// sides; a small tolerance uses wide cells (32 x), a large one narrow cells (8 x), so both paths are covered.
    @Test(arguments: [Float(1e-4), 0.01])
    func weldAgreesWithBruteForce(tolerance: Float) {
        var state: UInt64 = 12345
        func random() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        var positions: [Float] = [], uvs: [Float] = []
        for _ in 0..<1500 {
            let base = (random(), random(), random())
            for copy in 0..<3 {
                let jitter = { (random() - 0.5) * 3 * tolerance }
                positions += copy == 0 ? [base.0, base.1, base.2] : [base.0 + jitter(), base.1 + jitter(), base.2 + jitter()]
                uvs += [random() < 0.5 ? 0 : 1, 0]
            }
        }
        let n = positions.count / 3
        func reference(_ attributes: [Float]?) -> [UInt32] {
            var remap = [UInt32](repeating: 0, count: n)
            var representatives: [Int] = []
            for i in 0..<n {
                remap[i] = UInt32(i)
                for r in representatives where (0..<3).allSatisfy({ abs(positions[3 * r + $0] - positions[3 * i + $0]) <= tolerance }) &&
                    (attributes.map { $0[2 * r] == $0[2 * i] && $0[2 * r + 1] == $0[2 * i + 1] } ?? true) {
                    remap[i] = UInt32(r)
                    break
                }
                if remap[i] == UInt32(i) { representatives.append(i) }
            }
            return remap
        }
        var remap = [UInt32](repeating: 0, count: n)
        let unique = pf_weld(positions, n, 3, tolerance, nil, 0, 0, 0, &remap)
        let expected = reference(nil)
        #expect(remap == expected)
        #expect(unique == expected.enumerated().filter { $0.offset == Int($0.element) }.count)
        #expect(unique < n && unique > 1500)  // the case is not trivial: some copies merge, some do not

        // With attributes: the same in one pass, or as a refinement of the point weld (what Weld does).
        let withUV = reference(uvs)
        #expect(pf_weld(positions, n, 3, tolerance, uvs, 2, 2, 0, &remap) > unique)
        #expect(remap == withUV)
        // The refinement splits each point's vertices; it need not equal the one-pass weld (which may pick a
        // representative of another point), but it must keep every vertex on its point with matching UVs.
        let points = expected
        var refined = [UInt32](repeating: 0, count: n)
        _ = pf_weld_refine(points, n, uvs, 2, 2, 0, &refined)
        for i in 0..<n {
            let r = Int(refined[i])
            #expect(r <= i && points[r] == points[i] && uvs[2 * r] == uvs[2 * i])
            #expect(refined[r] == UInt32(r))
        }
    }
}
