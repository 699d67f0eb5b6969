import PolyforgeCore
import PolyforgeMesh

/// Surface defects of a triangle mesh, as counted by the C core's `pf_analyze_topology`.
public struct TopologyReport: Sendable, Equatable {
    public var triangles: Int
    public var vertices: Int
    public var edges: Int
    public var boundaryEdges: Int
    public var nonManifoldEdges: Int
    public var inconsistentEdges: Int
    public var nonManifoldVertices: Int
    public var degenerateFaces: Int
    public var duplicateFaces: Int
    public var components: Int
    public var boundaryLoops: Int
    public var isWatertight: Bool
    public var isWindingConsistent: Bool
    /// Watertight, no non-manifold vertices and consistent winding: a closed, orientable 2-manifold.
    public var isManifold: Bool { nonManifoldEdges == 0 && nonManifoldVertices == 0 }
}

/// A flat triangle list: world-space positions (3 floats a vertex) and indices. What topology works on.
public struct TriangleSoup: Sendable {
    public var positions: [Float]
    public var indices: [UInt32]

    public init(positions: [Float], indices: [UInt32]) {
        self.positions = positions
        self.indices = indices
    }

    public var vertexCount: Int { positions.count / 3 }
    public var triangleCount: Int { indices.count / 3 }

    /// Every drawn triangle primitive of a scene in world space, concatenated (as trimesh's `force='mesh'` does).
    public init(scene: Scene) {
        var positions: [Float] = []
        var indices: [UInt32] = []
        for instance in scene.meshInstances() {
            let m = instance.worldMatrix
            for primitive in scene.meshes[instance.mesh].primitives where primitive.mode == .triangles {
                let base = UInt32(positions.count / 3)
                let p = primitive.positions
                if m.isIdentity {
                    positions += p
                } else {
                    positions.reserveCapacity(positions.count + p.count)
                    for i in stride(from: 0, to: p.count - 2, by: 3) {
                        let (x, y, z) = m.transformPoint(p[i], p[i + 1], p[i + 2])
                        positions += [x, y, z]
                    }
                }
                indices += primitive.indices.map { $0 + base }
            }
        }
        self.init(positions: positions, indices: indices)
    }
}

public enum MeshTopology {
    /// Merges vertices within `tolerance` (per axis) of each other by position alone, returning the remap and
    /// the welded soup (indices rewritten; unreferenced duplicates kept so vertex ids stay stable).
    public static func weldPositions(_ soup: TriangleSoup, tolerance: Float) -> (soup: TriangleSoup, remap: [UInt32], unique: Int) {
        var remap = [UInt32](repeating: 0, count: soup.vertexCount)
        let unique = soup.positions.withUnsafeBufferPointer { p in
            remap.withUnsafeMutableBufferPointer { r in
                pf_weld(p.baseAddress, soup.vertexCount, 3, tolerance, nil, 0, 0, 0, r.baseAddress)
            }
        }
        var welded = soup
        welded.indices = soup.indices.map { remap[Int($0)] }
        return (welded, remap, unique)
    }

    /// Analyses a soup as it is (no welding). `faceComponents` receives each face's component id when asked.
    public static func analyze(_ soup: TriangleSoup, faceComponents: UnsafeMutablePointer<UInt32>? = nil) -> TopologyReport {
        var t = pf_topology()
        let status = soup.indices.withUnsafeBufferPointer { i in
            soup.positions.withUnsafeBufferPointer { p in
                pf_analyze_topology(i.baseAddress, i.count, soup.vertexCount, p.baseAddress, &t, faceComponents)
            }
        }
        precondition(status == 0, "out of memory analysing \(soup.triangleCount) triangles")
        return TopologyReport(triangles: t.triangle_count, vertices: t.referenced_vertex_count, edges: t.edge_count,
                              boundaryEdges: t.boundary_edge_count, nonManifoldEdges: t.nonmanifold_edge_count,
                              inconsistentEdges: t.inconsistent_edge_count, nonManifoldVertices: t.nonmanifold_vertex_count,
                              degenerateFaces: t.degenerate_face_count, duplicateFaces: t.duplicate_face_count,
                              components: t.component_count, boundaryLoops: t.boundary_loop_count,
                              isWatertight: t.watertight != 0, isWindingConsistent: t.winding_consistent != 0)
    }

    /// The surface of a scene: world-space triangles, positions welded (UV and normal seams ignored) within
    /// `tolerance`, then analysed. This is the counting rule of the shared assets' inventory (trimesh after
    /// `merge_vertices`).
    public static func analyzeSurface(of scene: Scene, tolerance: Float = 1e-8) -> TopologyReport {
        analyze(weldPositions(TriangleSoup(scene: scene), tolerance: tolerance).soup)
    }
}
