#if canImport(Glibc)
import Glibc
#endif
import Testing
import PolyforgeCore
import PolyforgeImage
import PolyforgeMesh
@testable import PolyforgeRender

/// A unit cube centred on the origin, 24 vertices (flat faces), counter-clockwise outside.
func unitCube(size: Float = 1) -> Primitive {
    let h = size / 2
    var positions: [Float] = [], indices: [UInt32] = []
    // Each face: normal axis, then two in-plane axes ordered so that u × v = normal.
    let faces: [(n: SIMD3<Float>, u: SIMD3<Float>, v: SIMD3<Float>)] = [
        ([1, 0, 0], [0, 1, 0], [0, 0, 1]), ([-1, 0, 0], [0, 0, 1], [0, 1, 0]),
        ([0, 1, 0], [0, 0, 1], [1, 0, 0]), ([0, -1, 0], [1, 0, 0], [0, 0, 1]),
        ([0, 0, 1], [1, 0, 0], [0, 1, 0]), ([0, 0, -1], [0, 1, 0], [1, 0, 0]),
    ]
    for face in faces {
        let base = UInt32(positions.count / 3)
        for (su, sv) in [(-1, -1), (1, -1), (1, 1), (-1, 1)] as [(Float, Float)] {
            let p = (face.n + face.u * su + face.v * sv) * h
            positions += [p.x, p.y, p.z]
        }
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    }
    return Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: indices)
}

func scene(_ primitives: [Primitive], materials: [Material] = [], textures: [Texture] = [], images: [Image] = []) -> Scene {
    Scene(mesh: Mesh(primitives: primitives), materials: materials, textures: textures, images: images)
}

func frontOrthographic(halfHeight: Float) -> Camera {
    Camera(eye: [0, 0, 5], target: [0, 0, 0], projection: .orthographic(halfHeight: halfHeight), near: 1, far: 10)
}

