// simplify-bench: pf_simplify against meshoptimizer's meshopt_simplify, in one process, on the same meshes.
//
// For each mesh (generated 1M- and 4M-triangle scans by default, `--triangles` for others, `--file` models,
// `--assets` for every model under ../shared/assets and the fixtures) and ratio (0.5, 0.1, 0.02) it times both
// simplifiers on 1 and 2 threads, measures each result's symmetric Hausdorff distance to the input
// (pf_surface_distance, max and mean relative to the bounding-box diagonal), and prints one row per case. Both run on
// positions only with no error limit (meshopt_simplify's default options), so both aim at the same triangle count.
//
// Timing: `--runs` rounds; each round runs meshoptimizer once and then Polyforge once on each thread count, back to
// back, so a drift in the shared machine's speed hits both alike. Times are medians over the rounds, and the time
// ratio is the median of the rounds' own ratios (Polyforge on N threads over meshoptimizer in the same round;
// meshoptimizer is single-threaded).
//
// Also: peak memory of each call (the peak resident set it adds, reset through /proc/self/clear_refs before it;
// outputs allocated and touched beforehand), and a 4-level LOD chain (pf_simplify_lod, one collapse) against its
// deepest level alone. Calls the C APIs directly, as render-bench does.
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

let usage = "usage: simplify-bench [--triangles N]... [--file PATH]... [--assets] [--runs N] [--ratios 0.5,0.1,0.02] [--threads 1,2] [--keep-freed-memory] [--no-memory] [--json]"
var triangleCounts: [Int] = [], files: [String] = [], runs = 5, json = false, assets = false, memory = true, keepFreed = false
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
    case "--assets": assets = true
    case "--runs": runs = max(1, Int(text()) ?? 5)
    case "--ratios": ratios = text().split(separator: ",").compactMap { Float($0) }
    case "--threads": threadCounts = text().split(separator: ",").compactMap { Int($0) }
    case "--no-memory": memory = false
    case "--keep-freed-memory": keepFreed = true
    case "--json": json = true
    default: print("simplify-bench: unknown argument \(argument)\n\(usage)"); exit(64)
    }
}
if triangleCounts.isEmpty && files.isEmpty && !assets { triangleCounts = [1_000_000, 4_000_000] }
// The CLI's malloc setting (freed memory stays in the heap, so the next call reuses pages instead of having the
// kernel clear new ones), for both libraries alike; the default is a cold call, as a one-off process makes it.
if keepFreed { pf_keep_freed_memory(); memory = false }

/// This file is Benchmarks/Sources/simplify-bench/main.swift: the repository is three folders up.
let repository: String = {
    var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return parts.joined(separator: "/")
}()
if assets {
    for root in [repository + "/../shared/assets", repository + "/fixtures"] {
        files += FileSystem.modelFiles(in: [root]).sorted()
    }
}

func milliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Resident-set peak in bytes since the last reset (VmHWM), and the reset itself.
func peakResident() -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("VmHWM:") { return (Int(s.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024 }
    }
    return 0
}
func currentResident() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, 128, f) != nil else { return 0 }
    let fields = String(cString: line).split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}
func resetPeak() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}
/// Bytes of resident memory `body` adds at its peak. Large blocks are mapped and unmapped by malloc (the
/// benchmark does not raise its mapping threshold), so what a call allocates shows up and goes away with it.
func peakAdded(_ body: () -> Void) -> Int {
    let before = currentResident()
    resetPeak()
    body()
    return max(0, peakResident() - before)
}

struct Mesh { var name: String; var positions: [Float]; var indices: [UInt32] }

var meshes: [Mesh] = []
for n in triangleCounts {
    let p = ScanSurface.generate(triangles: n, seed: 1).meshes[0].primitives[0]
    meshes.append(Mesh(name: n >= 1_000_000 ? "scan \(n / 1_000_000)M" : "scan \(n / 1000)k", positions: p.positions, indices: p.indices))
}
for file in files {
    guard let loaded = try? SceneIO.read(file) else { if !json { print("simplify-bench: cannot read \(file)") }; continue }
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
    guard indices.count >= 300 else { continue } // a few dozen triangles: nothing to measure
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
    guard x.isFinite else { return "n/a" }
    if x == 0 { return "0%" }
    var digits = 4
    while digits < 8 && (x * 100 * pow(10, Double(digits))).rounded() < 100 { digits += 1 }
    let scale = pow(10, Double(digits))
    return "\((x * 100 * scale).rounded() / scale)%"
}
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func ms(_ x: Double) -> String { "\((x * 10).rounded() / 10)" }

