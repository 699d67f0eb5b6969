/*
 * polyforge_core.h - the whole API of Polyforge's C core.
 *
 * Conventions (as meshoptimizer.h):
 *  - Plain arrays cross the API: positions are float triples, indices are uint32_t triples (one per triangle).
 *  - "stride" is counted in floats between consecutive vertices (3 for tightly packed xyz).
 *  - The caller owns every buffer. No function keeps a pointer after it returns, and none has global state
 *    beyond the thread count set with pf_set_thread_count.
 *  - Every function is thread-safe for distinct output buffers. Results are identical for any thread count.
 */
#ifndef POLYFORGE_CORE_H
#define POLYFORGE_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- runtime ---------------------------------------------------------------------------------------- */

/* Instruction-set level the kernels dispatch to at run time: 0 scalar, 1 SSE2, 2 AVX2+FMA. */
int pf_simd_level(void);

/* Threads that OpenMP regions will use (1 when built without OpenMP). */
int pf_thread_count(void);

/* Sets the thread count for later OpenMP regions; n <= 0 restores the default (all cores).
 * Also makes idle OpenMP workers sleep at once instead of spinning for 200 ms, which on a 2-core machine
 * would steal time from Swift's own threads. */
void pf_set_thread_count(int n);

/* 1 when the core was compiled with OpenMP. */
int pf_has_openmp(void);

/* ---- bounds ----------------------------------------------------------------------------------------- */

/* Axis-aligned bounds of vertex_count points read from positions[i*stride .. i*stride+2].
 * Non-finite coordinates (NaN, +-Inf) are skipped and counted; the return value is the number of vertices
 * with at least one non-finite coordinate. When no finite vertex exists, out_min = +FLT_MAX and
 * out_max = -FLT_MAX. stride >= 3. Parallel over large inputs. */
size_t pf_bounds(const float *positions, size_t vertex_count, size_t stride, float out_min[3], float out_max[3]);

/* ---- indices ---------------------------------------------------------------------------------------- */

/* Position of the first index >= vertex_count in indices[0 .. index_count), or index_count when all are
 * in range. Used by every reader to reject out-of-range indices before any kernel trusts them. */
size_t pf_find_index_out_of_range(const uint32_t *indices, size_t index_count, uint32_t vertex_count);

/* Widens 16-bit or 8-bit indices to 32 bits. destination holds count elements; it may not alias source. */
void pf_widen_indices_u16(uint32_t *destination, const uint16_t *source, size_t count);
void pf_widen_indices_u8(uint32_t *destination, const uint8_t *source, size_t count);

/* Number of triangles (i, i+1, i+2) in a triangle list whose three indices are not all distinct. */
size_t pf_count_degenerate_indices(const uint32_t *indices, size_t index_count);

#ifdef __cplusplus
}
#endif
#endif /* POLYFORGE_CORE_H */
