import PolyforgeBench
import Testing

/// The benchmark's verdicts on issue 6's targets: each line must say "NOT met" as soon as one case misses.
@Suite struct TargetLinesTests {
    func result(_ mesh: String, triangles: Int = 1_000_000, times: [(threads: Int, ratio: Double)], max: Double = 0.5, mean: Double = 0.5,
                chain: Double? = 1.1, memory: Double? = 136) -> SimplifyBenchmark.MeshResult {
        var r = SimplifyBenchmark.MeshResult(mesh: mesh, triangles: triangles)
        for t in times {
            r.cases.append(.init(mesh: mesh, triangles: triangles, ratio: 0.1, threads: t.threads, meshoptMs: 100, pfMs: 100 * t.ratio,
                                 timeRatio: t.ratio, meshoptTriangles: 10, pfTriangles: 10, meshoptMax: 1, pfMax: max,
                                 meshoptMean: 1, pfMean: mean))
        }
        r.chainRatio = chain
        r.lodChainMs = chain.map { 100 * $0 }
        r.deepestLevelMs = chain.map { _ in 100 }
        r.peakBytesPerTriangle = memory
        r.meshoptPeakBytesPerTriangle = memory.map { _ in 90 }
        return r
    }

    @Test func everyTargetMet() {
        let lines = SimplifyBenchmark.targetLines([result("scan 1M", times: [(1, 0.9), (2, 0.5)])])
        #expect(lines.count == 6)
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("— met") }, "\(lines)")
        // the limits themselves count as met
        let exact = SimplifyBenchmark.targetLines([result("scan 1M", times: [(1, 1.0), (2, 0.55)], max: 1, mean: 0.8, chain: 1.3, memory: 200)])
        #expect(exact.dropFirst().allSatisfy { $0.hasSuffix("— met") }, "\(exact)")
    }

    /// Quality: max <= 1x and mean <= 0.8x in at least 80% of the cases, and no ratio above 1.25x.
    @Test func qualityRule() {
        func verdict(_ errors: [(max: Double, mean: Double)]) -> String {
            let results = errors.enumerated().map { i, e in result("scan \(i)", times: [(1, 0.9)], max: e.max, mean: e.mean) }
            return SimplifyBenchmark.targetLines(results).first { $0.contains("Hausdorff") } ?? ""
        }
        let good = (max: 0.5, mean: 0.5)
        #expect(verdict([good, good, good, good, (1.2, 0.5)]).hasSuffix("— met"))          // 4 of 5, none above 1.25
        #expect(verdict([good, good, good, (1.2, 0.5), (1.2, 0.5)]).hasSuffix("NOT met"))   // 3 of 5
        #expect(verdict([good, good, good, good, (1.3, 0.5)]).hasSuffix("NOT met"))         // 4 of 5, one above 1.25
        #expect(verdict([good, good, good, good, (0.5, 1.3)]).hasSuffix("NOT met"))         // a mean above 1.25
        #expect(verdict([good, good, good, (0.5, 0.85), (0.5, 0.85)]).hasSuffix("NOT met")) // mean above 0.8 is not good
        #expect(verdict([good, good, good, good, (.nan, 0.5)]).hasSuffix("NOT met"))        // an unmeasured error fails
    }

    /// Two meshes with the same name are two meshes.
    @Test func sameNamedMeshesAreBothJudged() {
        let lines = SimplifyBenchmark.targetLines([result("scene.gltf", times: [(1, 0.9)]), result("scene.gltf", times: [(1, 0.9)], max: 2)])
        #expect(lines.contains { $0.contains("Hausdorff") && $0.contains("1 of 2 cases") && $0.hasSuffix("NOT met") }, "\(lines)")
    }

    @Test func oneSlowCaseOrOneBadErrorIsNotMet() {
        let lines = SimplifyBenchmark.targetLines([
            result("scan 1M", times: [(1, 0.9), (2, 0.5)]),
            result("scan 4M", triangles: 4_000_000, times: [(1, 1.2), (2, 0.6)], max: 1.3, chain: 1.4, memory: 210),
        ])
        #expect(lines[1].contains("0.9x–1.2x") && lines[1].contains("NOT met (within it in 1 of 2 cases)"), "\(lines[1])")
        #expect(lines[2].contains("NOT met"), "\(lines[2])")
        #expect(lines[3].contains("never above 1.25x") && lines[3].hasSuffix("NOT met"), "\(lines[3])") // 1.3 > 1.25
        #expect(lines[4].hasSuffix("NOT met") && lines[5].hasSuffix("NOT met"))
    }

    @Test func smallMeshesAreNotJudged() {
        #expect(SimplifyBenchmark.targetLines([result("Avocado", triangles: 682, times: [(1, 3)])]).isEmpty)
    }
}
