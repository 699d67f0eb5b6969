/* Private helpers shared by the repair kernels (cleanup.c, manifold.c, orient.c, holefill.c, floaters.c).
 * Not part of the API: polyforge_core.h is. Everything here is static inline so each file stays self-contained. */
#ifndef POLYFORGE_REPAIR_COMMON_H
#define POLYFORGE_REPAIR_COMMON_H

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

/* Writes the three directed edges of every proper face; returns how many were written (<= 3 * face_count). */
static inline size_t pf_collect_edges(const uint32_t *indices, size_t face_count, int vertex_bits, pf_edge *edges) {
    size_t n = 0;
    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        if (!pf_face_is_proper(v)) continue;
        for (int k = 0; k < 3; ++k) {
            uint32_t a = v[k], b = v[k == 2 ? 0 : k + 1];
            uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
            edges[n].key = ((uint64_t)lo << vertex_bits) | hi;
            edges[n].face = (uint32_t)f;
            edges[n].corner = (uint16_t)k;
            edges[n].forward = a < b;
            n++;
        }
    }
    return n;
}

/* LSD radix sort on key (stable, so equal keys keep face order). Returns the buffer holding the result
 * (either data or scratch). */
static inline pf_edge *pf_sort_edges(pf_edge *data, pf_edge *scratch, size_t n, int key_bits) {
    enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
    size_t *count = (size_t *)malloc(BUCKETS * sizeof(size_t));
    if (!count) return NULL;
    for (int shift = 0; shift < key_bits; shift += DIGIT) {
        memset(count, 0, BUCKETS * sizeof(size_t));
        for (size_t i = 0; i < n; ++i) count[(data[i].key >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (int b = 0; b < BUCKETS; ++b) { size_t c = count[b]; count[b] = sum; sum += c; }
        for (size_t i = 0; i < n; ++i) scratch[count[(data[i].key >> shift) & (BUCKETS - 1)]++] = data[i];
        pf_edge *t = data; data = scratch; scratch = t;
    }
    free(count);
    return data;
}

/* The zero-area rule of pf_analyze_topology (topology.c): shortest height below max(1e-8, 4.8e-7 x longest edge).
 * Kept identical so that a face cleanup keeps is never counted degenerate by the analysis. */
static inline int pf_zero_area(const float *positions, uint32_t a, uint32_t b, uint32_t c) {
    const float *p = positions + 3 * (size_t)a, *q = positions + 3 * (size_t)b, *r = positions + 3 * (size_t)c;
    double e1[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
    double e2[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
    double e3[3] = {r[0] - q[0], r[1] - q[1], r[2] - q[2]};
    double cx = e1[1] * e2[2] - e1[2] * e2[1], cy = e1[2] * e2[0] - e1[0] * e2[2], cz = e1[0] * e2[1] - e1[1] * e2[0];
    double twice_area = sqrt(cx * cx + cy * cy + cz * cz);
    double l1 = e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2];
    double l2 = e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2];
    double l3 = e3[0] * e3[0] + e3[1] * e3[1] + e3[2] * e3[2];
    double longest = sqrt(l1 > l2 ? (l1 > l3 ? l1 : l3) : (l2 > l3 ? l2 : l3));
    if (longest == 0) return 1;
    double threshold = 4.0 * 1.1920929e-7 * longest;
    if (threshold < 1e-8) threshold = 1e-8;
    return twice_area / longest < threshold;
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
