#if canImport(Glibc)
import Glibc
#endif
import Testing
import PolyforgeCore
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh
@testable import PolyforgeRender

let sharedAssets = "/work/shared/assets"

/// Tests that change the core's thread count must not overlap.
@Suite(.serialized) struct ThumbnailTests {
    /// A bumpy, many-triangle sphere with UVs, enough to spread over every tile.
    func denseSphere(rings: Int = 120, segments: Int = 240) -> Scene {
        var positions: [Float] = [], uvs: [Float] = [], indices: [UInt32] = []
        for r in 0...rings {
            let v = Float(r) / Float(rings), theta = v * .pi
            for s in 0...segments {
                let u = Float(s) / Float(segments), phi = u * 2 * .pi
                let bump: Float = 1 + 0.05 * sinf(13 * phi) * sinf(9 * theta)
                positions += [bump * sinf(theta) * cosf(phi), bump * cosf(theta), -bump * sinf(theta) * sinf(phi)]
                uvs += [u, v]
            }
        }
        for r in 0..<rings { for s in 0..<segments {
            let a = UInt32(r * (segments + 1) + s), b = a + UInt32(segments + 1)
            indices += [a, b, a + 1, a + 1, b, b + 1]
        } }
        var p = Primitive(streams: [VertexStream(.position, components: 3, data: positions), VertexStream(.texcoord(0), components: 2, data: uvs)], indices: indices)
        p.material = 0
        var m = Material()
        m.baseColorFactor = [0.9, 0.5, 0.2, 1]
        return Scene(mesh: Mesh(primitives: [p]), materials: [m])
    }

    /// A GLB read with borrowing leaves its large arrays in the mapped file; drawn from there (one primitive) or
    /// copied in (two primitives) it renders exactly what the plain read renders, and materialized it is the same scene.
    @Test func borrowedGLBRendersLikeACopiedOne() throws {
        let path = "/tmp/polyforge-borrow-\(getpid()).glb"
        defer { unlink(path) }
        // 80k vertices: 32-bit indices (1.9 MB), positions 960 KB, UVs 640 KB, all borrowed.
        var scene = denseSphere(rings: 200, segments: 400)
        for twoPrimitives in [false, true] {
            if twoPrimitives { scene.meshes[0].primitives.append(scene.meshes[0].primitives[0]) }
            try SceneIO.write(scene, to: path)
            var borrowed = try SceneIO.read(path, borrowing: true)
            let plain = try SceneIO.read(path)
            let entries = try #require(borrowed.borrowed).entries
            #expect(entries.contains { $0.semantic == .position } && entries.contains { $0.semantic == nil })
            #expect(entries.contains { $0.semantic == .texcoord(0) })
            #expect(borrowed.scene.meshes[0].primitives[0].stream(.position)?.data.isEmpty == true)
            let options = RenderOptions(width: 96, height: 96)
            let fromFile = ThumbnailRenderer(geometry: RenderGeometry(loaded: borrowed)).render(.threeQuarter, options: options)
            let fromCopy = ThumbnailRenderer(scene: plain.scene).render(.threeQuarter, options: options)
            #expect(fromFile.rgba == fromCopy.rgba)
            #expect(fromFile.rgba.contains { $0 != 0 })
            borrowed.materializeBorrowed()
            #expect(borrowed.borrowed == nil)
            for (a, b) in zip(borrowed.scene.meshes[0].primitives, plain.scene.meshes[0].primitives) {
                #expect(a.indices == b.indices)
                #expect(a.streams.map(\.semantic) == b.streams.map(\.semantic))
                #expect(a.streams.map(\.data) == b.streams.map(\.data))
            }
        }
    }

    @Test func outputIsIdenticalRunToRunAndForOneOrTwoThreads() {
        let renderer = ThumbnailRenderer(scene: denseSphere())
        var options = RenderOptions(width: 200, height: 150)
        options.wireframe = true
        defer { pf_set_thread_count(0) }
        pf_set_thread_count(2)
        let a = renderer.render(.threeQuarter, options: options)
        let b = renderer.render(.threeQuarter, options: options)
        pf_set_thread_count(1)
        let c = renderer.render(.threeQuarter, options: options)
        #expect(a.coveredPixelCount > 5000)
        #expect(a == b)
        #expect(a == c)
        options.uvChecker = true
        let d = renderer.render(.front, options: options)
        pf_set_thread_count(2)
        #expect(d == renderer.render(.front, options: options))
    }

    @Test func simdAndScalarCoverageAgreeBitForBit() {
        let renderer = ThumbnailRenderer(scene: denseSphere())
        for view in CameraView.allCases {
            var options = RenderOptions(width: 96, height: 80)
            let simd = renderer.renderWithDepth(camera: renderer.camera(for: view, options: options), options: options)
            options.scalarCoverage = true
            let scalar = renderer.renderWithDepth(camera: renderer.camera(for: view, options: options), options: options)
            #expect(simd.image == scalar.image, "\(view)")
            #expect(simd.depth == scalar.depth, "\(view)")
            #expect(simd.drawn == scalar.drawn)
        }
    }

    @Test func avocadoThumbnailIsTexturedGreen() throws {
        let loaded = try SceneIO.read("\(sharedAssets)/gltf/Avocado-glTF/Avocado.gltf")
        let renderer = ThumbnailRenderer(scene: loaded.scene)
        #expect(renderer.geometry.textures.count == 1)
        #expect(renderer.geometry.warnings.isEmpty)
        let image = renderer.render(.front, options: RenderOptions(width: 128, height: 128))
        var covered = 0, greenish = 0, distinct = Set<UInt32>()
        for y in 0..<128 { for x in 0..<128 {
            let p = image.pixel(x, y)
            guard p[3] == 255 else { continue }
            covered += 1
            if Int(p[1]) > Int(p[2]) + 10 && Int(p[1]) >= Int(p[0]) - 30 { greenish += 1 }
            distinct.insert(UInt32(p[0] >> 3) << 10 | UInt32(p[1] >> 3) << 5 | UInt32(p[2] >> 3))
        } }
        #expect(covered > 128 * 128 / 5)
        #expect(greenish * 10 > covered * 6)
        // A flat-colored avocado would show a few shades; the texture gives many.
        #expect(distinct.count > 100)
    }

    @Test func framingKeepsEveryViewInsideTheImage() {
        let renderer = ThumbnailRenderer(scene: scene([unitCube(size: 3)]))
        for view in CameraView.allCases {
            let image = renderer.render(view, options: RenderOptions(width: 64, height: 48))
            #expect(image.coveredPixelCount > 400, "\(view)")
            for x in 0..<64 { #expect(image.pixel(x, 0)[3] == 0 && image.pixel(x, 47)[3] == 0, "\(view)") }
            for y in 0..<48 { #expect(image.pixel(0, y)[3] == 0 && image.pixel(63, y)[3] == 0, "\(view)") }
        }
    }

    @Test func backgroundParses() {
        #expect(Background(parsing: "transparent") == .transparent)
        #expect(Background(parsing: "#FF8000") == .color(red: 255, green: 128, blue: 0))
        #expect(Background(parsing: "#ff800") == nil)
        #expect(Background.color(red: 1, green: 171, blue: 255).description == "#01ABFF")
    }
}
