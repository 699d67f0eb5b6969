import PolyforgeCore
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh
import PolyforgeTopology

/// A base-color or other texture image as QC sees it: header facts, no pixels.
public struct TextureFacts: Sendable {
    public var image: Int
    public var name: String
    public var width: Int
    public var height: Int
    /// `png`, `jpeg`, `webp`, `ktx2`, or `unknown`.
    public var format: String
    public var bytes: Int
    public var usedForBaseColor: Bool

    /// Estimated GPU memory with a full mip chain: RGBA8 for PNG/JPEG/WebP, 1 byte per texel for KTX2
    /// (BC7/ASTC 4x4 after transcoding).
    public var gpuBytes: Int {
        let texel = format == "ktx2" ? 1 : 4
        return width * height * texel * 4 / 3
    }

    public static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
}

/// Everything the checks need, measured once per asset. Expensive measurements are nil unless `QCProfile` asks.
public struct AssetMeasurements: Sendable {
    public var fileBytes = 0
    public var format = ""
    public var triangles = 0
    public var vertices = 0
    public var drawCalls = 0
    public var materials = 0
    public var nodes = 0
    public var meshes = 0
    public var primitives = 0
    public var texturedPrimitives = 0
    public var texturedPrimitivesWithoutUVs = 0
    public var uv = UVBoundsStatistics()
    public var uvSets = 0
    public var uvOverlappingTriangles: Int? = nil
    public var uvOverlapFraction: Double? = nil
    public var uvGutterCollisions: Int? = nil
    /// sqrt(uv area / world area) extremes over textured triangles, in UV units per metre.
    public var texelDensity: (min: Float, max: Float)? = nil
    public var topology: TopologyReport
    public var floaters = 0
    public var hardEdges: Int? = nil
    public var maxEdgeAngle: Float? = nil
    /// Non-manifold edges as the auditor counts them (see `auditorEdges`); nil unless an auditor edge check is on.
    public var auditorNonManifoldEdges: Int? = nil
    public var primitivesWithoutNormals = 0
    public var normals = 0
    public var nonUnitNormals = 0
    public var facesWithNormals = 0
    public var windingMismatchFaces = 0
    public var nonFiniteValues = 0
    public var bounds: BoundingBox
    public var rootTransformClean = true
    public var rootTransform = ""
    public var textures: [TextureFacts] = []
    /// Min and max HSV value (max of R, G, B; 0-255) over every pixel of base-color images, when decoded.
    public var baseColorValueRange: (min: Int, max: Int)? = nil
    public var baseColorDecodeErrors: [String] = []
    public var pbrFactorProblems: [String] = []
    public var requiredExtensions: [String] = []
    public var warnings: [String] = []

    /// Measures a loaded file; `profile` decides which expensive measurements run.
    public init(_ loaded: LoadedScene, profile: QCProfile) {
        let scene = loaded.scene
        fileBytes = loaded.fileSize + loaded.sideFiles.reduce(0) { $0 + $1.bytes }
        format = loaded.format.rawValue
        nodes = scene.nodes.count
        meshes = scene.meshes.count
        materials = scene.materials.count
        primitives = scene.meshes.reduce(0) { $0 + $1.primitives.count }
        requiredExtensions = scene.extensionsRequired
        warnings = scene.warnings
        bounds = scene.worldBounds()

        let instances = scene.meshInstances()
        for instance in instances {
            for p in scene.meshes[instance.mesh].primitives where p.mode == .triangles {
                triangles += p.triangleCount
                vertices += p.vertexCount
                drawCalls += 1
            }
        }

        // Welded world-space surface: the shared topology analysis, with face components for floaters.
        let soup = TriangleSoup(scene: scene)
        let welded = MeshTopology.weldPositions(soup, tolerance: 1e-8).soup
        var components = [UInt32](repeating: 0, count: welded.triangleCount)
        topology = components.withUnsafeMutableBufferPointer { MeshTopology.analyze(welded, faceComponents: $0.baseAddress) }
        if topology.components > 1, let fraction = profile.limit("floater_fraction") {
            var sizes = [Int](repeating: 0, count: topology.components)
            for c in components where Int(c) < sizes.count { sizes[Int(c)] += 1 }
            let largest = sizes.max() ?? 0
            let cut = Swift.max(1.0, fraction * Double(welded.triangleCount))
            var skippedLargest = false
            for s in sizes {
                if s == largest && !skippedLargest { skippedLargest = true; continue }
                if Double(s) < cut { floaters += 1 }
            }
        }
        if profile.requires("require_beveled_edges") || profile.limit("max_hard_edges") != nil || profile.requires("require_manifold_edges") {
            auditorEdges(scene, threshold: Float(profile.limit("hard_edge_angle") ?? 90))
        }

        measureAttributes(scene, profile: profile)
        measureUVs(scene, instances: instances, profile: profile)
        measureTextures(scene, profile: profile)

        for (i, root) in scene.rootNodes.enumerated() where root >= 0 && root < scene.nodes.count {
            let n = scene.nodes[root]
            let clean = n.matrix.map { Matrix4(columnMajor: $0).isIdentity } ?? (n.translation == [0, 0, 0] && n.rotation == [0, 0, 0, 1] && n.scale == [1, 1, 1])
            if !clean {
                rootTransformClean = false
                if rootTransform.isEmpty {
                    rootTransform = "root node \(i) (\(n.name ?? "unnamed")): translation \(n.translation), rotation \(n.rotation), scale \(n.scale)"
                }
            }
        }
        for (i, m) in scene.materials.enumerated() {
            let name = m.name ?? "material \(i)"
            let unit: (Float) -> Bool = { $0 >= 0 && $0 <= 1 }
            if !m.baseColorFactor.allSatisfy(unit) { pbrFactorProblems.append("\(name): baseColorFactor \(m.baseColorFactor)") }
            if !unit(m.metallicFactor) { pbrFactorProblems.append("\(name): metallicFactor \(m.metallicFactor)") }
            if !unit(m.roughnessFactor) { pbrFactorProblems.append("\(name): roughnessFactor \(m.roughnessFactor)") }
            if !m.emissiveFactor.allSatisfy(unit) { pbrFactorProblems.append("\(name): emissiveFactor \(m.emissiveFactor)") }
            if !unit(m.alphaCutoff) && m.alphaMode == .mask { pbrFactorProblems.append("\(name): alphaCutoff \(m.alphaCutoff)") }
        }
    }

