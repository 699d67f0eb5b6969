import Testing
import PolyforgeMesh
import PolyforgeSimplify

/// UV drift on hand-made planes with exact expected values.
@Suite struct UVDriftTests {
    /// An n x n grid over [0,1]^2 with UVs uv(x, y); with `seamAt`, the columns right of x = seamAt are a second
    /// chart (their own vertices on the seam line, UVs shifted by 0.5 in u), as a UV seam is stored.
    static func plane(_ n: Int, seamAt: Int? = nil, uv: (Float, Float) -> (Float, Float) = { ($0, $1) }) -> Primitive {
        var p: [Float] = [], t: [Float] = [], idx: [UInt32] = []
        func vertex(_ i: Int, _ j: Int, chart: Int) -> UInt32 {
            let x = Float(i) / Float(n), y = Float(j) / Float(n)
            let (u, v) = uv(x, y)
            p += [x, y, 0]
            t += [u + Float(chart) * 0.5, v]
            return UInt32(p.count / 3 - 1)
        }
        var ids: [[Int: UInt32]] = Array(repeating: [:], count: 2)
        func id(_ i: Int, _ j: Int, _ chart: Int) -> UInt32 {
            if let v = ids[chart][j * (n + 1) + i] { return v }
            let v = vertex(i, j, chart: chart)
            ids[chart][j * (n + 1) + i] = v
            return v
        }
        for j in 0..<n {
            for i in 0..<n {
                let chart = seamAt.map { i >= $0 ? 1 : 0 } ?? 0
                let a = id(i, j, chart), b = id(i + 1, j, chart), c = id(i, j + 1, chart), d = id(i + 1, j + 1, chart)
                idx += [a, b, d, a, d, c]
            }
        }
        return Primitive(streams: [VertexStream(.position, components: 3, data: p), VertexStream(.texcoord(0), components: 2, data: t)],
                         indices: idx)
    }

    @Test func samePrimitiveHasNoDrift() throws {
        let a = Self.plane(8)
        let d = try #require(UVDrift.measure(input: a, output: a, samples: 2_000))
        #expect(d.max < 1e-6 && d.mean < 1e-6)
        #expect(d.samples == 81 + 2_000)
    }

    @Test func shiftedUVsDriftByTheShift() throws {
        let a = Self.plane(8), b = Self.plane(5) { ($0 + 0.03, $1 - 0.04) }
        let d = try #require(UVDrift.measure(input: a, output: b, samples: 2_000))
        #expect(abs(d.max - 0.05) < 1e-5 && abs(d.mean - 0.05) < 1e-5 && abs(d.p95 - 0.05) < 1e-5)
    }

    /// Both sides of a seam are in place: sampling along the seam line, the chart that agrees counts.
    @Test func aSeamIsNotADrift() throws {
        let a = Self.plane(8, seamAt: 4), b = Self.plane(4, seamAt: 2)
        #expect(a.vertexCount == 81 + 9)
        let d = try #require(UVDrift.measure(input: a, output: b, samples: 4_000))
        #expect(d.max < 1e-5)
        // A seam that moved is a drift: the band between the old and the new seam line changed chart.
        let moved = Self.plane(4, seamAt: 3)
        let e = try #require(UVDrift.measure(input: a, output: moved, samples: 4_000))
        #expect(abs(e.max - 0.5) < 1e-5)
        #expect(e.mean > 0.1 && e.mean < 0.2)
    }
}
