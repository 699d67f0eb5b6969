import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh
import PolyforgeRender

/// The mesh a task "generates", picked from the words of its prompt.
enum MeshKind: String, Sendable, CaseIterable {
    case sphere
    case torus
    case cube
    case scan

    private static let words: [(Set<String>, MeshKind)] = [
        (["sphere", "ball", "planet", "orb"], .sphere),
        (["donut", "doughnut", "ring", "torus"], .torus),
        (["box", "crate", "cube"], .cube),
    ]

    /// The first kind whose word appears in `text` as a whole word (case-insensitive); a scan-like surface otherwise.
    static func choose(for text: String?) -> MeshKind {
        guard let text else { return .scan }
        let tokens = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        for token in tokens {
            for (set, kind) in words where set.contains(token) { return kind }
        }
        return .scan
    }
}

/// What one served file holds; the bytes come from the shared cache of the task's mesh kind.
enum ArtifactContent: Sendable, Equatable {
    case model
    case preview
    case baseColor
    case stl
    /// A format the emulator does not write (fbx, obj, usdz, 3mf, …): a short text stand-in with the right name.
    case placeholder(String)

    var contentType: String {
        switch self {
        case .model: return "model/gltf-binary"
        case .preview, .baseColor: return "image/png"
        case .stl: return "model/stl"
        case .placeholder: return "application/octet-stream"
        }
    }
}

/// A file a task serves under /_files/<task id>/<name>.
struct ArtifactFile: Sendable, Equatable {
    var name: String
    var content: ArtifactContent
}

/// Procedural GLB, preview and texture bytes per mesh kind, built once per process and shared by every
/// emulator instance (a thousand tasks must not re-encode or re-render anything).
final class ArtifactStore: @unchecked Sendable {
    static let shared = ArtifactStore()

    struct Artifacts: Sendable {
        var glb: [UInt8]
        var preview: [UInt8]
        var baseColor: [UInt8]
        var stl: [UInt8]
    }

    private let lock = Lock()
    private var cache: [MeshKind: Artifacts] = [:]

    /// Builds every kind now, so no request ever pays for it (called before the server accepts connections).
    func warm() {
        for kind in MeshKind.allCases { _ = artifacts(for: kind) }
    }

    func artifacts(for kind: MeshKind) -> Artifacts {
        lock.withLock {
            if let cached = cache[kind] { return cached }
            let built = Self.build(kind)
            cache[kind] = built
            return built
        }
    }

    func bytes(of content: ArtifactContent, kind: MeshKind) -> [UInt8] {
        let artifacts = artifacts(for: kind)
        switch content {
        case .model: return artifacts.glb
        case .preview: return artifacts.preview
        case .baseColor: return artifacts.baseColor
        case .stl: return artifacts.stl
        case .placeholder(let format):
            return Array("polyforge emulator: stand-in for a .\(format) file (the emulator only writes GLB, STL and PNG)\n".utf8)
        }
    }

    private static func build(_ kind: MeshKind) -> Artifacts {
        let scene = texturedScene(kind)
        // The encoders cannot fail on these fixed, valid inputs; an empty file would still be served as 200.
        let glb = (try? GLTFWriter.glbBytes(scene)) ?? []
        let renderer = ThumbnailRenderer(scene: scene)
        let image = renderer.render(.threeQuarter, options: RenderOptions(width: 128, height: 128,
                                                                          background: .color(red: 236, green: 236, blue: 236)))
        let preview = (try? image.pngData()) ?? []
        let baseColor = scene.images.first?.data ?? []
        return Artifacts(glb: glb, preview: preview, baseColor: baseColor, stl: STLWriter.encode(scene))
    }

    /// The fixture for `kind`, given a base-colour texture when it has none (generators always ship textured meshes).
    static func texturedScene(_ kind: MeshKind) -> Scene {
        var scene: Scene
        let tint: (UInt8, UInt8, UInt8)
        switch kind {
        case .sphere: scene = Fixtures.uvSphere(); tint = (204, 77, 51)
        case .torus: scene = Fixtures.torus(); tint = (51, 102, 217)
        case .cube: scene = Fixtures.cubeWithSeams(); tint = (170, 130, 80)
        case .scan: return ScanSurface.generate(triangles: 2000)
        }
        guard scene.images.isEmpty, let png = try? PNGCodec.encode(rgba: stripedPixels(size: 64, tint: tint), width: 64, height: 64) else {
            return scene
        }
        if scene.materials.isEmpty { scene.materials = [Material(name: kind.rawValue)] }
        scene.materials[0].baseColorFactor = [1, 1, 1, 1]
        scene.materials[0].baseColorTexture = TextureReference(texture: 0)
        scene.textures = [Texture(name: "\(kind.rawValue)_base_color", source: 0, sampler: 0)]
        scene.images = [Image(name: "\(kind.rawValue)_base_color", mimeType: "image/png", data: png)]
        scene.samplers = [Sampler(magFilter: 9729, minFilter: 9987)]
        for m in scene.meshes.indices {
            for p in scene.meshes[m].primitives.indices where scene.meshes[m].primitives[p].material == nil {
                scene.meshes[m].primitives[p].material = 0
            }
        }
        return scene
    }

    /// RGBA8: diagonal bands of `tint` and a lighter shade, so the texture is visibly mapped in previews.
    private static func stripedPixels(size: Int, tint: (UInt8, UInt8, UInt8)) -> [UInt8] {
        var pixels = [UInt8](repeating: 255, count: size * size * 4)
        for y in 0..<size {
            for x in 0..<size {
                let light = ((x + y) / 8) % 2 == 0
                let i = 4 * (y * size + x)
                let lift = { (c: UInt8) -> UInt8 in light ? UInt8(min(255, Int(c) + 60)) : c }
                pixels[i] = lift(tint.0)
                pixels[i + 1] = lift(tint.1)
                pixels[i + 2] = lift(tint.2)
            }
        }
        return pixels
    }
}
