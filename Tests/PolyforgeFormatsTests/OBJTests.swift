import Testing
import PolyforgeMesh
@testable import PolyforgeFormats

/// Parses in-memory text as the given format, with side files resolved in `folder` (none when nil).
func parseText(_ text: String, _ format: MeshFormat, folder: String? = nil, fileName: String = "test") throws -> LoadedScene {
    try Array(text.utf8).withUnsafeBytes { bytes in
        try SceneIO.parse(bytes, format: format, fileName: fileName, resources: ResourceLoader(baseDirectory: folder))
    }
}

func parseBytes(_ data: [UInt8], _ format: MeshFormat, fileName: String = "test") throws -> LoadedScene {
    try data.withUnsafeBytes { try SceneIO.parse($0, format: format, fileName: fileName, resources: .none) }
}

/// The error a parse throws, or nil when it succeeds.
func parseError(_ text: String, _ format: MeshFormat) -> FormatError? {
    do { _ = try parseText(text, format); return nil } catch let error as FormatError { return error } catch { return nil }
}

func parseError(bytes: [UInt8], _ format: MeshFormat) -> FormatError? {
    do { _ = try parseBytes(bytes, format); return nil } catch let error as FormatError { return error } catch { return nil }
}

@Suite struct OBJTests {
    @Test func quadWithAllStreamsAndNegativeIndices() throws {
        let scene = try parseText("""
        v 0 0 0
        v 1 0 0
        v 1 1 0
        v 0 1 0
        vt 0 0
        vt 1 0
        vt 1 0.25
        vt 0 1
        vn 0 0 1
        f -4/-4/-1 -3/-3/-1 -2/-2/-1 -1/-1/-1
        """, .obj).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.indices == [0, 1, 2, 0, 2, 3])
        #expect(p.positions == [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0])
        // glTF v = 1 - OBJ v.
        #expect(p.stream(.texcoord(0))?.data == [0, 1, 1, 1, 1, 0.75, 0, 0])
        #expect(p.stream(.normal)?.data == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1])
        #expect(scene.warnings.isEmpty)
    }

    @Test func allFourFaceFormsAndWelding() throws {
        let scene = try parseText("""
        v 0 0 0
        v 1 0 0
        v 0 1 0
        vt 0.5 0.5
        vn 1 0 0
        o plain
        f 1 2 3
        o uv
        f 1/1 2/1 3/1
        o normal
        f 1//1 2//1 3//1
        o full
        f 1/1/1 2/1/1 3/1/1
        f 3/1/1 2/1/1 1/1/1
        f 3/1/ 2/1/ 1/1/
        """, .obj).scene
        #expect(scene.meshes.map(\.name) == ["plain", "uv", "normal", "full"])
        #expect(scene.nodes.map(\.mesh) == [0, 1, 2, 3])
        #expect(scene.rootNodes == [0, 1, 2, 3])
        let streams = scene.meshes.map { $0.primitives[0].streams.map(\.semantic) }
        #expect(streams[0] == [.position])
        #expect(streams[1] == [.position, .texcoord(0)])
        #expect(streams[2] == [.position, .normal])
        #expect(streams[3] == [.position, .normal, .texcoord(0)])
        let full = scene.meshes[3].primitives[0]
        // The third face has no normal: (v, vt, -) is a different vertex than (v, vt, vn).
        #expect(full.vertexCount == 6)
        #expect(full.indices == [0, 1, 2, 2, 1, 0, 3, 4, 5])
    }

    @Test func concavePolygonIsEarClipped() throws {
        // A U shape: a fan from its first corner would cover the notch.
        let scene = try parseText("""
        v 0 0 0
        v 3 0 0
        v 3 3 0
        v 2 3 0
        v 2 1 0
        v 1 1 0
        v 1 3 0
        v 0 3 0
        f 1 2 3 4 5 6 7 8
        """, .obj).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.triangleCount == 6)
        var total: Float = 0
        for t in 0..<6 {
            let a = Int(p.indices[3 * t]), b = Int(p.indices[3 * t + 1]), c = Int(p.indices[3 * t + 2])
            let pos = p.positions
            let area = ((pos[3 * b] - pos[3 * a]) * (pos[3 * c + 1] - pos[3 * a + 1]) - (pos[3 * b + 1] - pos[3 * a + 1]) * (pos[3 * c] - pos[3 * a])) / 2
            #expect(area >= 0, "triangle \(t) is flipped: it lies outside the outline")
            total += area
        }
        #expect(total == 7)
    }

    @Test func groupsMaterialsAndVertexColors() throws {
        let scene = try parseText("""
        v 0 0 0 1 0 0
        v 1 0 0 0 1 0
        v 0 1 0 0 0 1
        v 1 1 0 0.5 0.5 0.5
        g first
        usemtl red
        f 1 2 3
        usemtl blue
        f 2 4 3
        g second
        usemtl red
        f 1 2 4
        g first
        usemtl red
        f 1 3 4
        """, .obj).scene
        #expect(scene.meshes.count == 2)
        #expect(scene.meshes[0].name == "first")
        #expect(scene.meshes[0].primitives.count == 2)
        #expect(scene.meshes[0].primitives[0].triangleCount == 2)
        #expect(scene.materials.map(\.name) == ["red", "blue"])
        #expect(scene.meshes[0].primitives.map(\.material) == [0, 1])
        #expect(scene.meshes[1].primitives[0].material == 0)
        let colors = scene.meshes[0].primitives[1].stream(.color(0))
        #expect(colors?.components == 3)
        #expect(colors?.data == [0, 1, 0, 0.5, 0.5, 0.5, 0, 0, 1])
    }

    @Test func lineContinuationCommentsAndOddNumbers() throws {
        let scene = try parseText("# header\r\nv 1e-5 -2.5E+2 +3. # trailing\r\nv .5 0.1 123456789012345678901234\r\nv 0 0 1\r\nf 1 2 \\\r\n 3\r\n", .obj).scene
        let p = scene.meshes[0].primitives[0]
        #expect(p.positions == [1e-5, -250, 3, 0.5, 0.1, Float("123456789012345678901234")!, 0, 0, 1])
        #expect(p.indices == [0, 1, 2])
    }

    @Test func materialLibraryWithTexturesAndOptions() throws {
        let folder = TestPaths.temporaryDirectory("obj-mtl")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        TestPaths.write(png, to: folder + "/wood grain.png")
        TestPaths.write(png + [4], to: folder + "/normal.png")
        TestPaths.write("""
        newmtl wood
        Kd 0.5 0.25 1
        d 0.75
        Ke 0.1 0.2 0.3
        Pr 0.4
        Pm 0.6
        map_Kd -s 1 1 1 -o 0 0 wood grain.png
        map_Bump -bm 0.5 normal.png
        map_Ke missing.png
        newmtl plain
        Kd 1 1 1
        Ns 250
        """, to: folder + "/model.mtl")
        TestPaths.write("mtllib model.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nusemtl wood\nf 1/1 2/1 3/1\nusemtl plain\nf 3/1 2/1 1/1\n", to: folder + "/model.obj")
        let loaded = try SceneIO.read(folder + "/model.obj")
        let scene = loaded.scene
        #expect(scene.materials.count == 2)
        let wood = scene.materials[0]
        #expect(wood.name == "wood")
        #expect(wood.baseColorFactor == [0.5, 0.25, 1, 0.75])
        #expect(wood.alphaMode == .blend)
        #expect(wood.emissiveFactor == [0.1, 0.2, 0.3])
        #expect(wood.roughnessFactor == 0.4)
        #expect(wood.metallicFactor == 0.6)
        #expect(wood.emissiveTexture == nil)
        let base = try #require(wood.baseColorTexture)
        let image = scene.images[scene.textures[base.texture].source!]
        #expect(image.mimeType == "image/png")
        #expect(image.data == png)
        #expect(image.originalFileName == "wood grain.png")
        #expect(wood.normalTexture?.scale == 0.5)
        #expect(scene.images.count == 2)
        let plain = scene.materials[1]
        #expect(plain.metallicFactor == 0)
        #expect(plain.roughnessFactor == 0.5)
        #expect(plain.alphaMode == .opaque)
        #expect(scene.meshes[0].primitives.map(\.material) == [0, 1])
        #expect(scene.warnings.count == 1)
        #expect(scene.warnings.first?.contains("missing.png") == true)
        #expect(loaded.sideFiles.map(\.reference) == ["model.mtl", "wood grain.png", "normal.png"])
        #expect(loaded.sideFiles.map(\.bytes) == [FileSystem.fileSize(folder + "/model.mtl")!, 11, 12])
    }

    @Test func missingLibraryIsAWarning() throws {
        let loaded = try SceneIO.read(TestPaths.asset("mesh/jacked.obj"))
        #expect(loaded.scene.storedTriangleCount == 12)
        #expect(loaded.scene.drawnVertexCount == 8)
        #expect(loaded.scene.warnings.contains { $0.contains("nonexistent.mtl") })
        #expect(loaded.scene.materials.map(\.name) == ["material0"])
    }

    @Test func sharedAssetCountsMatchTrimesh() throws {
        let expected: [(String, Int, Int)] = [
            ("mesh/fandisk.obj", 5750, 2877), ("mesh/capsule.obj", 10200, 5252), ("mesh/chair_model.obj", 12756, 11250),
            ("mesh/wallhole.obj", 66, 92), ("mesh/jacked.obj", 12, 8),
        ]
        for (file, triangles, vertices) in expected {
            let scene = try SceneIO.read(TestPaths.asset(file)).scene
            #expect(scene.drawnTriangleCount == triangles, "\(file)")
            #expect(scene.drawnVertexCount == vertices, "\(file)")
        }
        let capsule = try SceneIO.read(TestPaths.asset("mesh/capsule.obj"))
        #expect(capsule.scene.images.first?.mimeType == "image/jpeg")
        #expect(capsule.scene.materials.first?.baseColorTexture != nil)
        #expect(capsule.sideFiles.map(\.reference) == ["capsule.mtl", "capsule0.jpg"])
        let chair = try SceneIO.read(TestPaths.asset("mesh/chair_model.obj")).scene
        #expect(chair.meshes.count == 4)
    }

    @Test func brokenInputsNameTheLine() {
        let outOfRange = parseError("v 0 0 0\nv 1 0 0\nv 0 1 0\n# comment\nf 1 2 9\n", .obj)
        #expect(outOfRange?.location == .line(5))
        #expect(outOfRange?.reason.contains("vertex 9") == true)
        #expect(parseError("v 0 0 0\nf 0 1 1\n", .obj)?.location == .line(2))
        #expect(parseError("v 0 0 0\nf -1 -2 -1\n", .obj)?.location == .line(2))
        #expect(parseError("v 0 0 0\nv 1 x 0\n", .obj)?.location == .line(2))
        #expect(parseError("v 0 0 0\nvt 0 0\nf 1/1 1/2 1/1\n", .obj)?.location == .line(3))
        #expect(parseError("v 0 0 0\nvn 0 0 1\nf 1//1 1//1 1//7\n", .obj)?.reason.contains("normal 7") == true)
        #expect(parseError("v 0 0", .obj)?.location == .line(1))
        #expect(parseError("f 1/a 2 3", .obj) != nil)
    }

    @Test func roundTripKeepsGeometryMaterialsAndTextures() throws {
        let folder = TestPaths.temporaryDirectory("obj-roundtrip")
        var scene = try SceneIO.read(TestPaths.asset("mesh/capsule.obj")).scene
        // Awkward values must survive exactly.
        scene.meshes[0].primitives[0].streams[0].data[0] = 0.1
        scene.meshes[0].primitives[0].streams[0].data[1] = -1.17549435e-38
        scene.meshes[0].primitives[0].streams[0].data[2] = 3.4028235e38
        try OBJWriter.write(scene, to: folder + "/out.obj")
        let back = try SceneIO.read(folder + "/out.obj")
        let a = scene.meshes[0].primitives[0], b = back.scene.meshes[0].primitives[0]
        #expect(b.triangleCount == a.triangleCount)
        #expect(b.vertexCount == a.vertexCount)
        #expect(b.positions == a.positions)
        #expect(b.stream(.texcoord(0))?.data == a.stream(.texcoord(0))?.data)
        #expect(b.stream(.normal)?.data == a.stream(.normal)?.data)
        #expect(b.indices == a.indices)
        #expect(back.scene.materials.count == 1)
        let texture = try #require(back.scene.materials[0].baseColorTexture)
        let image = back.scene.images[back.scene.textures[texture.texture].source!]
        #expect(image.data == scene.images[0].data)
        #expect(image.originalFileName == "capsule0.jpg")
        #expect(back.sideFiles.map(\.reference) == ["out.mtl", "capsule0.jpg"])
    }

    @Test func writerNamesUnsafeImagesAfterTheStem() throws {
        let folder = TestPaths.temporaryDirectory("obj-names")
        var material = Material(name: "a b")
        material.baseColorTexture = TextureReference(texture: 0)
        var second = Material(name: "a b")
        second.baseColorTexture = TextureReference(texture: 1)
        let positions: [Float] = [0, 0, 0, 1, 0, 0, 0, 1, 0]
        let colors: [Float] = [1, 0, 0, 1, 0, 1, 0, 0.5, 0, 0, 1, 1]
        let primitive = Primitive(streams: [VertexStream(.position, components: 3, data: positions), VertexStream(.color(0), components: 4, data: colors)], indices: [0, 1, 2], material: 0)
        var other = primitive
        other.material = 1
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 9]
        let scene = Scene(mesh: Mesh(name: "m", primitives: [primitive, other]), materials: [material, second],
                          textures: [Texture(source: 0), Texture(source: 1)],
                          images: [Image(mimeType: "image/png", data: png, originalFileName: "../evil.png"),
                                   Image(mimeType: "image/png", data: png + [1], originalFileName: "ok.png")])
        try OBJWriter.write(scene, to: folder + "/out.obj")
        #expect(FileSystem.exists(folder + "/out_tex0.png"))
        #expect(FileSystem.exists(folder + "/ok.png"))
        let back = try SceneIO.read(folder + "/out.obj").scene
        #expect(back.materials.map(\.name) == ["a_b", "a_b_1"])
        #expect(back.meshes[0].primitives[0].stream(.color(0))?.data == colors)
    }
}

@Suite struct OBJFuzzRegressionTests {
    /// Found by the OBJ fuzzer: a texture or normal index beyond Int32 trapped instead of failing cleanly.
    @Test func hugeForwardTexcoordAndNormalIndicesAreErrors() {
        for face in ["f 1/99999999999/1 2/2/1 3/3/1", "f 1/1/99999999999 2/1/1 3/1/1", "f 99999999999 1 2"] {
            let e = parseError("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvn 0 0 1\n" + face + "\n", .obj)
            #expect(e?.location == .line(6), "\(face)")
            #expect(e?.reason.contains("too large") == true, "\(face): \(e?.reason ?? "no error")")
        }
    }
}
