// simplify-bench: pf_simplify against meshoptimizer's meshopt_simplify, in one process, on the same meshes.
//
// For each mesh (a generated 1M-triangle scan by default, `--triangles` for others, plus `--file` models) and
// ratio (0.5, 0.1, 0.02) it times both simplifiers (median of `--runs`) on 1 and 2 threads, measures each
// result's symmetric Hausdorff distance to the input (pf_surface_distance, max and mean relative to the
// bounding-box diagonal), and prints one row per case. Both run on positions only with no error limit
// (meshopt_simplify's default options), so both aim at the same triangle count. Also times a 4-level LOD
// chain (pf_simplify_lod) against its deepest level alone. Calls the C APIs directly, as render-bench does.
#if canImport(Glibc)
import Glibc
#endif
import CMeshoptReference
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh

// The same OpenMP runtime setting as the polyforge CLI: idle workers sleep instead of spinning for 200 ms.
setenv("KMP_BLOCKTIME", "0", 0)

let usage = "usage: simplify-bench [--triangles N]... [--file PATH]... [--runs N] [--ratios 0.5,0.1,0.02] [--threads 1,2] [--json]"
var triangleCounts: [Int] = [], files: [String] = [], runs = 3, json = false
var ratios: [Float] = [0.5, 0.1, 0.02], threadCounts: [Int] = [1, 2]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func text() -> String {
        guard let t = arguments.popFirst() else { print("simplify-bench: \(argument) needs a value\n\(usage)"); exit(64) }
        return t
    }
    switch argument {
    case "--triangles": triangleCounts.append(Int(text()) ?? 1_000_000)
    case "--file": files.append(text())
    case "--runs": runs = max(1, Int(text()) ?? 3)
    case "--ratios": ratios = text().split(separator: ",").compactMap { Float($0) }
    case "--threads": threadCounts = text().split(separator: ",").compactMap { Int($0) }
    case "--json": json = true
    default: print("simplify-bench: unknown argument \(argument)\n\(usage)"); exit(64)
    }
}
if triangleCounts.isEmpty && files.isEmpty { triangleCounts = [1_000_000] }

func milliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

struct Mesh { var name: String; var positions: [Float]; var indices: [UInt32] }

var meshes: [Mesh] = []
for n in triangleCounts {
    let p = ScanSurface.generate(triangles: n, seed: 1).meshes[0].primitives[0]
    meshes.append(Mesh(name: "scan \(n / 1000)k", positions: p.positions, indices: p.indices))
}
for file in files {
    guard let loaded = try? SceneIO.read(file) else { print("simplify-bench: cannot read \(file)"); continue }
    // Every drawn triangle in world space, as one list (meshopt and pf see the same input).
    var positions: [Float] = [], indices: [UInt32] = []
    for instance in loaded.scene.meshInstances() {
        for primitive in loaded.scene.meshes[instance.mesh].primitives where primitive.mode == .triangles {
            let base = UInt32(positions.count / 3), p = primitive.positions, m = instance.worldMatrix
            for v in 0..<primitive.vertexCount {
                let (x, y, z) = m.transformPoint(p[3 * v], p[3 * v + 1], p[3 * v + 2])
                positions += [x, y, z]
            }
            indices += primitive.indices.map { $0 + base }
        }
    }
    meshes.append(Mesh(name: FileSystem.fileName(of: file), positions: positions, indices: indices))
}

func hausdorff(_ mesh: Mesh, _ positions: [Float], _ indices: ArraySlice<UInt32>) -> (max: Double, mean: Double) {
    var r = pf_surface_distance_result()
    let samples = max(100_000, mesh.indices.count / 3)
    let rc = mesh.positions.withUnsafeBufferPointer { pa in
        mesh.indices.withUnsafeBufferPointer { ia in
            positions.withUnsafeBufferPointer { pb in
                Array(indices).withUnsafeBufferPointer { ib in
                    pf_surface_distance(pa.baseAddress, pa.count / 3, ia.baseAddress, ia.count, pb.baseAddress, pb.count / 3,
                                        ib.baseAddress, ib.count, samples, &r)
                }
            }
        }
    }
    guard rc == 0, r.diagonal > 0 else { return (.nan, .nan) }
    return (r.max / r.diagonal, r.mean / r.diagonal)
}

func pct(_ x: Double) -> String {
    guard x.isFinite else { return "   n/a" }
    let v = (x * 100 * 10000).rounded() / 10000
    var s = "\(v)%"
    while s.count < 9 { s = " " + s }
    return s
}
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

