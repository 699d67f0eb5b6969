import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeRepair
import PolyforgeTopology

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Repair meshes: weld, remove degenerate and duplicate faces, make manifold, orient, fill holes, drop floaters.",
        discussion: """
            Every triangle primitive is repaired, keeping its material, UVs, normals and textures; the primitives of \
            one mesh are repaired together, so material borders are not holes. Steps, in order: weld (merge \
            coincident vertices; UV/normal seams kept unless --no-keep-seams), cleanup (repeated-index, zero-area and \
            duplicate faces, including back-to-back pairs), make manifold (split edges with three or more faces and \
            bow-tie vertices), remove floaters (only with --remove-floaters), orient (consistent winding, closed \
            shells outward), fill holes (boundary loops up to --fill-holes edges, flat, with no new vertices; with \
            --fair-holes the fills are refined and follow the curvature around them); with \
            --watertight, also remove open slivers under 0.1% of the area (such as lone fins cut off non-manifold \
            edges), which no fill can close.

            The report gives the surface's defects before and after (positions welded, as trimesh counts them).

            Exit codes: 0 success; 1 the input could not be read or the output could not be written; \
            2 --watertight was given and the result is not watertight (the output is still written, and the \
            report says which loops stayed open and why); 64 bad usage.
            """)

    @Argument(help: "Input file (.glb, .gltf, .obj, .stl, .ply, .off).")
    var input: String

    @Argument(help: "Output file (.glb, .gltf, .obj, .stl, .ply).")
    var output: String

    @Option(name: .long, help: "Weld vertices closer than this, per axis, in model units (default: 1e-6 of each mesh's bounding-box diagonal).")
    var weldTolerance: Float?

    @Option(name: .long, help: ArgumentHelp("Fill boundary loops of up to this many edges; 0 fills none.", valueName: "max-edges"))
    var fillHoles: Int = 100

    @Option(name: .long, help: ArgumentHelp("Remove pieces with less than this fraction of the mesh's total area (e.g. 0.01).", valueName: "fraction"))
    var removeFloaters: Float?

    @Flag(name: .customLong("fair-holes"), help: "Fair the hole fills: refine them and let them follow the curvature of the surface around them, instead of flat caps (adds points inside the holes).")
    var fairHoles = false

    @Flag(name: .long, help: "Require a watertight result: also drop open slivers under 0.1% of the area that no fill can close, and exit with code 2, saying why, when the result is still open.")
    var watertight = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Keep UV and normal seams when welding (vertices on one point with different attributes stay apart).")
    var keepSeams = true

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        _ = try Output.writableFormat(output)
        if let t = weldTolerance, !(t.isFinite && t >= 0) { throw ValidationError("--weld-tolerance must be a finite number >= 0 (model units).") }
        if fillHoles < 0 { throw ValidationError("--fill-holes must be 0 (no filling) or a number of edges.") }
        if let f = removeFloaters, !(f.isFinite && f >= 0 && f < 1) {
            throw ValidationError("--remove-floaters is a fraction of the total area, from 0 up to (not including) 1, e.g. 0.01.")
        }
    }

    func run() throws {
        let loaded = try Output.readScene(input, allowNonFinitePositions: true)
        var options = RepairOptions()
        options.weldTolerance = weldTolerance
        options.keepSeams = keepSeams
        options.maxHoleEdges = fillHoles
        options.fairHoles = fairHoles
        options.floaterFraction = removeFloaters ?? 0
        // A closed result is asked for: open slivers below 0.1% of the area, which no fill can close, go too.
        if watertight { options.openSliverFraction = 1e-3 }
        let (scene, report) = RepairPipeline(options: options).repair(loaded.scene)
        do {
            try SceneIO.write(scene, to: output)
        } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        if json {
            var record: [(String, JSONValue)] = [("input", .string(input)), ("output", .string(output))]
            record += report.json.objectValue ?? []
            Output.json(.object(record))
        } else {
            printTable(report)
        }
        if watertight && !report.isWatertight {
            Output.error("\(output) is not watertight: " + report.openReasons.joined(separator: "; ") + ".")
            throw ExitCode(2)
        }
    }

    func printTable(_ report: RepairReport) {
        print("\(input) → \(output)")
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        print("  " + pad("", 24) + lpad("before", 12) + lpad("after", 12))
        let before = RepairReport.defects(report.before), after = RepairReport.defects(report.after)
        for (b, a) in zip(before, after) {
            print("  " + pad(b.0, 24) + lpad(Output.number(b.1), 12) + lpad(Output.number(a.1), 12))
        }
        func yes(_ b: Bool) -> String { b ? "yes" : "no" }
        print("  " + pad("watertight", 24) + lpad(yes(report.before.isWatertight), 12) + lpad(yes(report.after.isWatertight), 12))
        print("  " + pad("manifold", 24) + lpad(yes(report.before.isManifold), 12) + lpad(yes(report.after.isManifold), 12))
        print("  " + pad("winding consistent", 24) + lpad(yes(report.before.isWindingConsistent), 12) + lpad(yes(report.after.isWindingConsistent), 12))
        let width = (report.steps.map(\.step.count).max() ?? 0) + 2
        for step in report.steps {
            let done = step.counts.filter { $0.value != 0 }.map { "\($0.name) \(Output.number($0.value))" }
            print("  " + pad(step.step, width) + (done.isEmpty ? "nothing to do" : done.joined(separator: ", ")))
        }
        for reason in report.openReasons { print("  open: \(reason)") }
    }
}
