import PolyforgeCore
import PolyforgeMesh

/// Vertex attributes that can enter the simplification metric, so textures and shading do not swim.
public enum SimplifyAttribute: String, Sendable, CaseIterable {
    case uv, normal, color

    /// Weight of one unit of the attribute against one bounding-box diagonal of position error.
    /// Normals turn far faster than a dense surface moves: at 0.5 (a common choice) the 1M-triangle scan at 10%
    /// came out with 20x the Hausdorff error of a positions-only run, at 0.01 shading still steers the order of
    /// collapses without overriding geometry. UVs at 1 cost under 2x.
    public var defaultWeight: Float {
        switch self {
        case .uv: return 1
        case .normal: return 0.01
        case .color: return 0.1
        }
    }
}

/// What to simplify towards. The first of target and error limit reached stops the collapse.
public enum SimplifyTarget: Sendable, Equatable {
    /// Keep this fraction of the triangles (0...1).
    case ratio(Float)
    /// Keep at most this many triangles in the whole scene (shared in proportion to each primitive's count).
    case triangles(Int)
    /// Collapse until the error would exceed this fraction of the scene's bounding-box diagonal.
    case error(Float)
    /// Collapse until the error would exceed this distance in world units.
    case absoluteError(Float)
}

public struct SimplifyOptions: Sendable {
    public var target: SimplifyTarget
    /// Error limit as a fraction of the scene's world bounding-box diagonal; nil for none (count targets).
    public var maxError: Float? = nil
    public var lockBorder = false
    public var permissive = false
    /// Attributes that enter the metric, with their weights.
    public var attributes: [SimplifyAttribute] = [.uv, .normal, .color]
    public var weights: [SimplifyAttribute: Float] = [:]
    /// Place interior collapses at the quadric minimum (positions and attributes move); false keeps endpoints.
    public var optimalPlacement = true
    /// Measure each textured primitive's UV drift against its input (UVDrift) into the report; costs a search
    /// structure over the input per primitive.
    public var measureUVDrift = false

    public init(target: SimplifyTarget) { self.target = target }

    func weight(_ a: SimplifyAttribute) -> Float { weights[a] ?? a.defaultWeight }
}

/// Why the collapse of one primitive stopped, as the C core reports it.
public enum SimplifyStop: String, Sendable {
    case targetReached = "target reached"
    case errorLimit = "error limit"
    case topology = "topology guards"
    case invalid = "invalid input"

    init(_ code: UInt32) {
        switch code {
        case UInt32(PF_SIMPLIFY_STOP_TARGET_COUNT): self = .targetReached
        case UInt32(PF_SIMPLIFY_STOP_TARGET_ERROR): self = .errorLimit
        case UInt32(PF_SIMPLIFY_STOP_TOPOLOGY): self = .topology
        default: self = .invalid
        }
    }
}

/// The outcome for one primitive.
public struct PrimitiveSimplifyReport: Sendable {
    public var mesh: Int
    public var primitive: Int
    public var trianglesBefore: Int
    public var trianglesAfter: Int
    public var verticesBefore: Int
    public var verticesAfter: Int
    /// Achieved error relative to the scene's world bounding-box diagonal, and in world units.
    public var error: Float
    public var absoluteError: Float
    public var stop: SimplifyStop
    /// Permissive steps taken: 0 none, 1 seams welded, 2 borders and non-manifold vertices freed.
    public var relaxation: Int
    public var collapses: Int
    /// UV drift against the input (with SimplifyOptions.measureUVDrift, for primitives with UVs).
    public var uvDrift: UVDrift? = nil
}

public struct SimplifyReport: Sendable {
    public var primitives: [PrimitiveSimplifyReport] = []
    public var sceneDiagonal: Float = 0

    public var trianglesBefore: Int { primitives.reduce(0) { $0 + $1.trianglesBefore } }
    public var trianglesAfter: Int { primitives.reduce(0) { $0 + $1.trianglesAfter } }
    public var verticesBefore: Int { primitives.reduce(0) { $0 + $1.verticesBefore } }
    public var verticesAfter: Int { primitives.reduce(0) { $0 + $1.verticesAfter } }
    public var error: Float { primitives.map(\.error).max() ?? 0 }
    /// The largest UV drift (and 95th percentile) of any measured primitive, and the mean over all their samples.
    public var uvDrift: UVDrift? {
        let measured = primitives.compactMap(\.uvDrift)
        guard !measured.isEmpty else { return nil }
        let samples = measured.reduce(0) { $0 + $1.samples }
        let mean = samples > 0 ? measured.reduce(0) { $0 + $1.mean * Double($1.samples) } / Double(samples) : 0
        return UVDrift(max: measured.map(\.max).max() ?? 0, mean: mean, p95: measured.map(\.p95).max() ?? 0, samples: samples)
    }
    public var absoluteError: Float { primitives.map(\.absoluteError).max() ?? 0 }

