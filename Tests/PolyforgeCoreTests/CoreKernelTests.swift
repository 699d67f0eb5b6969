#if canImport(Glibc)
import Glibc
#endif
import Testing
import PolyforgeCore

@Suite struct CoreKernelTests {
    @Test func boundsSkipAndCountNonFinite() {
        var p: [Float] = [1, 2, 3, -4, 5, 0.5, .nan, 100, 100, 2, -7, .infinity, 0, 0, 9]
        var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
        let bad = pf_bounds(&p, 5, 3, &lo, &hi)
        #expect(bad == 2)
        #expect(lo == [-4, 0, 0.5])
        #expect(hi == [1, 5, 9])
    }

    @Test func boundsAreIdenticalOnOneAndManyThreads() {
        // Large enough to take the OpenMP path.
        let n = 300_000
        var p = [Float](repeating: 0, count: n * 3)
        var state: UInt32 = 12345
        for i in 0..<p.count {
            state = state &* 1_664_525 &+ 1_013_904_223
            p[i] = Float(Int32(bitPattern: state)) / 1e6
        }
        p[3 * 777] = .nan
        var expectedLo: [Float] = [.greatestFiniteMagnitude, .greatestFiniteMagnitude, .greatestFiniteMagnitude]
        var expectedHi: [Float] = [-.greatestFiniteMagnitude, -.greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for i in 0..<n where i != 777 {
            for k in 0..<3 { expectedLo[k] = min(expectedLo[k], p[3 * i + k]); expectedHi[k] = max(expectedHi[k], p[3 * i + k]) }
        }
        var lo1: [Float] = [0, 0, 0], hi1: [Float] = [0, 0, 0], lo2: [Float] = [0, 0, 0], hi2: [Float] = [0, 0, 0]
        pf_set_thread_count(1)
        #expect(pf_bounds(&p, n, 3, &lo1, &hi1) == 1)
        pf_set_thread_count(2)
        #expect(pf_bounds(&p, n, 3, &lo2, &hi2) == 1)
        pf_set_thread_count(0)
        #expect(lo1 == expectedLo && hi1 == expectedHi)
        #expect(lo2 == lo1 && hi2 == hi1)
    }

    /// The default thread count follows OMP_NUM_THREADS when it is set (how users and the benchmarks pin threads).
    @Test func defaultThreadCountHonoursOMPNumThreads() {
        setenv("OMP_NUM_THREADS", "1", 1)
        pf_set_thread_count(0)
        #expect(pf_thread_count() == 1)
        unsetenv("OMP_NUM_THREADS")
        pf_set_thread_count(0)
        #expect(pf_thread_count() == Int32(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    @Test func openMPAndSIMDAreWiredIn() {
        #expect(pf_has_openmp() == 1)
        #expect(pf_thread_count() >= 1)
        #if arch(x86_64)
        #expect(pf_simd_level() >= 1)
        #endif
    }

    @Test func indexRangeCheckFindsFirstBadIndex() {
        var idx = [UInt32](repeating: 3, count: 100)
        #expect(pf_find_index_out_of_range(&idx, 100, 4) == 100)
        idx[37] = 4
        idx[80] = 99
        #expect(pf_find_index_out_of_range(&idx, 100, 4) == 37)
        idx[37] = 0
        #expect(pf_find_index_out_of_range(&idx, 100, 4) == 80)
        var big: [UInt32] = [0xFFFF_FFFF]
        #expect(pf_find_index_out_of_range(&big, 1, 10) == 0)
    }

    @Test func widenAndDegenerateCount() {
        var s16: [UInt16] = [0, 65535, 7]
        var d = [UInt32](repeating: 0, count: 3)
        pf_widen_indices_u16(&d, &s16, 3)
        #expect(d == [0, 65535, 7])
        var tris: [UInt32] = [0, 1, 2, 0, 0, 1, 3, 4, 3]
        #expect(pf_count_degenerate_indices(&tris, 9) == 2)
    }
}
