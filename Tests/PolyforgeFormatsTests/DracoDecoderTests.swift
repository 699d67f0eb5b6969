import Foundation
import Testing
@testable import PolyforgeFormats

/// Reads a .gltf by hand (JSONSerialization), so these tests depend on nothing but DracoDecoder.
private struct GLTFFixture {
    let json: [String: Any]
    let directory: String

    init(_ relative: String) throws {
        let path = TestPaths.asset(relative)
        json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        directory = (path as NSString).deletingLastPathComponent
    }

    var primitive: [String: Any] {
        let meshes = json["meshes"] as! [[String: Any]]
        return (meshes[0]["primitives"] as! [[String: Any]])[0]
    }

    var dracoExtension: [String: Any] {
        (primitive["extensions"] as! [String: Any])["KHR_draco_mesh_compression"] as! [String: Any]
    }

    /// The extension's `attributes` map as DracoDecoder wants it.
    var dracoAttributes: [(name: String, uniqueID: Int, normalized: Bool)] {
        (dracoExtension["attributes"] as! [String: Int]).sorted { $0.key < $1.key }.map { ($0.key, $0.value, false) }
    }

    func bufferViewBytes(_ index: Int) throws -> [UInt8] {
        let view = (json["bufferViews"] as! [[String: Any]])[index]
        let buffer = (json["buffers"] as! [[String: Any]])[view["buffer"] as! Int]
        let bin = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + (buffer["uri"] as! String)))
        let offset = view["byteOffset"] as? Int ?? 0
        let length = view["byteLength"] as! Int
        return [UInt8](bin[offset..<(offset + length)])
    }

    func accessorBounds(_ index: Int) -> (min: [Double], max: [Double]) {
        let accessor = (json["accessors"] as! [[String: Any]])[index]
        return ((accessor["min"] as! [NSNumber]).map(\.doubleValue), (accessor["max"] as! [NSNumber]).map(\.doubleValue))
    }
}

private func decode(_ bytes: [UInt8], _ attributes: [(name: String, uniqueID: Int, normalized: Bool)]) throws(FormatError) -> DracoMesh {
    let result: Result<DracoMesh, FormatError> = bytes.withUnsafeBytes { raw in
        Result { () throws(FormatError) in try DracoDecoder.decode(raw, attributes: attributes, fileName: "test.gltf", path: "meshes[0].primitives[0].extensions.KHR_draco_mesh_compression") }
    }
    return try result.get()
}

private func bounds(_ data: [Float], components: Int) -> (min: [Float], max: [Float]) {
    var lo = [Float](repeating: .infinity, count: components), hi = [Float](repeating: -.infinity, count: components)
    for i in 0..<data.count { lo[i % components] = min(lo[i % components], data[i]); hi[i % components] = max(hi[i % components], data[i]) }
    return (lo, hi)
}

@Suite struct DracoDecoderTests {
    @Test func boxDecodesToTwelveTrianglesAndTwentyFourPoints() throws {
        let gltf = try GLTFFixture("gltf/Box-draco/Box.gltf")
        let bytes = try gltf.bufferViewBytes(gltf.dracoExtension["bufferView"] as! Int)
        let mesh = try decode(bytes, gltf.dracoAttributes)
        #expect(mesh.indices.count == 36)
        #expect(mesh.vertexCount == 24)
        #expect(mesh.indices.allSatisfy { $0 < 24 })
        let position = try #require(mesh.streams["POSITION"])
        let normal = try #require(mesh.streams["NORMAL"])
        #expect(position.components == 3 && position.data.count == 72)
        #expect(normal.components == 3 && normal.data.count == 72)
        // Box.glb holds the same cube at ±0.5; Draco's quantization may overshoot by its step (the accessor says 0.50049).
        #expect(position.data.allSatisfy { abs($0) <= 0.5 + 1e-3 })
        #expect(position.data.contains { abs($0) > 0.49 })
        for p in 0..<24 {
            let n = normal.data[(p * 3)..<(p * 3 + 3)]
            let length = (n.map { $0 * $0 }.reduce(0, +)).squareRoot()
            #expect(abs(length - 1) < 1e-2)
        }
        // Every face is axis-aligned: each triangle's three positions share one coordinate.
        for t in 0..<12 {
            let corners = (0..<3).map { Int(mesh.indices[t * 3 + $0]) }
            let shared = (0..<3).contains { axis in Set(corners.map { position.data[$0 * 3 + axis] }).count == 1 }
            #expect(shared)
        }
    }

