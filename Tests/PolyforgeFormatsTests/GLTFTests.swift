import Foundation
import Testing
import PolyforgeFormats
import PolyforgeMesh

@Suite struct GLTFReaderTests {
    /// (file, triangles, vertices) as in ../shared/assets/README.md (trimesh 5.2: as drawn, per node instance).
    static let inventory: [(String, Int, Int)] = [
        ("ai/hunyuanos_room_3d_tex.glb", 40000, 28036),
        ("ai/trellis_AlexHe1234_sample.glb", 9317, 9519),
        ("ai/trellis_chedinhtrung_sample.glb", 24798, 15834),
        ("gltf/Avocado-glTF-Draco/Avocado.gltf", 682, 406),
        ("gltf/Avocado-glTF-Quantized/Avocado.gltf", 682, 406),
        ("gltf/Avocado-glTF/Avocado.gltf", 682, 406),
        ("gltf/Box-draco/Box.gltf", 12, 24),
        ("gltf/Box.glb", 12, 24),
        ("gltf/FlightHelmet/FlightHelmet.gltf", 94722, 55392),
        ("gltf/Fox.glb", 576, 1728),
        ("gltf/GlamVelvetSofa.glb", 4196, 3118),
        ("gltf/MultiUVTest.glb", 12, 24),
        ("gltf/RiggedFigure.glb", 256, 370),
        ("gltf/SimpleSparseAccessor/SimpleSparseAccessor.gltf", 12, 14),
        ("gltf/Suzanne/Suzanne.gltf", 3936, 11808),
        ("gltf/TextureTransformTest/TextureTransformTest.gltf", 24, 48),
        ("gltf/ToyCar/ToyCar.gltf", 108936, 77429),
    ]

    @Test(arguments: inventory.map { $0.0 })
    func sharedAssetCountsMatchTheInventory(_ file: String) throws {
        let expected = Self.inventory.first { $0.0 == file }!
        let loaded = try SceneIO.read(TestPaths.asset(file))
        #expect(loaded.scene.drawnTriangleCount == expected.1, "\(file) triangles")
        #expect(loaded.scene.drawnVertexCount == expected.2, "\(file) vertices")
    }

