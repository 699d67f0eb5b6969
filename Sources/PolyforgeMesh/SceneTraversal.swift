import PolyforgeCore

/// An axis-aligned box; `isEmpty` when nothing was added.
public struct BoundingBox: Sendable, Equatable {
    public var min: [Float] = [.greatestFiniteMagnitude, .greatestFiniteMagnitude, .greatestFiniteMagnitude]
    public var max: [Float] = [-.greatestFiniteMagnitude, -.greatestFiniteMagnitude, -.greatestFiniteMagnitude]

    public init() {}
    public init(min: [Float], max: [Float]) { self.min = min; self.max = max }

    public var isEmpty: Bool { min[0] > max[0] }
    public var size: [Float] { isEmpty ? [0, 0, 0] : [max[0] - min[0], max[1] - min[1], max[2] - min[2]] }
    public var center: [Float] { isEmpty ? [0, 0, 0] : [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2] }
    /// Squared in Double: in Float, extents beyond about 1e19 overflow and below 1e-19 vanish.
    public var diagonal: Float {
        let s = size.map(Double.init)
        return Float((s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).squareRoot())
    }

    public mutating func add(_ x: Float, _ y: Float, _ z: Float) {
        if x < min[0] { min[0] = x }; if x > max[0] { max[0] = x }
        if y < min[1] { min[1] = y }; if y > max[1] { max[1] = y }
        if z < min[2] { min[2] = z }; if z > max[2] { max[2] = z }
    }

    public mutating func add(_ other: BoundingBox) {
        guard !other.isEmpty else { return }
        add(other.min[0], other.min[1], other.min[2])
        add(other.max[0], other.max[1], other.max[2])
    }
}

/// One drawn instance of a mesh: the node that draws it and its world matrix.
public struct MeshInstance: Sendable {
    public var node: Int
    public var mesh: Int
    public var worldMatrix: Matrix4
}

extension Scene {
    /// Every mesh instance reachable from the root nodes, depth first. Cycles and out-of-range references are
    /// skipped (readers reject them; this keeps hand-built scenes safe too).
    public func meshInstances() -> [MeshInstance] {
        var out: [MeshInstance] = []
        var visited = [Bool](repeating: false, count: nodes.count)
        func visit(_ index: Int, _ parent: Matrix4) {
            guard index >= 0, index < nodes.count, !visited[index] else { return }
            visited[index] = true
            let node = nodes[index]
            let world = parent * node.localMatrix
            if let mesh = node.mesh, mesh >= 0, mesh < meshes.count {
                out.append(MeshInstance(node: index, mesh: mesh, worldMatrix: world))
            }
            for child in node.children { visit(child, world) }
        }
        for root in rootNodes { visit(root, .identity) }
        return out
    }

    /// Triangles as drawn: each mesh's triangle count times its instances in the scene.
    public var drawnTriangleCount: Int {
        meshInstances().reduce(0) { $0 + meshes[$1.mesh].primitives.reduce(0) { $0 + $1.triangleCount } }
    }

    /// Vertices as drawn, counted like triangles.
    public var drawnVertexCount: Int {
        meshInstances().reduce(0) { $0 + meshes[$1.mesh].primitives.reduce(0) { $0 + $1.vertexCount } }
    }

    /// Bounds of all drawn geometry in world space (non-finite positions ignored).
    public func worldBounds() -> BoundingBox {
        var box = BoundingBox()
        for instance in meshInstances() {
            for primitive in meshes[instance.mesh].primitives {
                guard let positions = primitive.stream(.position) else { continue }
                if instance.worldMatrix.isIdentity {
                    box.add(Self.localBounds(positions))
                } else {
                    let m = instance.worldMatrix
                    positions.data.withUnsafeBufferPointer { p in
                        let n = p.count / 3
                        for i in 0..<n {
                            let x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2]
                            guard x.isFinite, y.isFinite, z.isFinite else { continue }
                            let (tx, ty, tz) = m.transformPoint(x, y, z)
                            box.add(tx, ty, tz)
                        }
                    }
                }
            }
        }
        return box
    }

    /// Bounds of one position stream, through the C core's SIMD kernel.
    public static func localBounds(_ positions: VertexStream) -> BoundingBox {
        var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
        positions.data.withUnsafeBufferPointer { p in
            _ = pf_bounds(p.baseAddress, p.count / 3, 3, &lo, &hi)
        }
        return BoundingBox(min: lo, max: hi)
    }

    /// Total triangles stored (each mesh counted once).
    public var storedTriangleCount: Int { meshes.reduce(0) { $0 + $1.primitives.reduce(0) { $0 + $1.triangleCount } } }
}
