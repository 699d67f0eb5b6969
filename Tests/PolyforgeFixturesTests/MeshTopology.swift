import PolyforgeMesh

/// Edge-map topology of one triangle primitive after welding bit-identical positions — the test's own
/// independent count of what the fixtures claim in `KnownDefects`.
struct MeshTopology {
    var weldedVertices = 0
    var faces = 0
    var edges = 0
    var boundaryEdges = 0
    var boundaryLoops = 0
    var nonManifoldEdges = 0
    var nonManifoldVertices = 0
    var repeatedIndexFaces = 0
    var zeroAreaFaces = 0
    /// Interior edges walked the same way by both faces (inconsistent winding).
    var misorientedEdges = 0

    var eulerCharacteristic: Int { weldedVertices - edges + faces }

    init(_ primitive: Primitive) {
        let p = primitive.positions
        var weld: [[UInt32]: Int] = [:]
        var id = [Int](repeating: 0, count: p.count / 3)
        for v in 0..<id.count {
            // + 0 folds −0 into +0 so both weld.
            let key = [(p[3 * v] + 0).bitPattern, (p[3 * v + 1] + 0).bitPattern, (p[3 * v + 2] + 0).bitPattern]
            if let existing = weld[key] { id[v] = existing } else { id[v] = weld.count; weld[key] = id[v] }
        }
        var used = Set<Int>()
        var edgeFaces: [EdgeKey: [Int]] = [:]
        var directed: [EdgeKey: Int] = [:]
        var goodFaces: [(Int, Int, Int)] = []
        let idx = primitive.indices
        for t in stride(from: 0, to: idx.count, by: 3) {
            let a = id[Int(idx[t])], b = id[Int(idx[t + 1])], c = id[Int(idx[t + 2])]
            if a == b || b == c || a == c { repeatedIndexFaces += 1; continue }
            let (ia, ib, ic) = (Int(idx[t]), Int(idx[t + 1]), Int(idx[t + 2]))
            let e1 = (p[3 * ib] - p[3 * ia], p[3 * ib + 1] - p[3 * ia + 1], p[3 * ib + 2] - p[3 * ia + 2])
            let e2 = (p[3 * ic] - p[3 * ia], p[3 * ic + 1] - p[3 * ia + 1], p[3 * ic + 2] - p[3 * ia + 2])
            let cx = e1.1 * e2.2 - e1.2 * e2.1, cy = e1.2 * e2.0 - e1.0 * e2.2, cz = e1.0 * e2.1 - e1.1 * e2.0
            if cx == 0 && cy == 0 && cz == 0 { zeroAreaFaces += 1; continue }
            let f = goodFaces.count
            goodFaces.append((a, b, c))
            used.formUnion([a, b, c])
            for (u, v) in [(a, b), (b, c), (c, a)] {
                edgeFaces[EdgeKey(u, v), default: []].append(f)
                directed[EdgeKey(ordered: u, v), default: 0] += 1
            }
        }
        faces = goodFaces.count
        weldedVertices = used.count
        edges = edgeFaces.count
        var loops = UnionFind()
        for (edge, list) in edgeFaces {
            if list.count == 1 {
                boundaryEdges += 1
                loops.union(edge.a, edge.b)
            } else if list.count >= 3 {
                nonManifoldEdges += 1
            } else if directed[EdgeKey(ordered: edge.a, edge.b)] != 1 {
                misorientedEdges += 1
            }
        }
        boundaryLoops = Set(edgeFaces.filter { $0.value.count == 1 }.keys.map { loops.find($0.a) }).count

        // A vertex is a bow-tie when its faces split into fans that share no edge at the vertex.
        var facesAt: [Int: [Int]] = [:]
        for (f, face) in goodFaces.enumerated() { for v in [face.0, face.1, face.2] { facesAt[v, default: []].append(f) } }
        for (v, list) in facesAt {
            var fans = UnionFind()
            for f in list {
                let face = goodFaces[f]
                for w in [face.0, face.1, face.2] where w != v {
                    for g in edgeFaces[EdgeKey(v, w)]! { fans.union(f, g) }
                }
            }
            if Set(list.map { fans.find($0) }).count > 1 { nonManifoldVertices += 1 }
        }
    }
}

struct EdgeKey: Hashable {
    let a: Int, b: Int
    /// Undirected.
    init(_ u: Int, _ v: Int) { a = min(u, v); b = max(u, v) }
    init(ordered u: Int, _ v: Int) { a = u; b = v }
}

struct UnionFind {
    private var parent: [Int: Int] = [:]

    mutating func find(_ x: Int) -> Int {
        var root = x
        while let p = parent[root], p != root { root = p }
        var node = x
        while let p = parent[node], p != root { parent[node] = root; node = p }
        return root
    }

    mutating func union(_ x: Int, _ y: Int) {
        let rx = find(x), ry = find(y)
        if rx != ry { parent[rx] = ry }
    }
}
