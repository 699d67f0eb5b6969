import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeSimplify

struct SimplifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simplify",
        abstract: "Reduce triangle counts by quadric edge collapse, keeping materials, UVs, normals and textures in place.",
        discussion: """
            Give exactly one target: --ratio (fraction of the triangles to keep), --target-triangles (for the whole \
            scene) or --target-error (fraction of the scene's bounding-box diagonal the surface may move; with \
            --absolute, a distance in the model's units). Each mesh \
            is simplified in the world space of the node that draws it. UV and normal seams and open borders collapse \
            only along themselves; no triangle is flipped. When those guards stop short of the target, --permissive \
            relaxes them step by step (seams first, then borders and non-manifold vertices); the report always says \
            how far the collapse got and why it stopped, the geometric error, and for textured meshes the UV drift: \
            how far the texture slid against the input at the same places of the surface (UV units).

            Exit codes: 0 success (also when a target was not reached: see the report); 1 the input could not be read \
            or the output could not be written; 64 bad usage.
            """)

    @Argument(help: "Input file (.glb, .gltf, .obj, .stl, .ply, .off).")
    var input: String

    @Argument(help: "Output file (.glb, .gltf, .obj, .stl, .ply).")
    var output: String

    @Option(name: .long, help: ArgumentHelp("Keep this fraction of the triangles, e.g. 0.25.", valueName: "fraction"))
    var ratio: Float?

    @Option(name: .long, help: ArgumentHelp("Keep at most this many triangles in the whole scene.", valueName: "count"))
    var targetTriangles: Int?

    @Option(name: .long, help: ArgumentHelp("Collapse until the surface would move more than this fraction of the bounding-box diagonal, e.g. 0.01.", valueName: "fraction"))
    var targetError: Float?

    @Flag(name: .long, help: "Read --target-error as a distance in the model's (world) units instead of a fraction of the diagonal.")
    var absolute = false

    @OptionGroup var simplification: SimplificationOptions

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        _ = try Output.writableFormat(output)
        let targets = [ratio != nil, targetTriangles != nil, targetError != nil].filter { $0 }.count
        if targets != 1 { throw ValidationError("Give exactly one of --ratio, --target-triangles or --target-error.") }
        if let r = ratio, !(r.isFinite && r > 0 && r <= 1) { throw ValidationError("--ratio is the fraction of triangles to keep: a number above 0 and at most 1, e.g. 0.25.") }
        if let n = targetTriangles, n < 1 { throw ValidationError("--target-triangles must be at least 1.") }
        if let e = targetError, !(e.isFinite && e >= 0) {
            throw ValidationError(absolute ? "--target-error with --absolute is a distance in model units: a number >= 0, e.g. 0.5."
                                           : "--target-error is a fraction of the bounding-box diagonal: a number >= 0, e.g. 0.01.")
        }
        if absolute && targetError == nil { throw ValidationError("--absolute applies to --target-error: give it one, e.g. --target-error 0.5 --absolute.") }
        _ = try simplification.parsedAttributes()
    }

    func run() throws {
        let loaded = try Output.readScene(input)
        let target: SimplifyTarget = ratio.map { .ratio($0) } ?? targetTriangles.map { .triangles($0) } ?? (absolute ? .absoluteError(targetError ?? 0) : .error(targetError ?? 0))
        var options = SimplifyOptions(target: target)
        simplification.apply(to: &options)
        options.measureUVDrift = true
        let (scene, report) = QuadricSimplifier(options: options).simplify(loaded.scene)
        do {
            try SceneIO.write(scene, to: output)
        } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        let wanted = Self.requestedTriangles(target, before: report.trianglesBefore)
        if json {
            var record: [(String, JSONValue)] = [("input", .string(input)), ("output", .string(output))]
            if let wanted { record.append(("targetTriangles", .number(Double(wanted)))) }
            record += Self.json(report).objectValue ?? []
            Output.json(.object(record))
        } else {
            print("\(input) → \(output)")
            print("  triangles  \(Output.number(report.trianglesBefore)) → \(Output.number(report.trianglesAfter))"
                + (wanted.map { " (target \(Output.number($0)))" } ?? ""))
            print("  vertices   \(Output.number(report.verticesBefore)) → \(Output.number(report.verticesAfter))")
            print("  error      \(Self.percent(report.error)) of the bounding-box diagonal (\(report.absoluteError) units)")
            if let drift = report.uvDrift {
                print("  uv drift   mean \(Self.uv(drift.mean)), 95% of the surface within \(Self.uv(drift.p95)), max \(Self.uv(drift.max)) beside seams (UV units: 0.001 is a texel of a 1024² texture)")
            }
            print("  stopped    \(Self.stopSentence(report))")
        }
    }

    static func requestedTriangles(_ target: SimplifyTarget, before: Int) -> Int? {
        switch target {
        case .ratio(let r): return Int((Float(before) * r).rounded(.down))
        case .triangles(let n): return min(n, before)
        case .error, .absoluteError: return nil
        }
    }

    static func uv(_ x: Double) -> String { x == 0 ? "0" : x < 1e-6 ? "<0.000001" : "\((x * 1e6).rounded() / 1e6)" }

    static func percent(_ x: Float) -> String {
        let v = Double(x) * 100
        if v == 0 { return "0%" }
        if v < 0.001 { return "<0.001%" }
        let scaled = (v * 1000).rounded() / 1000
        return "\(scaled)%"
    }

    static func stopSentence(_ report: SimplifyReport) -> String {
        let relaxed = report.primitives.map(\.relaxation).max() ?? 0
        let relaxNote = relaxed == 0 ? "" : relaxed == 1 ? " (permissive: seams welded)" : " (permissive: seams welded, borders and non-manifold vertices freed)"
        switch report.stop {
        case .targetReached: return "target reached" + relaxNote
        case .errorLimit: return "the next collapse would exceed the error limit" + relaxNote
        case .topology: return "seams, borders, non-manifold vertices or flip guards forbid every remaining collapse" + relaxNote
            + (relaxed < 2 ? "; --permissive relaxes them" : "")
        case .invalid: return "a primitive could not be simplified (invalid indices or out of memory); it was kept as it was"
        }
    }

    static func json(_ report: SimplifyReport) -> JSONValue {
        .object([
            ("triangles", .number(Double(report.trianglesAfter))), ("vertices", .number(Double(report.verticesAfter))),
            ("trianglesBefore", .number(Double(report.trianglesBefore))), ("trianglesAfter", .number(Double(report.trianglesAfter))),
            ("verticesBefore", .number(Double(report.verticesBefore))), ("verticesAfter", .number(Double(report.verticesAfter))),
            ("error", .number(Double(report.error))), ("absoluteError", .number(Double(report.absoluteError))),
            ("uvDrift", report.uvDrift?.json ?? .null),
            ("targetReached", .bool(report.stop == .targetReached)),
            ("stop", .string(report.stop.rawValue)), ("stopReason", .string(stopSentence(report))),
            ("relaxation", .number(Double(report.primitives.map(\.relaxation).max() ?? 0))),
            ("primitives", .array(report.primitives.map { p in
                .object([
                    ("mesh", .number(Double(p.mesh))), ("primitive", .number(Double(p.primitive))),
                    ("trianglesBefore", .number(Double(p.trianglesBefore))), ("trianglesAfter", .number(Double(p.trianglesAfter))),
                    ("verticesBefore", .number(Double(p.verticesBefore))), ("verticesAfter", .number(Double(p.verticesAfter))),
                    ("error", .number(Double(p.error))), ("absoluteError", .number(Double(p.absoluteError))),
                    ("stop", .string(p.stop.rawValue)), ("relaxation", .number(Double(p.relaxation))),
                    ("collapses", .number(Double(p.collapses))),
                    ("uvDrift", p.uvDrift?.json ?? .null),
                ])
            })),
        ])
    }
}

