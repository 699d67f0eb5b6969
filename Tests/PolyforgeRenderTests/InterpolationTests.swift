import Testing
import PolyforgeCore
import PolyforgeImage
import PolyforgeMesh
@testable import PolyforgeRender

@Suite struct InterpolationTests {
    /// A red|blue texture on a wall whose right edge is 4 units further away than its left edge.
    func recedingWall() throws -> Scene {
        var texels = [UInt8](repeating: 255, count: 8)
        texels[0] = 255; texels[1] = 0; texels[2] = 0
        texels[4] = 0; texels[5] = 0; texels[6] = 255
        let png = try PNGCodec.encode(rgba: texels, width: 2, height: 1)
        var wall = Primitive(streams: [
            VertexStream(.position, components: 3, data: [-1, -1, 0, 1, -1, -4, 1, 1, -4, -1, 1, 0]),
            VertexStream(.texcoord(0), components: 2, data: [0, 1, 1, 1, 1, 0, 0, 0]),
        ], indices: [0, 1, 2, 0, 2, 3])
        wall.material = 0
        var material = Material()
        material.baseColorTexture = TextureReference(texture: 0)
        material.extensions = ["KHR_materials_unlit": .object([])]
        return Scene(mesh: Mesh(primitives: [wall]), materials: [material], textures: [Texture(source: 0)],
                     images: [Image(mimeType: "image/png", data: png)])
    }

    @Test func texturesArePerspectiveCorrect() throws {
        // u = 0.5 is world x = 0, z = -2, which projects to the image centre (column 64 of 128). Affine
        // (screen-linear) interpolation would put the red/blue boundary near column 53 instead.
        let camera = Camera(eye: [0, 0, 3], target: [0, 0, -2], projection: .perspective(fovY: .pi / 3), near: 0.5, far: 20)
        let image = ThumbnailRenderer(scene: try recedingWall()).render(camera: camera, options: RenderOptions(width: 128, height: 128))
        let row = 64
        let boundary = (0..<128).first { x in let p = image.pixel(x, row); return p[3] == 255 && p[2] > p[0] }
        #expect(boundary.map { abs($0 - 64) <= 1 } == true, "boundary at \(String(describing: boundary))")
    }

    @Test func invalidArgumentsAreRejected() {
        // pf_raster_draw returns (size_t)-1, which Swift sees as -1, for invalid input.
        func draw(_ indices: [UInt32], width: UInt32 = 4) -> Int {
            let positions: [Float] = [0, 0, 0, 1, 0, 0, 0, 1, 0]
            var out = [UInt8](repeating: 7, count: 4 * 4 * 4)
            return positions.withUnsafeBufferPointer { p in
                indices.withUnsafeBufferPointer { i in
                    var mesh = pf_raster_mesh(positions: p.baseAddress, normals: nil, uvs: nil, colors: nil, vertex_count: 3,
                                              indices: i.baseAddress, index_count: i.count, materials: nil)
                    var options = pf_raster_options()
                    options.width = width
                    options.height = 4
                    options.view_projection.0 = 1; options.view_projection.5 = 1; options.view_projection.10 = 1; options.view_projection.15 = 1
                    return pf_raster_draw(&mesh, &options, &out, nil)
                }
            }
        }
        #expect(draw([0, 1, 3]) == -1) // index out of range
        #expect(draw([0, 1, 2]) == 1)
        #expect(draw([0, 2, 1]) == 0) // clockwise: culled
        #expect(draw([0, 1, 2], width: 0) == -1)
    }

    @Test func contactSheetLaysOutCellsWithCaptions() {
        let red = RenderedImage(width: 40, height: 30, fill: [255, 0, 0, 255])
        let blue = RenderedImage(width: 40, height: 30, fill: [0, 0, 255, 255])
        let cells = [ContactSheet.Cell(image: red, label: "a.glb"), ContactSheet.Cell(image: blue, label: "b.obj"),
                     ContactSheet.Cell(image: red, label: "c.stl")]
        let sheet = ContactSheet.compose(cells, columns: 2, gap: 4)
        let caption = BitmapFont.glyphHeight + 6
        #expect(sheet.width == 2 * 40 + 3 * 4)
        #expect(sheet.height == 2 * (30 + caption) + 3 * 4)
        #expect(sheet.pixel(4, 4) == [255, 0, 0, 255])
        #expect(sheet.pixel(48, 4) == [0, 0, 255, 255])
        #expect(sheet.pixel(4, 4 + 30 + caption + 4) == [255, 0, 0, 255])
        // Dark ink under the first cell, on the white sheet.
        var ink = 0
        for y in 34..<(34 + caption) { for x in 4..<44 where sheet.pixel(x, y)[0] < 100 { ink += 1 } }
        #expect(ink > 10)
    }
}
