#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeCore
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh

/// A scene flattened for the rasterizer: every triangle instance in world space in one set of streams, with
/// the base-color textures decoded once. Built once per asset, drawn from any number of cameras.
public struct RenderGeometry: Sendable {
    public private(set) var positions: [Float] = []
    /// World-space normals; (0,0,0) for vertices of primitives that had none (the core shades those flat).
    public private(set) var normals: [Float]? = nil
    public private(set) var uvs: [Float]? = nil
    /// Linear RGBA; nil when no primitive has COLOR_0.
    public private(set) var colors: [Float]? = nil
    public private(set) var indices: [UInt32] = []
    /// One raster material id per triangle; empty when every triangle uses material 0.
    public private(set) var triangleMaterials: [UInt32] = []
    /// Arrays drawn in place from a mapped file (`init(loaded:)`); the matching array properties are then empty.
    private var external: External? = nil
    /// The core's materials, one per (scene material, has UVs, drawn double-sided) triple, in first-use order.
    private(set) var materials: [pf_raster_material] = []
    /// Decoded base-color textures, RGBA8 each.
    public private(set) var textures: [DecodedImage] = []
    public private(set) var bounds = BoundingBox()
    /// Images that could not be decoded or primitives that were skipped, one sentence each.
    public private(set) var warnings: [String] = []

    public var triangleCount: Int { (external?.indices.map { $0.count } ?? indices.count) / 3 }
    public var vertexCount: Int { (external?.positions.map { $0.count } ?? positions.count) / 3 }

    /// Pointers into a borrowed glTF's mapped file, with the object that keeps the mapping alive.
    private struct External: @unchecked Sendable {
        var positions: UnsafeBufferPointer<Float>?
        var normals: UnsafeBufferPointer<Float>?
        var uvs: UnsafeBufferPointer<Float>?
        var indices: UnsafeBufferPointer<UInt32>?
        let owner: BorrowedGeometry
    }

    /// Builds the geometry of a scene read with `SceneIO.read(path, borrowing: true)`. A single primitive drawn once
    /// without a transform (most generated and scanned assets) is drawn straight from the mapped file: no copy of
    /// its arrays is made. Anything else is copied in first and built as `init(scene:)` does.
    public init(loaded: LoadedScene) {
        if let borrowed = loaded.borrowed, let geometry = Self.drawingInPlace(loaded.scene, borrowed) {
            self = geometry
        } else {
            var scene = loaded.scene
            loaded.borrowed?.materialize(into: &scene)
            self = RenderGeometry(scene: scene)
        }
    }

    private static func drawingInPlace(_ scene: Scene, _ borrowed: BorrowedGeometry) -> RenderGeometry? {
        let instances = scene.meshInstances()
        guard instances.count == 1, instances[0].worldMatrix.isIdentity else { return nil }
        let meshIndex = instances[0].mesh
        guard scene.meshes[meshIndex].primitives.count == 1 else { return nil }
        let primitive = scene.meshes[meshIndex].primitives[0]
        guard primitive.mode == .triangles, primitive.stream(.color(0)) == nil,
              let position = primitive.stream(.position), position.components == 3 else { return nil }
        func floats(_ semantic: Semantic) -> (data: [Float], borrowed: UnsafeBufferPointer<Float>?, count: Int, components: Int)? {
            guard let stream = primitive.stream(semantic) else { return nil }
            if let b = borrowed.floats(mesh: meshIndex, primitive: 0, semantic: semantic) {
                return ([], b, b.count / max(stream.components, 1), stream.components)
            }
            return (stream.data, nil, stream.count, stream.components)
        }
        guard let p = floats(.position), p.count > 0 else { return nil }
        let count = p.count
        let n = floats(.normal)
        if let n, n.components != 3 || n.count != count { return nil }
        let material = primitive.material.flatMap { $0 >= 0 && $0 < scene.materials.count ? scene.materials[$0] : nil }
        let uvSet = material?.baseColorTexture.map { $0.textureTransform?.texCoord ?? $0.texCoord } ?? 0
        let uv = floats(.texcoord(uvSet)) ?? floats(.texcoord(0))
        let hasUV = uv.map { $0.components == 2 && $0.count == count } ?? false
        let borrowedIndices = borrowed.indices(mesh: meshIndex, primitive: 0)
        let indexCount = borrowedIndices?.count ?? primitive.indices.count
        guard indexCount % 3 == 0 else { return nil }   // (the reader validated the range already)

        var g = RenderGeometry()
        g.external = External(positions: p.borrowed, normals: n?.borrowed, uvs: hasUV ? uv!.borrowed : nil, indices: borrowedIndices, owner: borrowed)
        g.positions = p.data
        g.normals = n.map { $0.data }
        if hasUV { g.uvs = uv!.data }
        g.indices = borrowedIndices == nil ? primitive.indices : []
        var textureIDs: [Int: Int32] = [:]
        g.materials = [g.makeMaterial(material, hasUV: hasUV, scene: scene, textureIDs: &textureIDs)]
        var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
        if let b = p.borrowed { _ = pf_bounds(b.baseAddress, count, 3, &lo, &hi) } else { p.data.withUnsafeBufferPointer { _ = pf_bounds($0.baseAddress, count, 3, &lo, &hi) } }
        if lo[0] <= hi[0] { g.bounds = BoundingBox(min: lo, max: hi) }
        return g
    }

