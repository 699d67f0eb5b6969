import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a 3D file to another format, chosen by the output's extension.",
        discussion: """
            Outputs: .glb (self-contained), .gltf (+ .bin and image files beside it), .obj (+ .mtl and textures), \
            .stl (binary) and .ply (binary). Formats without a node hierarchy (OBJ, STL, PLY) get every instance with \
            its transform applied. Files are written atomically: an interrupted run never leaves a partial output.
            """)

    @Argument(help: "Input file (.glb, .gltf, .obj, .stl, .ply, .off).")
    var input: String

    @Argument(help: "Output file (.glb, .gltf, .obj, .stl, .ply).")
    var output: String

    @Flag(name: .long, help: "Compress GLB/glTF geometry with EXT_meshopt_compression (as gltfpack -c).")
    var meshopt = false

    @Flag(name: .long, help: "Print a JSON summary of what was written.")
    var json = false

    func validate() throws {
        let format = try Output.writableFormat(output)
        if meshopt, format != .glb, format != .gltf { throw ValidationError("--meshopt applies to .glb and .gltf outputs only.") }
    }

    func run() throws {
        let loaded = try Output.readScene(input)
        let format = MeshFormat(path: output)!
        if format == .stl || format == .ply || format == .obj {
            let dropped = loaded.scene.skins.count + loaded.scene.animations.count
            if dropped > 0 { Output.warning("\(output): .\(format.rawValue) cannot hold skins or animations; \(dropped) dropped (use .glb to keep them)") }
        }
        var options = WriteOptions()
        options.meshoptCompression = meshopt
        do {
            try SceneIO.write(loaded.scene, to: output, options: options)
        } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        if json {
            Output.json(["input": .string(input), "output": .string(output), "format": .string(format.rawValue),
                         "triangles": .number(Double(loaded.scene.drawnTriangleCount)),
                         "bytes": .number(Double(FileSystem.fileSize(output) ?? 0))])
        } else {
            print("\(input) → \(output) (\(Output.number(loaded.scene.drawnTriangleCount)) triangles, \(Output.bytes(FileSystem.fileSize(output) ?? 0)))")
        }
    }
}