    @Test func boxHasNormalsAndTheUnitCubeBounds() throws {
        let scene = try SceneIO.read(TestPaths.asset("gltf/Box.glb")).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.stream(.normal)?.components == 3)
        let b = scene.worldBounds()
        // Box.glb's root node rotates the unit cube; the world bounds stay a unit cube centred on the origin.
        for k in 0..<3 {
            #expect(abs(b.min[k] + 0.5) < 1e-5)
            #expect(abs(b.max[k] - 0.5) < 1e-5)
        }
    }

    @Test func dracoDecodesToTheGeometryOfItsPlainTwin() throws {
        for (plainPath, dracoPath) in [("gltf/Avocado-glTF/Avocado.gltf", "gltf/Avocado-glTF-Draco/Avocado.gltf"),
                                       ("gltf/Box.glb", "gltf/Box-draco/Box.gltf")] {
            let plain = try SceneIO.read(TestPaths.asset(plainPath)).scene
            let draco = try SceneIO.read(TestPaths.asset(dracoPath)).scene
            #expect(draco.drawnTriangleCount == plain.drawnTriangleCount)
            let a = plain.meshes[0].primitives[0], b = draco.meshes[0].primitives[0]
            #expect(a.vertexCount == b.vertexCount)
            #expect(Set(a.streams.map(\.semantic.gltfName)) == Set(b.streams.map(\.semantic.gltfName)))
            let tolerance = plain.worldBounds().diagonal * 2e-3
            // Draco may reorder vertices: every decoded triangle must match a plain one by its corners.
            #expect(Geometry.maxTriangleMismatch(a, b) < tolerance, "\(dracoPath)")
            #expect(Geometry.maxTriangleMismatch(b, a) < tolerance, "\(dracoPath)")
        }
    }

    @Test func quantizedAvocadoMatchesThePlainOneAndKeepsTextureTransform() throws {
        let plain = try SceneIO.read(TestPaths.asset("gltf/Avocado-glTF/Avocado.gltf")).scene
        let quantized = try SceneIO.read(TestPaths.asset("gltf/Avocado-glTF-Quantized/Avocado.gltf")).scene
        let a = plain.meshes[0].primitives[0]
        let tolerance = plain.worldBounds().diagonal * 1e-3
        // Dequantized positions, after the node transform that undoes the quantization scale.
        let flatPlain = SceneFlattener.flatten(plain)[0].primitive
        let flatQuantized = SceneFlattener.flatten(quantized)[0].primitive
        #expect(Geometry.maxTriangleMismatch(flatPlain, flatQuantized) < tolerance)
        #expect(a.vertexCount == flatQuantized.vertexCount)
        #expect(quantized.materials[0].baseColorTexture?.textureTransform != nil)
        #expect(quantized.extensionsRequired.contains("KHR_mesh_quantization"))
    }

    @Test func sparseAccessorOverridesTheBaseValues() throws {
        let scene = try SceneIO.read(TestPaths.asset("gltf/SimpleSparseAccessor/SimpleSparseAccessor.gltf")).scene
        let positions = scene.meshes[0].primitives[0].positions
        // The sample's sparse accessor lifts vertices 8, 10 and 12 to y = 2, 3 and 4 (the base grid is flat at y 0..1).
        #expect(positions[8 * 3 + 1] == 2)
        #expect(positions[10 * 3 + 1] == 3)
        #expect(positions[12 * 3 + 1] == 4)
        #expect(positions[0 * 3 + 1] == 0)
    }

    @Test func stripsAndFansBecomeTriangleLists() throws {
        let scene = try SceneIO.read(TestPaths.asset("gltf/MeshPrimitiveModes/MeshPrimitiveModes.gltf")).scene
        let modes = scene.meshes.flatMap { $0.primitives.map(\.mode) }
        #expect(modes.contains(.points))
        #expect(modes.contains(.lines))
        #expect(!modes.contains { $0.rawValue > 4 })
        #expect(scene.drawnTriangleCount == 16)
        for m in scene.meshes { for p in m.primitives where p.mode == .triangles { #expect(p.indices.count % 3 == 0) } }
    }

    @Test func glbRoundTripKeepsSkinAnimationsAndUVs() throws {
        let dir = TestPaths.temporaryDirectory("fox")
        let original = try SceneIO.read(TestPaths.asset("gltf/Fox.glb")).scene
        try SceneIO.write(original, to: dir + "/fox.glb")
        let again = try SceneIO.read(dir + "/fox.glb").scene
        #expect(again.skins.count == 1)
        #expect(again.skins[0].joints == original.skins[0].joints)
        #expect(again.skins[0].inverseBindMatrices == original.skins[0].inverseBindMatrices)
        #expect(again.animations.count == 3)
        #expect(again.animations.map(\.name) == original.animations.map(\.name))
        for (a, b) in zip(again.animations, original.animations) {
            #expect(a.channels.count == b.channels.count)
            #expect(a.samplers.map(\.output) == b.samplers.map(\.output))
        }
        let p0 = original.meshes[0].primitives[0], p1 = again.meshes[0].primitives[0]
        #expect(p1.stream(.texcoord(0))?.data == p0.stream(.texcoord(0))?.data)
        #expect(p1.stream(.joints(0))?.data == p0.stream(.joints(0))?.data)
        #expect(p1.stream(.weights(0))?.data == p0.stream(.weights(0))?.data)
        #expect(p1.indices == p0.indices)
        #expect(again.images.count == original.images.count)
        #expect(again.images.first?.data == original.images.first?.data)
    }

    /// A part simplified away (a primitive with no vertices left) is not written: glTF allows no empty accessor,
    /// and assimp refuses a mesh without faces. A mesh left with nothing goes too, with its nodes' references.
    @Test func emptyPrimitivesAndMeshesAreLeftOut() throws {
        let triangle = Primitive(streams: [VertexStream(.position, components: 3, data: [0, 0, 0, 1, 0, 0, 0, 1, 0])], indices: [0, 1, 2])
        let empty = Primitive(streams: [VertexStream(.position, components: 3, data: [])], indices: [])
        var scene = Scene()
        scene.meshes = [Mesh(name: "gone", primitives: [empty]), Mesh(name: "kept", primitives: [empty, triangle, empty])]
        scene.nodes = [Node(name: "a", mesh: 0), Node(name: "b", mesh: 1, children: [0])]
        scene.rootNodes = [1]
        let dir = TestPaths.temporaryDirectory("empty-primitives")
        try SceneIO.write(scene, to: dir + "/parts.glb")
        let again = try SceneIO.read(dir + "/parts.glb").scene
        #expect(again.meshes.count == 1)
        #expect(again.meshes[0].name == "kept" && again.meshes[0].primitives.count == 1)
        #expect(again.meshes[0].primitives[0].indices == [0, 1, 2])
        #expect(again.nodes.count == 2)
        #expect(again.nodes[0].mesh == nil && again.nodes[1].mesh == 0 && again.nodes[1].children == [0])
    }

    @Test func gltfRoundTripWritesBinAndImagesBeside() throws {
        let dir = TestPaths.temporaryDirectory("helmet")
        let original = try SceneIO.read(TestPaths.asset("gltf/FlightHelmet/FlightHelmet.gltf")).scene
        try SceneIO.write(original, to: dir + "/helmet.gltf")
        let again = try SceneIO.read(dir + "/helmet.gltf")
        #expect(again.scene.drawnTriangleCount == 94722)
        #expect(again.scene.images.count == 15)
        #expect(again.scene.materials.count == original.materials.count)
        #expect(again.scene.materials.map(\.name) == original.materials.map(\.name))
        #expect(again.sideFiles.count == 16)
        #expect(FileManager.default.fileExists(atPath: dir + "/helmet.bin"))
        #expect(zip(again.scene.images, original.images).allSatisfy { $0.data == $1.data })
    }

    @Test func extensionObjectsSurviveARoundTrip() throws {
        let dir = TestPaths.temporaryDirectory("sofa")
        let original = try SceneIO.read(TestPaths.asset("gltf/GlamVelvetSofa.glb")).scene
        try SceneIO.write(original, to: dir + "/sofa.glb")
        let again = try SceneIO.read(dir + "/sofa.glb").scene
        #expect(again.extensions == original.extensions)
        #expect(again.materials.map(\.extensions) == original.materials.map(\.extensions))
        #expect(Set(again.extensionsUsed) == Set(original.extensionsUsed))
        let variantsBefore = original.meshes.flatMap { $0.primitives.map(\.extensions) }
        let variantsAfter = again.meshes.flatMap { $0.primitives.map(\.extensions) }
        #expect(variantsAfter == variantsBefore)
    }

    @Test func meshoptCompressedGLBDecodesToTheSameGeometry() throws {
        let dir = TestPaths.temporaryDirectory("meshopt")
        for asset in ["gltf/Avocado-glTF/Avocado.gltf", "gltf/Box.glb", "gltf/Fox.glb"] {
            let plain = try SceneIO.read(TestPaths.asset(asset)).scene
            var options = WriteOptions()
            options.meshoptCompression = true
            let out = dir + "/" + FileSystem.stem(of: asset) + ".glb"
            try SceneIO.write(plain, to: out, options: options)
            let compressed = try SceneIO.read(out).scene
            #expect(compressed.extensionsRequired.contains("EXT_meshopt_compression"))
            let a = plain.meshes[0].primitives[0], b = compressed.meshes[0].primitives[0]
            for s in a.streams { #expect(b.stream(s.semantic)?.data == s.data, "\(asset) \(s.semantic)") }
            // Triangles come back in order, possibly rotated (a,b,c) -> (b,c,a).
            #expect(a.indices.count == b.indices.count)
            var same = true
            for t in stride(from: 0, to: a.indices.count, by: 3) {
                let x = Array(a.indices[t..<t + 3]), y = Array(b.indices[t..<t + 3])
                if !(x == y || x == [y[2], y[0], y[1]] || x == [y[1], y[2], y[0]]) { same = false }
            }
            #expect(same, "\(asset) triangles")
        }
    }
}

@Suite struct GLTFBrokenInputTests {
    static func glb(json: String, bin: [UInt8] = []) -> [UInt8] {
        var j = Array(json.utf8)
        while j.count % 4 != 0 { j.append(0x20) }
        var b = bin
        while b.count % 4 != 0 { b.append(0) }
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        u32(0x4654_6C67); u32(2); u32(12 + 8 + j.count + (b.isEmpty ? 0 : 8 + b.count))
        u32(j.count); u32(0x4E4F_534A); out += j
        if !b.isEmpty { u32(b.count); u32(0x004E_4942); out += b }
        return out
    }

    /// One triangle: 3 float positions (36 bytes) then 3 uint16 indices.
    static func triangleBin(indices: [UInt16] = [0, 1, 2], y: Float = 1) -> [UInt8] {
        var b: [UInt8] = []
        for f: Float in [0, 0, 0, 1, 0, 0, 0, y, 0] { withUnsafeBytes(of: f.bitPattern.littleEndian) { b += $0 } }
        for i in indices { withUnsafeBytes(of: i.littleEndian) { b += $0 } }
        return b
    }

    static func triangleJSON(count: Int = 3, viewLength: Int = 36, extra: String = "", indexCount: Int = 3) -> String {
        """
        {"asset":{"version":"2.0"},\(extra)"buffers":[{"byteLength":42}],
         "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":\(viewLength)},{"buffer":0,"byteOffset":36,"byteLength":6}],
         "accessors":[{"bufferView":0,"componentType":5126,"count":\(count),"type":"VEC3"},
                      {"bufferView":1,"componentType":5123,"count":\(indexCount),"type":"SCALAR"}],
         "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1}]}],
         "nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0}
        """
    }

    func readError(_ bytes: [UInt8], name: String = "broken.glb", extraFiles: [String: [UInt8]] = [:]) -> FormatError? {
        let dir = TestPaths.temporaryDirectory("broken")
        for (n, b) in extraFiles { TestPaths.write(b, to: dir + "/" + n) }
        TestPaths.write(bytes, to: dir + "/" + name)
        do {
            _ = try SceneIO.read(dir + "/" + name)
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidHandMadeGLBLoads() throws {
        let dir = TestPaths.temporaryDirectory("valid")
        TestPaths.write(Self.glb(json: Self.triangleJSON(), bin: Self.triangleBin()), to: dir + "/t.glb")
        let scene = try SceneIO.read(dir + "/t.glb").scene
        #expect(scene.drawnTriangleCount == 1)
        #expect(scene.meshes[0].primitives[0].positions == [0, 0, 0, 1, 0, 0, 0, 1, 0])
    }

    @Test func truncatedGLBNamesTheByteOffset() {
        let full = Self.glb(json: Self.triangleJSON(), bin: Self.triangleBin())
        for cut in [0, 3, 11, 15, 40, full.count - 5] {
            let e = readError(Array(full.prefix(cut)))
            #expect(e != nil, "cut at \(cut)")
            if cut >= 12 { #expect(e?.description.contains("byte") == true, "\(e?.description ?? "")") }
        }
        let e = readError(Array(full.prefix(full.count - 5)))
        #expect(e?.description.contains("truncated") == true)
    }

    @Test func badJSONGivesTheByteOffset() {
        let e = readError(Array("{\"asset\":{\"version\":\"2.0\"},".utf8), name: "bad.gltf")
        #expect(e?.location == .byteOffset(27))
        #expect(e?.description.contains("invalid JSON") == true)
        let deep = String(repeating: "[", count: 100_000)
        #expect(readError(Array(deep.utf8), name: "deep.gltf")?.description.contains("nesting") == true)
        var utf8 = Array("{\"asset\":{\"version\":\"2.0\",\"generator\":\"".utf8)
        utf8 += [0xC3, 0x28]
        utf8 += Array("\"}}".utf8)
        #expect(readError(utf8, name: "utf8.gltf")?.description.contains("UTF-8") == true)
    }

    @Test func accessorOverrunIsNamedByJSONPath() {
        let e = readError(Self.glb(json: Self.triangleJSON(count: 300), bin: Self.triangleBin()))
        #expect(e?.location == .jsonPath("accessors[0].count"))
        let e2 = readError(Self.glb(json: Self.triangleJSON(viewLength: 4000), bin: Self.triangleBin()))
        #expect(e2?.location == .jsonPath("bufferViews[0].byteLength"))
    }

    @Test func indexOutOfRangeIsRejected() {
        let e = readError(Self.glb(json: Self.triangleJSON(), bin: Self.triangleBin(indices: [0, 1, 7])))
        #expect(e?.location == .jsonPath("meshes[0].primitives[0].indices"))
        #expect(e?.reason.contains("index 7") == true)
    }

    @Test func nonFinitePositionsAreRejected() {
        let e = readError(Self.glb(json: Self.triangleJSON(), bin: Self.triangleBin(y: .nan)))
        #expect(e?.location == .jsonPath("meshes[0].primitives[0].attributes.POSITION"))
        #expect(e?.reason.contains("vertex 2") == true)
    }

    @Test func unknownRequiredExtensionIsRefused() {
        let json = Self.triangleJSON(extra: "\"extensionsRequired\":[\"EXT_made_up\"],\"extensionsUsed\":[\"EXT_made_up\"],")
        let e = readError(Self.glb(json: json, bin: Self.triangleBin()))
        #expect(e?.location == .jsonPath("extensionsRequired[0]"))
        #expect(e?.reason.contains("EXT_made_up") == true)
    }

    @Test func missingExternalBufferIsNamed() {
        let json = Self.triangleJSON().replacingOccurrences(of: "\"byteLength\":42}", with: "\"byteLength\":42,\"uri\":\"gone.bin\"}")
        let e = readError(Array(json.utf8), name: "m.gltf")
        #expect(e?.location == .jsonPath("buffers[0].uri"))
        #expect(e?.reason.contains("gone.bin") == true)
        let short = readError(Array(json.utf8), name: "m.gltf", extraFiles: ["gone.bin": [1, 2, 3]])
        #expect(short?.location == .jsonPath("buffers[0].byteLength"))
    }

    @Test func wrongMagicAndVersion() {
        var bytes = Self.glb(json: Self.triangleJSON(), bin: Self.triangleBin())
        bytes[4] = 1
        #expect(readError(bytes)?.location == .byteOffset(4))
        #expect(readError(Array("PK\u{3}\u{4}garbage".utf8), name: "x.glb") != nil)
    }

    @Test func nodeCyclesAreRejected() {
        let json = Self.triangleJSON().replacingOccurrences(of: "\"nodes\":[{\"mesh\":0}]", with: "\"nodes\":[{\"mesh\":0,\"children\":[1]},{\"children\":[0]}]")
        let e = readError(Self.glb(json: json, bin: Self.triangleBin()))
        #expect(e != nil)
        #expect(e?.description.contains("nodes[") == true)
    }
}

/// Geometry comparisons for twins whose vertex order may differ.
enum Geometry {
    /// For each triangle of `a`, the distance to the nearest triangle of `b` by corner positions (max over triangles).
    static func maxTriangleMismatch(_ a: Primitive, _ b: Primitive) -> Float {
        let pa = a.positions, pb = b.positions
        func corners(_ p: [Float], _ idx: [UInt32], _ t: Int) -> [[Float]] {
            (0..<3).map { k in let v = Int(idx[t * 3 + k]); return [p[v * 3], p[v * 3 + 1], p[v * 3 + 2]] }
        }
        func centroid(_ c: [[Float]]) -> [Float] { (0..<3).map { k in (c[0][k] + c[1][k] + c[2][k]) / 3 } }
        let nb = b.indices.count / 3
        let cb = (0..<nb).map { centroid(corners(pb, b.indices, $0)) }
        var worst: Float = 0
        for t in 0..<(a.indices.count / 3) {
            let c = centroid(corners(pa, a.indices, t))
            var best = Float.greatestFiniteMagnitude
            for (j, d) in cb.enumerated() {
                let dist = ((c[0] - d[0]) * (c[0] - d[0]) + (c[1] - d[1]) * (c[1] - d[1]) + (c[2] - d[2]) * (c[2] - d[2])).squareRoot()
                if dist < best { best = dist; if best == 0 { break } }
                _ = j
            }
            worst = max(worst, best)
        }
        return worst
    }
}