var rows: [String] = []
if !json {
    print("machine: \(pf_thread_count()) threads available; \(runs) interleaved rounds; times are medians; time ratio = median of the rounds' pf/meshopt; Hausdorff relative to the bbox diagonal; memory: \(keepFreed ? "freed memory kept (the CLI's setting)" : "cold (every call maps fresh memory)")")
    print(pad("mesh", 22) + pad("tris", 9) + pad("ratio", 6) + pad("thr", 4) + pad("meshopt ms", 11) + pad("pf ms", 9) + pad("time", 7)
          + pad("mo tris", 9) + pad("pf tris", 9) + pad("mo max", 11) + pad("pf max", 11) + pad("mo mean", 11) + pad("pf mean", 11)
          + pad("max x", 7) + pad("mean x", 7))
}
for mesh in meshes {
    let vertexCount = mesh.positions.count / 3
    let indexCount = mesh.indices.count
    var destination = [UInt32](repeating: 0, count: indexCount)
    var moved = [Float](repeating: 0, count: vertexCount * 3)
    func runMeshopt(_ target: Int) -> Int {
        mesh.indices.withUnsafeBufferPointer { ib in
            mesh.positions.withUnsafeBufferPointer { pb in
                destination.withUnsafeMutableBufferPointer { db in
                    meshopt_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 12, target, .greatestFiniteMagnitude, 0, nil)
                }
            }
        }
    }
    func runPolyforge(_ target: Int) -> Int {
        var result = pf_simplify_result()
        return mesh.indices.withUnsafeBufferPointer { ib in
            mesh.positions.withUnsafeBufferPointer { pb in
                destination.withUnsafeMutableBufferPointer { db in
                    moved.withUnsafeMutableBufferPointer { mb in
                        pf_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 3, nil, 0, nil, 0,
                                    target, .greatestFiniteMagnitude, 0, nil, mb.baseAddress, nil, &result)
                    }
                }
            }
        }
    }
    var memoryMeshopt = 0, memoryPolyforge = 0
    for ratio in ratios {
        let target = 3 * Int(Float(indexCount / 3) * ratio)
        var moCount = 0, pfCount = 0
        var moTimes: [Double] = [], pfTimes: [Int: [Double]] = [:], roundRatios: [Int: [Double]] = [:]
        for _ in 0..<runs {
            pf_set_thread_count(1)
            let t0 = milliseconds()
            moCount = runMeshopt(target)
            let mo = milliseconds() - t0
            moTimes.append(mo)
            for threads in threadCounts {
                pf_set_thread_count(Int32(threads))
                let t1 = milliseconds()
                pfCount = runPolyforge(target)
                let pf = milliseconds() - t1
                pfTimes[threads, default: []].append(pf)
                roundRatios[threads, default: []].append(pf / mo)
            }
        }
        pf_set_thread_count(Int32(threadCounts[0]))
        _ = runMeshopt(target)
        let moQuality = hausdorff(mesh, mesh.positions, destination[0..<moCount])
        _ = runPolyforge(target)
        let pfQuality = hausdorff(mesh, moved, destination[0..<pfCount])
        if memory && ratio == ratios.last {
            memoryMeshopt = peakAdded { _ = runMeshopt(target) }
            memoryPolyforge = peakAdded { _ = runPolyforge(target) }
        }
        let maxRatio = pfQuality.max / moQuality.max, meanRatio = pfQuality.mean / moQuality.mean
        for threads in threadCounts {
            let m = median(moTimes), p = median(pfTimes[threads]!), r = median(roundRatios[threads]!)
            if json {
                rows.append("{\"mesh\":\"\(mesh.name)\",\"triangles\":\(indexCount / 3),\"ratio\":\(ratio),\"threads\":\(threads),\"meshoptMs\":\(m),\"pfMs\":\(p),\"timeRatio\":\(r),\"meshoptTriangles\":\(moCount / 3),\"pfTriangles\":\(pfCount / 3),\"meshoptMax\":\(moQuality.max),\"pfMax\":\(pfQuality.max),\"meshoptMean\":\(moQuality.mean),\"pfMean\":\(pfQuality.mean)}")
            } else {
                print(pad(mesh.name, 22) + pad("\(indexCount / 3)", 9) + pad("\(ratio)", 6) + pad("\(threads)", 4) + pad(ms(m), 11)
                      + pad(ms(p), 9) + pad("\((r * 100).rounded() / 100)x", 7) + pad("\(moCount / 3)", 9) + pad("\(pfCount / 3)", 9)
                      + pad(pct(moQuality.max), 11) + pad(pct(pfQuality.max), 11) + pad(pct(moQuality.mean), 11) + pad(pct(pfQuality.mean), 11)
                      + pad(maxRatio.isFinite ? "\((maxRatio * 100).rounded() / 100)" : "-", 7)
                      + pad(meanRatio.isFinite ? "\((meanRatio * 100).rounded() / 100)" : "-", 7))
            }
        }
    }
    if memory {
        let perTriangle = Double(memoryPolyforge) / Double(indexCount / 3), reference = Double(memoryMeshopt) / Double(indexCount / 3)
        if json {
            rows.append("{\"mesh\":\"\(mesh.name)\",\"peakBytesPerTriangle\":\(perTriangle),\"meshoptPeakBytesPerTriangle\":\(reference)}")
        } else {
            print("\(mesh.name): peak memory added by one call: polyforge \(Int(perTriangle.rounded())) B/triangle, meshoptimizer \(Int(reference.rounded())) B/triangle")
        }
    }
    // A 4-level chain in one collapse against its deepest level alone (1 thread), interleaved.
    guard indexCount >= 30_000 else { continue }
    pf_set_thread_count(1)
    let levels: [Float] = [1, 0.5, 0.25, 0.125]
    let targets = levels.map { 3 * Int(Float(indexCount / 3) * $0) }
    var chainOut = [UInt32](repeating: 0, count: indexCount * levels.count)
    var chainPositions = [Float](repeating: 0, count: vertexCount * 3 * levels.count)
    var results = [pf_simplify_result](repeating: pf_simplify_result(), count: levels.count)
    var ct: [Double] = [], dt: [Double] = [], cr: [Double] = []
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
        let t1 = milliseconds()
        _ = runPolyforge(targets.last!)
        dt.append(milliseconds() - t1)
        cr.append(ct.last! / dt.last!)
    }
    let chainRatio = (median(cr) * 100).rounded() / 100
    if json {
        rows.append("{\"mesh\":\"\(mesh.name)\",\"lodChainMs\":\(median(ct)),\"deepestLevelMs\":\(median(dt)),\"chainRatio\":\(median(cr))}")
    } else {
        print("\(mesh.name): 4-level LOD chain \(ms(median(ct))) ms vs deepest level alone \(ms(median(dt))) ms (\(chainRatio)x)")
    }
}
if json { print("[\n" + rows.joined(separator: ",\n") + "\n]") }