/// The options `simplify` and `lod` share: what the collapse must keep and how hard it may push.
struct SimplificationOptions: ParsableArguments {
    @Flag(name: .long, help: "Keep open borders exactly as they are (tiles and parts that must stay sealed).")
    var lockBorder = false

    @Option(name: .long, help: ArgumentHelp("Attributes that weigh in the error, comma-separated among uv, normal, color, or 'none'.", valueName: "list"))
    var attributes: String = "uv,normal,color"

    @Flag(name: .long, help: "When seams and borders stop the collapse short of the target, relax them step by step.")
    var permissive = false

    func parsedAttributes() throws -> [SimplifyAttribute] {
        if attributes == "none" || attributes.isEmpty { return [] }
        return try attributes.split(separator: ",").map { name in
            let trimmed = name.trimming(" ")
            guard let a = SimplifyAttribute(rawValue: trimmed) else {
                throw ValidationError("Unknown attribute '\(trimmed)' in --attributes: use uv, normal, color (comma-separated) or none.")
            }
            return a
        }
    }

    /// Copies these choices into the simplifier's options (attributes were checked in `validate()`).
    func apply(to options: inout SimplifyOptions) {
        options.lockBorder = lockBorder
        options.permissive = permissive
        options.attributes = (try? parsedAttributes()) ?? []
    }
}