    /// Hard and non-manifold edges as the glTF Asset Auditor finds them: per primitive, in the primitive's own
    /// coordinates, vertices matched when their coordinates agree after rounding to 1e-5 (its VertexXyz), an edge
    /// hard when its two faces meet at 90 degrees or more, non-manifold when it has three or more faces.
    private mutating func auditorEdges(_ scene: Scene, threshold: Float) {
        var hard = 0, nonManifold = 0
        var largest: Float = 0
        for mesh in scene.meshes {
            for p in mesh.primitives where p.mode == .triangles && !p.indices.isEmpty {
                let positions = p.positions
                var remap = [UInt32](repeating: 0, count: positions.count / 3)
                _ = positions.withUnsafeBufferPointer { pos in
                    remap.withUnsafeMutableBufferPointer { pf_weld_rounded(pos.baseAddress, pos.count / 3, 3, 1e5, $0.baseAddress) }
                }
                let soup = TriangleSoup(positions: positions, indices: p.indices.map { remap[Int($0)] })
                let e = UVQuality.edgeAngles(soup, thresholdDegrees: threshold)
                hard += e.hard
                largest = Swift.max(largest, e.maxAngle)
                nonManifold += MeshTopology.analyze(soup).nonManifoldEdges
            }
        }
        hardEdges = hard
        maxEdgeAngle = largest
        auditorNonManifoldEdges = nonManifold
    }

    private mutating func measureAttributes(_ scene: Scene, profile: QCProfile) {
        for mesh in scene.meshes {
            for p in mesh.primitives {
                for s in p.streams {
                    for x in s.data where !x.isFinite { nonFiniteValues += 1 }
                }
                guard p.mode == .triangles else { continue }
                guard let n = p.stream(.normal), n.components == 3 else { primitivesWithoutNormals += 1; continue }
                let pos = p.positions
                n.data.withUnsafeBufferPointer { nd in
                    normals += nd.count / 3
                    for v in 0..<(nd.count / 3) {
                        let l = (nd[3 * v] * nd[3 * v] + nd[3 * v + 1] * nd[3 * v + 1] + nd[3 * v + 2] * nd[3 * v + 2]).squareRoot()
                        if !(abs(l - 1) <= 1e-3) { nonUnitNormals += 1 }
                    }
                    let idx = p.indices
                    guard pos.count / 3 == nd.count / 3 else { return }
                    for f in 0..<(idx.count / 3) {
                        let a = Int(idx[3 * f]), b = Int(idx[3 * f + 1]), c = Int(idx[3 * f + 2])
                        let e1 = (pos[3 * b] - pos[3 * a], pos[3 * b + 1] - pos[3 * a + 1], pos[3 * b + 2] - pos[3 * a + 2])
                        let e2 = (pos[3 * c] - pos[3 * a], pos[3 * c + 1] - pos[3 * a + 1], pos[3 * c + 2] - pos[3 * a + 2])
                        let fn = (e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0)
                        if fn.0 == 0 && fn.1 == 0 && fn.2 == 0 { continue }
                        let sx = nd[3 * a] + nd[3 * b] + nd[3 * c], sy = nd[3 * a + 1] + nd[3 * b + 1] + nd[3 * c + 1]
                        let sz = nd[3 * a + 2] + nd[3 * b + 2] + nd[3 * c + 2]
                        facesWithNormals += 1
                        if fn.0 * sx + fn.1 * sy + fn.2 * sz < 0 { windingMismatchFaces += 1 }
                    }
                }
            }
        }
    }

