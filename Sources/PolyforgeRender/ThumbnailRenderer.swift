import PolyforgeCore
import PolyforgeImage
import PolyforgeMesh

/// Draws thumbnails of one scene from named views or any camera, through the C core's rasterizer.
///
/// The scene is flattened and its textures decoded once, in `init`; each `render` call is then one
/// `pf_raster_draw`. Safe to share between threads.
public struct ThumbnailRenderer: Sendable {
    public let geometry: RenderGeometry

    public init(scene: Scene) {
        geometry = RenderGeometry(scene: scene)
    }

    public init(geometry: RenderGeometry) {
        self.geometry = geometry
    }

    /// The camera `render(_:options:)` uses for a named view: framed on the world bounds.
    public func camera(for view: CameraView, options: RenderOptions) -> Camera {
        Camera.framing(geometry.bounds, view: view, aspect: Float(options.width) / Float(options.height))
    }

    public func render(_ view: CameraView, options: RenderOptions = RenderOptions()) -> RenderedImage {
        render(camera: camera(for: view, options: options), options: options)
    }

    /// One image per view, in the order given.
    public func render(_ views: [CameraView], options: RenderOptions = RenderOptions()) -> [RenderedImage] {
        views.map { render($0, options: options) }
    }

    public func render(camera: Camera, options: RenderOptions = RenderOptions()) -> RenderedImage {
        render(camera: camera, options: options, depth: nil).image
    }

    /// Renders and also returns the per-pixel NDC depth (+infinity where nothing was drawn) and the number
    /// of triangles drawn.
    public func renderWithDepth(camera: Camera, options: RenderOptions = RenderOptions()) -> (image: RenderedImage, depth: [Float], drawn: Int) {
        var depth = [Float](repeating: 0, count: options.width * options.height)
        let result = render(camera: camera, options: options, depth: &depth)
        return (result.image, depth, result.drawn)
    }

    private func render(camera: Camera, options: RenderOptions, depth: UnsafeMutablePointer<[Float]>?) -> (image: RenderedImage, drawn: Int) {
        precondition(options.width >= 1 && options.height >= 1 && options.width <= RenderOptions.maxDimension && options.height <= RenderOptions.maxDimension,
                     "thumbnail size \(options.width)×\(options.height) is outside 1…\(RenderOptions.maxDimension)")
        let g = geometry
        var rgba = [UInt8](repeating: 0, count: options.width * options.height * 4)
        var raster = pf_raster_options()
        let vp = camera.viewProjection(aspect: Float(options.width) / Float(options.height))
        withUnsafeMutableBytes(of: &raster.view_projection) { raw in
            for i in 0..<16 { raw.storeBytes(of: vp[i], toByteOffset: i * 4, as: Float.self) }
        }
        let (right, up, back) = camera.basis
        // Key light from the camera's upper left, so every view reads the same way.
        let light = normalized(-0.45 * right + 0.7 * up + 0.55 * back)
        raster.eye = (camera.eye.x, camera.eye.y, camera.eye.z)
        raster.light_direction = (light.x, light.y, light.z)
        let bg = options.background.rgba
        raster.background = (bg[0], bg[1], bg[2], bg[3])
        raster.wireframe_color = (0.05, 0.05, 0.08, 0.85)
        raster.wireframe_width = max(1, Float(max(options.width, options.height)) / 512)
        raster.width = UInt32(options.width)
        raster.height = UInt32(options.height)
        raster.flags = (options.wireframe ? UInt32(PF_RASTER_WIREFRAME) : 0)
            | (options.uvChecker ? UInt32(PF_RASTER_UV_CHECKER) : 0)
            | (options.unlit ? UInt32(PF_RASTER_UNLIT) : 0)
            | (options.scalarCoverage ? UInt32(PF_RASTER_SCALAR) : 0)

        let textureViews = g.textures.map { texture -> pf_raster_texture in
            var t = pf_raster_texture()
            t.width = UInt32(texture.width)
            t.height = UInt32(texture.height)
            return t
        }
        var drawn = 0
        withTexturePointers(g.textures, textureViews) { textures in
            g.materials.withUnsafeBufferPointer { materials in
                raster.materials = materials.baseAddress
                raster.material_count = materials.count
                raster.textures = UnsafePointer(textures.baseAddress)
                raster.texture_count = textures.count
                g.withMesh { mesh in
                    let result: Int
                    if let depth {
                        result = depth.pointee.withUnsafeMutableBufferPointer { d in
                            rgba.withUnsafeMutableBufferPointer { Int(bitPattern: UInt(pf_raster_draw(&mesh, &raster, $0.baseAddress, d.baseAddress))) }
                        }
                    } else {
                        result = rgba.withUnsafeMutableBufferPointer { Int(bitPattern: UInt(pf_raster_draw(&mesh, &raster, $0.baseAddress, nil))) }
                    }
                    precondition(result >= 0, "pf_raster_draw rejected its arguments or ran out of memory")
                    drawn = result
                }
            }
        }
        return (RenderedImage(width: options.width, height: options.height, rgba: rgba), drawn)
    }
}

/// Pins every texture's pixels for the duration of `body`, which sees them as pf_raster_texture values.
private func withTexturePointers<R>(_ textures: [DecodedImage], _ views: [pf_raster_texture],
                                    _ body: (UnsafeBufferPointer<pf_raster_texture>) -> R) -> R {
    var views = views
    func pin(_ index: Int) -> R {
        if index == textures.count { return views.withUnsafeBufferPointer(body) }
        return textures[index].rgba.withUnsafeBufferPointer { pixels in
            views[index].rgba = pixels.baseAddress
            return pin(index + 1)
        }
    }
    return pin(0)
}