    @Test func avocadoMatchesThePlainFilesBounds() throws {
        let draco = try GLTFFixture("gltf/Avocado-glTF-Draco/Avocado.gltf")
        let plain = try GLTFFixture("gltf/Avocado-glTF/Avocado.gltf")
        let bytes = try draco.bufferViewBytes(draco.dracoExtension["bufferView"] as! Int)
        let mesh = try decode(bytes, draco.dracoAttributes)
        #expect(mesh.indices.count == 682 * 3)
        #expect(mesh.vertexCount == 406)
        #expect(mesh.streams["TEXCOORD_0"]?.components == 2)
        #expect(mesh.streams["NORMAL"]?.components == 3)
        #expect(mesh.streams["TANGENT"]?.components == 4)
        let position = try #require(mesh.streams["POSITION"])
        #expect(position.components == 3 && position.data.count == 406 * 3)
        let decoded = bounds(position.data, components: 3)
        let expected = plain.accessorBounds((plain.primitive["attributes"] as! [String: Int])["POSITION"]!)
        for axis in 0..<3 {
            #expect(abs(Double(decoded.min[axis]) - expected.min[axis]) < 1e-3)
            #expect(abs(Double(decoded.max[axis]) - expected.max[axis]) < 1e-3)
        }
    }

    @Test func garbageAndTruncatedBytesThrow() throws {
        let attributes: [(name: String, uniqueID: Int, normalized: Bool)] = [("POSITION", 0, false)]
        #expect(throws: FormatError.self) { try decode([], attributes) }
        #expect(throws: FormatError.self) { try decode(Array(repeating: 0x5A, count: 200), attributes) }
        #expect(throws: FormatError.self) { try decode(Array("DRACO".utf8) + Array(repeating: 0xFF, count: 64), attributes) }
        let gltf = try GLTFFixture("gltf/Avocado-glTF-Draco/Avocado.gltf")
        let bytes = try gltf.bufferViewBytes(gltf.dracoExtension["bufferView"] as! Int)
        for cut in [5, 11, 40, bytes.count / 3, bytes.count / 2, bytes.count - 50] {
            #expect(throws: FormatError.self) { try decode(Array(bytes[..<cut]), gltf.dracoAttributes) }
        }
        // Flipped bytes must never crash; decoding either fails or yields indices inside the point count.
        for seed in 0..<40 {
            var corrupt = bytes
            for k in 0..<4 { corrupt[(seed * 131 + k * 977) % corrupt.count] ^= UInt8(truncatingIfNeeded: 0x35 &+ seed &* 7 &+ k) }
            if let mesh = try? decode(corrupt, gltf.dracoAttributes) {
                #expect(mesh.indices.allSatisfy { Int($0) < mesh.vertexCount })
            }
        }
    }

    @Test func unknownAttributeIDIsAnErrorWithItsPath() throws {
        let gltf = try GLTFFixture("gltf/Box-draco/Box.gltf")
        let bytes = try gltf.bufferViewBytes(0)
        let error = try #require(throws: FormatError.self) { try decode(bytes, [("POSITION", 1, false), ("TEXCOORD_0", 7, false)]) }
        #expect(error.file == "test.gltf")
        #expect(error.location == .jsonPath("meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.attributes.TEXCOORD_0"))
        #expect(error.reason.contains("unique id 7"))
        #expect(throws: FormatError.self) { try decode(bytes, [("POSITION", -1, false)]) }
    }
}