var rows: [String] = []
if !json {
    print("machine: \(pf_thread_count()) threads available; timings are medians of \(runs) runs; Hausdorff relative to the bbox diagonal")
    print(pad("mesh", 12) + pad("ratio", 7) + pad("thr", 4) + pad("meshopt ms", 12) + pad("pf ms", 10) + pad("time", 7)
          + pad("mo tris", 9) + pad("pf tris", 9) + pad("mo max", 11) + pad("pf max", 11) + pad("mo mean", 11) + pad("pf mean", 11))
}
for mesh in meshes {
    let vertexCount = mesh.positions.count / 3
    let indexCount = mesh.indices.count
    var destination = [UInt32](repeating: 0, count: indexCount)
    var moved = [Float](repeating: 0, count: vertexCount * 3)
    for ratio in ratios {
        let target = 3 * Int(Float(indexCount / 3) * ratio)
        var moCount = 0, pfCount = 0
        var moTimes: [Int: Double] = [:], pfTimes: [Int: Double] = [:]
        var moQuality = (max: Double.nan, mean: Double.nan), pfQuality = moQuality
        for threads in threadCounts {
            pf_set_thread_count(Int32(threads))
            var mt: [Double] = [], pt: [Double] = []
            for _ in 0..<runs {
                let t0 = milliseconds()
                moCount = mesh.indices.withUnsafeBufferPointer { ib in
                    mesh.positions.withUnsafeBufferPointer { pb in
                        destination.withUnsafeMutableBufferPointer { db in
                            meshopt_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 12, target, .greatestFiniteMagnitude, 0, nil)
                        }
                    }
                }
                mt.append(milliseconds() - t0)
            }
            if threads == threadCounts[0] { moQuality = hausdorff(mesh, mesh.positions, destination[0..<moCount]) }
            for _ in 0..<runs {
                var result = pf_simplify_result()
                let t0 = milliseconds()
                pfCount = mesh.indices.withUnsafeBufferPointer { ib in
                    mesh.positions.withUnsafeBufferPointer { pb in
                        destination.withUnsafeMutableBufferPointer { db in
                            moved.withUnsafeMutableBufferPointer { mb in
                                pf_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 3, nil, 0, nil, 0,
                                            target, .greatestFiniteMagnitude, 0, nil, mb.baseAddress, nil, &result)
                            }
                        }
                    }
                }
                pt.append(milliseconds() - t0)
            }
            if threads == threadCounts[0] { pfQuality = hausdorff(mesh, moved, destination[0..<pfCount]) }
            moTimes[threads] = median(mt)
            pfTimes[threads] = median(pt)
        }
        for threads in threadCounts {
            let m = moTimes[threads]!, p = pfTimes[threads]!
            // Time ratio against meshoptimizer on one thread (it is single-threaded).
            let reference = moTimes[threadCounts[0]]!
            if json {
                rows.append("{\"mesh\":\"\(mesh.name)\",\"ratio\":\(ratio),\"threads\":\(threads),\"meshoptMs\":\(m),\"pfMs\":\(p),\"timeRatio\":\(p / reference),\"meshoptTriangles\":\(moCount / 3),\"pfTriangles\":\(pfCount / 3),\"meshoptMax\":\(moQuality.max),\"pfMax\":\(pfQuality.max),\"meshoptMean\":\(moQuality.mean),\"pfMean\":\(pfQuality.mean)}")
            } else {
                let tr = (p / reference * 100).rounded() / 100
                print(pad(mesh.name, 12) + pad("\(ratio)", 7) + pad("\(threads)", 4) + pad("\((m * 10).rounded() / 10)", 12)
                      + pad("\((p * 10).rounded() / 10)", 10) + pad("\(tr)x", 7) + pad("\(moCount / 3)", 9) + pad("\(pfCount / 3)", 9)
                      + pad(pct(moQuality.max), 11) + pad(pct(pfQuality.max), 11) + pad(pct(moQuality.mean), 11) + pad(pct(pfQuality.mean), 11))
            }
        }
    }
    // A 4-level chain in one collapse against its deepest level alone (1 thread).
    pf_set_thread_count(1)
    let levels: [Float] = [1, 0.5, 0.25, 0.125]
    let targets = levels.map { 3 * Int(Float(indexCount / 3) * $0) }
    var chainOut = [UInt32](repeating: 0, count: indexCount * levels.count)
    var chainPositions = [Float](repeating: 0, count: vertexCount * 3 * levels.count)
    var results = [pf_simplify_result](repeating: pf_simplify_result(), count: levels.count)
    var ct: [Double] = [], dt: [Double] = []
    for _ in 0..<runs {
        let t0 = milliseconds()
        _ = mesh.indices.withUnsafeBufferPointer { ib in
            mesh.positions.withUnsafeBufferPointer { pb in
                chainOut.withUnsafeMutableBufferPointer { ob in
                    chainPositions.withUnsafeMutableBufferPointer { mb in
                        pf_simplify_lod(ob.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 3, nil, 0, nil, 0,
                                        targets, levels.count, .greatestFiniteMagnitude, 0, nil, mb.baseAddress, nil, nil, &results)
                    }
                }
            }
        }
        ct.append(milliseconds() - t0)
        var result = pf_simplify_result()
        let t1 = milliseconds()
        _ = mesh.indices.withUnsafeBufferPointer { ib in
            mesh.positions.withUnsafeBufferPointer { pb in
                destination.withUnsafeMutableBufferPointer { db in
                    moved.withUnsafeMutableBufferPointer { mb in
                        pf_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 3, nil, 0, nil, 0,
                                    targets.last!, .greatestFiniteMagnitude, 0, nil, mb.baseAddress, nil, &result)
                    }
                }
            }
        }
        dt.append(milliseconds() - t1)
    }
    let chainRatio = (median(ct) / median(dt) * 100).rounded() / 100
    if json {
        rows.append("{\"mesh\":\"\(mesh.name)\",\"lodChainMs\":\(median(ct)),\"deepestLevelMs\":\(median(dt)),\"chainRatio\":\(median(ct) / median(dt))}")
    } else {
        print("\(mesh.name): 4-level LOD chain \((median(ct) * 10).rounded() / 10) ms vs deepest level alone \((median(dt) * 10).rounded() / 10) ms (\(chainRatio)x)")
    }
}
if json { print("[\n" + rows.joined(separator: ",\n") + "\n]") }
