import ArgumentParser
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh

struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Write the procedural test meshes, or one large scan-like surface.",
        discussion: """
            Without --size: the small set — uv_sphere, torus, cube_seams, holes, non_manifold, degenerate and \
            multi_material — each in every requested format. With --size N: one closed, noise-displaced scan-like \
            surface of about N triangles (exact for 1000000 and 4000000), named scan_N.<format>. \
            The same --size and --seed always give the same geometry. OBJ outputs get their .mtl (and \
            textures) beside them; glTF its .bin and images.
            """)

    static let writableFormats = MeshFormat.allCases.filter(\.canWrite).map(\.rawValue)
    /// Above this the index and vertex arrays alone pass several gigabytes.
    static let maximumSize = 50_000_000

    @Option(name: .long, help: ArgumentHelp("Directory to write into (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Write one scan-like surface of about N triangles instead of the small set.", valueName: "N"))
    var size: Int?

    @Option(name: .long, help: ArgumentHelp("Seed of the scan surface's noise (with --size; default 1).", valueName: "S"))
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("Comma-separated output formats among \(writableFormats.joined(separator: ", ")).", valueName: "list"))
    var formats: String = "glb"

    @Flag(name: .long, help: "Print a JSON array of {path, triangles, vertices, bytes} instead of one line per file.")
    var json = false

    /// Entries of --formats, whitespace removed, in order.
    var formatNames: [String] { formats.split(separator: ",", omittingEmptySubsequences: false).map { $0.filter { !$0.isWhitespace } } }

    /// The valid entries of --formats without repeats (validate() rejects the rest).
    var requestedFormats: [MeshFormat] {
        var seen: [MeshFormat] = []
        for format in formatNames.compactMap(MeshFormat.init(fileExtension:)) where !seen.contains(format) { seen.append(format) }
        return seen
    }

    static let smallSet: [(name: String, make: @Sendable () throws -> Scene)] = [
        ("uv_sphere", { Fixtures.uvSphere() }),
        ("torus", { Fixtures.torus() }),
        ("cube_seams", { Fixtures.cubeWithSeams() }),
        ("holes", { Fixtures.meshWithHoles() }),
        ("non_manifold", { Fixtures.nonManifold() }),
        ("degenerate", { Fixtures.degenerateFaces() }),
        ("multi_material", { try Fixtures.multiMaterial() }),
    ]

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out needs a directory path, e.g. --out fixtures/") }
        if FileSystem.exists(out), !FileSystem.isDirectory(out) {
            throw ValidationError("--out '\(out)' is a file; give a directory (it is created if missing).")
        }
        if let size {
            guard size >= 6 else { throw ValidationError("--size must be at least 6 triangles (got \(size)).") }
            guard size <= Self.maximumSize else {
                throw ValidationError("--size \(size) is over the limit of \(Self.maximumSize) triangles; its arrays alone would take several GB.")
            }
        } else if seed != nil {
            throw ValidationError("--seed only changes the scan surface: add --size N, or drop --seed.")
        }
        for name in formatNames {
            guard let format = MeshFormat(fileExtension: name), format.canWrite else {
                let shown = name.isEmpty ? "an empty entry" : "'\(name)'"
                throw ValidationError("--formats: \(shown) is not a format Polyforge writes; list any of \(Self.writableFormats.joined(separator: ",")).")
            }
        }
    }

    func run() throws {
        do {
            try FileSystem.makeDirectories(out)
        } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        let fixtures: [(name: String, make: @Sendable () throws -> Scene)]
        if let size {
            let seed = self.seed ?? 1
            fixtures = [("scan_\(size)", { ScanSurface.generate(triangles: size, seed: seed) })]
        } else {
            fixtures = Self.smallSet
        }
        var written: [JSONValue] = []
        // One scene at a time, so a large scan is the only big one in memory.
        for fixture in fixtures {
            let scene: Scene
            do {
                scene = try fixture.make()
            } catch {
                Output.error("cannot make \(fixture.name): \(error)")
                throw ExitCode(1)
            }
            for format in requestedFormats {
                let path = FileSystem.join(out, "\(fixture.name).\(format.rawValue)")
                do {
                    try SceneIO.write(scene, to: path)
                } catch {
                    Output.error(error.description)
                    throw ExitCode(1)
                }
                let bytes = FileSystem.fileSize(path) ?? 0
                if json {
                    written.append(["path": .string(path), "triangles": .number(Double(scene.drawnTriangleCount)),
                                    "vertices": .number(Double(scene.drawnVertexCount)), "bytes": .number(Double(bytes))])
                } else {
                    print("\(path) (\(Output.number(scene.drawnTriangleCount)) triangles, \(Output.number(scene.drawnVertexCount)) vertices, \(Output.bytes(bytes)))")
                }
            }
        }
        if json { Output.json(.array(written)) }
    }
}
