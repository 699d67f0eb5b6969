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
    }

    @Test func oneSlowCaseOrOneBadErrorIsNotMet() {
        let lines = SimplifyBenchmark.targetLines([
            result("scan 1M", times: [(1, 0.9), (2, 0.5)]),
            result("scan 4M", triangles: 4_000_000, times: [(1, 1.2), (2, 0.6)], max: 1.3, chain: 1.4, memory: 210),
        ])
        #expect(lines[1].contains("0.9x–1.2x") && lines[1].contains("NOT met (in 1 of 2 cases)"), "\(lines[1])")
        #expect(lines[2].contains("NOT met"), "\(lines[2])")
        #expect(lines[3].contains("never above 1.25x") && lines[3].hasSuffix("NOT met"), "\(lines[3])") // 1.3 > 1.25
        #expect(lines[4].hasSuffix("NOT met") && lines[5].hasSuffix("NOT met"))
    }

    @Test func smallMeshesAreNotJudged() {
        #expect(SimplifyBenchmark.targetLines([result("Avocado", triangles: 682, times: [(1, 3)])]).isEmpty)
    }
}
