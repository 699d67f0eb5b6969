import Testing
import PolyforgeMesh
@testable import PolyforgeFormats

@Suite struct OFFTests {
    @Test func coloredOFFWithQuadAndFaceColors() throws {
        let scene = try parseText("""
        OFF
        # a unit square and a triangle, vertex colours as 0-255 integers
        5 2 0
        0 0 0 255 0 0
        1 0 0 0 255 0
        1 1 0 0 0 255 128

        0 1 0 255 255 255
        2 2 0
        4 0 1 2 3 200 10 10
        3 1 4 2
        """, .off).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.positions == [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 2, 0])
        #expect(p.indices == [0, 1, 2, 0, 2, 3, 1, 4, 2])
        let colors = try #require(p.stream(.color(0)))
        #expect(colors.components == 4)
        #expect(colors.data[0..<4] == [1, 0, 0, 1])
        #expect(colors.data[8..<12] == [0, 0, 1, 128 / Float(255)])
        // The fifth vertex had no colour: white.
        #expect(colors.data[16..<20] == [1, 1, 1, 1])
    }

    @Test func variantsAndCountsOnTheHeaderLine() throws {
        let noff = try parseText("NOFF 3 1 0\n0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 0 0 1\n3 0 1 2\n", .off).scene.meshes[0].primitives[0]
        #expect(noff.stream(.normal)?.data == [0, 0, 1, 0, 0, 1, 0, 0, 1])
        let coff = try parseText("COFF\n3 1\n0 0 0 0.5 0.5 0.5 1\n1 0 0 1 1 1 1\n0 1 0 0 0 0 0.25\n3 0 1 2\n", .off).scene.meshes[0].primitives[0]
        #expect(coff.stream(.color(0))?.data == [0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 0, 0, 0, 0.25])
        let st = try parseText("STOFF\n3 1 0\n0 0 0 0 0\n1 0 0 1 0\n0 1 0 0 0.25\n3 0 1 2\n", .off).scene.meshes[0].primitives[0]
        #expect(st.stream(.texcoord(0))?.data == [0, 1, 1, 1, 0, 0.75])
    }

    @Test func brokenInputs() {
        #expect(parseError("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", .off)?.location == .line(6))
        #expect(parseError("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", .off)?.reason.contains("face 0") == true)
        #expect(parseError("OFF\n4000000000 1 0\n0 0 0\n", .off)?.reason.contains("4000000000") == true)
        #expect(parseError("OFF\n3 1 0\n0 0 0\n1 0 0\n", .off) != nil)
        #expect(parseError("OFF\n3 1 0\n0 0 0\n1 zero 0\n0 1 0\n3 0 1 2\n", .off)?.location == .line(4))
        #expect(parseError("PLY\n", .off)?.location == .byteOffset(0))
        #expect(parseError("OFF BINARY\n1 0 0\n", .off) != nil)
    }
}
