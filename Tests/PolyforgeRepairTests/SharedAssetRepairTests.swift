import Foundation
import Testing
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeRepair
import PolyforgeTopology

/// The default repair with --watertight's options on the shared assets (../shared/assets): the result has no degenerate faces, no
/// non-manifold edges and consistent winding, the triangle count is not collapsed, and files whose holes are all
/// under the limit come out watertight.
@Suite struct SharedAssetRepairTests {
    static let sharedAssets: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/assets").path
    }()

    /// file, expected watertight after repair, smallest share of triangles kept.
    /// soup.stl is 100 disjoint triangles (nothing to weld, nothing to close); chair_model.obj is double-sided:
    /// every face has a back-to-back twin, so half the triangles go as duplicates, and what is left joins into a
    /// non-orientable sheet that the repair cuts where its winding disagrees.
    static let cases: [(String, Bool, Double)] = [
        ("mesh/soup.stl", false, 1.0),
        ("mesh/wallhole.obj", true, 1.0),
        ("mesh/chair_model.obj", true, 0.49),
        ("mesh/capsule.obj", true, 0.98),
        ("mesh/busted.STL", true, 1.0),
        ("ai/trellis_AlexHe1234_sample.glb", true, 0.99),
    ]

    @Test(arguments: cases.map { $0.0 })
    func defaultRepairLeavesAManifoldConsistentSurface(_ file: String) throws {
        let c = Self.cases.first { $0.0 == file }!
        let scene = try SceneIO.read(Self.sharedAssets + "/" + file, allowNonFinitePositions: true).scene
        var options = RepairOptions()
        options.openSliverFraction = 1e-3 // as --watertight
        let (repaired, report) = RepairPipeline(options: options).repair(scene)
        let b = report.before, a = report.after
        print("REPAIR \(file): triangles \(b.triangles)→\(a.triangles) components \(b.components)→\(a.components) boundary \(b.boundaryEdges)→\(a.boundaryEdges) loops \(b.boundaryLoops)→\(a.boundaryLoops) nonmanifoldEdges \(b.nonManifoldEdges)→\(a.nonManifoldEdges) nonmanifoldVertices \(b.nonManifoldVertices)→\(a.nonManifoldVertices) inconsistent \(b.inconsistentEdges)→\(a.inconsistentEdges) degenerate \(b.degenerateFaces)→\(a.degenerateFaces) duplicate \(b.duplicateFaces)→\(a.duplicateFaces) watertight \(b.isWatertight)→\(a.isWatertight) open: \(report.openReasons)")
        #expect(a.degenerateFaces == 0, "\(file) degenerate faces")
        #expect(a.duplicateFaces == 0, "\(file) duplicate faces")
        #expect(a.nonManifoldEdges == 0, "\(file) non-manifold edges")
        #expect(a.isWindingConsistent, "\(file) winding")
        #expect(Double(a.triangles) >= c.2 * Double(b.triangles), "\(file) triangles kept")
        #expect(a.isWatertight == c.1, "\(file) watertight")
        // Materials, textures and UVs survive.
        #expect(repaired.materials.count == scene.materials.count && repaired.images.count == scene.images.count)
        let uvBefore = scene.meshes.flatMap(\.primitives).contains { $0.stream(.texcoord(0)) != nil }
        let uvAfter = repaired.meshes.flatMap(\.primitives).contains { $0.stream(.texcoord(0)) != nil }
        #expect(uvBefore == uvAfter)
    }
}
