import Foundation
import Testing
import PolyforgeFormats
import PolyforgeMesh

/// Runs the real `polyforge` executable, as a user would.
enum CLI {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let sharedAssets = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/assets").path

    /// The polyforge binary built beside the test bundle.
    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("polyforge").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return repositoryRoot + "/.build/debug/polyforge"
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// `environment`: variables to set (a nil value removes one) on top of this process's environment.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            process.environment = env
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "polyforge-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

@Suite struct InfoCommandTests {
    @Test func jsonReportsCountsTexturesAndExtensions() throws {
        let r = try CLI.run(["info", "--json", CLI.sharedAssets + "/gltf/Avocado-glTF-Draco/Avocado.gltf", CLI.sharedAssets + "/gltf/Fox.glb"])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try JSONParser.parse(r.stdout).arrayValue ?? []
        #expect(records.count == 2)
        let avocado = records[0]
        #expect(avocado["format"]?.stringValue == "gltf")
        #expect(avocado["triangles"]?.intValue == 682)
        #expect(avocado["vertices"]?.intValue == 406)
        #expect(avocado["textures"]?.intValue == 3)
        #expect(avocado["textureList"]?[0]?["width"]?.intValue == 2048)
        #expect(avocado["extensionsRequired"]?.arrayValue?.contains(.string("KHR_draco_mesh_compression")) == true)
        #expect((avocado["totalBytes"]?.intValue ?? 0) > 8_000_000)
        let fox = records[1]
        #expect(fox["skins"]?.intValue == 1)
        #expect(fox["animations"]?.intValue == 3)
        #expect(fox["bounds"]?["size"]?.arrayValue?.count == 3)
    }

    @Test func readableOutputAndFailureExitCode() throws {
        let dir = CLI.temporaryDirectory()
        let broken = dir + "/broken.glb"
        try Data("glTF\u{2}\u{0}\u{0}\u{0}\u{FF}".utf8).write(to: URL(fileURLWithPath: broken))
        let r = try CLI.run(["info", CLI.sharedAssets + "/gltf/Box.glb", broken])
        #expect(r.status == 1)
        #expect(r.stdout.contains("triangles    12"))
        #expect(r.stderr.contains("broken.glb: at byte"))
        let usage = try CLI.run(["info"])
        #expect(usage.status == 64)
    }
}

@Suite struct ConvertCommandTests {
    @Test(arguments: ["glb", "gltf", "obj", "stl", "ply"])
    func convertsTheTexturedAvocadoAndReadsItBack(_ ext: String) throws {
        let dir = CLI.temporaryDirectory()
        let out = dir + "/avocado." + ext
        let r = try CLI.run(["convert", CLI.sharedAssets + "/gltf/Avocado-glTF/Avocado.gltf", out])
        #expect(r.status == 0, "\(r.stderr)")
        let back = try SceneIO.read(out).scene
        #expect(back.drawnTriangleCount == 682)
        let p = SceneFlattener.flatten(back)[0].primitive
        switch ext {
        case "stl":
            break
        case "ply":
            #expect(p.stream(.normal) != nil)
            #expect(p.stream(.texcoord(0)) != nil)
        default:
            #expect(p.stream(.normal) != nil)
            #expect(p.stream(.texcoord(0)) != nil)
            #expect(back.materials.count == 1)
            #expect(back.materials[0].baseColorTexture != nil)
            #expect(back.images.count >= 1)
        }
    }

    @Test func badOutputExtensionIsAUsageError() throws {
        let r = try CLI.run(["convert", CLI.sharedAssets + "/gltf/Box.glb", CLI.temporaryDirectory() + "/x.fbx"])
        #expect(r.status == 64)
        #expect(r.stderr.contains(".glb"))
    }

    @Test func missingInputFailsWithTheFileNamed() throws {
        let r = try CLI.run(["convert", "/nonexistent/model.glb", CLI.temporaryDirectory() + "/x.glb"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/model.glb"))
    }
}

@Suite struct ThumbAndReportCommandTests {
    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ path: String) -> (Int, Int)? {
        guard let d = FileManager.default.contents(atPath: path), d.count > 24, d.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        let b = [UInt8](d)
        func be(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        return (be(16), be(20))
    }

    @Test func thumbWritesASheetOfThreeViews() throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(["thumb", CLI.sharedAssets + "/gltf/Box.glb", dir + "/box.png", "--size", "128", "--sheet"])
        #expect(r.status == 0, "\(r.stderr)")
        let size = Self.pngSize(dir + "/box.png")
        #expect(size != nil)
        // Three 128-pixel cells side by side, with room for the captions below.
        #expect((size?.0 ?? 0) >= 3 * 128)
    }

    @Test func qcReportEmbedsAThumbnailPerReadableAsset() throws {
        let dir = CLI.temporaryDirectory()
        let broken = dir + "/broken.stl"
        try Data("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0\n".utf8).write(to: URL(fileURLWithPath: broken))
        let r = try CLI.run(["qc", CLI.sharedAssets + "/gltf/Box.glb", CLI.repositoryRoot + "/fixtures/cube_seams.glb", broken,
                             "--report", dir + "/report"])
        #expect(r.status == 2)  // the broken file fails; the run still completes
        let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        let thumbs = html.components(separatedBy: "src=\"thumbs/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(thumbs.count == 2)
        for t in thumbs {
            let size = Self.pngSize(dir + "/report/thumbs/" + t)
            #expect(size?.0 == 192 && size?.1 == 192, "\(t)")
        }
        #expect(html.contains("broken.stl"))
    }
}

@Suite struct QCCommandTests {
    @Test func aFileWithNoGeometryFailsQC() throws {
        let dir = CLI.temporaryDirectory()
        // Random bytes with an .obj name: no line is an OBJ statement, so the reader finds nothing.
        var state: UInt64 = 42
        let noise = (0..<4096).map { _ -> UInt8 in state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: state >> 56) }
        try Data(noise).write(to: URL(fileURLWithPath: dir + "/noise.obj"))
        let r = try CLI.run(["qc", dir, "--json"])
        #expect(r.status == 2, "\(r.stdout)")
        let record = try JSONParser.parse(r.stdout)["assets"]?[0]
        let checks = record?["checks"]?.arrayValue ?? []
        let present = checks.first { $0["id"]?.stringValue == "geometry.present" }
        #expect(present?["status"]?.stringValue == "fail", "\(r.stdout.prefix(600))")
    }
}
