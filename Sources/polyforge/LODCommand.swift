import ArgumentParser
import Dispatch
import PolyforgeCore
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeSimplify

struct LODCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lod",
        abstract: "Write a chain of levels of detail per asset from one progressive simplification.",
        discussion: """
            Each asset is collapsed once and snapshotted at every level, so the chain costs about as much as its \
            deepest level and a deep level is as good as simplifying to it directly. Per asset NAME it writes \
            DIR/NAME_LOD0.glb … DIR/NAME_LODn.glb and the manifest DIR/NAME.lod.json (per level: triangles, each \
            mesh counted once, and drawnTriangles, every instance counted; vertices; achieved error; and a suggested \
            switch screen size: the fraction of a 1080-pixel screen height below which the level's error stays under \
            one pixel). A part keeps at least one triangle at every level. With --single-file, DIR/NAME.glb holds \
            every level through MSFT_lod with MSFT_screencoverage hints instead of one file per level. With --morph, \
            DIR/NAME_LODk.parents.bin (k >= 1) gives, as little-endian uint32, for each vertex of level k-1 the \
            vertex of level k it collapses into (0xFFFFFFFF: none), primitive after primitive in mesh order; the \
            manifest lists each primitive's offset and count.

            Inputs may be files or folders (searched recursively for .glb, .gltf, .obj, .stl, .ply, .off).

            Exit codes: 0 every asset written; 1 an asset could not be read or written (the others still are); 64 bad usage.
            """)

    @Argument(help: "Input files or folders.")
    var inputs: [String]

    @Option(name: .long, help: ArgumentHelp("Output folder (created when missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Fractions of the triangles per level, first to last, comma-separated.", valueName: "list"))
    var levels: String = "1,0.5,0.25,0.125"

    @Flag(name: .long, help: "Write one GLB per asset holding every level (MSFT_lod) instead of one file per level.")
    var singleFile = false

    @Flag(name: .long, help: "Also write each level's vertex-to-parent map (NAME_LODk.parents.bin) so engines can geomorph between levels.")
    var morph = false

    @Option(name: .long, help: ArgumentHelp("Assets processed at once (default 1; each then runs on one core).", valueName: "n"))
    var jobs: Int = 1

    @OptionGroup var simplification: SimplificationOptions

    @Flag(name: .long, help: "Print the manifests as one JSON array.")
    var json = false

    static func parseLevels(_ list: String) throws -> [Float] {
        let values = try list.split(separator: ",").map { part -> Float in
            guard let v = Float(part.trimming(" ")), v.isFinite, v > 0, v <= 1 else {
                throw ValidationError("--levels takes fractions above 0 and at most 1, comma-separated, e.g. 1,0.5,0.25,0.125 ('\(part)' is not one).")
            }
            return v
        }
        guard !values.isEmpty else { throw ValidationError("--levels needs at least one fraction, e.g. 1,0.5,0.25.") }
        return values
    }

    func validate() throws {
        _ = try Self.parseLevels(levels)
        _ = try simplification.parsedAttributes()
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if inputs.isEmpty { throw ValidationError("Give at least one input file or folder.") }
    }

    /// Every model file named or found below a named folder, in a stable order.
    func assetPaths() -> [String] { FileSystem.modelFiles(in: inputs) }

    struct Outcome: Sendable {
        var manifest: JSONValue?
        var error: String?
        var line: String
    }

    func run() throws {
        let ratios = try Self.parseLevels(levels)
        var options = SimplifyOptions(target: .ratio(1))
        simplification.apply(to: &options)
        do { try FileSystem.makeDirectories(out) } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        let paths = assetPaths()
        if paths.isEmpty { Output.warning("no model files found in \(inputs.joined(separator: ", "))") }
        let chain = LODChain(ratios: ratios, options: options)
        let outDir = out, single = singleFile, writeMorph = morph
        let progress = Output.stderrIsTerminal
        // Many assets: one per core, each collapse on one thread (the results do not depend on it).
        if jobs > 1 { pf_set_thread_count(1) }
        let results = UnsafeMutableBufferPointer<Outcome?>.allocate(capacity: max(1, paths.count))
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        let work: @Sendable (Int) -> Void = { i in
            let outcome = Self.process(paths[i], chain: chain, outDir: outDir, singleFile: single, morph: writeMorph)
            slots[i] = outcome
            if progress { FileHandleStream.stderr.write("[\(i + 1)/\(paths.count)] \(outcome.line)\n") }
        }
        if jobs > 1 {
            let queue = DispatchQueue(label: "polyforge.lod", attributes: .concurrent)
            let group = DispatchGroup()
            let gate = DispatchSemaphore(value: jobs)
            for i in paths.indices {
                gate.wait()
                queue.async(group: group) { work(i); gate.signal() }
            }
            group.wait()
        } else {
            for i in paths.indices { work(i) }
        }
        var manifests: [JSONValue] = []
        var failed = false
        for i in paths.indices {
            guard let outcome = results[i] else { continue }
            if let e = outcome.error { Output.error(e); failed = true }
            if let m = outcome.manifest { manifests.append(m) }
            if !json && !progress && outcome.error == nil { print(outcome.line) }
        }
        if json { Output.json(.array(manifests)) }
        if failed { throw ExitCode(1) }
    }

    static func process(_ path: String, chain: LODChain, outDir: String, singleFile: Bool, morph: Bool) -> Outcome {
        let name = FileSystem.stem(of: path)
        let loaded: LoadedScene
        do {
            loaded = try SceneIO.read(path)
        } catch {
            return Outcome(manifest: nil, error: error.description, line: "\(path): not read")
        }
        let levels = chain.build(loaded.scene)
        var files: [String] = []
        var morphEntries: [Int: JSONValue] = [:]
        do {
            if singleFile {
                let file = name + ".glb"
                try SceneIO.write(LODChain.singleScene(levels), to: FileSystem.join(outDir, file))
                files = Array(repeating: file, count: levels.count)
            } else {
                for (k, level) in levels.enumerated() {
                    let file = "\(name)_LOD\(k).glb"
                    try SceneIO.write(level.scene, to: FileSystem.join(outDir, file))
                    files.append(file)
                }
            }
            if morph {
                for (k, level) in levels.enumerated() where k > 0 {
                    var bytes: [UInt8] = []
                    var entries: [JSONValue] = []
                    for map in level.parents {
                        entries.append(.object([("mesh", .number(Double(map.mesh))), ("primitive", .number(Double(map.primitive))),
                                                ("offset", .number(Double(bytes.count / 4))), ("count", .number(Double(map.parents.count)))]))
                        for p in map.parents { bytes += [UInt8(p & 0xFF), UInt8((p >> 8) & 0xFF), UInt8((p >> 16) & 0xFF), UInt8(p >> 24)] }
                    }
                    let file = "\(name)_LOD\(k).parents.bin"
                    try AtomicFile.write(bytes, to: FileSystem.join(outDir, file))
                    morphEntries[k] = .object([("file", .string(file)), ("from", .number(Double(k - 1))), ("primitives", .array(entries))])
                }
            }
        } catch {
            return Outcome(manifest: nil, error: error.description, line: "\(path): not written")
        }
        let manifest: JSONValue = .object([
            ("asset", .string(name)), ("source", .string(path)),
            ("singleFile", .bool(singleFile)),
            ("levels", .array(levels.enumerated().map { k, level in
                var entry: [(String, JSONValue)] = [
                    ("level", .number(Double(k))), ("file", .string(files[k])), ("ratio", .number(Double(level.ratio))),
                    ("triangles", .number(Double(level.triangles))), ("vertices", .number(Double(level.vertices))),
                    ("drawnTriangles", .number(Double(level.scene.drawnTriangleCount))),
                    ("error", .number(Double(level.error))), ("absoluteError", .number(Double(level.report.absoluteError))),
                    ("switchScreenSize", .number(Double(level.switchScreenSize))),
                    ("stop", .string(level.report.stop.rawValue)),
                ]
                if let m = morphEntries[k] { entry.append(("morph", m)) }
                return .object(entry)
            })),
        ])
        let manifestPath = FileSystem.join(outDir, name + ".lod.json")
        do {
            try AtomicFile.write(JSONWriter.bytes(manifest, indent: 2) + [10], to: manifestPath)
        } catch {
            return Outcome(manifest: manifest, error: error.description, line: "\(path): manifest not written")
        }
        let counts = levels.map { Output.number($0.triangles) }.joined(separator: " / ")
        return Outcome(manifest: manifest, error: nil, line: "\(path) → \(name): \(counts) triangles")
    }
}
