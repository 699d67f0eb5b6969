import Testing
import PolyforgeMesh
import PolyforgeSimplify
import PolyforgeTopology

@Suite struct SurfaceDistanceTests {
    static func plane(_ n: Int, z: Float) -> TriangleSoup {
        var p: [Float] = [], idx: [UInt32] = []
        for j in 0...n { for i in 0...n { p += [Float(i) / Float(n), Float(j) / Float(n), z] } }
        for j in 0..<n {
            for i in 0..<n {
                let a = UInt32(j * (n + 1) + i), b = a + 1, c = a + UInt32(n + 1), d = c + 1
                idx += [a, b, d, a, d, c]
            }
        }
        return TriangleSoup(positions: p, indices: idx)
    }

    @Test func meshAgainstItselfIsZero() throws {
        let a = Self.plane(10, z: 0)
        let d = try #require(SurfaceDistance.measure(a, a, samples: 5_000))
        #expect(d.max == 0 && d.mean == 0)
        #expect(d.samplesA == 121 + 5_000 && d.samplesB == d.samplesA)
    }

    @Test func displacedCopyIsTheDisplacement() throws {
        let a = Self.plane(10, z: 0), b = Self.plane(7, z: 0.01)
        let d = try #require(SurfaceDistance.measure(a, b, samples: 5_000))
        #expect(abs(d.max - 0.01) < 1e-6 && abs(d.mean - 0.01) < 1e-6)
        #expect(abs(d.maxAToB - 0.01) < 1e-6 && abs(d.maxBToA - 0.01) < 1e-6)
        #expect(abs(d.diagonal - 2.0.squareRoot()) < 1e-6)
        #expect(abs(d.relativeMax - 0.01 / 2.0.squareRoot()) < 1e-6)
    }

    @Test func oneWayGapShowsInTheMax() throws {
        // B covers only half of A: from A's far half the distance grows to 0.5, from B it is 0.
        let a = Self.plane(4, z: 0)
        var b = Self.plane(4, z: 0)
        b.positions = b.positions.enumerated().map { $0.offset % 3 == 0 ? $0.element * 0.5 : $0.element }
        let d = try #require(SurfaceDistance.measure(a, b, samples: 1_000))
        #expect(abs(d.maxAToB - 0.5) < 1e-6)
        #expect(d.maxBToA < 1e-6)
        #expect(d.max == d.maxAToB)
    }
}
