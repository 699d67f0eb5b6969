// simplify-bench: pf_simplify against meshoptimizer's meshopt_simplify, in one process, on the same meshes. The
// measuring is PolyforgeBench's SimplifyBenchmark (also `polyforge bench simplify`); this keeps the benchmark's
// own defaults: generated 1M- and 4M-triangle scans, cold memory (every call maps fresh pages, as a one-off
// process does, and peak memory is measured), `--keep-freed-memory` for the CLI's setting.
#if canImport(Glibc)
import Glibc
#endif
import PolyforgeBench
import PolyforgeCore
import PolyforgeFormats
import PolyforgeMesh

// The same OpenMP runtime setting as the polyforge CLI: idle workers sleep instead of spinning for 200 ms.
setenv("KMP_BLOCKTIME", "0", 0)

let usage = "usage: simplify-bench [--triangles N]... [--file PATH]... [--assets] [--runs N] [--ratios 0.5,0.1,0.02] [--threads 1,2] [--keep-freed-memory] [--no-memory] [--json]"
var triangleCounts: [Int] = [], files: [String] = [], json = false, assets = false, keepFreed = false
var benchmark = SimplifyBenchmark()
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
    case "--runs": benchmark.runs = max(1, Int(text()) ?? 5)
    case "--ratios": benchmark.ratios = text().split(separator: ",").compactMap { Float($0) }
    case "--threads": benchmark.threadCounts = text().split(separator: ",").compactMap { Int($0) }
    case "--no-memory": benchmark.measureMemory = false
    case "--keep-freed-memory": keepFreed = true
    case "--json": json = true
    case "-h", "--help": print(usage); exit(0)
    default: print("simplify-bench: unknown argument \(argument)\n\(usage)"); exit(64)
    }
}
if triangleCounts.isEmpty && files.isEmpty && !assets { triangleCounts = [1_000_000, 4_000_000] }
// Peak memory per call shows only when freed memory goes back to the system.
// Cold is set explicitly too: glibc's default mmap threshold grows after the first large free, and then a
// smaller mesh's call would reuse heap memory.
if keepFreed { pf_keep_freed_memory(); benchmark.measureMemory = false } else { pf_release_freed_memory() }

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

var meshes: [() -> BenchMesh?] = triangleCounts.map { n in { BenchMesh.scan(triangles: n) } }
for file in files {
    meshes.append {
        guard let mesh = try? BenchMesh(contentsOf: file) else { if !json { print("simplify-bench: cannot read \(file)") }; return nil }
        return mesh.triangleCount >= 100 ? mesh : nil // a few dozen triangles: nothing to measure
    }
}

if !json {
    print(benchmark.preamble(cold: !keepFreed))
    print(SimplifyBenchmark.tableHeader)
}
var results: [SimplifyBenchmark.MeshResult] = []
for load in meshes {
    guard let mesh = load() else { continue }
    let result = benchmark.run(mesh) { c in if !json { print(SimplifyBenchmark.tableRow(c)) } }
    results.append(result)
    if !json { SimplifyBenchmark.summaryLines(result).forEach { print($0) } }
}
if json { print(JSONWriter.string(.array(results.map { $0.json }), indent: 2)) } else { SimplifyBenchmark.targetLines(results).forEach { print($0) } }
