// repair-bench: weld + cleanup + make manifold + orient on a 1M-triangle mesh with injected defects.
//
// Generates ScanSurface (1M triangles, closed after welding) and injects the defects repair exists for:
// unwelded faces (2%, own copies of their corners, as STL stores them), duplicate faces (1%), back-to-back
// twins (0.5%), repeated-index faces (0.5%), flipped faces (2%) and fins on existing edges (0.1%, non-manifold).
// Times the C kernels alone (pf_weld, pf_cleanup, pf_make_manifold, pf_orient on plain arrays) and the
// PolyforgeRepair steps (attribute-aware weld keeping UV/normal seams), on 1 and 2 threads; prints the median
// and minimum of `--runs` and the rate in M triangles/s. `--write FILE` also saves the defect mesh (for
// repair-compare.py, which runs trimesh on the same mesh).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeRepair

// The same OpenMP runtime setting as the polyforge CLI: idle workers sleep instead of spinning for 200 ms.
setenv("KMP_BLOCKTIME", "0", 0)

let usage = "usage: repair-bench [--triangles N] [--runs N] [--write FILE] [--fresh-memory] [--json]"

var triangles = 1_000_000, runs = 7, json = false
var writePath: String? = nil
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> Int {
        guard let text = arguments.popFirst(), let n = Int(text), n > 0 else {
            print("repair-bench: \(argument) needs a positive number\n\(usage)")
            exit(64)
        }
        return n
    }
    switch argument {
    case "--triangles": triangles = value()
    case "--runs": runs = value()
    case "--json": json = true
    case "--fresh-memory": break
    case "--write":
        guard let path = arguments.popFirst() else { print("repair-bench: --write needs a file\n\(usage)"); exit(64) }
        writePath = path
    default:
        print("repair-bench: unknown argument \(argument)\n\(usage)")
        exit(64)
    }
}

func milliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}


@MainActor func defectMesh() -> Primitive {
    var primitive = ScanSurface.generate(triangles: triangles).meshes[0].primitives[0]
    var streams = primitive.streams
    var indices = primitive.indices
    let faces = indices.count / 3
    var random = SplitMix64(seed: 7)
    var data = streams.map(\.data)
    let components = streams.map(\.components)
    var count = streams[0].count
    func copyVertex(_ v: UInt32) -> UInt32 {
        for s in data.indices {
            let c = components[s]
            for k in 0..<c { data[s].append(data[s][Int(v) * c + k]) }
        }
        count += 1
        return UInt32(count - 1)
    }
    var extra: [UInt32] = []
    for f in 0..<faces {
        if random.chance(0.02) { for k in 0..<3 { indices[3 * f + k] = copyVertex(indices[3 * f + k]) } }
        if random.chance(0.02) { indices.swapAt(3 * f + 1, 3 * f + 2) }
        if random.chance(0.01) { extra += indices[(3 * f)..<(3 * f + 3)] }
        if random.chance(0.005) { extra += [indices[3 * f], indices[3 * f + 2], indices[3 * f + 1]] }
        if random.chance(0.005) { extra += [indices[3 * f], indices[3 * f], indices[3 * f + 1]] }
        if random.chance(0.001) {
            // A fin: a third face on edge (a, b), to a new vertex off the surface.
            let a = indices[3 * f], b = indices[3 * f + 1]
            let tip = copyVertex(indices[3 * f + 2])
            data[0][3 * Int(tip)] += 0.001
            extra += [a, b, tip]
        }
    }
    indices += extra
    for s in streams.indices { streams[s].data = data[s] }
    primitive.streams = streams
    primitive.indices = indices
    return primitive
}

// As `polyforge repair` does: keep freed blocks in the heap, so each kernel's scratch does not page-fault anew.
// `--fresh-memory` measures without it.
if !CommandLine.arguments.contains("--fresh-memory") { pf_keep_freed_memory() }

let primitive = defectMesh()
let positions = primitive.positions
let inputTriangles = primitive.indices.count / 3
if let writePath {
    do { try SceneIO.write(Scene(mesh: Mesh(primitives: [primitive]), materials: [Material()]), to: writePath) } catch {
        print("repair-bench: \(error)")
        exit(1)
    }
}

var kernelTimes: [String: Double] = [:]
@MainActor func lap(_ name: String, _ since: inout Double) {
    let now = milliseconds()
    kernelTimes[name] = min(kernelTimes[name] ?? .infinity, now - since)
    since = now
}

