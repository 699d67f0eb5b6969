/// What a fixture is built to contain, counted after welding vertices with bit-identical positions
/// (UV and normal seams ignored), so repair and QC stages can assert exact numbers.
public struct KnownDefects: Sendable, Equatable {
    /// Edges used by exactly one non-degenerate face.
    public var boundaryEdges: Int
    /// Connected components of the boundary edges (for a manifold mesh: its holes and open rims).
    public var boundaryLoops: Int
    /// Edges used by three or more non-degenerate faces.
    public var nonManifoldEdges: Int
    /// "Bow-tie" vertices: their faces form two or more fans that share no edge at the vertex.
    public var nonManifoldVertices: Int
    /// Faces whose three indices are not distinct (after welding).
    public var repeatedIndexFaces: Int
    /// Faces with three distinct vertices but zero area (collinear).
    public var zeroAreaFaces: Int

    public init(boundaryEdges: Int = 0, boundaryLoops: Int = 0, nonManifoldEdges: Int = 0, nonManifoldVertices: Int = 0,
                repeatedIndexFaces: Int = 0, zeroAreaFaces: Int = 0) {
        self.boundaryEdges = boundaryEdges
        self.boundaryLoops = boundaryLoops
        self.nonManifoldEdges = nonManifoldEdges
        self.nonManifoldVertices = nonManifoldVertices
        self.repeatedIndexFaces = repeatedIndexFaces
        self.zeroAreaFaces = zeroAreaFaces
    }

    /// Repeated-index plus zero-area faces.
    public var degenerateFaces: Int { repeatedIndexFaces + zeroAreaFaces }

    /// A closed, manifold surface with no degenerate faces.
    public static let none = KnownDefects()
}
