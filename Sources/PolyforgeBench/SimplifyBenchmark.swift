// SimplifyBenchmark: pf_simplify against meshoptimizer's meshopt_simplify, in one process, on the same meshes. Run by
// `polyforge bench simplify` and by Benchmarks' simplify-bench.
//
// For each mesh and ratio it times both simplifiers on each thread count, measures each result's symmetric Hausdorff
// distance to the input (pf_surface_distance, max and mean relative to the bounding-box diagonal) and reports one
// case per thread count. Both run on positions only with no error limit (meshopt_simplify's default options), so
// both aim at the same triangle count.
//
// Timing: each round runs meshoptimizer once and then Polyforge once on each thread count, back to back, so a drift
// in a shared machine's speed hits both alike. Times are medians over the rounds, and the time ratio is the median of
// the rounds' own ratios (Polyforge on N threads over meshoptimizer in the same round; meshoptimizer is
// single-threaded).
//
// Also: the peak memory of one call (the peak resident set it adds, reset through /proc/self/clear_refs; only
// meaningful when every call maps fresh memory), and a 4-level LOD chain (pf_simplify_lod, one collapse) against
// its deepest level alone.
#if canImport(Glibc)
import Glibc
#endif
import CMeshopt
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeSimplify
import PolyforgeTopology

/// One triangle list to simplify: every drawn triangle, in world space.
public struct BenchMesh: Sendable {
    public let name: String
    public let positions: [Float]
    public let indices: [UInt32]
    /// The file it was read from (nil: generated).
    public let path: String?

    public var triangleCount: Int { indices.count / 3 }

    public init(name: String, positions: [Float], indices: [UInt32], path: String? = nil) {
        self.name = name
        self.positions = positions
        self.indices = indices
        self.path = path
    }

    /// The generated scan-like surface (PolyforgeFixtures' ScanSurface, seed 1).
    public static func scan(triangles: Int) -> BenchMesh {
        let p = ScanSurface.generate(triangles: triangles, seed: 1).meshes[0].primitives[0]
        let name = triangles % 1_000_000 == 0 ? "scan \(triangles / 1_000_000)M"
            : triangles % 1000 == 0 ? "scan \(triangles / 1000)k" : "scan \(triangles)"
        return BenchMesh(name: name, positions: p.positions, indices: p.indices)
    }

    /// Every drawn triangle of a model file in world space, as one list (so both simplifiers see the same input),
    /// with vertices at bit-identical positions welded and the unused ones dropped: the benchmark is on positions
    /// only, and an STL or any unindexed export would otherwise leave every corner alone and neither simplifier could
    /// collapse anything (`polyforge simplify` welds corners equal in every attribute; on positions only this is the
    /// same thing). The weld spans primitives and instances; -0 and +0 count as equal, as in the simplifier.
    public init(contentsOf path: String) throws {
        var soup = MeshTopology.weldPositions(TriangleSoup(scene: try SceneIO.read(path).scene), tolerance: 0).soup
        var remap = [UInt32](repeating: 0, count: soup.vertexCount)
        let kept = soup.indices.withUnsafeMutableBufferPointer { i in
            remap.withUnsafeMutableBufferPointer { r in pf_compact_vertices(i.baseAddress, i.count, r.count, r.baseAddress) }
        }
        var positions = [Float](repeating: 0, count: 3 * kept)
        for (v, w) in remap.enumerated() where w != UInt32.max {
            for k in 0..<3 { positions[3 * Int(w) + k] = soup.positions[3 * v + k] }
        }
        self.init(name: FileSystem.fileName(of: path), positions: positions, indices: soup.indices, path: path)
    }
}

public struct SimplifyBenchmark: Sendable {
    public var ratios: [Float] = [0.5, 0.1, 0.02]
    public var threadCounts: [Int] = [1, 2]
    public var runs = 5
    /// Peak memory per call: only meaningful when freed memory goes back to the system (pf_release_freed_memory).
    public var measureMemory = true
    /// The 4-level LOD chain against its deepest level, on meshes of 10,000 triangles or more.
    public var measureLODChain = true

