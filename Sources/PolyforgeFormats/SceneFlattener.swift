import PolyforgeMesh

/// A triangle primitive moved into world space: what formats without a node hierarchy (OBJ, STL, PLY) write.
public struct FlatPrimitive: Sendable {
    public var meshName: String?
    public var primitive: Primitive
}

public enum SceneFlattener {
    /// Every drawn triangle primitive with its instance transform baked into positions, normals and tangents.
    /// Mirroring transforms reverse the winding so faces keep pointing outward. Points and lines are skipped.
    public static func flatten(_ scene: Scene) -> [FlatPrimitive] {
        var out: [FlatPrimitive] = []
        for instance in scene.meshInstances() {
            let mesh = scene.meshes[instance.mesh]
            for var primitive in mesh.primitives where primitive.mode == .triangles {
                let m = instance.worldMatrix
                if !m.isIdentity {
                    bake(&primitive, m)
                }
                primitive.targets = []
                out.append(FlatPrimitive(meshName: scene.nodes[instance.node].name ?? mesh.name, primitive: primitive))
            }
        }
        return out
    }

    static func bake(_ primitive: inout Primitive, _ m: Matrix4) {
        // Normals transform by the inverse transpose; for the rotation+scale part that is the cofactor matrix.
        let a = m.m
        let cof: [Float] = [
            a[5] * a[10] - a[6] * a[9], a[6] * a[8] - a[4] * a[10], a[4] * a[9] - a[5] * a[8],
            a[2] * a[9] - a[1] * a[10], a[0] * a[10] - a[2] * a[8], a[1] * a[8] - a[0] * a[9],
            a[1] * a[6] - a[2] * a[5], a[2] * a[4] - a[0] * a[6], a[0] * a[5] - a[1] * a[4],
        ]
        for s in primitive.streams.indices {
            let semantic = primitive.streams[s].semantic
            let comps = primitive.streams[s].components
            switch semantic {
            case .position where comps == 3:
                primitive.streams[s].data.withUnsafeMutableBufferPointer { p in
                    for i in stride(from: 0, to: p.count - 2, by: 3) {
                        let (x, y, z) = m.transformPoint(p[i], p[i + 1], p[i + 2])
                        p[i] = x; p[i + 1] = y; p[i + 2] = z
                    }
                }
            case .normal where comps == 3, .tangent where comps >= 3:
                let isNormal = semantic == .normal
                primitive.streams[s].data.withUnsafeMutableBufferPointer { p in
                    for i in stride(from: 0, to: p.count - 2, by: comps) {
                        let x = p[i], y = p[i + 1], z = p[i + 2]
                        var nx, ny, nz: Float
                        if isNormal {
                            nx = cof[0] * x + cof[1] * y + cof[2] * z
                            ny = cof[3] * x + cof[4] * y + cof[5] * z
                            nz = cof[6] * x + cof[7] * y + cof[8] * z
                        } else {
                            nx = a[0] * x + a[4] * y + a[8] * z
                            ny = a[1] * x + a[5] * y + a[9] * z
                            nz = a[2] * x + a[6] * y + a[10] * z
                        }
                        let len = (nx * nx + ny * ny + nz * nz).squareRoot()
                        if len > 0 { nx /= len; ny /= len; nz /= len }
                        p[i] = nx; p[i + 1] = ny; p[i + 2] = nz
                    }
                }
            default:
                break
            }
        }
        if m.determinant3x3 < 0 {
            primitive.indices.withUnsafeMutableBufferPointer { p in
                for t in stride(from: 0, to: p.count - 2, by: 3) { p.swapAt(t + 1, t + 2) }
            }
        }
    }
}
