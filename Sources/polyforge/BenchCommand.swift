import ArgumentParser
import PolyforgeBench
import PolyforgeCore
import PolyforgeFormats
import PolyforgeMesh

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark Polyforge against the reference implementation, in one process, on your meshes or generated ones.",
        discussion: """
            The parse, render, repair and QC benchmarks live in the source tree's Benchmarks package.
            """,
        subcommands: [BenchSimplifyCommand.self])
}

struct BenchSimplifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simplify",
        abstract: "Time and measure simplification against meshoptimizer's meshopt_simplify on the same meshes.",
        discussion: """
            For every mesh, ratio and thread count it prints one row: the median time of meshoptimizer (the system's \
            libmeshoptimizer, meshopt_simplify with default options, one thread) and of Polyforge, the time ratio \
            (the median of each round's Polyforge / meshoptimizer, so that a drift in the machine's speed hits both), \
            the triangles each reached, and each result's Hausdorff distance to the input, max and mean, relative to \
            the bounding-box diagonal ("max x" and "mean x": Polyforge's over meshoptimizer's). Both simplify positions \
            only with no error limit, so both aim at the same count. Each model file counts as one mesh: every drawn \
            triangle in world space.

            Per mesh it also times a 4-level LOD chain (1, 0.5, 0.25, 0.125 in one collapse) against its deepest level \
            alone, on meshes of 10,000 triangles or more; and with --cold, the peak memory one call adds, per input \
            triangle.

            A model file's vertices at bit-identical positions are welded first (across its primitives and seams): the \
            benchmark weighs positions only, and an STL or other unindexed export could not collapse otherwise. Without \
            inputs or --triangles it measures the generated 1M- and 4M-triangle scan-like surfaces (about ten minutes on \
            two cores).

            When a mesh of a million triangles or more was measured, the table ends with a verdict on each of \
            Polyforge's targets for such meshes: time <= 1.0x meshoptimizer's on 1 thread and <= 0.55x on 2; Hausdorff \
            max <= meshoptimizer's and mean <= 0.8x in at least 80% of cases, never above 1.25x; a 4-level LOD chain \
            <= 1.3x its deepest level; peak memory <= 200 bytes per input triangle (--cold).

            Exit codes: 0 success; 1 an input could not be read (the others are still measured) or a folder holds no \
            model files; 64 bad usage.
            """)

    @Argument(help: "Model files or folders (searched recursively). Default: generated 1M- and 4M-triangle scans.")
    var inputs: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Also measure a generated scan-like surface of this many triangles (repeatable).", valueName: "n"))
    var triangles: [Int] = []

    @Option(name: .long, help: ArgumentHelp("Target fractions of the triangles, comma-separated.", valueName: "list"))
    var ratios: String = "0.5,0.1,0.02"

    @Option(name: .long, help: ArgumentHelp("Polyforge's thread counts, comma-separated.", valueName: "list"))
    var threads: String = "1,2"

    @Option(name: .long, help: ArgumentHelp("Interleaved rounds per case; times are their medians.", valueName: "n"))
    var runs: Int = 5

    @Flag(name: .long, help: "Every call maps fresh memory, as a one-off process does, and peak memory is measured (default: freed memory is reused, as in the rest of the CLI).")
    var cold = false

    @Flag(name: .long, help: "Print the results as JSON (one object per mesh) instead of a table.")
    var json = false

    static func parseList<T>(_ text: String, _ name: String, _ parse: (String) -> T?) throws -> [T] {
        let values = try text.split(separator: ",").map { part -> T in
            guard let v = parse(part.trimming(" ")) else { throw ValidationError("--\(name): '\(part)' is not valid.") }
            return v
        }
        guard !values.isEmpty else { throw ValidationError("--\(name) needs at least one value.") }
        return values
    }

    func parsedRatios() throws -> [Float] {
        try Self.distinct(Self.parseList(ratios, "ratios") { Float($0).flatMap { $0 > 0 && $0 < 1 ? $0 : nil } }, "ratios")
    }

    func parsedThreads() throws -> [Int] {
        try Self.distinct(Self.parseList(threads, "threads") { Int($0).flatMap { $0 >= 1 && $0 <= 1024 ? $0 : nil } }, "threads")
    }

    static func distinct<T: Hashable>(_ values: [T], _ name: String) throws -> [T] {
        var seen = Set<T>()
        if let twice = values.first(where: { !seen.insert($0).inserted }) { throw ValidationError("--\(name) lists \(twice) twice.") }
        return values
    }

    func validate() throws {
        _ = try parsedRatios()
        _ = try parsedThreads()
        if runs < 1 { throw ValidationError("--runs must be at least 1.") }
        if let t = triangles.first(where: { $0 < 100 || $0 > 100_000_000 }) {
            throw ValidationError("--triangles takes 100 to 100,000,000 (\(t) is not).")
        }
    }

    func run() throws {
        var benchmark = SimplifyBenchmark()
        benchmark.ratios = try parsedRatios()
        benchmark.threadCounts = try parsedThreads()
        benchmark.runs = runs
        benchmark.measureMemory = cold
        if cold { pf_release_freed_memory() }

        // Meshes are read (or generated) one at a time, so a folder of large models never sits in memory at once.
        var sources: [(name: String, load: () throws -> BenchMesh)] = []
        let files = FileSystem.modelFiles(in: inputs)
        for file in files { sources.append((file, { try BenchMesh(contentsOf: file) })) }
        var scans = triangles
        if inputs.isEmpty && scans.isEmpty { scans = [1_000_000, 4_000_000] }
        for n in scans { sources.append(("scan of \(n) triangles", { BenchMesh.scan(triangles: n) })) }
        if !inputs.isEmpty && files.isEmpty {
            Output.error("no model files (.glb, .gltf, .obj, .stl, .ply, .off) in \(inputs.joined(separator: ", ")).")
            throw ExitCode(1)
        }

        if !json {
            print(benchmark.preamble(cold: cold))
            print(SimplifyBenchmark.tableHeader)
        }
        var results: [SimplifyBenchmark.MeshResult] = []
        var failed = false
        for (index, source) in sources.enumerated() {
            let mesh: BenchMesh
            do { mesh = try source.load() } catch {
                Output.error("\(error)")
                failed = true
                continue
            }
            guard mesh.triangleCount >= 100 else {
                Output.warning("\(source.name): \(mesh.triangleCount) triangles, too few to time; skipped.")
                continue
            }
            if json && Output.stderrIsTerminal {
                FileHandleStream.stderr.write("[\(index + 1)/\(sources.count)] \(mesh.name): \(Output.number(mesh.triangleCount)) triangles\n")
            }
            let result = benchmark.run(mesh) { c in
                if !json { print(SimplifyBenchmark.tableRow(c)) }
            }
            results.append(result)
            if !json { for line in SimplifyBenchmark.summaryLines(result) { print(line) } }
        }
        if json {
            Output.json(.array(results.map { $0.json }))
        } else {
            // the issue's targets, when a mesh of a million triangles or more was measured
            for line in SimplifyBenchmark.targetLines(results) { print(line) }
        }
        if failed { throw ExitCode(1) }
    }
}