    private init() {}

    /// Hands the core's view of the mesh to `body`: every array pinned (or taken from the mapped file), with the
    /// vertex and index counts.
    func withMesh<R>(_ body: (inout pf_raster_mesh) -> R) -> R {
        func pin<T>(_ external: UnsafeBufferPointer<T>?, _ array: [T]?, _ next: (UnsafePointer<T>?, Int) -> R) -> R {
            if let external { return next(external.baseAddress, external.count) }
            guard let array else { return next(nil, 0) }
            return array.withUnsafeBufferPointer { next($0.baseAddress, $0.count) }
        }
        return pin(external?.positions, positions) { positions, positionCount in
            pin(external?.normals, normals) { normals, _ in
                pin(external?.uvs, uvs) { uvs, _ in
                    pin(nil, colors) { colors, _ in
                        pin(external?.indices, indices) { indices, indexCount in
                            pin(nil, triangleMaterials.isEmpty ? nil : triangleMaterials) { triangleMaterials, _ in
                                var mesh = pf_raster_mesh()
                                mesh.positions = positions
                                mesh.normals = normals
                                mesh.uvs = uvs
                                mesh.colors = colors
                                mesh.vertex_count = positionCount / 3
                                mesh.indices = indices
                                mesh.index_count = indexCount
                                mesh.materials = triangleMaterials
                                return body(&mesh)
                            }
                        }
                    }
                }
            }
        }
    }

