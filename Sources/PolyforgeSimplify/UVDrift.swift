import PolyforgeCore
import PolyforgeMesh

/// How far a simplified primitive's texture has slid: its UVs against the input's at the same places of the surface
/// (pf_attribute_distance over TEXCOORD_0, sampled on the output), in UV units — 1 is the texture's width, so
/// 0.001 is about one texel of a 1024² texture. A UV seam (two charts meeting on one edge) is not a slide: where
/// several input triangles are nearest, the closest UVs count. The max is set by the seams themselves: simplifying
/// a seam straightens it, so a thin band beside it changes chart; `p95` says how far the rest of the surface slid.
/// UVs are read through the material's KHR_texture_transform when it has one (quantized assets store integer UVs
/// and scale them there), so the drift is always in the texture's own units.
public struct UVDrift: Sendable, Equatable {
    public var max: Double
    public var mean: Double
    public var p95: Double
    public var samples: Int

    /// Drift of `output` (a simplified `input`, in the same space) over their first UV set, read through
    /// `transform`; nil when either has no UVs or no triangle.
    public static func measure(input: Primitive, output: Primitive, transform: TextureTransform? = nil,
                               samples: Int = 20_000) -> UVDrift? {
        guard input.mode == .triangles, output.mode == .triangles,
              let uvIn = input.stream(.texcoord(0)), uvIn.components == 2, uvIn.count == input.vertexCount,
              let uvOut = output.stream(.texcoord(0)), uvOut.components == 2, uvOut.count == output.vertexCount,
              input.indices.count >= 3, output.indices.count >= 3 else { return nil }
        var r = pf_attribute_distance_result()
        let pa = input.positions, pb = output.positions
        let ia = Array(input.indices.prefix(input.indices.count - input.indices.count % 3))
        let ib = Array(output.indices.prefix(output.indices.count - output.indices.count % 3))
        func read(_ uv: [Float]) -> [Float] {
            guard let t = transform else { return uv }
            var out = uv
            for k in stride(from: 0, to: uv.count - 1, by: 2) { (out[k], out[k + 1]) = t.apply(uv[k], uv[k + 1]) }
            return out
        }
        let rc = pf_attribute_distance(pa, input.vertexCount, ia, ia.count, read(uvIn.data), pb, output.vertexCount, ib, ib.count,
                                       read(uvOut.data), 2, samples, &r)
        guard rc == 0 else { return nil }
        return UVDrift(max: r.max, mean: r.mean, p95: r.p95, samples: r.samples)
    }

    /// The transform a primitive's first UV set is read through: that of the first texture slot of its material
    /// (base color first) that samples TEXCOORD_0.
    public static func transform(of primitive: Primitive, in scene: Scene) -> TextureTransform? {
        guard let m = primitive.material, m >= 0, m < scene.materials.count else { return nil }
        for (_, reference) in scene.materials[m].textureReferences
        where (reference.textureTransform?.texCoord ?? reference.texCoord) == 0 {
            return reference.textureTransform
        }
        return nil
    }

    public var json: JSONValue { .object([("mean", .number(mean)), ("p95", .number(p95)), ("max", .number(max))]) }
}
