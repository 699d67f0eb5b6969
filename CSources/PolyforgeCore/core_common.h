/* Private helpers shared by the core's kernels (topology.c, the repair kernels, the simplifier, the surface distance
 * and the weld). Not part of the API: polyforge_core.h is. Everything here is static inline so each file stays
 * self-contained. */
#ifndef POLYFORGE_CORE_COMMON_H
#define POLYFORGE_CORE_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PF_NONE 0xFFFFFFFFu

/* One directed edge of a triangle: undirected key (lo << bits | hi), its face, the corner (0..2) it starts at,
 * and whether it runs from lo to hi. */
typedef struct { uint64_t key; uint32_t face; uint16_t corner; uint16_t forward; } pf_edge;

static inline uint32_t pf_uf_find(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static inline void pf_uf_union(uint32_t *parent, uint32_t a, uint32_t b) {
    a = pf_uf_find(parent, a);
    b = pf_uf_find(parent, b);
    /* The smaller index becomes the root, so results do not depend on visiting order. */
    if (a < b) parent[b] = a; else if (b < a) parent[a] = b;
}

static inline int pf_vertex_bits(size_t vertex_count) {
    int bits = 1;
    while (bits < 32 && ((size_t)1 << bits) < vertex_count) bits++;
    return bits;
}

static inline int pf_face_is_proper(const uint32_t *v) { return v[0] != v[1] && v[1] != v[2] && v[0] != v[2]; }

/* Diagonal of a box pf_bounds gave (0 for the empty box of no vertices). In double: in float, extents beyond about
 * 1e19 overflow when squared and below 1e-19 vanish. */
static inline double pf_box_diagonal(const float lo[3], const float hi[3]) {
    if (!(lo[0] <= hi[0])) return 0;
    double dx = (double)hi[0] - lo[0], dy = (double)hi[1] - lo[1], dz = (double)hi[2] - lo[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

#ifdef _OPENMP
/* omp.h is not on the Swift toolchain's include path (toolchain notes, section 1): declare what we call. */
int omp_get_max_threads(void);
#define PF_MAX_THREADS() omp_get_max_threads()
#else
#define PF_MAX_THREADS() 1
#endif

/* Did the process call pf_keep_freed_memory (and not pf_release_freed_memory since)? Then a large scratch block is
 * reused from call to call, and what its first use costs is paid once. */
int pf_freed_memory_is_kept(void);

/* Below this many items a parallel region costs more than it saves. */
#define PF_PARALLEL_MIN 65536

/* Writes the three directed edges of face f at slots 3f .. 3f+2, in parallel. A face with a repeated index gets
 * sentinel records (low vertex = vertex_count) that pf_sort_edges puts last and leaves out of its count.
 * Returns 3 * face_count. */
static inline size_t pf_collect_edges(const uint32_t *indices, size_t face_count, int vertex_bits, size_t vertex_count, pf_edge *edges) {
    const uint64_t sentinel = (uint64_t)vertex_count << vertex_bits;
    #pragma omp parallel for schedule(static) if (face_count > PF_PARALLEL_MIN)
    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        int proper = pf_face_is_proper(v);
        for (int k = 0; k < 3; ++k) {
            pf_edge *e = &edges[3 * f + k];
            uint32_t a = v[k], b = v[k == 2 ? 0 : k + 1];
            uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
            e->key = proper ? (((uint64_t)lo << vertex_bits) | hi) : sentinel;
            e->face = (uint32_t)f;
            e->corner = (uint16_t)k;
            e->forward = a < b;
        }
    }
    return 3 * face_count;
}

/* Groups edges by key: a counting sort on the low vertex (one bucket per vertex; per-thread histograms, so it
 * runs in parallel), then an insertion sort of each bucket on the whole key (buckets hold a vertex's few edges).
 * Two linear passes instead of a 4-pass radix sort. Stable, so equal keys keep face order, and the result is the
 * same for any thread count. Sentinels (repeated-index faces) end up last; *valid gets the count before them.
 * Returns the buffer holding the result (scratch), or NULL when out of memory. */
static inline pf_edge *pf_sort_edges(pf_edge *data, pf_edge *scratch, size_t n, int vertex_bits, size_t vertex_count, size_t *valid) {
    const size_t buckets = vertex_count + 1; /* the last one holds the sentinels */
    int threads = n > PF_PARALLEL_MIN ? PF_MAX_THREADS() : 1;
    if (threads < 1) threads = 1;
    if (threads > 16) threads = 16;
    uint32_t *count = (uint32_t *)calloc((size_t)threads * buckets + 1, sizeof(uint32_t));
    if (!count) return NULL;
    #pragma omp parallel for schedule(static, 1) if (threads > 1)
    for (int t = 0; t < threads; ++t) {
        uint32_t *c = count + (size_t)t * buckets;
        size_t begin = n * (size_t)t / (size_t)threads, end = n * (size_t)(t + 1) / (size_t)threads;
        for (size_t i = begin; i < end; ++i) c[data[i].key >> vertex_bits]++;
    }
    uint32_t running = 0;
    for (size_t b = 0; b < buckets; ++b)
        for (int t = 0; t < threads; ++t) {
            uint32_t *c = count + (size_t)t * buckets + b;
            uint32_t k = *c;
            *c = running;
            running += k;
        }
    #pragma omp parallel for schedule(static, 1) if (threads > 1)
    for (int t = 0; t < threads; ++t) {
        uint32_t *c = count + (size_t)t * buckets;
        size_t begin = n * (size_t)t / (size_t)threads, end = n * (size_t)(t + 1) / (size_t)threads;
        for (size_t i = begin; i < end; ++i) scratch[c[data[i].key >> vertex_bits]++] = data[i];
    }
    /* The last thread's cursor of bucket b now ends bucket b. */
    const uint32_t *ends = count + (size_t)(threads - 1) * buckets;
    #pragma omp parallel for schedule(static) if (threads > 1)
    for (size_t v = 0; v < vertex_count; ++v) {
        size_t begin = v == 0 ? 0 : ends[v - 1], end = ends[v];
        for (size_t i = begin + 1; i < end; ++i) {
            pf_edge t = scratch[i];
            size_t j = i;
            while (j > begin && scratch[j - 1].key > t.key) { scratch[j] = scratch[j - 1]; j--; }
            scratch[j] = t;
        }
    }
    *valid = vertex_count == 0 ? 0 : ends[vertex_count - 1];
    free(count);
    return scratch;
}

/* Every directed edge of the proper faces, grouped by undirected key (equal keys adjacent, face order kept):
 * pf_collect_edges then pf_sort_edges, the sequence every surface kernel starts with. `edges` and `scratch` hold
 * 3 * face_count records each; *vertex_bits gets the key's split (low vertex = key >> bits) and *count the number
 * of grouped edges. Returns the buffer holding them, or NULL when out of memory. */
static inline pf_edge *pf_group_edges(const uint32_t *indices, size_t face_count, size_t vertex_count, pf_edge *edges,
                                      pf_edge *scratch, int *vertex_bits, size_t *count) {
    *vertex_bits = pf_vertex_bits(vertex_count);
    size_t n = pf_collect_edges(indices, face_count, *vertex_bits, vertex_count, edges);
    return pf_sort_edges(edges, scratch, n, *vertex_bits, vertex_count, count);
}

/* The zero-area rule of pf_analyze_topology and pf_cleanup: shortest height below max(1e-8, 4.8e-7 x longest edge),
 * i.e. trimesh's absolute 1e-8 widened to float32 rounding (a triangle collinear in a text file is rarely exactly
 * collinear once stored as floats). One definition, so a face cleanup keeps is never counted degenerate. */
static inline int pf_zero_area(const float *positions, uint32_t a, uint32_t b, uint32_t c) {
    const float *p = positions + 3 * (size_t)a, *q = positions + 3 * (size_t)b, *r = positions + 3 * (size_t)c;
    double e1[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
    double e2[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
    double e3[3] = {r[0] - q[0], r[1] - q[1], r[2] - q[2]};
    double cx = e1[1] * e2[2] - e1[2] * e2[1], cy = e1[2] * e2[0] - e1[0] * e2[2], cz = e1[0] * e2[1] - e1[1] * e2[0];
    double l1 = e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2];
    double l2 = e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2];
    double l3 = e3[0] * e3[0] + e3[1] * e3[1] + e3[2] * e3[2];
    double longest2 = l1 > l2 ? (l1 > l3 ? l1 : l3) : (l2 > l3 ? l2 : l3);
    if (longest2 == 0) return 1;
    /* height = twice_area / longest < threshold, squared: no square root or division on the hot path. */
    const double relative = 4.0 * 1.1920929e-7;
    double threshold2 = relative * relative * longest2;
    if (threshold2 < 1e-16) threshold2 = 1e-16;
    return cx * cx + cy * cy + cz * cz < threshold2 * longest2;
}

static inline double pf_triangle_area(const float *positions, uint32_t a, uint32_t b, uint32_t c) {
    const float *p = positions + 3 * (size_t)a, *q = positions + 3 * (size_t)b, *r = positions + 3 * (size_t)c;
    double e1[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
    double e2[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
    double cx = e1[1] * e2[2] - e1[2] * e2[1], cy = e1[2] * e2[0] - e1[0] * e2[2], cz = e1[0] * e2[1] - e1[1] * e2[0];
    return 0.5 * sqrt(cx * cx + cy * cy + cz * cz);
}

static inline uint64_t pf_hash3(uint32_t a, uint32_t b, uint32_t c) {
    uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ull ^ (uint64_t)b * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)c * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static inline uint64_t pf_hash64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull; x ^= x >> 33;
    return x;
}

#endif
