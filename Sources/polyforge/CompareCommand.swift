import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeSimplify

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure how far two models' surfaces are apart (symmetric Hausdorff distance, max and mean).",
        discussion: """
            Both surfaces are sampled (every vertex plus points spread by area) and each sample's nearest point on the \
            other surface is found; the result is the largest and the mean distance over both directions, in world \
            units and relative to A's bounding-box diagonal. Deterministic for any thread count.

            Exit codes: 0 success; 1 an input could not be read or has no triangles; 64 bad usage.
            """)

    @Argument(help: "Reference model (its bounding-box diagonal makes the distances relative).")
    var a: String

    @Argument(help: "Model to compare with it.")
    var b: String

    @Option(name: .long, help: ArgumentHelp("Points spread by area on each surface, on top of its vertices (default: max(100000, triangles)).", valueName: "count"))
    var samples: Int?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let s = samples, s < 0 { throw ValidationError("--samples must be 0 or more.") }
    }

    func run() throws {
        var scenes: [Scene] = []
        for path in [a, b] { scenes.append(try Output.readScene(path).scene) }
        guard let d = SurfaceDistance.measure(scenes[0], scenes[1], samples: samples) else {
            Output.error("\(scenes[0].drawnTriangleCount == 0 ? a : b) has no triangles to measure against.")
            throw ExitCode(1)
        }
        if json {
            Output.json(.object([("a", .string(a)), ("b", .string(b))] + (d.json.objectValue ?? [])))
        } else {
            print("\(a) ↔ \(b)")
            print("  max   \(d.max) (\(SimplifyCommand.percent(Float(d.relativeMax))) of the diagonal)")
            print("  mean  \(d.mean) (\(SimplifyCommand.percent(Float(d.relativeMean))) of the diagonal)")
            print("  A→B   max \(d.maxAToB), mean \(d.meanAToB) over \(Output.number(d.samplesA)) samples")
            print("  B→A   max \(d.maxBToA), mean \(d.meanBToA) over \(Output.number(d.samplesB)) samples")
        }
    }
}
