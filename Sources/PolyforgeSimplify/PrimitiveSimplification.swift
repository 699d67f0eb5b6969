import PolyforgeCore
import PolyforgeMesh

/// The one place that calls the C simplifier: one triangle primitive, one or more levels.
enum PrimitiveSimplification {
    struct Level {
        var primitive: Primitive
        /// For each input vertex, its index in this level's primitive, or UInt32.max when it is gone.
        var newIndex: [UInt32] = []
        /// For each input vertex, the input vertex it has merged into at this level (LOD chains only).
        var mergedInto: [UInt32] = []
        var absoluteError: Float
        var stop: SimplifyStop
        var relaxation: Int
        var collapses: Int
    }

    /// The attribute columns of `primitive` that enter the metric: (stream index, components, weight).
    static func attributeColumns(_ primitive: Primitive, _ options: SimplifyOptions) -> [(stream: Int, components: Int, weight: Float)] {
        var out: [(Int, Int, Float)] = []
        for a in options.attributes {
            let semantic: Semantic
            switch a {
            case .uv: semantic = .texcoord(0)
            case .normal: semantic = .normal
            case .color: semantic = .color(0)
            }
            guard let i = primitive.streamIndex(semantic), primitive.streams[i].count == primitive.vertexCount else { continue }
            let w = options.weight(a)
            guard w > 0 else { continue }
            out.append((i, primitive.streams[i].components, w))
        }
        return out
    }

    /// What every call on one primitive shares: world-space positions and the weighted attribute rows.
    struct Prepared {
        var indexCount: Int
        var vertexCount: Int
        var worldPositions: [Float]
        var attributes: [Float]
        var weights: [Float]
        var attributeCount: Int
        var columns: [(stream: Int, components: Int, weight: Float)]
        var inverse: AffineInverse?
        var flags: UInt32

        init(_ primitive: Primitive, world: Matrix4, options: SimplifyOptions) {
            vertexCount = primitive.vertexCount
            indexCount = primitive.indices.count - primitive.indices.count % 3
            let local = primitive.positions
            // A singular node matrix has no inverse to come back through: such meshes are simplified as stored.
            inverse = world.isIdentity ? nil : AffineInverse(world)
            if inverse == nil {
                worldPositions = local
            } else {
                var w = [Float](repeating: 0, count: vertexCount * 3)
                for v in 0..<vertexCount {
                    let (x, y, z) = world.transformPoint(local[3 * v], local[3 * v + 1], local[3 * v + 2])
                    w[3 * v] = x; w[3 * v + 1] = y; w[3 * v + 2] = z
                }
                worldPositions = w
            }
            columns = PrimitiveSimplification.attributeColumns(primitive, options)
            attributeCount = columns.reduce(0) { $0 + $1.components }
            attributes = [Float](repeating: 0, count: vertexCount * attributeCount)
            weights = []
            var offset = 0
            for column in columns {
                let data = primitive.streams[column.stream].data
                for v in 0..<vertexCount {
                    for k in 0..<column.components { attributes[v * attributeCount + offset + k] = data[v * column.components + k] }
                }
                weights += Array(repeating: column.weight, count: column.components)
                offset += column.components
            }
            flags = UInt32(PF_SIMPLIFY_ERROR_ABSOLUTE)
            if options.lockBorder { flags |= UInt32(PF_SIMPLIFY_LOCK_BORDER) }
            if options.permissive { flags |= UInt32(PF_SIMPLIFY_PERMISSIVE) }
            if !options.optimalPlacement { flags |= UInt32(PF_SIMPLIFY_ENDPOINTS_ONLY) }
        }