    public init() {}

    /// One mesh, ratio and thread count.
    public struct Case: Sendable {
        public var mesh: String
        public var triangles: Int
        public var ratio: Float
        public var threads: Int
        public var meshoptMs: Double, pfMs: Double, timeRatio: Double
        public var meshoptTriangles: Int, pfTriangles: Int
        /// Hausdorff distances to the input, relative to its bounding-box diagonal.
        public var meshoptMax: Double, pfMax: Double, meshoptMean: Double, pfMean: Double

        public init(mesh: String, triangles: Int, ratio: Float, threads: Int, meshoptMs: Double, pfMs: Double, timeRatio: Double,
                    meshoptTriangles: Int, pfTriangles: Int, meshoptMax: Double, pfMax: Double, meshoptMean: Double, pfMean: Double) {
            self.mesh = mesh; self.triangles = triangles; self.ratio = ratio; self.threads = threads
            self.meshoptMs = meshoptMs; self.pfMs = pfMs; self.timeRatio = timeRatio
            self.meshoptTriangles = meshoptTriangles; self.pfTriangles = pfTriangles
            self.meshoptMax = meshoptMax; self.pfMax = pfMax; self.meshoptMean = meshoptMean; self.pfMean = pfMean
        }

        public var json: JSONValue {
            .object([("mesh", .string(mesh)), ("triangles", .number(Double(triangles))), ("ratio", .number(Double(ratio))),
                     ("threads", .number(Double(threads))), ("meshoptMs", .number(meshoptMs)), ("pfMs", .number(pfMs)),
                     ("timeRatio", .number(timeRatio)), ("meshoptTriangles", .number(Double(meshoptTriangles))),
                     ("pfTriangles", .number(Double(pfTriangles))), ("meshoptMax", number(meshoptMax)), ("pfMax", number(pfMax)),
                     ("meshoptMean", number(meshoptMean)), ("pfMean", number(pfMean))])
        }
    }

    /// Everything measured on one mesh.
    public struct MeshResult: Sendable {
        public var mesh: String
        public var path: String?
        public var triangles: Int
        public var cases: [Case] = []
        public var peakBytesPerTriangle: Double?
        public var meshoptPeakBytesPerTriangle: Double?
        public var lodChainMs: Double?
        public var deepestLevelMs: Double?
        public var chainRatio: Double?

        public init(mesh: String, triangles: Int) {
            self.mesh = mesh
            self.triangles = triangles
        }

        public var json: JSONValue {
            var members: [(String, JSONValue)] = [("mesh", .string(mesh))]
            if let path { members.append(("path", .string(path))) }
            members += [("triangles", .number(Double(triangles))), ("cases", .array(cases.map { $0.json }))]
            if let peakBytesPerTriangle, let meshoptPeakBytesPerTriangle {
                members += [("peakBytesPerTriangle", .number(peakBytesPerTriangle)),
                            ("meshoptPeakBytesPerTriangle", .number(meshoptPeakBytesPerTriangle))]
            }
            if let lodChainMs, let deepestLevelMs, let chainRatio {
                members += [("lodChainMs", .number(lodChainMs)), ("deepestLevelMs", .number(deepestLevelMs)), ("chainRatio", .number(chainRatio))]
            }
            return .object(members)
        }
    }

