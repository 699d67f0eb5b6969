#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeCore
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
    /// One raster material id per triangle.
    public private(set) var triangleMaterials: [UInt32] = []
    public private(set) var materials: [pf_raster_material] = []
    /// Decoded base-color textures, RGBA8 each.
    public private(set) var textures: [(width: Int, height: Int, rgba: [UInt8])] = []
    public private(set) var bounds = BoundingBox()
    /// Images that could not be decoded or primitives that were skipped, one sentence each.
    public private(set) var warnings: [String] = []

    public var triangleCount: Int { indices.count / 3 }
    public var vertexCount: Int { positions.count / 3 }

    public init(scene: Scene) {
        let instances = scene.meshInstances()
        var vertexTotal = 0, indexTotal = 0
        var anyNormals = false, anyUVs = false, anyColors = false
        for instance in instances {
            for primitive in scene.meshes[instance.mesh].primitives where primitive.mode == .triangles && primitive.vertexCount > 0 {
                vertexTotal += primitive.vertexCount
                indexTotal += primitive.indices.count / 3 * 3
                anyNormals = anyNormals || primitive.stream(.normal) != nil
                anyUVs = anyUVs || primitive.streams.contains { if case .texcoord = $0.semantic { return true } else { return false } }
                anyColors = anyColors || primitive.stream(.color(0)) != nil
            }
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
        for instance in instances {
            let m = instance.worldMatrix
            let mirrored = m.determinant3x3 < 0
            let normalMatrix = Self.cofactor(m)
            for primitive in scene.meshes[instance.mesh].primitives where primitive.mode == .triangles {
                guard let position = primitive.stream(.position), position.components == 3, position.count > 0 else { continue }
                let base = UInt32(positions.count / 3)
                let count = position.count
                let material = primitive.material.flatMap { $0 >= 0 && $0 < scene.materials.count ? scene.materials[$0] : nil }
                let uvSet = material?.baseColorTexture.map { $0.textureTransform?.texCoord ?? $0.texCoord } ?? 0
                let uv = primitive.stream(.texcoord(uvSet)) ?? primitive.stream(.texcoord(0))
                let hasUV = uv.map { $0.components == 2 && $0.count == count } ?? false

                position.data.withUnsafeBufferPointer { p in
                    for i in 0..<count {
                        let (x, y, z) = m.transformPoint(p[3 * i], p[3 * i + 1], p[3 * i + 2])
                        positions.append(x); positions.append(y); positions.append(z)
                        bounds.add(x, y, z)
                    }
                }
                if anyNormals {
                    if let n = primitive.stream(.normal), n.components == 3, n.count == count {
                        n.data.withUnsafeBufferPointer { p in
                            for i in 0..<count {
                                let v = Self.apply3x3(normalMatrix, p[3 * i], p[3 * i + 1], p[3 * i + 2])
                                normalData.append(v.0); normalData.append(v.1); normalData.append(v.2)
                            }
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

                let key = MaterialKey(material: primitive.material ?? -1, hasUV: hasUV)
                let id: UInt32
                if let known = materialIDs[key] {
                    id = known
                } else {
                    id = UInt32(materials.count)
                    materialIDs[key] = id
                    materials.append(makeMaterial(material, hasUV: hasUV, scene: scene, textureIDs: &textureIDs))
                }
                let triangles = primitive.indices.count / 3
                primitive.indices.withUnsafeBufferPointer { idx in
                    for t in 0..<triangles {
                        let a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2]
                        guard Int(a) < count, Int(b) < count, Int(c) < count else { continue }
                        // A mirroring transform flips the winding; undo it so front faces stay front.
                        indices.append(base + a)
                        indices.append(base + (mirrored ? c : b))
                        indices.append(base + (mirrored ? b : c))
                        triangleMaterials.append(id)
                    }
                }
            }
        }
        if anyNormals { normals = normalData }
        if anyUVs { uvs = uvData }
        if anyColors { colors = colorData }
    }

    private struct MaterialKey: Hashable {
        var material: Int
        var hasUV: Bool
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
            textures.append((decoded.width, decoded.height, decoded.rgba))
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

    private static func apply3x3(_ c: [Float], _ x: Float, _ y: Float, _ z: Float) -> (Float, Float, Float) {
        (c[0] * x + c[3] * y + c[6] * z, c[1] * x + c[4] * y + c[7] * z, c[2] * x + c[5] * y + c[8] * z)
    }
}