    /// The primitive that stopped for the weakest reason (topology before error before target).
    public var stop: SimplifyStop {
        if primitives.contains(where: { $0.stop == .invalid }) { return .invalid }
        if primitives.contains(where: { $0.stop == .topology }) { return .topology }
        if primitives.contains(where: { $0.stop == .errorLimit }) { return .errorLimit }
        return .targetReached
    }
}

/// Quadric edge-collapse simplification of every triangle primitive of a scene, through the C core's
/// `pf_simplify`. Each mesh is simplified in the world space of its first instance, so a scaled node is
/// judged by how it is drawn; materials, extra streams (tangents, joints, morph targets) and extensions ride
/// along with the vertices that survive.
public struct QuadricSimplifier: Sendable {
    public var options: SimplifyOptions

    public init(options: SimplifyOptions) { self.options = options }

    public func simplify(_ scene: Scene) -> (scene: Scene, report: SimplifyReport) {
        let levels = SimplificationRun(scene: scene, options: options, ratios: nil)
        return (levels.scenes[0], levels.reports[0])
    }
}

/// Geomorph data of one primitive between two LOD levels: `parents[v]` is the vertex of the coarser level that
/// vertex v of the finer level collapsed into (UInt32.max when it has none, e.g. its triangles vanished).
public struct MorphMap: Sendable, Equatable {
    public var mesh: Int
    public var primitive: Int
    public var parents: [UInt32]
}

/// One pass over a scene, shared by QuadricSimplifier (one level) and LODChain (several).
struct SimplificationRun {
    var scenes: [Scene] = []
    var reports: [SimplifyReport] = []
    /// Per level k >= 1: for each simplified primitive, the vertex of level k each vertex of level k-1 merges into.
    var parents: [[MorphMap]] = []

    /// ratios nil: one level from options.target; otherwise one level per ratio (non-increasing).
    init(scene: Scene, options: SimplifyOptions, ratios: [Float]?) {
        let diagonal = scene.worldBounds().diagonal
        let safeDiagonal = diagonal > 0 ? diagonal : 1
        let totalTriangles = scene.storedTriangleCount
        let levelCount = ratios?.count ?? 1
        scenes = Array(repeating: scene, count: levelCount)
        parents = Array(repeating: [], count: levelCount)
        reports = Array(repeating: SimplifyReport(primitives: [], sceneDiagonal: diagonal), count: levelCount)

        // A mesh drawn by several nodes is simplified in the space of its largest instance (the first of equals): its
        // error there is the worst any instance shows, so the error reported holds for every one.
        var largestInstance: [Int: (world: Matrix4, scale: Float)] = [:]
        for instance in scene.meshInstances() {
            let m = instance.worldMatrix
            let scale = (0..<3).map { j in (0..<3).reduce(Float(0)) { $0 + m[$1, j] * m[$1, j] }.squareRoot() }.max() ?? 1
            if let known = largestInstance[instance.mesh], !(scale > known.scale) { continue }
            largestInstance[instance.mesh] = (m, scale)
        }
        var errorLimit = Float.greatestFiniteMagnitude
        var levelRatios: [Float]
        switch options.target {
        case .ratio(let r): levelRatios = [r]
        case .triangles(let n): levelRatios = [totalTriangles > 0 ? min(1, Float(n) / Float(totalTriangles)) : 1]
        case .error(let e): levelRatios = [0]; errorLimit = e * safeDiagonal
        case .absoluteError(let e): levelRatios = [0]; errorLimit = e
        }
        if let maxError = options.maxError { errorLimit = min(errorLimit, maxError * safeDiagonal) }
        if let ratios { levelRatios = ratios }

        var items: [(mesh: Int, primitive: Int, world: Matrix4)] = []
        for (m, mesh) in scene.meshes.enumerated() {
            for (p, primitive) in mesh.primitives.enumerated() where primitive.mode == .triangles && primitive.vertexCount > 0 {
                items.append((m, p, largestInstance[m]?.world ?? .identity))
            }
        }
        // Several primitives and a count target: share the budget by error, not by equal ratios.
        var counts: [[Int]]? = nil
        let countTarget: Bool
        switch options.target {
        case .error, .absoluteError: countTarget = ratios != nil
        default: countTarget = true
        }
        // exact duplicate corners merged once, for the error curves and the collapse alike
        let welded = items.map { PrimitiveSimplification.welded(scene.meshes[$0.mesh].primitives[$0.primitive]) }
        if items.count > 1, countTarget, levelRatios.contains(where: { $0 < 1 }) {
            counts = Self.shareByError(primitives: welded, worlds: items.map(\.world), levelRatios: levelRatios, options: options)
        }
        for (n, item) in items.enumerated() {
            let primitive = scene.meshes[item.mesh].primitives[item.primitive]
            let results = counts.map {
                PrimitiveSimplification.run(welded[n], world: item.world, triangleCounts: $0[n], absoluteErrorLimit: errorLimit, options: options)
            } ?? PrimitiveSimplification.run(welded[n], world: item.world, ratios: levelRatios, absoluteErrorLimit: errorLimit, options: options)
            for level in results.indices.dropFirst() where !results[level].mergedInto.isEmpty {
                let previous = results[level - 1], current = results[level]
                var parentOf = [UInt32](repeating: UInt32.max, count: previous.primitive.vertexCount)
                for (input, index) in previous.newIndex.enumerated() where index != UInt32.max {
                    let target = Int(current.mergedInto[input])
                    parentOf[Int(index)] = target < current.newIndex.count ? current.newIndex[target] : UInt32.max
                }
                parents[level].append(MorphMap(mesh: item.mesh, primitive: item.primitive, parents: parentOf))
            }
            for (level, result) in results.enumerated() {
                scenes[level].meshes[item.mesh].primitives[item.primitive] = result.primitive
                reports[level].primitives.append(PrimitiveSimplifyReport(
                    mesh: item.mesh, primitive: item.primitive, trianglesBefore: primitive.triangleCount,
                    trianglesAfter: result.primitive.triangleCount, verticesBefore: primitive.vertexCount,
                    verticesAfter: result.primitive.vertexCount, error: result.absoluteError / safeDiagonal,
                    absoluteError: result.absoluteError, stop: result.stop, relaxation: result.relaxation,
                    collapses: result.collapses,
                    uvDrift: options.measureUVDrift ? UVDrift.measure(input: primitive, output: result.primitive,
                                                                       transform: UVDrift.transform(of: primitive, in: scene)) : nil))
            }
        }
    }

