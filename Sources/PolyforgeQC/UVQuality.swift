import PolyforgeCore
import PolyforgeTopology

/// UV bounds and orientation of one UV set, as `pf_uv_bounds` measures them.
public struct UVBoundsStatistics: Sendable, Equatable {
    public var coordinates = 0
    public var coordinatesOutside = 0
    public var triangles = 0
    public var trianglesOutside = 0
    /// Counter-clockwise in (u, v) as stored: the auditor's "inverted" triangles (glTF's v points down, so a
    /// front face mapped without mirroring is clockwise).
    public var counterClockwise = 0
    public var clockwise = 0
    public var zeroArea = 0
    public var nonFinite = 0
    public var min: [Float] = [.greatestFiniteMagnitude, .greatestFiniteMagnitude]
    public var max: [Float] = [-.greatestFiniteMagnitude, -.greatestFiniteMagnitude]

    public init() {}

    /// Triangles wound against the majority of their set.
    public var flips: Int { Swift.min(counterClockwise, clockwise) }

    public mutating func add(_ o: UVBoundsStatistics) {
        coordinates += o.coordinates; coordinatesOutside += o.coordinatesOutside
        triangles += o.triangles; trianglesOutside += o.trianglesOutside
        counterClockwise += o.counterClockwise; clockwise += o.clockwise
        zeroArea += o.zeroArea; nonFinite += o.nonFinite
        for k in 0..<2 {
            if o.min[k] < min[k] { min[k] = o.min[k] }
            if o.max[k] > max[k] { max[k] = o.max[k] }
        }
    }
}

/// The C core's UV and edge kernels, wrapped in one place.
public enum UVQuality {
    /// Bounds and orientation counts of `uvs` (pairs) over `indices`.
    public static func bounds(uvs: [Float], indices: [UInt32]) -> UVBoundsStatistics {
        var s = pf_uv_stats()
        uvs.withUnsafeBufferPointer { u in
            indices.withUnsafeBufferPointer { i in
                _ = pf_uv_bounds(u.baseAddress, u.count / 2, 2, i.baseAddress, i.count, &s)
            }
        }
        var r = UVBoundsStatistics()
        r.coordinates = s.coordinate_count; r.coordinatesOutside = s.coordinates_outside
        r.triangles = s.triangle_count; r.trianglesOutside = s.triangles_outside
        r.counterClockwise = s.positive_area_count; r.clockwise = s.negative_area_count
        r.zeroArea = s.zero_area_count; r.nonFinite = s.nonfinite_count
        r.min = [s.min.0, s.min.1]; r.max = [s.max.0, s.max.1]
        return r
    }

    /// Smallest and largest sqrt(uv area / surface area) over the triangles, or nil when none has both areas.
    public static func texelDensity(positions: [Float], uvs: [Float], indices: [UInt32]) -> (min: Float, max: Float)? {
        var lo: Float = 0, hi: Float = 0
        let n = positions.withUnsafeBufferPointer { p in
            uvs.withUnsafeBufferPointer { u in
                indices.withUnsafeBufferPointer { i in pf_texel_density(p.baseAddress, u.baseAddress, i.baseAddress, i.count, &lo, &hi) }
            }
        }
        return n > 0 ? (lo, hi) : nil
    }

    /// Overlap estimate over a square grid laid on the UV bounds of the set.
    public static func overlap(uvs: [Float], indices: [UInt32], resolution: Int) -> (triangles: Int, overlappedFraction: Double) {
        let b = bounds(uvs: uvs, indices: indices)
        guard b.min[0] <= b.max[0], indices.count >= 6 else { return (0, 0) }
        let extent = Swift.max(b.max[0] - b.min[0], b.max[1] - b.min[1]) * 1.0001 + 1e-6
        var s = pf_uv_overlap_stats()
        let status = uvs.withUnsafeBufferPointer { u in
            indices.withUnsafeBufferPointer { i in
                pf_uv_overlap(u.baseAddress, i.baseAddress, i.count, b.min[0], b.min[1], extent, UInt32(resolution), &s)
            }
        }
        guard status == 0 else { return (0, 0) }
        let fraction = s.covered_sample_count > 0 ? Double(s.overlapped_sample_count) / Double(s.covered_sample_count) : 0
        return (s.overlapping_triangle_count, fraction)
    }

    /// UV islands (triangles joined through UV vertices equal within `tolerance`), one id per triangle.
    public static func islands(uvs: [Float], indices: [UInt32], tolerance: Float = 5e-6) -> (count: Int, island: [UInt32]) {
        let n = uvs.count / 2
        var xyz = [Float](repeating: 0, count: n * 3)
        for v in 0..<n { xyz[3 * v] = uvs[2 * v]; xyz[3 * v + 1] = uvs[2 * v + 1] }
        let welded = MeshTopology.weldPositions(TriangleSoup(positions: xyz, indices: indices), tolerance: tolerance).soup
        var island = [UInt32](repeating: 0, count: indices.count / 3)
        let count = welded.indices.withUnsafeBufferPointer { i in
            island.withUnsafeMutableBufferPointer { o in pf_uv_islands(i.baseAddress, i.count, n, o.baseAddress) }
        }
        return (count < 0 ? 0 : count, island)
    }

    /// Pixels touched by two or more UV islands at `resolution` (0: gutters wide enough).
    public static func gutterCollisions(uvs: [Float], indices: [UInt32], resolution: Int) -> Int {
        let islands = islands(uvs: uvs, indices: indices)
        guard islands.count > 1 else { return 0 }
        let r = uvs.withUnsafeBufferPointer { u in
            indices.withUnsafeBufferPointer { i in
                islands.island.withUnsafeBufferPointer { s in
                    pf_uv_gutter_collisions(u.baseAddress, i.baseAddress, i.count, s.baseAddress, UInt32(resolution))
                }
            }
        }
        return r < 0 ? 0 : r
    }

    /// Hard edges of a welded triangle soup: two-face edges whose face normals are `thresholdDegrees` or more apart.
    public static func edgeAngles(_ soup: TriangleSoup, thresholdDegrees: Float) -> (edges: Int, hard: Int, maxAngle: Float) {
        var s = pf_edge_angle_stats()
        let status = soup.indices.withUnsafeBufferPointer { i in
            soup.positions.withUnsafeBufferPointer { p in
                pf_edge_angles(i.baseAddress, i.count, soup.vertexCount, p.baseAddress, thresholdDegrees, &s)
            }
        }
        precondition(status == 0, "out of memory measuring edge angles of \(soup.triangleCount) triangles")
        return (s.edge_count, s.hard_edge_count, s.max_angle_degrees)
    }
}