/// The four C kernels on plain arrays, as a caller of the core would run them. Returns milliseconds.
@MainActor func runKernels() -> (ms: Double, triangles: Int) {
    var indices = primitive.indices
    let start = milliseconds()
    var t = start
    let vertexCount = positions.count / 3
    var remap = [UInt32](repeating: 0, count: vertexCount)
    _ = positions.withUnsafeBufferPointer { p in remap.withUnsafeMutableBufferPointer { pf_weld(p.baseAddress, vertexCount, 3, 1e-6, nil, 0, 0, 0, $0.baseAddress) } }
    for i in indices.indices { indices[i] = remap[Int(indices[i])] }
    lap("weld", &t)
    var cleanup = pf_cleanup_result()
    let count = positions.withUnsafeBufferPointer { p in indices.withUnsafeMutableBufferPointer { pf_cleanup($0.baseAddress, $0.count, vertexCount, p.baseAddress, nil, &cleanup) } }
    indices.removeSubrange(count...)
    lap("cleanup", &t)
    var source = [UInt32](repeating: 0, count: count)
    var manifold = pf_manifold_result()
    let newCount = positions.withUnsafeBufferPointer { p in
        indices.withUnsafeMutableBufferPointer { i in source.withUnsafeMutableBufferPointer { pf_make_manifold(i.baseAddress, i.count, vertexCount, p.baseAddress, nil, $0.baseAddress, &manifold) } }
    }
    var grown = positions
    grown.reserveCapacity(newCount * 3)
    for k in 0..<(newCount - vertexCount) { let v = Int(source[k]); let x = grown[3 * v], y = grown[3 * v + 1], z = grown[3 * v + 2]; grown.append(x); grown.append(y); grown.append(z) }
    lap("manifold", &t)
    var orient = pf_orient_result()
    _ = grown.withUnsafeBufferPointer { p in indices.withUnsafeMutableBufferPointer { pf_orient($0.baseAddress, $0.count, newCount, p.baseAddress, nil, nil, &orient) } }
    lap("orient", &t)
    return (milliseconds() - start, indices.count / 3)
}

/// The same through PolyforgeRepair, welding with attributes (seams kept) and carrying corner vertices along.
@MainActor func runSteps() -> (ms: Double, triangles: Int) {
    let start = milliseconds()
    var mesh = RepairMesh(positions: positions, indices: primitive.indices)
    var attributes: [Float] = []
    let n = primitive.vertexCount
    let normals = primitive.stream(.normal)!.data, uvs = primitive.stream(.texcoord(0))!.data
    attributes.reserveCapacity(n * 5)
    for v in 0..<n { attributes += [normals[3 * v], normals[3 * v + 1], normals[3 * v + 2], uvs[2 * v], uvs[2 * v + 1]] }
    Weld(tolerance: 1e-6).apply(to: &mesh, attributes: VertexAttributes(data: attributes, components: 5))
    Cleanup().apply(to: &mesh)
    MakeManifold().apply(to: &mesh)
    Orient().apply(to: &mesh)
    return (milliseconds() - start, mesh.triangleCount)
}

@MainActor func measure(_ body: () -> (ms: Double, triangles: Int)) -> (median: Double, min: Double, triangles: Int) {
    var times: [Double] = []
    var out = 0
    for _ in 0..<runs { let r = body(); times.append(r.ms); out = r.triangles }
    times.sort()
    return (times[times.count / 2], times[0], out)
}

/// `x` with `places` decimals, without Foundation.
func fixed(_ x: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int((x * scale).rounded())
    let whole = n / Int(scale), frac = abs(n % Int(scale))
    var f = String(frac)
    while f.count < places { f = "0" + f }
    return "\(whole).\(f)"
}

var rows: [(String, Int, Double, Double, Int)] = []
for threads in [1, 2] {
    pf_set_thread_count(Int32(threads))
    let k = measure(runKernels)
    rows.append(("kernels", threads, k.median, k.min, k.triangles))
    let s = measure(runSteps)
    rows.append(("steps", threads, s.median, s.min, s.triangles))
}
pf_set_thread_count(0)

if json {
    let items = rows.map { r in
        "{\"path\":\"\(r.0)\",\"threads\":\(r.1),\"medianMs\":\(r.2),\"minMs\":\(r.3),\"inputTriangles\":\(inputTriangles),\"outputTriangles\":\(r.4),\"mtrisPerSecond\":\(Double(inputTriangles) / r.2 / 1000)}"
    }
    print("[" + items.joined(separator: ",") + "]")
} else {
    print("repair-bench: \(inputTriangles) triangles in (\(primitive.vertexCount) vertices), weld + cleanup + manifold + orient, \(runs) runs")
    print("  kernel minimum (ms): " + ["weld", "cleanup", "manifold", "orient"].map { "\($0) \(fixed(kernelTimes[$0] ?? 0, 1))" }.joined(separator: ", "))
    for r in rows {
        let rate = Double(inputTriangles) / r.2 / 1000
        print("  \(r.0 + String(repeating: " ", count: max(0, 8 - r.0.count))) \(r.1) thread\(r.1 == 1 ? " " : "s")  median \(fixed(r.2, 1)) ms  min \(fixed(r.3, 1)) ms  \(fixed(rate, 2)) M triangles/s  → \(r.4) triangles")
    }
}
