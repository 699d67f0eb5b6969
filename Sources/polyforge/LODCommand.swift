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
            deepest level and a deep level is about as good as simplifying to it directly. Per asset NAME it writes \
            DIR/NAME_LOD0.glb … DIR/NAME_LODn.glb and the manifest DIR/NAME.lod.json (per level: triangles, each \
            mesh counted once, and drawnTriangles, every instance counted; vertices; achieved error; and a suggested \
            switch screen size: the fraction of a 1080-pixel screen height below which the level's error stays under \
            one pixel). A part keeps at least one triangle at every level. With --single-file, DIR/NAME.glb holds \
            every level through MSFT_lod with MSFT_screencoverage hints instead of one file per level. With --morph, \
            DIR/NAME_LODk.parents.bin (k >= 1) gives, as little-endian uint32, for each vertex of level k-1 the \
            vertex of level k it collapses into (0xFFFFFFFF: none), primitive after primitive in mesh order; the \
            manifest lists each primitive's offset and count.

            Inputs may be files or folders (searched recursively for .glb, .gltf, .obj, .stl, .ply, .off). NAME is \
            the file's stem; assets that share one (model.glb in several task folders) take as many parent folders as \
            tell them apart (task1_model, task2_model), so none overwrites another. Several assets run one per core.

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

    @Option(name: .long, help: ArgumentHelp("Assets processed at once, each on one core (default: one per core when there are several assets; a single asset gets every core).", valueName: "n"))
    var jobs: Int?

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
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if inputs.isEmpty { throw ValidationError("Give at least one input file or folder.") }
    }

    /// Every model file named or found below a named folder, in a stable order.
    func assetPaths() -> [String] { FileSystem.modelFiles(in: inputs) }

    /// The NAME each asset's files are written under: its file's stem, unless another input has the same stem (a
    /// folder of generator tasks each holding model.glb, or Avocado.gltf in three variants). Those all take the
    /// fewest parent folders that tell them apart, joined by '_' (task1_model, task2_model), or their extension
    /// where that is enough (cube_glb, cube_obj), so that no asset overwrites another's files.
    static func assetNames(_ paths: [String]) -> [String] {
        var names = paths.map { FileSystem.stem(of: $0) }
        var byName: [String: [Int]] = [:]
        for (i, name) in names.enumerated() { byName[name, default: []].append(i) }
        for (_, group) in byName where group.count > 1 {
            let parts = group.map { i -> (folders: [String], stem: String, ext: String) in
                let folders = FileSystem.directory(of: paths[i]).split(separator: "/").map(String.init).filter { $0 != "." && $0 != ".." }
                let file = FileSystem.fileName(of: paths[i]), stem = FileSystem.stem(of: file)
                let ext = file.count > stem.count + 1 ? String(file.dropFirst(stem.count + 1)).lowercased() : ""
                return (folders, stem, ext)
            }
            let deepest = parts.map(\.folders.count).max() ?? 0
            var chosen = parts.map { ($0.folders + [$0.stem, $0.ext]).joined(separator: "_") }
            search: for k in 0...deepest {
                for withExtension in [false, true] where k > 0 || withExtension {
                    let candidate = parts.map { (Array($0.folders.suffix(k)) + [$0.stem] + (withExtension ? [$0.ext] : [String]())).joined(separator: "_") }
                    if Set(candidate).count == candidate.count { chosen = candidate; break search }
                }
            }
            for (n, i) in group.enumerated() { names[i] = chosen[n] }
        }
        // a name made up above may still meet a stem of its own kind: number what is left
        var seen: [String: Int] = [:]
        for i in names.indices {
            let count = seen[names[i], default: 0]
            seen[names[i]] = count + 1
            if count > 0 { names[i] += "_\(count + 1)" }
        }
        return names
    }

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
        let names = Self.assetNames(paths)
        // Many assets: one per core, each collapse on one thread (the results do not depend on it).
        let jobs = self.jobs ?? (paths.count > 1 ? max(1, Int(pf_thread_count())) : 1)
        let results = UnsafeMutableBufferPointer<Outcome?>.allocate(capacity: max(1, paths.count))
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        let work: @Sendable (Int) -> Void = { i in
            // the OpenMP thread count is per calling thread: each worker sets its own (the main thread only waits)
            if jobs > 1 { pf_set_thread_count(1) }
            let outcome = Self.process(paths[i], name: names[i], chain: chain, outDir: outDir, singleFile: single, morph: writeMorph)
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

    static func process(_ path: String, name: String, chain: LODChain, outDir: String, singleFile: Bool, morph: Bool) -> Outcome {
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