    private mutating func measureUVs(_ scene: Scene, instances: [MeshInstance], profile: QCProfile) {
        let overlapWanted = profile.requires("require_not_overlapping_uvs") || profile.limit("max_uv_overlap_fraction") != nil
        let gutter = profile.limit("uv_gutter_resolution").map { Int($0) }.flatMap { $0 > 0 ? Swift.min($0, 8192) : nil }
        let densityWanted = profile.limit("min_pixels_per_meter") != nil || profile.limit("max_pixels_per_meter") != nil
        var overlapTriangles = 0, overlapWeighted = 0.0, overlapTotal = 0, collisions = 0
        for (mi, mesh) in scene.meshes.enumerated() {
            for p in mesh.primitives where p.mode == .triangles {
                let material = p.material.flatMap { $0 >= 0 && $0 < scene.materials.count ? scene.materials[$0] : nil }
                let sets = Set(material?.textureReferences.map { $0.reference.texCoord } ?? [])
                if !sets.isEmpty {
                    texturedPrimitives += 1
                    if sets.contains(where: { p.stream(.texcoord($0)) == nil }) { texturedPrimitivesWithoutUVs += 1 }
                }
                guard let t = p.stream(.texcoord(0)), t.components == 2 else { continue }
                uvSets += 1
                uv.add(UVQuality.bounds(uvs: t.data, indices: p.indices))
                if overlapWanted {
                    let res = Swift.min(2048, Swift.max(256, Int((Double(p.triangleCount).squareRoot() * 8).rounded(.up))))
                    let o = UVQuality.overlap(uvs: t.data, indices: p.indices, resolution: res)
                    overlapTriangles += o.triangles
                    overlapWeighted += o.overlappedFraction * Double(p.triangleCount)
                    overlapTotal += p.triangleCount
                }
                if let gutter { collisions += UVQuality.gutterCollisions(uvs: t.data, indices: p.indices, resolution: gutter) }
                if densityWanted {
                    for instance in instances where instance.mesh == mi {
                        var world = p.positions
                        if !instance.worldMatrix.isIdentity {
                            for v in 0..<(world.count / 3) {
                                let (x, y, z) = instance.worldMatrix.transformPoint(world[3 * v], world[3 * v + 1], world[3 * v + 2])
                                world[3 * v] = x; world[3 * v + 1] = y; world[3 * v + 2] = z
                            }
                        }
                        if let d = UVQuality.texelDensity(positions: world, uvs: t.data, indices: p.indices) {
                            texelDensity = (Swift.min(texelDensity?.min ?? .infinity, d.min), Swift.max(texelDensity?.max ?? 0, d.max))
                        }
                    }
                }
            }
        }
        if overlapWanted {
            uvOverlappingTriangles = overlapTriangles
            uvOverlapFraction = overlapTotal > 0 ? overlapWeighted / Double(overlapTotal) : 0
        }
        if gutter != nil { uvGutterCollisions = collisions }
    }

    private mutating func measureTextures(_ scene: Scene, profile: QCProfile) {
        var baseColorImages = Set<Int>()
        for m in scene.materials {
            if let t = m.baseColorTexture, t.texture >= 0, t.texture < scene.textures.count, let s = scene.textures[t.texture].source {
                baseColorImages.insert(s)
            }
        }
        for (i, image) in scene.images.enumerated() {
            let header = ImageProbe.probe(image.data)
            textures.append(TextureFacts(image: i, name: image.name ?? image.originalFileName ?? "image \(i)",
                                         width: header?.width ?? 0, height: header?.height ?? 0,
                                         format: header?.format ?? "unknown", bytes: image.data.count,
                                         usedForBaseColor: baseColorImages.contains(i)))
        }
        guard profile.limit("pbr_color_min") != nil || profile.limit("pbr_color_max") != nil else { return }
        var lo = 255, hi = 0, any = false
        for i in baseColorImages.sorted() where i < scene.images.count {
            do {
                let decoded = try ImageDecoder.decode(scene.images[i].data)
                decoded.rgba.withUnsafeBufferPointer { px in
                    var l: UInt8 = 255, h: UInt8 = 0
                    var k = 0
                    while k + 3 < px.count {
                        let v = Swift.max(px[k], px[k + 1], px[k + 2])
                        if v < l { l = v }
                        if v > h { h = v }
                        k += 4
                    }
                    if px.count >= 4 { lo = Swift.min(lo, Int(l)); hi = Swift.max(hi, Int(h)); any = true }
                }
            } catch {
                baseColorDecodeErrors.append("\(textures[i].name): \(error)")
            }
        }
        if any { baseColorValueRange = (lo, hi) }
    }
}