    /// Per primitive and level, the triangle count that spends each level's scene budget where it costs the least
    /// error: one common error threshold, found by bisection over each primitive's error-versus-count curve (a
    /// results-only pf_simplify_lod through 40 counts, 15% apart), interpolated between curve points.
    static func shareByError(primitives: [Primitive], worlds: [Matrix4], levelRatios: [Float], options: SimplifyOptions) -> [[Int]] {
        var steps: [Float] = [1]
        while steps.count < 40 { steps.append(steps.last! * 0.85) }
        // per primitive: at each requested count, the count reached (less than asked where the guards stall it)
        // and the error there
        var curves: [[(triangles: Int, requested: Int, error: Float)]] = []
        var total = 0
        for (primitive, world) in zip(primitives, worlds) {
            let n = primitive.triangleCount
            total += n
            let requested = steps.map { Int((Float(n) * $0).rounded(.down)) }
            let reached = PrimitiveSimplification.errorCurve(primitive, world: world, triangleCounts: requested, options: options)
            var curve = zip(reached, requested).map { (triangles: $0.triangles, requested: $1, error: $0.error) }
            curve[0] = (n, n, 0)
            // Keep it monotone: fewer triangles never cost less error.
            for k in 1..<curve.count {
                curve[k].triangles = min(curve[k].triangles, curve[k - 1].triangles)
                curve[k].error = max(curve[k].error, curve[k - 1].error)
            }
            curves.append(curve)
        }
        /// The triangles a primitive ends with at error e, and the count to ask of it for that: the same, unless the
        /// guards stall it above what it is asked (then it is asked for less, and its report says where it stopped).
        func count(_ curve: [(triangles: Int, requested: Int, error: Float)], at e: Float) -> (reached: Float, ask: Float) {
            for k in 1..<curve.count where curve[k].error > e {
                let a = curve[k - 1], b = curve[k]
                let t = b.error > a.error ? (e - a.error) / (b.error - a.error) : 0
                return (Float(a.triangles) - t * Float(a.triangles - b.triangles), Float(a.requested) - t * Float(a.requested - b.requested))
            }
            return (Float(curve.last!.triangles), Float(curve.last!.requested))
        }
        let maxError = curves.map { $0.last!.error }.max() ?? 0
        return primitives.indices.map { i in
            levelRatios.map { ratio -> Int in
                let budget = Float(total) * ratio
                if ratio >= 1 { return primitives[i].triangleCount }
                var lo: Float = 0, hi = maxError
                for _ in 0..<60 {
                    let mid = (lo + hi) / 2
                    let sum = curves.reduce(Float(0)) { $0 + count($1, at: mid).reached }
                    if sum > budget { lo = mid } else { hi = mid }
                }
                let point = count(curves[i], at: hi)
                return Int((point.reached > point.ask ? point.ask : point.reached).rounded(.down))
            }
        }
    }
}
