import PolyforgeMesh

/// One level of a LOD chain: the scene at that level and what it cost.
public struct LODLevel: Sendable {
    /// The requested fraction of the triangles.
    public var ratio: Float
    public var scene: Scene
    public var report: SimplifyReport
    /// For geomorphing from the previous level in the chain (empty for the first level): per simplified primitive,
    /// the vertex of this level each vertex of the previous level collapsed into.
    public var parents: [MorphMap] = []

    public var triangles: Int { report.trianglesAfter }
    public var vertices: Int { report.verticesAfter }
    /// Achieved error relative to the scene's bounding-box diagonal.
    public var error: Float { report.error }

    /// Fraction of the screen height the object may cover, at most, for this level's error to stay under one
    /// pixel of a 1080-pixel-high view: switch to this level once the object is this small. 1 for a lossless level.
    public var switchScreenSize: Float { LODLevel.screenSize(forError: error) }

    public static func screenSize(forError error: Float, screenPixels: Float = 1080) -> Float {
        guard error > 0 else { return 1 }
        return min(1, 1 / (error * screenPixels))
    }
}

/// A chain of levels of detail from one progressive collapse (`pf_simplify_lod`): every level is a snapshot
/// of the same collapse sequence, so a deep level costs no more error than simplifying to it directly, and
/// the whole chain costs about as much time as its deepest level.
public struct LODChain: Sendable {
    /// Fractions of the triangles per level, first to last (1 keeps the input as level 0).
    public var ratios: [Float]
    public var options: SimplifyOptions

    public init(ratios: [Float] = [1, 0.5, 0.25, 0.125], options: SimplifyOptions = SimplifyOptions(target: .ratio(1))) {
        self.ratios = ratios
        self.options = options
    }

    public func build(_ scene: Scene) -> [LODLevel] {
        // Levels are snapshots of one descending collapse: sort, run, then hand back in the caller's order.
        let order = ratios.indices.sorted { ratios[$0] > ratios[$1] || (ratios[$0] == ratios[$1] && $0 < $1) }
        let run = SimplificationRun(scene: scene, options: options, ratios: order.map { ratios[$0] })
        var levels = [LODLevel?](repeating: nil, count: ratios.count)
        for (k, i) in order.enumerated() {
            levels[i] = LODLevel(ratio: ratios[i], scene: run.scenes[k], report: run.reports[k])
            // Parents link neighbours in the collapse order, which is the caller's order when it is descending.
            if order == Array(ratios.indices) { levels[i]!.parents = run.parents[k] }
        }
        return levels.map { $0! }
    }

    /// One scene holding every level through MSFT_lod: each mesh node of level 0 lists its lower levels'
    /// nodes (not in the scene graph), with MSFT_screencoverage hints (fraction of the screen height, per level).
    public static func singleScene(_ levels: [LODLevel]) -> Scene {
        guard var scene = levels.first?.scene else { return Scene() }
        let meshNodes = scene.nodes.indices.filter { scene.nodes[$0].mesh != nil }
        let coverage: [JSONValue] = levels.map { .number(Double($0.switchScreenSize)) }
        var lodIds: [Int: [JSONValue]] = [:]
        for level in levels.dropFirst() {
            let meshBase = scene.meshes.count
            scene.meshes += level.scene.meshes
            for n in meshNodes {
                var node = scene.nodes[n]
                node.mesh = meshBase + (node.mesh ?? 0)
                node.children = []
                node.name = (node.name ?? "node\(n)") + "_LOD\(lodIds[n, default: []].count + 1)"
                node.extensions = nil
                scene.nodes.append(node)
                lodIds[n, default: []].append(.number(Double(scene.nodes.count - 1)))
            }
        }
        for n in meshNodes {
            let ids = lodIds[n] ?? []
            guard !ids.isEmpty else { continue }
            scene.nodes[n].extensions = (scene.nodes[n].extensions ?? .object([])).setting("MSFT_lod", .object([("ids", .array(ids))]))
            scene.nodes[n].extras = (scene.nodes[n].extras ?? .object([])).setting("MSFT_screencoverage", .array(coverage))
        }
        return scene
    }
}
