#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeMesh

extension Fixtures {
    /// A unit UV sphere around the origin, Y up, wound counter-clockwise seen from outside.
    ///
    /// `segments` columns around, `rings` rows from pole to pole. Triangles: 2·segments·(rings − 1) (one per
    /// segment in each polar ring, two per quad elsewhere). Vertices: (segments + 1)·(rings − 1) + 2·segments —
    /// the seam column is doubled (u = 0 and u = 1) and each pole is one vertex per segment (its own u), all
    /// with bit-identical positions, so welding positions leaves segments·(rings − 1) + 2 vertices and a
    /// closed manifold surface. Default 32 × 16: 960 triangles, 559 vertices.
    public static func uvSphere(segments: Int = 32, rings: Int = 16) -> Scene {
        let grid = SphereGrid(segments: segments, rings: rings)
        var positions = [Float](), normals = [Float](), uvs = [Float]()
        positions.reserveCapacity(grid.vertexCount * 3)
        uvs.reserveCapacity(grid.vertexCount * 2)
        grid.forEachVertex { _, x, y, z, u, v in
            positions += [x, y, z]
            uvs += [u, v]
        }
        normals = positions
        return scene(name: "uv_sphere", positions: positions, normals: normals, uvs: uvs, indices: grid.indices(),
                     material: material("sphere", rgb: (0.8, 0.3, 0.2)))
    }
}

/// The vertex layout and triangulation shared by the sphere-shaped fixtures.
///
/// Vertex order: north pole (one per segment), rings 1…rings−1 (segments + 1 each, the last a copy of the
/// first at u = 1), south pole (one per segment). Triangle order: north cap (one per segment), then per
/// quad ring two per quad (a,b,c), (a,c,d), then the south cap — so triangle ids map back to (ring, segment).
struct SphereGrid {
    let segments: Int
    let rings: Int

    init(segments: Int, rings: Int) {
        precondition(segments >= 3 && rings >= 2, "a sphere needs at least 3 segments and 2 rings")
        self.segments = segments
        self.rings = rings
    }

    var vertexCount: Int { (segments + 1) * (rings - 1) + 2 * segments }
    var triangleCount: Int { 2 * segments * (rings - 1) }

    func northPole(_ j: Int) -> Int { j }
    func ringVertex(_ i: Int, _ j: Int) -> Int { segments + (i - 1) * (segments + 1) + j }
    func southPole(_ j: Int) -> Int { segments + (rings - 1) * (segments + 1) + j }

    /// Index of the first triangle of ring `i` (0 = north cap).
    func firstTriangle(ofRing i: Int) -> Int { i == 0 ? 0 : segments + 2 * segments * (i - 1) }

    /// Calls `body(index, x, y, z, u, v)` for every vertex of the unit sphere in vertex order.
    func forEachVertex(_ body: (Int, Float, Float, Float, Float, Float) -> Void) {
        let s = Float(segments), r = Float(rings)
        var index = 0
        for j in 0..<segments {
            body(index, 0, 1, 0, (Float(j) + 0.5) / s, 0)
            index += 1
        }
        for i in 1..<rings {
            let theta = Float.pi * Float(i) / r
            let sinT = sinf(theta), cosT = cosf(theta)
            for j in 0...segments {
                let phi = 2 * Float.pi * Float(j % segments) / s
                body(index, sinT * cosf(phi), cosT, -sinT * sinf(phi), Float(j) / s, Float(i) / r)
                index += 1
            }
        }
        for j in 0..<segments {
            body(index, 0, -1, 0, (Float(j) + 0.5) / s, 1)
            index += 1
        }
    }

    /// Writes all triangle indices into `out`, which must hold 3 · triangleCount entries.
    func writeIndices(into out: UnsafeMutableBufferPointer<UInt32>) {
        var t = 0
        @inline(__always) func emit(_ a: Int, _ b: Int, _ c: Int) {
            out[t] = UInt32(truncatingIfNeeded: a); out[t + 1] = UInt32(truncatingIfNeeded: b); out[t + 2] = UInt32(truncatingIfNeeded: c)
            t += 3
        }
        for j in 0..<segments { emit(northPole(j), ringVertex(1, j), ringVertex(1, j + 1)) }
        if rings > 2 {
            for i in 1..<(rings - 1) {
                let top = ringVertex(i, 0), bottom = ringVertex(i + 1, 0)
                for j in 0..<segments {
                    let a = top + j, b = bottom + j, c = bottom + j + 1, d = top + j + 1
                    emit(a, b, c)
                    emit(a, c, d)
                }
            }
        }
        for j in 0..<segments { emit(ringVertex(rings - 1, j), southPole(j), ringVertex(rings - 1, j + 1)) }
    }

    func indices() -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: triangleCount * 3) { buffer, count in
            writeIndices(into: buffer)
            count = triangleCount * 3
        }
    }
}