        /// Calls pf_simplify_lod; with `indicesOut` nil only the results (error per level) come back.
        func call(_ primitive: Primitive, targets: [Int], absoluteErrorLimit: Float, indicesOut: inout [UInt32]?,
                  positionsOut: inout [Float], attributesOut: inout [Float], vertexMapsOut: inout [UInt32]) -> [pf_simplify_result] {
            let wantMaps = !vertexMapsOut.isEmpty
            var results = [pf_simplify_result](repeating: pf_simplify_result(), count: targets.count)
            let levelCount = targets.count
            let wantPositions = !positionsOut.isEmpty, wantAttributes = !attributesOut.isEmpty && attributeCount > 0
            var out = indicesOut ?? [0]
            let withIndices = indicesOut != nil
            _ = primitive.indices.withUnsafeBufferPointer { ib in
                worldPositions.withUnsafeBufferPointer { pb in
                    attributes.withUnsafeBufferPointer { ab in
                        weights.withUnsafeBufferPointer { wb in
                            targets.withUnsafeBufferPointer { tb in
                                out.withUnsafeMutableBufferPointer { ob in
                                    positionsOut.withUnsafeMutableBufferPointer { pob in
                                        attributesOut.withUnsafeMutableBufferPointer { aob in
                                          vertexMapsOut.withUnsafeMutableBufferPointer { mb in
                                            results.withUnsafeMutableBufferPointer { rb in
                                                pf_simplify_lod(withIndices ? ob.baseAddress : nil, ib.baseAddress, indexCount,
                                                                pb.baseAddress, vertexCount, 3,
                                                                attributeCount > 0 ? ab.baseAddress : nil, attributeCount,
                                                                attributeCount > 0 ? wb.baseAddress : nil, attributeCount,
                                                                tb.baseAddress, levelCount, absoluteErrorLimit, flags, nil,
                                                                wantPositions ? pob.baseAddress : nil,
                                                                wantAttributes ? aob.baseAddress : nil,
                                                                wantMaps ? mb.baseAddress : nil, rb.baseAddress)
                                            }
                                          }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if withIndices { indicesOut = out }
            return results
        }
    }

    /// `primitive` with its corners that are one vertex in all but name sharing one index: equal bit for bit in
    /// every stream and morph target, tangents aside (the first of them in index order stands for all; it gets their
    /// tangents' mean when its handedness is theirs). Unindexed files (every STL, many OBJ and glTF exports) store
    /// each corner as its own vertex, some with a tangent per face; left apart, a point of six copies reads as a
    /// complex vertex and nothing collapses. Copies that differ in anything else (a UV seam, a hard normal) stay
    /// apart. The copies left unused go when the result is compacted.
    static func welded(_ primitive: Primitive) -> Primitive {
        let n = primitive.vertexCount
        guard n > 1, let positionStream = primitive.streamIndex(.position) else { return primitive }
        let tangentStream = primitive.streamIndex(.tangent).flatMap { primitive.streams[$0].count == n && primitive.streams[$0].components == 4 ? $0 : nil }
        var columns: [(data: [Float], components: Int, from: Int)] = []
        for (i, stream) in primitive.streams.enumerated() where i != positionStream && stream.count == n {
            // a tangent joins the key by its handedness only
            columns.append(i == tangentStream ? (stream.data, 1, 3) : (stream.data, stream.components, 0))
        }
        for target in primitive.targets { for stream in target.streams where stream.count == n { columns.append((stream.data, stream.components, 0)) } }
        let width = columns.reduce(0) { $0 + $1.components }
        var rows = [Float](repeating: 0, count: n * width)
        var offset = 0
        for column in columns {
            let c = column.components, stride = c + column.from
            column.data.withUnsafeBufferPointer { d in
                for v in 0..<n { for k in 0..<c { rows[v * width + offset + k] = d[v * stride + column.from + k] } }
            }
            offset += c
        }
        var remap = [UInt32](repeating: 0, count: n)
        let distinct = primitive.positions.withUnsafeBufferPointer { p in
            rows.withUnsafeBufferPointer { a in
                remap.withUnsafeMutableBufferPointer { r in
                    pf_weld(p.baseAddress, n, 3, 0, width > 0 ? a.baseAddress : nil, width, width, 0, r.baseAddress)
                }
            }
        }
        guard distinct < n else { return primitive }
        var out = primitive
        out.indices = primitive.indices.map { $0 < UInt32(n) ? remap[Int($0)] : $0 }
        if let t = tangentStream {
            var sum = [Double](repeating: 0, count: 3 * n)
            var merged = [Bool](repeating: false, count: n)
            let data = primitive.streams[t].data
            for v in 0..<n {
                let r = Int(remap[v])
                if r != v { merged[r] = true }
                for k in 0..<3 { sum[3 * r + k] += Double(data[4 * v + k]) }
            }
            for v in 0..<n where merged[v] {
                let l = (sum[3 * v] * sum[3 * v] + sum[3 * v + 1] * sum[3 * v + 1] + sum[3 * v + 2] * sum[3 * v + 2]).squareRoot()
                guard l > 1e-12 else { continue } // opposite tangents: keep the first one's
                for k in 0..<3 { out.streams[t].data[4 * v + k] = Float(sum[3 * v + k] / l) }
            }
        }
        return out
    }

    /// Triangles reached and geometric error (world units) at each requested count, without building meshes.
    /// `primitive` as `welded(_:)` gives it, as for `run`.
    static func errorCurve(_ primitive: Primitive, world: Matrix4, triangleCounts: [Int], options: SimplifyOptions) -> [(triangles: Int, error: Float)] {
        let prepared = Prepared(primitive, world: world, options: options)
        var none: [UInt32]? = nil
        var noPositions: [Float] = [], noAttributes: [Float] = []
        var noMaps: [UInt32] = []
        let results = prepared.call(primitive, targets: triangleCounts.map { 3 * $0 }, absoluteErrorLimit: .greatestFiniteMagnitude,
                                    indicesOut: &none, positionsOut: &noPositions, attributesOut: &noAttributes,
                                    vertexMapsOut: &noMaps)
        return results.map { (Int($0.index_count / 3), $0.absolute_error) }
    }

    static func run(_ primitive: Primitive, world: Matrix4, ratios: [Float], absoluteErrorLimit: Float,
                    options: SimplifyOptions) -> [Level] {
        let triangles = primitive.indices.count / 3
        let counts = ratios.map { r in max(0, min(triangles, Int((Float(triangles) * r).rounded(.down)))) }
        return run(primitive, world: world, triangleCounts: counts, absoluteErrorLimit: absoluteErrorLimit, options: options)
    }

    /// Simplifies to each of `triangleCounts` (non-increasing) in one collapse. `primitive` as `welded(_:)` gives
    /// it (the caller welds once for the error curve and the run).
    static func run(_ primitive: Primitive, world: Matrix4, triangleCounts: [Int], absoluteErrorLimit: Float,
                    options: SimplifyOptions) -> [Level] {
        let prepared = Prepared(primitive, world: world, options: options)
        let vertexCount = prepared.vertexCount, indexCount = prepared.indexCount, attributeCount = prepared.attributeCount
        // A part keeps at least one triangle: no ratio or shared budget deletes it outright.
        let targets = triangleCounts.map { 3 * max(min(1, indexCount / 3), $0) }
        let levelCount = targets.count
        let optimal = options.optimalPlacement
        var indicesOut: [UInt32]? = [UInt32](repeating: 0, count: max(1, indexCount * levelCount))
        var positionsOut = [Float](repeating: 0, count: optimal ? vertexCount * 3 * levelCount : 0)
        var attributesOut = [Float](repeating: 0, count: optimal ? vertexCount * attributeCount * levelCount : 0)
        var vertexMaps = [UInt32](repeating: 0, count: levelCount > 1 ? vertexCount * levelCount : 0)
        let results = prepared.call(primitive, targets: targets, absoluteErrorLimit: absoluteErrorLimit, indicesOut: &indicesOut,
                                    positionsOut: &positionsOut, attributesOut: &attributesOut, vertexMapsOut: &vertexMaps)
        let allIndices = indicesOut ?? []
        let worldPositions = prepared.worldPositions, attributes = prepared.attributes
        let columns = prepared.columns, inverse = prepared.inverse
        var levels: [Level] = []
        for level in 0..<levelCount {
            let r = results[level]
            let count = r.stop_reason == UInt32(PF_SIMPLIFY_STOP_INVALID) ? indexCount : r.index_count
            var indices: [UInt32] = r.stop_reason == UInt32(PF_SIMPLIFY_STOP_INVALID)
                ? Array(primitive.indices[0..<indexCount])
                : Array(allIndices[(level * indexCount)..<(level * indexCount + count)])
            var out = primitive
            if optimal, r.stop_reason != UInt32(PF_SIMPLIFY_STOP_INVALID) {
                applyMoves(&out, level: level, worldPositions: worldPositions, positionsOut: positionsOut,
                           attributes: attributes, attributesOut: attributesOut, attributeCount: attributeCount,
                           columns: columns, inverse: inverse)
            }
            let newIndex = compact(&out, indices: &indices)
            let merged = vertexMaps.isEmpty ? [] : Array(vertexMaps[(level * vertexCount)..<((level + 1) * vertexCount)])
            levels.append(Level(primitive: out, newIndex: newIndex, mergedInto: merged, absoluteError: r.absolute_error,
                                stop: SimplifyStop(r.stop_reason), relaxation: Int(r.relaxation), collapses: r.collapses))
        }
        return levels
    }

    /// Writes back the vertices the collapse moved: positions (to local space) and the attributes it solved for.
    static func applyMoves(_ primitive: inout Primitive, level: Int, worldPositions: [Float], positionsOut: [Float],
                           attributes: [Float], attributesOut: [Float], attributeCount: Int,
                           columns: [(stream: Int, components: Int, weight: Float)], inverse: AffineInverse?) {
        let n = primitive.vertexCount
        guard let pi = primitive.streamIndex(.position) else { return }
        let base = level * n * 3
        let abase = level * n * attributeCount
        for v in 0..<n {
            let x = positionsOut[base + 3 * v], y = positionsOut[base + 3 * v + 1], z = positionsOut[base + 3 * v + 2]
            if x != worldPositions[3 * v] || y != worldPositions[3 * v + 1] || z != worldPositions[3 * v + 2] {
                if let inverse {
                    let (lx, ly, lz) = inverse.apply(x, y, z)
                    primitive.streams[pi].data[3 * v] = lx; primitive.streams[pi].data[3 * v + 1] = ly; primitive.streams[pi].data[3 * v + 2] = lz
                } else {
                    primitive.streams[pi].data[3 * v] = x; primitive.streams[pi].data[3 * v + 1] = y; primitive.streams[pi].data[3 * v + 2] = z
                }
            }
            guard attributeCount > 0, attributesOut.count >= abase + (v + 1) * attributeCount else { continue }
            var offset = 0
            for column in columns {
                var changed = false
                for k in 0..<column.components where attributesOut[abase + v * attributeCount + offset + k] != attributes[v * attributeCount + offset + k] {
                    changed = true
                }
                if changed {
                    var values = (0..<column.components).map { attributesOut[abase + v * attributeCount + offset + $0] }
                    if primitive.streams[column.stream].semantic == .normal {
                        let l = (values[0] * values[0] + values[1] * values[1] + values[2] * values[2]).squareRoot()
                        if l > 0 { values = values.map { $0 / l } }
                    }
                    if case .color = primitive.streams[column.stream].semantic { values = values.map { min(max($0, 0), 1) } }
                    for k in 0..<column.components { primitive.streams[column.stream].data[v * column.components + k] = values[k] }
                }
                offset += column.components
            }
        }
    }

    /// Keeps only the vertices the new indices use (in their old order), in every stream and morph target.
    @discardableResult
    static func compact(_ primitive: inout Primitive, indices: inout [UInt32]) -> [UInt32] {
        let n = primitive.vertexCount
        var remap = [UInt32](repeating: 0, count: max(1, n))
        let kept = indices.withUnsafeMutableBufferPointer { ib in
            remap.withUnsafeMutableBufferPointer { rb in pf_compact_vertices(ib.baseAddress, ib.count, n, rb.baseAddress) }
        }
        func gather(_ stream: VertexStream) -> VertexStream {
            guard stream.count == n else { return stream }
            var data = [Float](repeating: 0, count: kept * stream.components)
            let c = stream.components
            for v in 0..<n where remap[v] != UInt32.max {
                let d = Int(remap[v])
                for k in 0..<c { data[d * c + k] = stream.data[v * c + k] }
            }
            return VertexStream(stream.semantic, components: c, data: data)
        }
        primitive.streams = primitive.streams.map(gather)
        primitive.targets = primitive.targets.map { MorphTarget(streams: $0.streams.map(gather), name: $0.name) }
        primitive.indices = indices
        return Array(remap.prefix(n))
    }
}

/// Inverse of a node's affine world matrix, to bring moved world-space vertices back to the mesh's space.
struct AffineInverse {
    var r: [Double] // 3x3 inverse, row-major
    var t: [Double]

    init?(_ m: Matrix4) {
        let a = (0..<3).map { row in (0..<3).map { col in Double(m[row, col]) } }
        let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        guard det != 0, det.isFinite else { return nil }
        let id = 1 / det
        r = [
            (a[1][1] * a[2][2] - a[1][2] * a[2][1]) * id, (a[0][2] * a[2][1] - a[0][1] * a[2][2]) * id, (a[0][1] * a[1][2] - a[0][2] * a[1][1]) * id,
            (a[1][2] * a[2][0] - a[1][0] * a[2][2]) * id, (a[0][0] * a[2][2] - a[0][2] * a[2][0]) * id, (a[0][2] * a[1][0] - a[0][0] * a[1][2]) * id,
            (a[1][0] * a[2][1] - a[1][1] * a[2][0]) * id, (a[0][1] * a[2][0] - a[0][0] * a[2][1]) * id, (a[0][0] * a[1][1] - a[0][1] * a[1][0]) * id,
        ]
        t = [Double(m[0, 3]), Double(m[1, 3]), Double(m[2, 3])]
    }

    func apply(_ x: Float, _ y: Float, _ z: Float) -> (Float, Float, Float) {
        let dx = Double(x) - t[0], dy = Double(y) - t[1], dz = Double(z) - t[2]
        return (Float(r[0] * dx + r[1] * dy + r[2] * dz), Float(r[3] * dx + r[4] * dy + r[5] * dz), Float(r[6] * dx + r[7] * dy + r[8] * dz))
    }
}
