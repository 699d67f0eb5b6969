import Testing
import Foundation
import PolyforgeFormats
import PolyforgeMesh
@testable import PolyforgeQC

let sharedAssets = "/work/shared/assets"

@Suite struct AuditorSchemaTests {
    /// Box.glb is a 1 m cube with sharp edges: the auditor's documented verdicts are beveled edges FAIL (12 edges at
    /// 90 degrees), manifold edges PASS, file size PASS (2 KB), triangle count PASS, clean root transform FAIL (the
    /// sample's root node carries a Y-up rotation matrix), texture checks NOT TESTED (no images).
    @Test func auditorSchemaJSONGivesTheDocumentedVerdictsOnBox() throws {
        let schema = try JSONParser.parse("""
            {"version": "1.0.0", "fileSizeInKb": {"maximum": 5120, "minimum": 1},
             "model": {"requireBeveledEdges": true, "requireManifoldEdges": true, "requireCleanRootNodeTransform": true,
                       "triangles": {"maximum": 100000}},
             "textures": {"requireDimensionsBePowersOfTwo": true, "width": {"maximum": 2048}},
             "uvs": {"requireNotInverted": true}}
            """)
        let profile = try QCProfile.auditorSchema(schema)
        let r = QCRunner(profile: profile).check("\(sharedAssets)/gltf/Box.glb")
        #expect(r.error == nil)
        func status(_ id: String) -> QCStatus? { r.checks.first { $0.id == id }?.status }
        #expect(status("geometry.beveled-edges") == .fail)
        #expect(r.checks.first { $0.id == "geometry.beveled-edges" }?.value == 12)
        #expect(status("topology.manifold-edges") == .pass)
        #expect(status("file.size") == .pass && r.checks.first { $0.id == "file.size" }?.value == 2)
        #expect(status("budget.triangles") == .pass)
        #expect(status("placement.root-transform") == .fail)
        #expect(status("texture.power-of-two") == .skipped && status("texture.max-width") == .skipped)
        #expect(status("uv.inverted") == .skipped)  // Box has no UVs
        #expect(status("budget.materials") == .skipped)  // omitted in the schema: not tested
    }

    @Test func productInfoToleranceAndMinusOneMeansOff() throws {
        let schema = try JSONParser.parse("""
            {"version": "1.0.0", "fileSizeInKb": {"maximum": -1},
             "product": {"dimensions": {"height": {"percentTolerance": 3}, "length": {"percentTolerance": 3}, "width": {"percentTolerance": 3}}}}
            """)
        let profile = try QCProfile.auditorSchema(schema)
        #expect(profile.limit("max_file_size_kb") == nil)
        let pass = QCRunner(profile: profile, product: QCProductInfo(length: 1.02, width: 0.99, height: 1.0)).check("\(sharedAssets)/gltf/Box.glb")
        #expect(pass.checks.first { $0.id == "scale.product-dimensions" }?.status == .pass)
        let fail = QCRunner(profile: profile, product: QCProductInfo(length: 1.1, width: 1, height: 1)).check("\(sharedAssets)/gltf/Box.glb")
        #expect(fail.checks.first { $0.id == "scale.product-dimensions" }?.status == .fail)
    }
}

@Suite struct RunnerAndReportTests {
    func temporaryFolder() throws -> String {
        let dir = NSTemporaryDirectory() + "polyforge-qc-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/nested", withIntermediateDirectories: true)
        return dir
    }

    @Test func aBrokenFileIsListedAsFailedAndTheRunCompletes() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "\(sharedAssets)/gltf/Box.glb", toPath: dir + "/Box.glb")
        try FileManager.default.copyItem(atPath: "\(sharedAssets)/mesh/soup.stl", toPath: dir + "/nested/soup.stl")
        try Data("glTF not really".utf8).write(to: URL(fileURLWithPath: dir + "/nested/broken.glb"))
        try Data("just notes".utf8).write(to: URL(fileURLWithPath: dir + "/README.txt"))
        let files = QCRunner.discover([dir])
        #expect(files.count == 3)
        let reports = QCRunner(profile: QCProfile.builtIn("game-prop")!, jobs: 2).run(files)
        #expect(reports.count == 3)
        let broken = try #require(reports.first { $0.path.hasSuffix("broken.glb") })
        #expect(broken.error != nil && broken.fails(at: .error))
        #expect(reports.filter { $0.error == nil }.count == 2)
        let summary = QCSummary(reports, failOn: .error, seconds: 0.5)
        #expect(summary.unreadable == 1)

        try QCReportWriter.write(reports, summary: summary, profile: "game-prop", failOn: .error, to: dir + "/report")
        let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(html.contains("<table id=\"assets\">") && html.contains("addEventListener('click'"))
        #expect(html.components(separatedBy: "<tr class=").count - 1 == 3)
        #expect(html.contains("broken.glb</td>") && html.contains("<b>file.readable</b>"))
        let csv = try String(contentsOfFile: dir + "/report/report.csv", encoding: .utf8)
        #expect(csv.hasPrefix("file,format,bytes,triangles,result,check,severity,value,limit,message\n"))
        #expect(csv.contains("broken.glb,glb,15,0,fail,file.readable,error,"))
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/report/report.json"))))
        #expect(json["assets"]?.arrayValue?.count == 3 && json["summary"]?["unreadable"]?.intValue == 1)
    }

    @Test func htmlEscapesFileNamesAndShowsTheThumbnailHook() {
        let r = QCAssetReport(path: "a<b>&.glb", format: "glb", bytes: 2048, triangles: 12,
                              checks: [QCCheckResult(id: "budget.triangles", status: .fail, severity: .error, value: 12, limit: "<= 10", message: "triangles 12 (limit <= 10)")],
                              thumbnail: "thumbs/a.png")
        let html = QCReportWriter.html([r], summary: QCSummary([r], failOn: .error, seconds: 1), profile: "p", failOn: .error)
        #expect(html.contains("<td>a&lt;b&gt;&amp;.glb</td>"))
        #expect(html.contains("<img src=\"thumbs/a.png\""))
        #expect(html.contains("<td data-v=\"12\">12</td><td data-v=\"2048\">2 KB</td>"))
        #expect(html.contains("<span class=\"badge fail\">fail</span>"))
        #expect(html.contains("<li class=\"error\"><b>budget.triangles</b> triangles 12 (limit &lt;= 10)</li>"))
    }

    /// The topology columns of ../shared/assets/README.md, through QC's measurements.
    @Test(arguments: [
        ("ai/trellis_AlexHe1234_sample.glb", 32, 25, 60, 0, false),
        ("gltf/FlightHelmet/FlightHelmet.gltf", 85, 296, 0, 0, false),
        ("mesh/chair_model.obj", 12747, 0, 9518, 0, false),
        // trimesh counts 11 degenerate faces: it fans the collinear polygons, our OBJ reader ear-clips (9).
        ("mesh/wallhole.obj", 2, 0, 1, 9, false),
        ("mesh/fandisk.obj", 1, 0, 0, 0, true),
    ])
    func topologyMatchesTheInventory(_ file: String, _ components: Int, _ boundary: Int, _ nonManifold: Int, _ degenerate: Int, _ watertight: Bool) throws {
        let loaded = try SceneIO.read("\(sharedAssets)/\(file)")
        let t = AssetMeasurements(loaded, profile: QCProfile(name: "t")).topology
        #expect(t.components == components && t.boundaryEdges == boundary && t.nonManifoldEdges == nonManifold)
        #expect(t.degenerateFaces == degenerate && t.isWatertight == watertight)
    }
}
