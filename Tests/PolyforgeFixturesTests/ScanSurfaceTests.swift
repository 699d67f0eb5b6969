#if canImport(Glibc)
import Glibc
#endif
import PolyforgeMesh
import Testing
@testable import PolyforgeFixtures

@Suite struct ScanSurfaceTests {
    @Test(arguments: [1_000_000, 4_000_000])
    func benchmarkSizesAreExact(triangles: Int) {
        let (segments, rings) = ScanSurface.gridSize(forTriangles: triangles)
        #expect(2 * segments * (rings - 1) == triangles)
    }

    @Test(arguments: [2_000, 5_000, 12_345, 99_999, 250_001, 1_000_003, 3_999_971, 10_000_000, 25_000_001])
    func anyCountIsWithinHalfAPercent(triangles: Int) {
        let (segments, rings) = ScanSurface.gridSize(forTriangles: triangles)
        let made = 2 * segments * (rings - 1)
        #expect(abs(Double(made - triangles)) / Double(triangles) <= 0.002, "\(made) for \(triangles)")
        #expect(Double(segments) / Double(rings - 1) > 1.2 && Double(segments) / Double(rings - 1) < 3.2)
    }

    @Test func generatedCountMatchesTheGrid() {
        let scene = ScanSurface.generate(triangles: 30_001, seed: 3)
        let primitive = onlyPrimitive(scene)
        let (segments, rings) = ScanSurface.gridSize(forTriangles: 30_001)
        #expect(primitive.triangleCount == 2 * segments * (rings - 1))
        #expect(abs(primitive.triangleCount - 30_001) <= 150)
        #expect(primitive.vertexCount == (segments + 1) * (rings - 1) + 2 * segments)
    }

    @Test func sameSeedIsBitIdenticalAndOtherSeedsDiffer() {
        let a = onlyPrimitive(ScanSurface.generate(triangles: 20_000, seed: 42))
        let b = onlyPrimitive(ScanSurface.generate(triangles: 20_000, seed: 42))
        let c = onlyPrimitive(ScanSurface.generate(triangles: 20_000, seed: 43))
        #expect(a.indices == b.indices)
        for (x, y) in zip(a.streams, b.streams) { #expect(x.data.map(\.bitPattern) == y.data.map(\.bitPattern)) }
        #expect(a.positions != c.positions)
    }

    @Test func isClosedManifoldAndFinite() {
        let primitive = onlyPrimitive(ScanSurface.generate(triangles: 20_000, seed: 7))
        let (segments, rings) = ScanSurface.gridSize(forTriangles: 20_000)
        expectClosedManifold(primitive, euler: 2, weldedVertices: segments * (rings - 1) + 2)
        #expect(primitive.streams.allSatisfy { $0.data.allSatisfy(\.isFinite) })
        let uv = primitive.stream(.texcoord(0))!.data
        #expect(uv.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Neighbouring faces bend against each other everywhere and the normals stray far from the sphere's.
    @Test func isReallyCurved() {
        let primitive = onlyPrimitive(ScanSurface.generate(triangles: 50_000, seed: 11))
        let p = primitive.positions, idx = primitive.indices, n = primitive.stream(.normal)!.data
        let faceCount = idx.count / 3
        var faceNormals = [Float](repeating: 0, count: faceCount * 3)
        for f in 0..<faceCount {
            let a = 3 * Int(idx[3 * f]), b = 3 * Int(idx[3 * f + 1]), c = 3 * Int(idx[3 * f + 2])
            let e1 = (p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2])
            let e2 = (p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2])
            var x = e1.1 * e2.2 - e1.2 * e2.1, y = e1.2 * e2.0 - e1.0 * e2.2, z = e1.0 * e2.1 - e1.1 * e2.0
            let l = (x * x + y * y + z * z).squareRoot()
            x /= l; y /= l; z /= l
            faceNormals[3 * f] = x; faceNormals[3 * f + 1] = y; faceNormals[3 * f + 2] = z
        }
        // The two triangles of each quad are neighbours: (a,b,c) and (a,c,d), faces 2k and 2k+1 past the cap.
        let (segments, _) = ScanSurface.gridSize(forTriangles: 50_000)
        var angles: [Float] = []
        for f in stride(from: segments, to: faceCount - segments, by: 2) {
            let dot = faceNormals[3 * f] * faceNormals[3 * f + 3] + faceNormals[3 * f + 1] * faceNormals[3 * f + 4]
                + faceNormals[3 * f + 2] * faceNormals[3 * f + 5]
            angles.append(acosf(min(1, max(-1, dot))) * 180 / .pi)
        }
        angles.sort()
        let medianDihedral = angles[angles.count / 2]
        #expect(medianDihedral > 0.5, "median dihedral \(medianDihedral)°")

        // Angle between each vertex normal and its radial direction: a sphere would give 0 everywhere.
        var deviations: [Float] = []
        for v in stride(from: 0, to: p.count, by: 3) {
            let l = (p[v] * p[v] + p[v + 1] * p[v + 1] + p[v + 2] * p[v + 2]).squareRoot()
            let dot = (p[v] * n[v] + p[v + 1] * n[v + 1] + p[v + 2] * n[v + 2]) / l
            deviations.append(acosf(min(1, max(-1, dot))) * 180 / .pi)
        }
        deviations.sort()
        let medianDeviation = deviations[deviations.count / 2]
        #expect(medianDeviation > 5, "median normal deviation \(medianDeviation)°")
        #expect(deviations[deviations.count * 99 / 100] < 90, "normals must not point inwards")

        // A closed blob's normals point every way: their mean nearly cancels.
        var mean: (Float, Float, Float) = (0, 0, 0)
        for v in stride(from: 0, to: n.count, by: 3) { mean.0 += n[v]; mean.1 += n[v + 1]; mean.2 += n[v + 2] }
        let count = Float(n.count / 3)
        let resultant = ((mean.0 * mean.0 + mean.1 * mean.1 + mean.2 * mean.2).squareRoot()) / count
        #expect(resultant < 0.1, "mean normal length \(resultant)")
    }
}
