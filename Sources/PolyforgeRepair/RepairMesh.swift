/// The working state of a repair: a triangle list seen in two index spaces at once.
///
/// `corners` name surface points (welded positions): what the topology kernels read. `cornerVertices` name the
/// source vertices whose attributes (UVs, normals, colours, skinning) each corner carries. A UV seam is two
/// vertices on one point, so the surface stays closed across it while the seam survives. Every step rewrites
/// both arrays together; the output's vertices are the distinct (vertex, point) pairs the corners end with.
public struct RepairMesh: Sendable {
    /// Surface points, 3 floats each. Steps may append (manifold splits); unused points are dropped on output.
    public var positions: [Float]
    /// Surface point per corner, 3 per triangle.
    public var corners: [UInt32]
    /// Source vertex per corner, parallel to `corners`.
    public var cornerVertices: [UInt32]

    /// A mesh whose points are its vertices (before welding).
    public init(positions: [Float], indices: [UInt32]) {
        self.positions = positions
        self.corners = indices
        self.cornerVertices = indices
    }

    public var pointCount: Int { positions.count / 3 }
    public var triangleCount: Int { corners.count / 3 }

    /// Keeps the first `count` slots, slot `c` taking input slot `source[c]` in both index spaces.
    /// `corners` must already hold the kernel's output; only `cornerVertices` is gathered.
    mutating func gatherVertices(from source: [UInt32], count: Int) {
        let old = cornerVertices
        cornerVertices = [UInt32](unsafeUninitializedCapacity: count) { buffer, n in
            old.withUnsafeBufferPointer { o in
                source.withUnsafeBufferPointer { s in
                    for c in 0..<count { buffer[c] = o[Int(s[c])] }
                }
            }
            n = count
        }
    }
}

/// Per-vertex attribute rows a weld compares to keep seams: `components` floats per source vertex.
public struct VertexAttributes: Sendable {
    public var data: [Float]
    public var components: Int

    public init(data: [Float], components: Int) {
        self.data = data
        self.components = components
    }
}

/// One line of a step's account: what it counted, by name.
public struct RepairStepReport: Sendable {
    public var step: String
    public var counts: [(name: String, value: Int)]

    public init(step: String, counts: [(name: String, value: Int)]) {
        self.step = step
        self.counts = counts
    }

    public subscript(name: String) -> Int { counts.first { $0.name == name }?.value ?? 0 }

    /// Adds another report's counts (the same step on another mesh).
    mutating func add(_ other: RepairStepReport) {
        for (name, value) in other.counts {
            if let i = counts.firstIndex(where: { $0.name == name }) {
                counts[i].value = name.hasPrefix("largest") ? max(counts[i].value, value) : counts[i].value + value
            } else {
                counts.append((name, value))
            }
        }
    }
}