@Suite struct RasterTests {
    @Test func unitCubeHeadOnCoversTheExpectedRectangle() {
        // Orthographic, half-height 1 over 64 px: the cube's front face spans x, y in -0.5...0.5 = pixels 16..<48.
        let renderer = ThumbnailRenderer(scene: scene([unitCube()]))
        let (image, depth, drawn) = renderer.renderWithDepth(camera: frontOrthographic(halfHeight: 1),
                                                             options: RenderOptions(width: 64, height: 64))
        #expect(drawn == 2) // only the front face's two triangles survive culling
        var minX = 64, maxX = -1, minY = 64, maxY = -1
        for y in 0..<64 {
            for x in 0..<64 where image.pixel(x, y)[3] > 0 {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        #expect(abs(minX - 16) <= 1 && abs(maxX - 47) <= 1 && abs(minY - 16) <= 1 && abs(maxY - 47) <= 1)
        // The edges fall on pixel boundaries, so coverage is exact: fully opaque inside, empty outside.
        #expect(image.coveredPixelCount == 32 * 32)
        for y in 16..<48 { for x in 16..<48 { #expect(image.pixel(x, y)[3] == 255) } }
        // Depth of the face z = 0.5 at distance 4.5 from the eye, mapped from near 1 / far 10 to NDC.
        let expected: Float = -1 + 2 * (4.5 - 1) / 9
        #expect(abs(depth[32 * 64 + 32] - expected) < 1e-5)
        #expect(depth[0] == .infinity)
    }

    @Test func sharedEdgesAreWatertight() {
        // A quad split along its diagonal, drawn over black with white unlit color: no sample on the diagonal
        // may be missed (darker pixel) or drawn twice (no visible effect, but coverage count must be exact).
        var material = Material()
        material.extensions = ["KHR_materials_unlit": .object([])]
        var quad = Primitive(streams: [VertexStream(.position, components: 3, data: [-0.7, -0.55, 0, 0.63, -0.71, 0, 0.69, 0.6, 0, -0.66, 0.7, 0])],
                             indices: [0, 1, 2, 0, 2, 3])
        quad.material = 0
        let renderer = ThumbnailRenderer(scene: scene([quad], materials: [material]))
        var options = RenderOptions(width: 97, height: 61, background: .color(red: 0, green: 0, blue: 0))
        options.unlit = true
        let image = renderer.render(camera: frontOrthographic(halfHeight: 1), options: options)
        // Pixels well inside the quad (centre region) must be pure white.
        for y in 20..<40 { for x in 35..<62 { #expect(image.pixel(x, y) == [255, 255, 255, 255]) } }
    }

    @Test func triangleFanHasNoCracks() {
        // 37 irregular wedges around an off-centre hub: a crack between two wedges would let black show through.
        var positions: [Float] = [0.031, -0.017, 0], indices: [UInt32] = []
        let count = 37
        for i in 0..<count {
            let angle = 2 * Float.pi * (Float(i) + 0.37 * Float((i * 7) % 5) / 5) / Float(count)
            positions += [0.9 * cosf(angle), 0.9 * sinf(angle), 0]
            indices += [0, UInt32(1 + i), UInt32(1 + (i + 1) % count)]
        }
        var fan = Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: indices)
        fan.material = 0
        var material = Material()
        material.extensions = ["KHR_materials_unlit": .object([])]
        var options = RenderOptions(width: 101, height: 77, background: .color(red: 0, green: 0, blue: 0))
        options.unlit = true
        let camera = frontOrthographic(halfHeight: 1)
        for scalar in [false, true] {
            options.scalarCoverage = scalar
            let image = ThumbnailRenderer(scene: scene([fan], materials: [material])).render(camera: camera, options: options)
            // Every pixel whose centre is within 0.8 of the origin (inside the fan's inscribed circle) is white.
            for y in 0..<77 { for x in 0..<101 {
                let wx = (Float(x) + 0.5 - 50.5) / 38.5, wy = (38.5 - Float(y) - 0.5) / 38.5
                if wx * wx + wy * wy < 0.8 * 0.8 { #expect(image.pixel(x, y) == [255, 255, 255, 255], "pixel \(x),\(y)") }
            } }
        }
    }

    @Test func texturedQuadReproducesItsTexture() throws {
        // An 8×8 texture of distinct colours on a quad that fills a 56×56 image exactly: 7 pixels per texel,
        // so pixel (7 tx + 3, 7 ty + 3) is centred on texel (tx, ty) and bilinear filtering returns it unmixed.
        let size = 8
        var texels = [UInt8](repeating: 255, count: size * size * 4)
        for y in 0..<size { for x in 0..<size {
            let i = 4 * (y * size + x)
            texels[i] = UInt8(x * 32 + 16); texels[i + 1] = UInt8(y * 32 + 16); texels[i + 2] = UInt8((x + y) % 2 == 0 ? 40 : 220)
        } }
        let png = try PNGCodec.encode(rgba: texels, width: size, height: size)
        var quad = Primitive(streams: [
            VertexStream(.position, components: 3, data: [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]),
            VertexStream(.texcoord(0), components: 2, data: [0, 1, 1, 1, 1, 0, 0, 0]),
        ], indices: [0, 1, 2, 0, 2, 3])
        quad.material = 0
        var material = Material()
        material.baseColorTexture = TextureReference(texture: 0)
        material.extensions = ["KHR_materials_unlit": .object([])]
        let s = scene([quad], materials: [material], textures: [Texture(source: 0)], images: [Image(mimeType: "image/png", data: png)])
        let image = ThumbnailRenderer(scene: s).render(camera: frontOrthographic(halfHeight: 1), options: RenderOptions(width: 56, height: 56))
        var worst = 0
        for ty in 0..<size { for tx in 0..<size {
            for (px, py) in [(tx * 7 + 3, ty * 7 + 3)] {
                let got = image.pixel(px, py), want = Array(texels[4 * (ty * size + tx)..<4 * (ty * size + tx) + 4])
                for k in 0..<3 { worst = max(worst, abs(Int(got[k]) - Int(want[k]))) }
                #expect(got[3] == 255)
            }
        } }
        #expect(worst <= 1)
        #expect(image.coveredPixelCount == 56 * 56)
    }

    @Test func textureTransformIsHonoured() throws {
        // Left half red, right half blue; KHR_texture_transform offset 0.5 in u swaps the halves.
        var texels = [UInt8](repeating: 255, count: 2 * 1 * 4)
        texels[0] = 255; texels[1] = 0; texels[2] = 0
        texels[4] = 0; texels[5] = 0; texels[6] = 255
        let png = try PNGCodec.encode(rgba: texels, width: 2, height: 1)
        var quad = Primitive(streams: [
            VertexStream(.position, components: 3, data: [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]),
            VertexStream(.texcoord(0), components: 2, data: [0, 1, 1, 1, 1, 0, 0, 0]),
        ], indices: [0, 1, 2, 0, 2, 3])
        quad.material = 0
        var material = Material()
        var reference = TextureReference(texture: 0)
        reference.extensions = ["KHR_texture_transform": ["offset": [0.5, 0]]]
        material.baseColorTexture = reference
        material.extensions = ["KHR_materials_unlit": .object([])]
        let s = scene([quad], materials: [material], textures: [Texture(source: 0)], images: [Image(mimeType: "image/png", data: png)])
        let image = ThumbnailRenderer(scene: s).render(camera: frontOrthographic(halfHeight: 1), options: RenderOptions(width: 64, height: 64))
        // Pixel 16 sits 1/64 texel from the blue texel's centre, so a little red wraps in through the filter.
        let left = image.pixel(16, 32), right = image.pixel(48, 32)
        #expect(left[0] < 40 && left[2] > 245 && right[0] > 245 && right[2] < 40)
    }

    @Test func maskMaterialsLetTheBackgroundThroughWhereAlphaIsBelowTheCutoff() throws {
        // A 2×1 texture, left texel transparent, on a quad in front of a green quad: left half green, right red.
        let texels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 255]
        let png = try PNGCodec.encode(rgba: texels, width: 2, height: 1)
        func quad(_ z: Float, material: Int) -> Primitive {
            var q = Primitive(streams: [
                VertexStream(.position, components: 3, data: [-1, -1, z, 1, -1, z, 1, 1, z, -1, 1, z]),
                VertexStream(.texcoord(0), components: 2, data: [0, 1, 1, 1, 1, 0, 0, 0]),
            ], indices: [0, 1, 2, 0, 2, 3])
            q.material = material
            return q
        }
        var front = Material(), back = Material()
        front.baseColorTexture = TextureReference(texture: 0)
        front.alphaMode = .mask
        back.baseColorFactor = [0, 1, 0, 1]
        let s = scene([quad(0.5, material: 0), quad(0, material: 1)], materials: [front, back],
                      textures: [Texture(source: 0)], images: [Image(mimeType: "image/png", data: png)])
        var options = RenderOptions(width: 64, height: 64)
        options.unlit = true
        for scalar in [false, true] {
            options.scalarCoverage = scalar
            let image = ThumbnailRenderer(scene: s).render(camera: frontOrthographic(halfHeight: 1), options: options)
            #expect(image.pixel(8, 32) == [0, 255, 0, 255])
            #expect(image.pixel(56, 32) == [255, 0, 0, 255])
        }
        // Opaque, the same quad hides the green one entirely.
        front.alphaMode = .opaque
        let opaque = ThumbnailRenderer(scene: scene([quad(0.5, material: 0), quad(0, material: 1)], materials: [front, back],
                                                    textures: [Texture(source: 0)], images: [Image(mimeType: "image/png", data: png)]))
            .render(camera: frontOrthographic(halfHeight: 1), options: options)
        #expect(opaque.pixel(8, 32)[1] == 0)
    }

    /// BLEND draws by coverage: alpha 0.5 covers two of a pixel's four samples, 0.3 one of them, so the pixel mixes
    /// the red front quad and the green one behind in those proportions (in linear light, then sRGB encoded).
    @Test func blendMaterialsShowWhatIsBehindInProportionToAlpha() {
        func quad(_ z: Float, material: Int) -> Primitive {
            var q = Primitive(streams: [VertexStream(.position, components: 3, data: [-1, -1, z, 1, -1, z, 1, 1, z, -1, 1, z])],
                              indices: [0, 1, 2, 0, 2, 3])
            q.material = material
            return q
        }
        func srgb(_ linear: Double) -> Double { linear <= 0.0031308 ? 12.92 * linear * 255 : (1.055 * pow(linear, 1 / 2.4) - 0.055) * 255 }
        var options = RenderOptions(width: 32, height: 32)
        options.unlit = true
        for (alpha, redShare) in [(Float(0.5), 0.5), (0.3, 0.25), (1.0, 1.0), (0.1, 0.0)] {
            var front = Material(), back = Material()
            front.baseColorFactor = [1, 0, 0, alpha]
            front.alphaMode = .blend
            back.baseColorFactor = [0, 1, 0, 1]
            let s = scene([quad(0.5, material: 0), quad(0, material: 1)], materials: [front, back])
            for scalar in [false, true] {
                options.scalarCoverage = scalar
                let p = ThumbnailRenderer(scene: s).render(camera: frontOrthographic(halfHeight: 1), options: options).pixel(16, 16)
                #expect(abs(Double(p[0]) - srgb(redShare)) <= 1.5, "alpha \(alpha): red \(p[0])")
                #expect(abs(Double(p[1]) - srgb(1 - redShare)) <= 1.5, "alpha \(alpha): green \(p[1])")
                #expect(p[2] == 0 && p[3] == 255)
            }
        }
    }

    /// KHR_materials_sheen: a near-black base with a blue sheen reads blue (cloth and velvet glow), brighter towards
    /// the silhouette than face-on; without the extension the same quad stays near black.
    @Test func sheenMakesDarkClothReadAsItsSheenColour() {
        let sphere = Primitive.uvSphereForTests()
        var velvet = Material()
        velvet.baseColorFactor = [0.01, 0.01, 0.01, 1]
        velvet.extensions = ["KHR_materials_sheen": ["sheenColorFactor": [0.1, 0.2, 0.8]]]
        let camera = frontOrthographic(halfHeight: 1.2)
        let options = RenderOptions(width: 64, height: 64)
        let lit = ThumbnailRenderer(scene: scene([sphere], materials: [velvet])).render(camera: camera, options: options)
        velvet.extensions = nil
        let plain = ThumbnailRenderer(scene: scene([sphere], materials: [velvet])).render(camera: camera, options: options)
        let centre = lit.pixel(32, 32), rim = lit.pixel(32, 7)
        #expect(centre[2] > centre[0] + 40 && centre[2] > 100, "centre \(centre)")
        #expect(Int(rim[2]) > Int(centre[2]), "rim \(rim) vs centre \(centre)")
        #expect(plain.pixel(32, 32)[2] < 40)
    }

    @Test func nearerTriangleWinsWhateverTheOrder() {
        // Red at z = 0.2 and green at z = -0.2 overlap in the middle; green is submitted last but is behind.
        func triangle(_ z: Float, _ material: Int, dx: Float) -> Primitive {
            var p = Primitive(streams: [VertexStream(.position, components: 3, data: [-0.8 + dx, -0.8, z, 0.8 + dx, -0.8, z, dx, 0.8, z])],
                              indices: [0, 1, 2])
            p.material = material
            return p
        }
        var red = Material(), green = Material()
        red.baseColorFactor = [1, 0, 0, 1]; green.baseColorFactor = [0, 1, 0, 1]
        red.extensions = ["KHR_materials_unlit": .object([])]; green.extensions = red.extensions
        for order in [[triangle(0.2, 0, dx: -0.2), triangle(-0.2, 1, dx: 0.2)], [triangle(-0.2, 1, dx: 0.2), triangle(0.2, 0, dx: -0.2)]] {
            let image = ThumbnailRenderer(scene: scene(order, materials: [red, green]))
                .render(camera: frontOrthographic(halfHeight: 1), options: RenderOptions(width: 64, height: 64))
            #expect(image.pixel(32, 40) == [255, 0, 0, 255]) // overlap: red in front
            #expect(image.pixel(52, 52) == [0, 255, 0, 255]) // green alone on the right
            #expect(image.pixel(10, 52) == [255, 0, 0, 255]) // red alone on the left
        }
    }

    @Test func pointsAndLinesAreDrawnAsSmallSolids() {
        // A 3-point cloud and one line segment, beside a triangle that sets the scale.
        let triangle = Primitive(streams: [VertexStream(.position, components: 3, data: [-1, -1, 0, -0.5, -1, 0, -0.75, -0.5, 0])], indices: [0, 1, 2])
        let points = Primitive(mode: .points, streams: [VertexStream(.position, components: 3, data: [0.5, 0.5, 0, 0.8, 0.5, 0, 0.5, 0.8, 0]),
                                                        VertexStream(.color(0), components: 3, data: [1, 0, 0, 1, 0, 0, 1, 0, 0])],
                               indices: [0, 1, 2])
        let line = Primitive(mode: .lines, streams: [VertexStream(.position, components: 3, data: [-0.9, 0.9, 0, 0.2, -0.2, 0])], indices: [0, 1])
        let geometry = RenderGeometry(scene: scene([triangle, points, line]))
        #expect(geometry.triangleCount == 1 + 3 * 8 + 2 * 2)
        var options = RenderOptions(width: 128, height: 128)
        options.unlit = true
        let image = ThumbnailRenderer(geometry: geometry).render(camera: frontOrthographic(halfHeight: 1), options: options)
        // Each point (about 2 px across here, centred on a pixel corner) shows red around its centre: vertex
        // color times the default clay.
        for (x, y) in [(96, 32), (115, 32), (96, 13)] {
            let around = [(x - 1, y - 1), (x, y - 1), (x - 1, y), (x, y)].map { image.pixel($0.0, $0.1) }
            #expect(around.allSatisfy { $0[3] > 0 && $0[0] > 100 && $0[1] == 0 && $0[2] == 0 }, "point at \(x),\(y): \(around)")
        }
        #expect(image.pixel(40, 40)[3] == 255) // (-0.35, 0.35) lies on the line
    }

    @Test func backFacesAreCulledUnlessDoubleSided() {
        // A clockwise (as seen from the camera) triangle.
        var p = Primitive(streams: [VertexStream(.position, components: 3, data: [-0.5, -0.5, 0, 0, 0.5, 0, 0.5, -0.5, 0])], indices: [0, 1, 2])
        p.material = 0
        var material = Material()
        let camera = frontOrthographic(halfHeight: 1)
        let options = RenderOptions(width: 32, height: 32)
        #expect(ThumbnailRenderer(scene: scene([p], materials: [material])).render(camera: camera, options: options).coveredPixelCount == 0)
        material.doubleSided = true
        #expect(ThumbnailRenderer(scene: scene([p], materials: [material])).render(camera: camera, options: options).coveredPixelCount > 50)
    }
}

extension Primitive {
    /// A unit UV sphere with normals, facing every way: for shading tests.
    static func uvSphereForTests(rings: Int = 24, segments: Int = 48) -> Primitive {
        var positions: [Float] = [], indices: [UInt32] = []
        for r in 0...rings {
            let theta = Float(r) / Float(rings) * .pi
            for sgm in 0...segments {
                let phi = Float(sgm) / Float(segments) * 2 * .pi
                positions += [sinf(theta) * cosf(phi), cosf(theta), -sinf(theta) * sinf(phi)]
            }
        }
        for r in 0..<rings { for sgm in 0..<segments {
            let a = UInt32(r * (segments + 1) + sgm), b = a + UInt32(segments + 1)
            indices += [a, b, a + 1, a + 1, b, b + 1]
        } }
        var p = Primitive(streams: [VertexStream(.position, components: 3, data: positions),
                                    VertexStream(.normal, components: 3, data: positions)], indices: indices)
        p.material = 0
        return p
    }
}
