import Testing
import PolyforgeMesh
@testable import PolyforgeFormats

@Suite struct PLYTests {
    struct BigEndianWriter {
        var bytes: [UInt8] = []
        mutating func u8(_ v: UInt8) { bytes.append(v) }
        mutating func i16(_ v: Int16) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
        mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
        mutating func f32(_ v: Float) { u32(v.bitPattern) }
        mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.bigEndian) { bytes += $0 } }
    }

    static let bigEndianHeader = """
    ply
    format binary_big_endian 1.0
    comment made by hand
    element vertex 4
    property double x
    property float y
    property int16 z
    property uchar red
    property uchar green
    property uchar blue
    property float quality
    property list uchar int neighbours
    element face 2
    property uchar flags
    property list uchar uint vertex_indices
    property list uchar float texcoord
    element material 1
    property list int short junk
    property float shininess
    end_header

    """

    static func bigEndianFile(faceIndex: UInt32 = 3) -> [UInt8] {
        var w = BigEndianWriter()
        w.bytes = Array(bigEndianHeader.utf8)
        let vertices: [(Double, Float, Int16, UInt8, Float)] = [(0, 0, 0, 255, 0.5), (1, 0, 0, 0, 1.5), (1, 1, 2, 51, 2.5), (0, 1, -2, 102, 3.5)]
        for (x, y, z, red, quality) in vertices {
            w.f64(x); w.f32(y); w.i16(z)
            w.u8(red); w.u8(0); w.u8(255)
            w.f32(quality)
            w.u8(2); w.i32(7); w.i32(8)
        }
        // A quad (triangulated) and a triangle, each with a flag and a wedge-texcoord list to skip.
        w.u8(1); w.u8(4); w.u32(0); w.u32(1); w.u32(2); w.u32(faceIndex); w.u8(2); w.f32(0.5); w.f32(0.5)
        w.u8(0); w.u8(3); w.u32(2); w.u32(1); w.u32(0); w.u8(0)
        w.i32(3); w.i16(1); w.i16(2); w.i16(3); w.f32(9)
        return w.bytes
    }

    @Test func bigEndianWithExtraPropertiesAndElements() throws {
        let scene = try parseBytes(Self.bigEndianFile(), .ply).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.positions == [0, 0, 0, 1, 0, 0, 1, 1, 2, 0, 1, -2])
        #expect(p.indices == [0, 1, 2, 0, 2, 3, 2, 1, 0])
        let colors = try #require(p.stream(.color(0)))
        #expect(colors.components == 3)
        #expect(colors.data == [1, 0, 1, 0, 0, 1, 0.2, 0, 1, 0.4, 0, 1])
        #expect(p.stream(.custom("quality"))?.data == [0.5, 1.5, 2.5, 3.5])
        #expect(p.stream(.custom("quality"))?.components == 1)
        #expect(p.streams.count == 3)
    }

    @Test func asciiWithNormalsUVsAndPolygons() throws {
        let scene = try parseText("""
        ply
        format ascii 1.0
        element vertex 4
        property float x
        property float y
        property float z
        property float nx
        property float ny
        property float nz
        property float s
        property float t
        property uchar red
        property uchar green
        property uchar blue
        property uchar alpha
        element face 1
        property list uchar int vertex_index
        end_header
        0 0 0 0 0 1 0 0 255 0 0 255
        1 0 0 0 0 1 1 0 0 255 0 255
        1 1 0 0 0 1 1 1 0 0 255 0
        0 1 0 0 0 1 0 0.25 255 255 255 255
        4 0 1 2 3
        """, .ply).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.indices == [0, 1, 2, 0, 2, 3])
        #expect(p.stream(.normal)?.data == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1])
        #expect(p.stream(.texcoord(0))?.data == [0, 1, 1, 1, 1, 0, 0, 0.75])
        #expect(p.stream(.color(0))?.components == 4)
        #expect(p.stream(.color(0))?.data[8..<12] == [0, 0, 1, 0])
    }

    @Test func pointCloudHasPointIndices() throws {
        let scene = try parseText("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n4 5 6\n", .ply).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.mode == .points)
        #expect(p.indices == [0, 1])
    }

    @Test func textureFileComment() throws {
        let folder = TestPaths.temporaryDirectory("ply-texture")
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2]
        TestPaths.write(jpeg, to: folder + "/skin.jpg")
        let body = "ply\nformat ascii 1.0\ncomment TextureFile skin.jpg\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nproperty float u\nproperty float v\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0 0 0\n1 0 0 1 0\n0 1 0 0 1\n3 0 1 2\n"
        TestPaths.write(body, to: folder + "/a.ply")
        let scene = try SceneIO.read(folder + "/a.ply").scene
        #expect(scene.images.first?.data == jpeg)
        #expect(scene.images.first?.mimeType == "image/jpeg")
        #expect(scene.materials.first?.baseColorTexture?.texture == 0)
        #expect(scene.meshes[0].primitives[0].material == 0)
        TestPaths.write(body.replacingOccurrences(of: "skin.jpg", with: "gone.jpg"), to: folder + "/b.ply")
        let missing = try SceneIO.read(folder + "/b.ply").scene
        #expect(missing.images.isEmpty)
        #expect(missing.warnings.contains { $0.contains("gone.jpg") })
    }

    @Test func brokenInputs() {
        // 4 billion vertices in a few bytes: rejected before allocating.
        let huge = parseError("ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n\0\0\0\0", .ply)
        #expect(huge?.location == .line(3))
        #expect(huge?.reason.contains("4000000000") == true)
        let file = Self.bigEndianFile()
        #expect(parseError(bytes: Array(file.dropLast(30)), .ply) != nil)
        #expect(parseError(bytes: Array(file.dropLast(30)), .ply)?.reason.contains("more than the file holds") == true)
        // Cut after the face count byte of the second face: its indices are missing.
        let cut = parseError(bytes: Array(file.dropLast(14 + 1 + 12)), .ply)
        #expect(cut?.reason.contains("face 1 declares 3 vertices") == true)
        #expect(parseError(bytes: Array(file.prefix(Self.bigEndianHeader.utf8.count + 20)), .ply)?.reason.contains("element 'vertex' declares 4 records") == true)
        let outOfRange = parseError(bytes: Self.bigEndianFile(faceIndex: 4), .ply)
        #expect(outOfRange?.reason.contains("face 0 refers to vertex 4") == true)
        #expect(parseError("plyx\n", .ply)?.location == .byteOffset(0))
        #expect(parseError("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 oops\n", .ply)?.location == .line(8))
        #expect(parseError("ply\nformat ascii 1.0\nelement vertex 1\nproperty quad x\nend_header\n", .ply)?.location == .line(4))
        #expect(parseError("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n", .ply) != nil)
        // A list count larger than the rest of the file.
        var w = BigEndianWriter()
        w.bytes = Array("ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n".utf8)
        for _ in 0..<9 { w.f32(0) }
        w.u32(0xFFFF_FFF0)
        #expect(parseError(bytes: w.bytes, .ply)?.reason.contains("more than the file holds") == true)
    }

    @Test func writerRoundTrip() throws {
        let source = try SceneIO.read(TestPaths.asset("mesh/capsule.obj")).scene
        var scene = source
        let n = scene.meshes[0].primitives[0].vertexCount
        scene.meshes[0].primitives[0].streams.append(VertexStream(.color(0), components: 4, data: (0..<(4 * n)).map { Float($0 % 4) / 3 }))
        let bytes = PLYWriter.encode(scene)
        let back = try parseBytes(bytes, .ply).scene.meshes[0].primitives[0]
        let a = source.meshes[0].primitives[0]
        #expect(back.triangleCount == a.triangleCount)
        #expect(back.indices == a.indices)
        #expect(back.positions == a.positions)
        #expect(back.stream(.normal)?.data == a.stream(.normal)?.data)
        let uvA = try #require(a.stream(.texcoord(0))?.data), uvB = try #require(back.stream(.texcoord(0))?.data)
        #expect(zip(uvA, uvB).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(back.stream(.color(0))?.data[0..<4] == [0, 85 / Float(255), 170 / Float(255), 1])
        #expect(String(decoding: bytes.prefix(40), as: UTF8.self).contains("binary_little_endian"))
    }

    @Test func writerMergesPrimitivesWithOffsets() throws {
        let chair = try SceneIO.read(TestPaths.asset("mesh/chair_model.obj")).scene
        let back = try parseBytes(PLYWriter.encode(chair), .ply).scene
        #expect(back.drawnTriangleCount == 12756)
        #expect(back.drawnVertexCount == 11250)
        let last = chair.meshes.last!.primitives.last!
        let p = back.meshes[0].primitives[0]
        let lastIndex = Int(p.indices[p.indices.count - 1])
        let expected = Int(last.indices.last!)
        #expect(p.positions[3 * lastIndex] == last.positions[3 * expected])
    }
}
