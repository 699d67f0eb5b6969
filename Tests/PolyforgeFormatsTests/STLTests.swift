import Testing
import PolyforgeMesh
@testable import PolyforgeFormats

@Suite struct STLTests {
    /// A binary STL whose 80-byte header starts with "solid", as many exporters write it.
    static func binarySTL(_ triangles: [[Float]]) -> [UInt8] {
        var out = Array("solid exported by a CAD tool".utf8)
        out += [UInt8](repeating: 0, count: 80 - out.count)
        out.appendLE(UInt32(triangles.count))
        for t in triangles {
            for _ in 0..<3 { out.appendFloatLE(0) }
            for v in t { out.appendFloatLE(v) }
            out.appendLE(UInt16(0))
        }
        return out
    }

    @Test func binaryWithSolidHeader() throws {
        let data = Self.binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 1, 1, 0, 1, 0.5, 1, 1]])
        let p = try parseBytes(data, .stl).scene.meshes[0].primitives[0]
        #expect(p.positions == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0.5, 1, 1])
        #expect(p.indices == [0, 1, 2, 3, 4, 5])
        #expect(p.streams.map(\.semantic) == [.position])
    }

    @Test func ascii() throws {
        let scene = try parseText("""
        solid part
          facet normal 0 0 1
            outer loop
              vertex 0 0 0
              vertex 1 0 0
              vertex 0 1 0
            endloop
          endfacet
          facet normal 0 0 0
            outer loop
              vertex 1 0 0
              vertex 1 1 0
              vertex 0 1 0
              vertex -1 0.5 0
            endloop
          endfacet
        endsolid part
        """, .stl).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.triangleCount == 3)
        #expect(p.positions[9..<18] == [1, 0, 0, 1, 1, 0, 0, 1, 0])
        #expect(p.positions[18..<27] == [1, 0, 0, 0, 1, 0, -1, 0.5, 0])
        #expect(p.indices == Array(0..<9))
    }

    @Test func sharedAssets() throws {
        for (file, triangles) in [("mesh/busted.STL", 3878), ("mesh/featuretype.STL", 3476), ("mesh/soup.stl", 100)] {
            let scene = try SceneIO.read(TestPaths.asset(file)).scene
            #expect(scene.drawnTriangleCount == triangles, "\(file)")
            #expect(scene.drawnVertexCount == 3 * triangles, "\(file)")
        }
    }

    @Test func brokenInputs() {
        let data = Self.binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 1, 1, 0, 1, 0.5, 1, 1]])
        let truncated = parseError(bytes: Array(data.dropLast(7)), .stl)
        #expect(truncated?.location == .byteOffset(data.count - 7))
        #expect(truncated?.reason.contains("truncated") == true)
        var huge = data
        huge.replaceSubrange(80..<84, with: [0xFF, 0xFF, 0xFF, 0xFF])
        huge[0] = 0x78
        #expect(parseError(bytes: huge, .stl)?.reason.contains("4294967295") == true)
        #expect(parseError(bytes: [1, 2, 3], .stl) != nil)
        #expect(parseError("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0\n", .stl)?.location == .line(5))
        #expect(parseError("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\n", .stl) != nil)
    }

    @Test func writerRoundTripWithComputedNormals() throws {
        var scene = try SceneIO.read(TestPaths.asset("mesh/fandisk.obj")).scene
        scene.nodes[0].translation = [10, 0, 0]
        let data = STLWriter.encode(scene)
        #expect(data.count == 84 + 50 * 5750)
        #expect(!data.starts(with: Array("solid".utf8)))
        // First facet: its normal is the normalised cross product of its edges.
        let back = try parseBytes(data, .stl).scene.meshes[0].primitives[0]
        let source = scene.meshes[0].primitives[0]
        #expect(back.triangleCount == 5750)
        let i0 = Int(source.indices[0])
        #expect(back.positions[0] == source.positions[3 * i0] + 10)
        #expect(back.positions[1] == source.positions[3 * i0 + 1])
        let floats: [Float] = data.withUnsafeBytes { b in (0..<12).map { b.loadFloatLE(84 + 4 * $0) } }
        let n = Array(floats[0..<3]), v = Array(floats[3..<12])
        let e1: [Float] = [v[3] - v[0], v[4] - v[1], v[5] - v[2]]
        let e2: [Float] = [v[6] - v[0], v[7] - v[1], v[8] - v[2]]
        var c: [Float] = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]]
        let length: Float = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).squareRoot()
        c = c.map { $0 / length }
        #expect(zip(n, c).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(length > 0)
    }
}