    public init(scene: Scene) {
        let instances = scene.meshInstances()
        // Points and lines become small solids (octahedra, crossed ribbons) so point clouds and curves show.
        var drawables: [(instance: MeshInstance, primitive: Primitive, doubleSided: Bool)] = []
        var glyphSize: Float?
        for instance in instances {
            for primitive in scene.meshes[instance.mesh].primitives {
                if primitive.mode == .triangles {
                    drawables.append((instance, primitive, false))
                    continue
                }
                if glyphSize == nil { glyphSize = max(scene.worldBounds().diagonal, 1e-6) * 0.004 }
                // The glyphs are built in the primitive's space: undo the instance's scale.
                let scale = max(abs(instance.worldMatrix.determinant3x3), 1e-12)
                let size = glyphSize! / Float(pow(Double(scale), 1.0 / 3.0))
                if let glyphs = Self.glyphs(for: primitive, size: size) {
                    drawables.append((instance, glyphs, primitive.mode == .lines))
                }
            }
        }
        if drawables.count == 1, takeWithoutCopying(drawables[0].instance, drawables[0].primitive, scene: scene) { return }
        var vertexTotal = 0, indexTotal = 0
        var anyNormals = false, anyUVs = false, anyColors = false
        for (_, primitive, _) in drawables where primitive.vertexCount > 0 {
            vertexTotal += primitive.vertexCount
            indexTotal += primitive.indices.count / 3 * 3
            anyNormals = anyNormals || primitive.stream(.normal) != nil
            anyUVs = anyUVs || primitive.streams.contains { if case .texcoord = $0.semantic { return true } else { return false } }
            anyColors = anyColors || primitive.stream(.color(0)) != nil
        }
        positions.reserveCapacity(vertexTotal * 3)
        indices.reserveCapacity(indexTotal)
        triangleMaterials.reserveCapacity(indexTotal / 3)
        var normalData: [Float] = [], uvData: [Float] = [], colorData: [Float] = []
        if anyNormals { normalData.reserveCapacity(vertexTotal * 3) }
        if anyUVs { uvData.reserveCapacity(vertexTotal * 2) }
        if anyColors { colorData.reserveCapacity(vertexTotal * 4) }

        var materialIDs: [MaterialKey: UInt32] = [:]
        var textureIDs: [Int: Int32] = [:]
        for (instance, primitive, forceDoubleSided) in drawables {
            let m = instance.worldMatrix
            let mirrored = m.determinant3x3 < 0
            let normalMatrix = Self.cofactor(m)
            guard let position = primitive.stream(.position), position.components == 3, position.count > 0 else { continue }
            let base = UInt32(positions.count / 3)
            let count = position.count
            let material = primitive.material.flatMap { $0 >= 0 && $0 < scene.materials.count ? scene.materials[$0] : nil }
            let uvSet = material?.baseColorTexture.map { $0.textureTransform?.texCoord ?? $0.texCoord } ?? 0
            let uv = primitive.stream(.texcoord(uvSet)) ?? primitive.stream(.texcoord(0))
            let hasUV = uv.map { $0.components == 2 && $0.count == count } ?? false

            if m.isIdentity {
                positions.append(contentsOf: position.data)
            } else {
                Self.appendTransformed(position.data, count: count, to: &positions) { m.transformPoint($0, $1, $2) }
            }
            if anyNormals {
                if let n = primitive.stream(.normal), n.components == 3, n.count == count {
                    if m.isIdentity {
                        normalData.append(contentsOf: n.data)
                    } else {
                        Self.appendTransformed(n.data, count: count, to: &normalData) { Self.apply3x3(normalMatrix, $0, $1, $2) }
                    }
                } else {
                    normalData.append(contentsOf: repeatElement(0, count: count * 3))
                }
            }
            if anyUVs {
                if hasUV, let uv { uvData.append(contentsOf: uv.data) } else { uvData.append(contentsOf: repeatElement(0, count: count * 2)) }
            }
            if anyColors {
                if let c = primitive.stream(.color(0)), c.count == count, c.components == 3 || c.components == 4 {
                    for i in 0..<count {
                        for k in 0..<3 { colorData.append(c.data[c.components * i + k]) }
                        colorData.append(c.components == 4 ? c.data[4 * i + 3] : 1)
                    }
                } else {
                    colorData.append(contentsOf: repeatElement(1, count: count * 4))
                }
            }

            let key = MaterialKey(material: primitive.material ?? -1, hasUV: hasUV, forceDoubleSided: forceDoubleSided)
            let id: UInt32
            if let known = materialIDs[key] {
                id = known
            } else {
                id = UInt32(materials.count)
                materialIDs[key] = id
                var made = makeMaterial(material, hasUV: hasUV, scene: scene, textureIDs: &textureIDs)
                if forceDoubleSided { made.double_sided = 1 }
                materials.append(made)
            }
            let triangles = primitive.indices.count / 3
            let start = indices.count
            indices.append(contentsOf: repeatElement(0, count: triangles * 3))
            var kept = 0
            primitive.indices.withUnsafeBufferPointer { idx in
                indices.withUnsafeMutableBufferPointer { out in
                    for t in 0..<triangles {
                        let a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2]
                        guard Int(a) < count, Int(b) < count, Int(c) < count else { continue }
                        // A mirroring transform flips the winding; undo it so front faces stay front.
                        let o = start + 3 * kept
                        out[o] = base + a
                        out[o + 1] = base + (mirrored ? c : b)
                        out[o + 2] = base + (mirrored ? b : c)
                        kept += 1
                    }
                }
            }
            indices.removeLast((triangles - kept) * 3)
            triangleMaterials.append(contentsOf: repeatElement(id, count: kept))
        }
        if !positions.isEmpty {
            var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
            positions.withUnsafeBufferPointer { _ = pf_bounds($0.baseAddress, $0.count / 3, 3, &lo, &hi) }
            if lo[0] <= hi[0] { bounds = BoundingBox(min: lo, max: hi) }
        }
        if anyNormals { normals = normalData }
        if anyUVs { uvs = uvData }
        if anyColors { colors = colorData }
    }

    /// The common case — one triangle primitive, placed as it is, indices in range, no vertex colours — shares the
    /// primitive's arrays instead of copying them (copy-on-write): a million-triangle mesh skips ~20 ms of copies.
    private mutating func takeWithoutCopying(_ instance: MeshInstance, _ primitive: Primitive, scene: Scene) -> Bool {
        guard instance.worldMatrix.isIdentity, primitive.mode == .triangles, primitive.stream(.color(0)) == nil,
              let position = primitive.stream(.position), position.components == 3, position.count > 0,
              primitive.indices.count % 3 == 0 else { return false }
        let count = position.count
        let normal = primitive.stream(.normal)
        if let normal, normal.components != 3 || normal.count != count { return false }
        let outOfRange = primitive.indices.withUnsafeBufferPointer { pf_find_index_out_of_range($0.baseAddress, $0.count, UInt32(count)) }
        guard outOfRange == primitive.indices.count else { return false }
        let material = primitive.material.flatMap { $0 >= 0 && $0 < scene.materials.count ? scene.materials[$0] : nil }
        let uvSet = material?.baseColorTexture.map { $0.textureTransform?.texCoord ?? $0.texCoord } ?? 0
        let uv = primitive.stream(.texcoord(uvSet)) ?? primitive.stream(.texcoord(0))
        let hasUV = uv.map { $0.components == 2 && $0.count == count } ?? false
        positions = position.data
        normals = normal?.data
        if hasUV { uvs = uv!.data }
        indices = primitive.indices
        var textureIDs: [Int: Int32] = [:]
        materials = [makeMaterial(material, hasUV: hasUV, scene: scene, textureIDs: &textureIDs)]
        var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
        positions.withUnsafeBufferPointer { _ = pf_bounds($0.baseAddress, $0.count / 3, 3, &lo, &hi) }
        if lo[0] <= hi[0] { bounds = BoundingBox(min: lo, max: hi) }
        return true
    }

    private struct MaterialKey: Hashable {
        var material: Int
        var hasUV: Bool
        var forceDoubleSided: Bool
    }

    /// Most points drawn from one primitive; a denser cloud is thinned evenly (a thumbnail cannot show more).
    static let maxPoints = 250_000

    /// A triangle primitive standing in for a point or line primitive: an octahedron of radius 1.5 `size` per point,
    /// two crossed ribbons of half-width `size` per segment (draw them double-sided). COLOR_0 and the material
    /// carry over; nil when nothing is left to draw.
    static func glyphs(for primitive: Primitive, size: Float) -> Primitive? {
        guard let position = primitive.stream(.position), position.components == 3, position.count > 0 else { return nil }
        let p = position.data, vertexCount = position.count
        let color = primitive.stream(.color(0)).flatMap { $0.count == vertexCount && ($0.components == 3 || $0.components == 4) ? $0 : nil }
        var positions: [Float] = [], colors: [Float] = [], indices: [UInt32] = []
        func emit(_ x: Float, _ y: Float, _ z: Float, colorOf v: Int) {
            positions += [x, y, z]
            if let color { colors += color.data[color.components * v..<color.components * (v + 1)] }
        }
        switch primitive.mode {
        case .points:
            let all = primitive.indices.filter { Int($0) < vertexCount }
            let step = max(1, (all.count + maxPoints - 1) / maxPoints)
            let octahedron: [(Float, Float, Float)] = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]
            // Counter-clockwise seen from outside.
            let faces: [UInt32] = [0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5]
            for k in stride(from: 0, to: all.count, by: step) {
                let v = Int(all[k]), base = UInt32(positions.count / 3)
                let r = 1.5 * size // a point reads smaller than a line of the same width
                for o in octahedron { emit(p[3 * v] + o.0 * r, p[3 * v + 1] + o.1 * r, p[3 * v + 2] + o.2 * r, colorOf: v) }
                indices += faces.map { base + $0 }
            }
        case .lines:
            for k in stride(from: 0, to: primitive.indices.count - 1, by: 2) {
                let a = Int(primitive.indices[k]), b = Int(primitive.indices[k + 1])
                guard a < vertexCount, b < vertexCount else { continue }
                let pa = SIMD3(p[3 * a], p[3 * a + 1], p[3 * a + 2]), pb = SIMD3(p[3 * b], p[3 * b + 1], p[3 * b + 2])
                let d = normalized(pb - pa)
                guard dot(d, d) > 0 else { continue }
                let helper: SIMD3<Float> = abs(d.x) < 0.9 ? [1, 0, 0] : [0, 1, 0]
                let u = normalized(cross(d, helper)) * size, w = normalized(cross(d, u)) * size
                for side in [u, w] {
                    let base = UInt32(positions.count / 3)
                    for (q, v) in [(pa - side, a), (pb - side, b), (pb + side, b), (pa + side, a)] { emit(q.x, q.y, q.z, colorOf: v) }
                    indices += [base, base + 1, base + 2, base, base + 2, base + 3]
                }
            }
        case .triangles:
            return primitive
        }
        guard !indices.isEmpty else { return nil }
        var streams = [VertexStream(.position, components: 3, data: positions)]
        if let color { streams.append(VertexStream(.color(0), components: color.components, data: colors)) }
        return Primitive(streams: streams, indices: indices, material: primitive.material)
    }

    private mutating func makeMaterial(_ material: Material?, hasUV: Bool, scene: Scene, textureIDs: inout [Int: Int32]) -> pf_raster_material {
        var out = pf_raster_material()
        // Assets without materials render as light clay, which reads better than white.
        let factor = material?.baseColorFactor ?? [0.72, 0.72, 0.72, 1]
        out.base_color = (factor[0], factor[1], factor[2], factor.count > 3 ? factor[3] : 1)
        out.texture = -1
        out.uv_transform = (1, 0, 0, 0, 1, 0)
        out.double_sided = material?.doubleSided == true ? 1 : 0
        out.unlit = material?.extensions?["KHR_materials_unlit"] != nil ? 1 : 0
        out.alpha_cutoff = material?.alphaMode == .mask ? max(material!.alphaCutoff, 1e-6) : 0
        out.alpha_blend = material?.alphaMode == .blend ? 1 : 0
        if let sheen = material?.extensions?["KHR_materials_sheen"] {
            let factor = sheen["sheenColorFactor"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
            if factor.count == 3 { out.sheen_color = (Float(factor[0]), Float(factor[1]), Float(factor[2])) }
        }
        guard hasUV, let reference = material?.baseColorTexture,
              reference.texture >= 0, reference.texture < scene.textures.count,
              let source = scene.textures[reference.texture].source, source >= 0, source < scene.images.count else { return out }
        if let t = reference.textureTransform {
            let c = cosf(t.rotation), s = sinf(t.rotation)
            out.uv_transform = (c * t.scale[0], s * t.scale[1], t.offset[0], -s * t.scale[0], c * t.scale[1], t.offset[1])
        }
        if let known = textureIDs[source] {
            out.texture = known
            return out
        }
        do {
            let decoded = try ImageDecoder.decode(scene.images[source].data)
            let id = Int32(textures.count)
            textures.append(decoded)
            textureIDs[source] = id
            out.texture = id
        } catch {
            let name = scene.images[source].name ?? scene.images[source].originalFileName ?? "image \(source)"
            warnings.append("the base-color texture \(name) was drawn untextured: \(error.description)")
            textureIDs[source] = -1
        }
        return out
    }

    /// Cofactor matrix of the upper 3×3 (column-major), which maps normals like the inverse transpose up to
    /// a positive scale; its sign is fixed so mirrored transforms keep normals pointing out.
    private static func cofactor(_ m: Matrix4) -> [Float] {
        let a = m.m
        var c: [Float] = [
            a[5] * a[10] - a[6] * a[9], a[6] * a[8] - a[4] * a[10], a[4] * a[9] - a[5] * a[8],
            a[2] * a[9] - a[1] * a[10], a[0] * a[10] - a[2] * a[8], a[1] * a[8] - a[0] * a[9],
            a[1] * a[6] - a[2] * a[5], a[2] * a[4] - a[0] * a[6], a[0] * a[5] - a[1] * a[4],
        ]
        if m.determinant3x3 < 0 { c = c.map { -$0 } }
        return c
    }

    /// Appends `count` xyz triples of `source`, each mapped through `transform`.
    private static func appendTransformed(_ source: [Float], count: Int, to destination: inout [Float],
                                          _ transform: (Float, Float, Float) -> (Float, Float, Float)) {
        let start = destination.count
        destination.append(contentsOf: repeatElement(0, count: count * 3))
        source.withUnsafeBufferPointer { p in
            destination.withUnsafeMutableBufferPointer { out in
                for i in 0..<count {
                    let v = transform(p[3 * i], p[3 * i + 1], p[3 * i + 2])
                    out[start + 3 * i] = v.0
                    out[start + 3 * i + 1] = v.1
                    out[start + 3 * i + 2] = v.2
                }
            }
        }
    }

    private static func apply3x3(_ c: [Float], _ x: Float, _ y: Float, _ z: Float) -> (Float, Float, Float) {
        (c[0] * x + c[3] * y + c[6] * z, c[1] * x + c[4] * y + c[7] * z, c[2] * x + c[5] * y + c[8] * z)
    }
}
