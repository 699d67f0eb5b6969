import PolyforgeCore
import PolyforgeMesh
import PolyforgeTopology

/// Symmetric Hausdorff distance between two scenes' drawn surfaces (world space), sampled both ways.
public struct SurfaceDistance: Sendable, Equatable {
    /// World units.
    public var max: Double
    public var mean: Double
    public var maxAToB: Double
    public var meanAToB: Double
    public var maxBToA: Double
    public var meanBToA: Double
    /// Bounding-box diagonal of A, the reference the relative figures use.
    public var diagonal: Double
    public var samplesA: Int
    public var samplesB: Int

    public var relativeMax: Double { diagonal > 0 ? max / diagonal : 0 }
    public var relativeMean: Double { diagonal > 0 ? mean / diagonal : 0 }

    /// Measures two triangle soups. `samples` area-spread points per surface, on top of every vertex.
    /// Returns nil when a surface has no triangle.
    public static func measure(_ a: TriangleSoup, _ b: TriangleSoup, samples: Int? = nil) -> SurfaceDistance? {
        guard a.triangleCount > 0, b.triangleCount > 0 else { return nil }
        let n = samples ?? Swift.max(100_000, Swift.max(a.triangleCount, b.triangleCount))
        var r = pf_surface_distance_result()
        let rc = a.positions.withUnsafeBufferPointer { pa in
            a.indices.withUnsafeBufferPointer { ia in
                b.positions.withUnsafeBufferPointer { pb in
                    b.indices.withUnsafeBufferPointer { ib in
                        pf_surface_distance(pa.baseAddress, a.vertexCount, ia.baseAddress, ia.count - ia.count % 3,
                                            pb.baseAddress, b.vertexCount, ib.baseAddress, ib.count - ib.count % 3, n, &r)
                    }
                }
            }
        }
        guard rc == 0 else { return nil }
        return SurfaceDistance(max: r.max, mean: r.mean, maxAToB: r.max_ab, meanAToB: r.mean_ab, maxBToA: r.max_ba,
                               meanBToA: r.mean_ba, diagonal: r.diagonal, samplesA: r.samples_a, samplesB: r.samples_b)
    }

    /// Measures the drawn triangles of two scenes.
    public static func measure(_ a: Scene, _ b: Scene, samples: Int? = nil) -> SurfaceDistance? {
        measure(TriangleSoup(scene: a), TriangleSoup(scene: b), samples: samples)
    }

    public var json: JSONValue {
        .object([
            ("max", .number(max)), ("mean", .number(mean)),
            ("relativeMax", .number(relativeMax)), ("relativeMean", .number(relativeMean)),
            ("maxAToB", .number(maxAToB)), ("meanAToB", .number(meanAToB)),
            ("maxBToA", .number(maxBToA)), ("meanBToA", .number(meanBToA)),
            ("diagonal", .number(diagonal)), ("samplesA", .number(Double(samplesA))), ("samplesB", .number(Double(samplesB))),
        ])
    }
}