    /// Measures one mesh; `progress` is told each case as it is done.
    public func run(_ mesh: BenchMesh, progress: (Case) -> Void = { _ in }) -> MeshResult {
        let vertexCount = mesh.positions.count / 3, indexCount = mesh.indices.count
        var destination = [UInt32](repeating: 0, count: indexCount)
        var moved = [Float](repeating: 0, count: vertexCount * 3)
        func runMeshopt(_ target: Int) -> Int {
            mesh.indices.withUnsafeBufferPointer { ib in
                mesh.positions.withUnsafeBufferPointer { pb in
                    destination.withUnsafeMutableBufferPointer { db in
                        meshopt_simplify(db.baseAddress, ib.baseAddress, indexCount, pb.baseAddress, vertexCount, 12, target,
                                         .greatestFiniteMagnitude, 0, nil)
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
        let threadsBefore = pf_thread_count()
        defer { pf_set_thread_count(threadsBefore) }
        var out = MeshResult(mesh: mesh.name, triangles: mesh.triangleCount)
        out.path = mesh.path
        for ratio in ratios {
            let target = 3 * Int(Float(indexCount / 3) * ratio)
            var moCount = 0, pfCount = 0
            var moTimes: [Double] = [], pfTimes: [Int: [Double]] = [:], roundRatios: [Int: [Double]] = [:]
            for _ in 0..<max(1, runs) {
                let t0 = Self.milliseconds()
                moCount = runMeshopt(target)
                let mo = Self.milliseconds() - t0
                moTimes.append(mo)
                for threads in threadCounts {
                    pf_set_thread_count(Int32(threads))
                    let t1 = Self.milliseconds()
                    pfCount = runPolyforge(target)
                    let pf = Self.milliseconds() - t1
                    pfTimes[threads, default: []].append(pf)
                    roundRatios[threads, default: []].append(pf / mo)
                }
            }
            pf_set_thread_count(Int32(threadCounts.first ?? 1))
            moCount = runMeshopt(target)
            let moQuality = Self.hausdorff(mesh, mesh.positions, destination[0..<moCount])
            pfCount = runPolyforge(target)
            let pfQuality = Self.hausdorff(mesh, moved, destination[0..<pfCount])
            if measureMemory && ratio == ratios.last {
                let triangles = Double(max(1, mesh.triangleCount))
                out.meshoptPeakBytesPerTriangle = Double(Self.peakAdded { _ = runMeshopt(target) }) / triangles
                out.peakBytesPerTriangle = Double(Self.peakAdded { _ = runPolyforge(target) }) / triangles
            }
            for threads in threadCounts {
                let c = Case(mesh: mesh.name, triangles: mesh.triangleCount, ratio: ratio, threads: threads,
                             meshoptMs: Self.median(moTimes), pfMs: Self.median(pfTimes[threads]!), timeRatio: Self.median(roundRatios[threads]!),
                             meshoptTriangles: moCount / 3, pfTriangles: pfCount / 3, meshoptMax: moQuality.max, pfMax: pfQuality.max,
                             meshoptMean: moQuality.mean, pfMean: pfQuality.mean)
                out.cases.append(c)
                progress(c)
            }
        }
        guard measureLODChain, mesh.triangleCount >= 10_000 else { return out }
        // A 4-level chain in one collapse against its deepest level alone (1 thread), interleaved.
        pf_set_thread_count(1)
        let levels: [Float] = [1, 0.5, 0.25, 0.125]
        let targets = levels.map { 3 * Int(Float(indexCount / 3) * $0) }
        var chainOut = [UInt32](repeating: 0, count: indexCount * levels.count)
        var chainPositions = [Float](repeating: 0, count: vertexCount * 3 * levels.count)
        var results = [pf_simplify_result](repeating: pf_simplify_result(), count: levels.count)
        var chain: [Double] = [], deepest: [Double] = [], ratio: [Double] = []
        for _ in 0..<max(1, runs) {
            let t0 = Self.milliseconds()
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
            chain.append(Self.milliseconds() - t0)
            let t1 = Self.milliseconds()
            _ = runPolyforge(targets.last!)
            deepest.append(Self.milliseconds() - t1)
            ratio.append(chain.last! / deepest.last!)
        }
        out.lodChainMs = Self.median(chain)
        out.deepestLevelMs = Self.median(deepest)
        out.chainRatio = Self.median(ratio)
        return out
    }

    // MARK: - the printed table

    /// The line above the table: the machine, the rounds and how memory is handled (`cold`: every call maps fresh
    /// memory; else freed memory is reused, the CLI's setting).
    public func preamble(cold: Bool) -> String {
        "machine: \(pf_thread_count()) threads available; \(runs) interleaved rounds; times are medians; time ratio = median of the "
            + "rounds' pf/meshopt; Hausdorff relative to the bbox diagonal; memory: "
            + (cold ? "cold (every call maps fresh memory)" : "freed memory reused (the CLI's setting)")
    }

    public static var tableHeader: String {
        pad("mesh", 22) + pad("tris", 9) + pad("ratio", 6) + pad("thr", 4) + pad("meshopt ms", 11) + pad("pf ms", 9) + pad("time", 7)
            + pad("mo tris", 9) + pad("pf tris", 9) + pad("mo max", 11) + pad("pf max", 11) + pad("mo mean", 11) + pad("pf mean", 11)
            + pad("max x", 7) + pad("mean x", 7)
    }

    public static func tableRow(_ c: Case) -> String {
        let maxRatio = c.pfMax / c.meshoptMax, meanRatio = c.pfMean / c.meshoptMean
        return pad(c.mesh, 22) + pad("\(c.triangles)", 9) + pad("\(c.ratio)", 6) + pad("\(c.threads)", 4) + pad(ms(c.meshoptMs), 11)
            + pad(ms(c.pfMs), 9) + pad("\((c.timeRatio * 100).rounded() / 100)x", 7) + pad("\(c.meshoptTriangles)", 9)
            + pad("\(c.pfTriangles)", 9) + pad(percent(c.meshoptMax), 11) + pad(percent(c.pfMax), 11) + pad(percent(c.meshoptMean), 11)
            + pad(percent(c.pfMean), 11) + pad(maxRatio.isFinite ? "\((maxRatio * 100).rounded() / 100)" : "-", 7)
            + pad(meanRatio.isFinite ? "\((meanRatio * 100).rounded() / 100)" : "-", 7)
    }

    /// The lines after a mesh's rows: its peak memory and LOD chain, when measured.
    public static func summaryLines(_ r: MeshResult) -> [String] {
        var lines: [String] = []
        if let pf = r.peakBytesPerTriangle, let mo = r.meshoptPeakBytesPerTriangle {
            lines.append("\(r.mesh): peak memory added by one call: polyforge \(Int(pf.rounded())) B/triangle, meshoptimizer \(Int(mo.rounded())) B/triangle")
        }
        if let chain = r.lodChainMs, let deepest = r.deepestLevelMs, let ratio = r.chainRatio {
            lines.append("\(r.mesh): 4-level LOD chain \(ms(chain)) ms vs deepest level alone \(ms(deepest)) ms (\((ratio * 100).rounded() / 100)x)")
        }
        return lines
    }

    /// Issue 6's targets, judged on the meshes of a million triangles or more among `results`: one line each, "met"
    /// or "not met" with the range measured. Empty when no mesh is that large.
    public static func targetLines(_ results: [MeshResult]) -> [String] {
        let large = results.filter { $0.triangles >= 1_000_000 }
        let cases = large.flatMap { $0.cases }
        guard !cases.isEmpty else { return [] }
        func range(_ xs: [Double], _ suffix: String = "x") -> String {
            guard let lo = xs.min(), let hi = xs.max() else { return "not measured" }
            let f = { (x: Double) in "\((x * 100).rounded() / 100)\(suffix)" }
            return lo == hi ? f(lo) : "\(f(lo))–\(f(hi))"
        }
        func verdict(_ ok: Bool) -> String { ok ? "met" : "NOT met" }
        var lines = ["targets on meshes of 1M triangles or more (\(large.map { $0.mesh }.joined(separator: ", "))):"]
        for (threads, limit) in [(1, 1.0), (2, 0.55)] {
            let ratios = cases.filter { $0.threads == threads }.map { $0.timeRatio }
            guard !ratios.isEmpty else { continue }
            let within = ratios.filter { $0 <= limit }.count
            lines.append("  time on \(threads) thread\(threads == 1 ? "" : "s") <= \(limit)x meshoptimizer: \(range(ratios)) — "
                         + "\(verdict(within == ratios.count))\(within > 0 && within < ratios.count ? " (within it in \(within) of \(ratios.count) cases)" : "")")
        }
        // quality: one verdict per mesh and ratio (the thread count does not change the output). Both errors zero is a
        // tie; a missing error (NaN) or ours above a zero one fails.
        func ratio(_ pf: Double, _ mo: Double) -> Double {
            guard pf.isFinite, mo.isFinite else { return .infinity }
            return pf == mo ? (pf == 0 ? 0 : 1) : pf / mo
        }
        var maxRatios: [Double] = [], meanRatios: [Double] = []
        for result in large {
            var seen = Set<Float>()
            for c in result.cases where seen.insert(c.ratio).inserted {
                maxRatios.append(ratio(c.pfMax, c.meshoptMax))
                meanRatios.append(ratio(c.pfMean, c.meshoptMean))
            }
        }
        let good = zip(maxRatios, meanRatios).filter { $0 <= 1 && $1 <= 0.8 }.count
        let worst = (maxRatios + meanRatios).reduce(0) { Swift.max($0, $1) }
        lines.append("  Hausdorff max <= meshoptimizer's and mean <= 0.8x in >= 80% of cases, never above 1.25x: max \(range(maxRatios)), "
                     + "mean \(range(meanRatios)), \(good) of \(maxRatios.count) cases — \(verdict(Double(good) >= 0.8 * Double(maxRatios.count) && worst <= 1.25))")
        let chains = large.compactMap { $0.chainRatio }
        if !chains.isEmpty {
            lines.append("  4-level LOD chain <= 1.3x its deepest level: \(range(chains)) — \(verdict(chains.allSatisfy { $0 <= 1.3 }))")
        }
        let memory = large.compactMap { $0.peakBytesPerTriangle }
        if !memory.isEmpty {
            lines.append("  peak memory <= 200 B per input triangle: \(range(memory.map { $0.rounded() }, " B")) — \(verdict(memory.allSatisfy { $0 <= 200 }))")
        }
        return lines
    }

    // MARK: - measuring

    static func milliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Symmetric Hausdorff distance of a result to the input, max and mean relative to the input's diagonal (NaN when
    /// either has no triangle).
    static func hausdorff(_ mesh: BenchMesh, _ positions: [Float], _ indices: ArraySlice<UInt32>) -> (max: Double, mean: Double) {
        guard let d = SurfaceDistance.measure(TriangleSoup(positions: mesh.positions, indices: mesh.indices),
                                              TriangleSoup(positions: positions, indices: Array(indices)),
                                              samples: max(100_000, mesh.triangleCount)),
              d.diagonal > 0 else { return (.nan, .nan) }
        return (d.relativeMax, d.relativeMean)
    }

    /// Resident-set peak in bytes since the last reset (VmHWM).
    static func peakResident() -> Int {
        guard let f = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, f) != nil {
            let s = String(cString: line)
            if s.hasPrefix("VmHWM:") { return (Int(s.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024 }
        }
        return 0
    }

    static func currentResident() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, 128, f) != nil else { return 0 }
        let fields = String(cString: line).split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Bytes of resident memory `body` adds at its peak. With fresh memory per call, large blocks are mapped and
    /// unmapped by malloc, so what a call allocates shows up and goes away with it.
    static func peakAdded(_ body: () -> Void) -> Int {
        let before = currentResident()
        if let f = fopen("/proc/self/clear_refs", "w") { fputs("5", f); fclose(f) }
        body()
        return max(0, peakResident() - before)
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
    static func ms(_ x: Double) -> String { "\((x * 10).rounded() / 10)" }

    /// A fraction as a percentage with four significant decimals at least ("0.0486%").
    static func percent(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x == 0 { return "0%" }
        var digits = 4
        while digits < 8 && (x * 100 * pow(10, Double(digits))).rounded() < 100 { digits += 1 }
        let scale = pow(10, Double(digits))
        return "\((x * 100 * scale).rounded() / scale)%"
    }
}

private func number(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }
