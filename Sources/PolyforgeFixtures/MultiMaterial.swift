import PolyforgeImage
import PolyforgeMesh

extension Fixtures {
    /// One mesh of four primitives over three materials, on one node:
    /// - 0: a 4 × 4-quad ground plane facing +Y at y = −1 (32 triangles, 25 vertices), material 0;
    /// - 1: a 16 × 8 UV sphere at x = −1.3 (224 triangles, 151 vertices), material 1 (red, metallic);
    /// - 2: a 24 × 12 torus at x = +1.3 (576 triangles, 325 vertices), material 2 (blue, rough);
    /// - 3: the seamed cube at z = −1.5 (12 triangles, 24 vertices), material 0 again.
    ///
    /// Material 0 samples a 64 × 64 PNG (texture 0, image 0, sampler 0): an 8 × 8 checker over a red/green
    /// gradient, made here. Totals: 844 triangles, 525 vertices. Throws only if the PNG encoder fails.
    public static func multiMaterial() throws(ImageError) -> Scene {
        var plane = Primitive(streams: [], indices: [], material: 0)
        var positions = [Float](), uvs = [Float]()
        for row in 0...4 {
            for column in 0...4 {
                positions += [Float(column) - 2, -1, Float(row) - 2]
                uvs += [Float(column) / 2, Float(row) / 2]
            }
        }
        var indices = [UInt32]()
        for row in 0..<4 {
            for column in 0..<4 {
                let a = UInt32(5 * row + column), b = a + 1, c = a + 6, d = a + 5
                indices += [a, c, b, a, d, c]
            }
        }
        let normals = [Float]((0..<25).flatMap { _ in [Float(0), 1, 0] })
        plane.streams = streams(positions: positions, normals: normals, uvs: uvs)
        plane.indices = indices

        let sphere = moved(uvSphere(segments: 16, rings: 8), by: (-1.3, 0, 0), material: 1)
        let ring = moved(torus(majorSegments: 24, minorSegments: 12), by: (1.3, 0, 0), material: 2)
        let cube = moved(cubeWithSeams(), by: (0, 0, -1.5), material: 0)

        var checker = material("checker", rgb: (1, 1, 1), roughness: 0.9)
        checker.baseColorTexture = TextureReference(texture: 0)
        let materials = [checker,
                         material("red_metal", rgb: (0.85, 0.1, 0.1), metallic: 1, roughness: 0.3),
                         material("blue_rough", rgb: (0.1, 0.25, 0.9), roughness: 1)]
        let png = try PNGCodec.encode(rgba: checkerPixels(size: 64, cell: 8), width: 64, height: 64)
        var scene = Scene(mesh: Mesh(name: "multi_material", primitives: [plane, sphere, ring, cube]),
                          materials: materials,
                          textures: [Texture(name: "checker", source: 0, sampler: 0)],
                          images: [Image(name: "checker", mimeType: "image/png", data: png)],
                          samplers: [Sampler(magFilter: 9729, minFilter: 9987)])
        scene.nodes[0].name = "multi_material"
        return scene
    }

    /// RGBA8 rows, top first: dark/light cells tinted by a red (left → right) and green (top → bottom) ramp.
    static func checkerPixels(size: Int, cell: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 255, count: size * size * 4)
        for y in 0..<size {
            for x in 0..<size {
                let light = ((x / cell) + (y / cell)) % 2 == 0
                let base = light ? 200 : 60
                let i = 4 * (y * size + x)
                pixels[i] = UInt8(min(255, base + 55 * x / (size - 1)))
                pixels[i + 1] = UInt8(min(255, base + 55 * y / (size - 1)))
                pixels[i + 2] = UInt8(base)
            }
        }
        return pixels
    }

    /// The only primitive of a fixture, translated and given another material index.
    private static func moved(_ scene: Scene, by offset: (Float, Float, Float), material: Int) -> Primitive {
        var primitive = scene.meshes[0].primitives[0]
        primitive.material = material
        if let i = primitive.streamIndex(.position) {
            for v in stride(from: 0, to: primitive.streams[i].data.count, by: 3) {
                primitive.streams[i].data[v] += offset.0
                primitive.streams[i].data[v + 1] += offset.1
                primitive.streams[i].data[v + 2] += offset.2
            }
        }
        return primitive
    }
}
