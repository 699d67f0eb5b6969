#include "polyforge_core.h"
#include "core_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Spatial hash over cubic cells of side 8*tolerance. A point within tolerance of p lies in p's cell or, per axis,
 * in the neighbour on the side p is within tolerance of — which for wide cells is rare, so most vertices probe one
 * cell. Tolerance 0 hashes the exact coordinates instead. Slots store 32 bits of the cell's hash only: two cells that
 * collide share a list, which costs a few extra distance tests but never a wrong merge. Each occupied cell keeps a
 * list of representative vertices, threaded through `next`. */

typedef struct { uint32_t tag; uint32_t head; } weld_slot;

static const uint32_t EMPTY = 0xFFFFFFFFu;

static uint64_t hash_cell(int64_t x, int64_t y, int64_t z) {
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)y * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
    h ^= (uint64_t)z * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
    return h ^ (h >> 31);
}

static weld_slot *find_slot(weld_slot *table, size_t mask, uint64_t hash, int insert) {
    size_t i = (size_t)(hash >> 7) & mask;
    for (;;) {
        weld_slot *s = &table[i];
        if (s->head == EMPTY) return insert ? s : NULL;
        if (s->tag == (uint32_t)hash) return s;
        i = (i + 1) & mask;
    }
}

static int attributes_match(const float *attributes, size_t count, size_t stride, float tolerance, size_t a, size_t b) {
    if (!attributes) return 1;
    const float *pa = attributes + a * stride, *pb = attributes + b * stride;
    for (size_t k = 0; k < count; ++k)
        if (!(fabsf(pa[k] - pb[k]) <= tolerance)) return 0;
    return 1;
}

static int64_t exact_key(float v) {
    if (v == 0.0f) v = 0.0f; /* -0 and +0 hash alike */
    uint32_t bits;
    memcpy(&bits, &v, 4);
    return (int64_t)bits;
}

/* Per-vertex cell hash and near-border mask (bit k: near the low (-1) or high (+1) side along axis k, signs in
 * `side`), computed in parallel before the sequential insertion pass, which then only probes the table. */
typedef struct { uint64_t hash; int8_t side[3]; uint8_t finite; } weld_key;

static void weld_keys(const float *positions, size_t vertex_count, size_t position_stride, double cell, double near,
                      weld_key *keys) {
    #pragma omp parallel for schedule(static) if (vertex_count > PF_PARALLEL_MIN)
    for (size_t i = 0; i < vertex_count; ++i) {
        const float *p = positions + i * position_stride;
        weld_key *w = &keys[i];
        w->finite = isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
        w->side[0] = w->side[1] = w->side[2] = 0;
        if (!w->finite) { w->hash = 0; continue; }
        int64_t key[3];
        if (cell > 0) {
            for (int k = 0; k < 3; ++k) {
                double q = (double)p[k] / cell;
                double f = floor(q);
                key[k] = (int64_t)f;
                double frac = q - f;
                w->side[k] = (int8_t)(frac < near ? -1 : (frac > 1.0 - near ? 1 : 0));
            }
        } else {
            for (int k = 0; k < 3; ++k) key[k] = exact_key(p[k]);
        }
        w->hash = hash_cell(key[0], key[1], key[2]);
    }
}

static uint64_t neighbour_hash(const float *p, double cell, const int8_t side[3], int n) {
    int64_t key[3];
    for (int k = 0; k < 3; ++k) key[k] = (int64_t)floor((double)p[k] / cell) + (((n >> k) & 1) ? side[k] : 0);
    return hash_cell(key[0], key[1], key[2]);
}

size_t pf_weld(const float *positions, size_t vertex_count, size_t position_stride, float tolerance,
               const float *attributes, size_t attribute_count, size_t attribute_stride, float attribute_tolerance,
               uint32_t *remap) {
    size_t capacity = 16;
    while (capacity < vertex_count * 2) capacity <<= 1;
    weld_slot *table = (weld_slot *)malloc(capacity * sizeof(weld_slot));
    uint32_t *next = (uint32_t *)malloc((vertex_count ? vertex_count : 1) * sizeof(uint32_t));
    weld_key *keys = (weld_key *)malloc((vertex_count ? vertex_count : 1) * sizeof(weld_key));
    if (!table || !next || !keys) {
        free(table);
        free(next);
        free(keys);
        for (size_t i = 0; i < vertex_count; ++i) remap[i] = (uint32_t)i;
        return vertex_count;
    }
    #pragma omp parallel for schedule(static) if (capacity > PF_PARALLEL_MIN)
    for (size_t i = 0; i < capacity; ++i) table[i].head = EMPTY;
    const size_t mask = capacity - 1;
    /* Wide cells put fewer vertices near a cell's side (each such vertex probes up to 7 more cells): 32 x the
     * tolerance puts 18% there, 8 x puts 58%. But a cell wider than the typical vertex spacing (estimated as
     * diagonal / sqrt(n)) holds many vertices, each compared with all the others, so the width never exceeds it
     * and never drops below 8 x. */
    double cell = 0.0;
    if (tolerance > 0) {
        float lo[3], hi[3];
        double spacing = 0.0;
        pf_bounds(positions, vertex_count, position_stride, lo, hi);
        if (lo[0] <= hi[0]) spacing = pf_box_diagonal(lo, hi) / sqrt((double)vertex_count);
        cell = 8.0 * (double)tolerance;
        if (spacing > cell) cell = spacing < 32.0 * (double)tolerance ? spacing : 32.0 * (double)tolerance;
    }
    const double near = tolerance > 0 ? (double)tolerance / cell : 0.0; /* border band, in cell units */
    weld_keys(positions, vertex_count, position_stride, cell, near, keys);
    size_t unique = 0;

    /* The table walk is memory-bound: fetch the slot a few vertices ahead. */
    enum { AHEAD = 16 };
    for (size_t i = 0; i < vertex_count; ++i) {
        if (i + AHEAD < vertex_count) __builtin_prefetch(&table[(size_t)(keys[i + AHEAD].hash >> 7) & mask]);
        const float *p = positions + i * position_stride;
        const weld_key *w = &keys[i];
        remap[i] = (uint32_t)i;
        if (!w->finite) { unique++; continue; }
        uint32_t best = EMPTY;
        for (int n = 0; n < 8; ++n) {
            /* Neighbour n differs from p's cell along the axes of its set bits; skip axes p is not near. */
            if (((n & 1) && !w->side[0]) || ((n & 2) && !w->side[1]) || ((n & 4) && !w->side[2])) continue;
            uint64_t h = n == 0 ? w->hash : neighbour_hash(p, cell, w->side, n);
            weld_slot *s = find_slot(table, mask, h, 0);
            if (!s) continue;
            for (uint32_t r = s->head; r != EMPTY; r = next[r]) {
                if (r >= best) continue;
                const float *q = positions + (size_t)r * position_stride;
                int close = cell > 0
                    ? (fabsf(q[0] - p[0]) <= tolerance && fabsf(q[1] - p[1]) <= tolerance && fabsf(q[2] - p[2]) <= tolerance)
                    : (q[0] == p[0] && q[1] == p[1] && q[2] == p[2]);
                if (close && attributes_match(attributes, attribute_count, attribute_stride, attribute_tolerance, i, r)) best = r;
            }
        }
        if (best != EMPTY) {
            remap[i] = best;
            continue;
        }
        weld_slot *s = find_slot(table, mask, w->hash, 1);
        if (s->head == EMPTY) { s->tag = (uint32_t)w->hash; next[i] = EMPTY; }
        else next[i] = s->head;
        s->head = (uint32_t)i;
        unique++;
    }
    free(table);
    free(next);
    free(keys);
    return unique;
}

size_t pf_weld_refine(const uint32_t *point_of, size_t vertex_count, const float *attributes, size_t attribute_count,
                      size_t attribute_stride, float attribute_tolerance, uint32_t *remap) {
    /* Bucket the vertices by point (a counting sort: point ids are < vertex_count), then within each bucket map
     * every vertex to the first earlier one whose attributes match. Buckets are independent, so they split over
     * threads and the result does not depend on how. */
    uint32_t *start = (uint32_t *)calloc(vertex_count + 1, sizeof(uint32_t));
    uint32_t *order = (uint32_t *)malloc((vertex_count ? vertex_count : 1) * sizeof(uint32_t));
    if (!start || !order) {
        free(start);
        free(order);
        for (size_t i = 0; i < vertex_count; ++i) remap[i] = (uint32_t)i;
        return vertex_count;
    }
    for (size_t i = 0; i < vertex_count; ++i) start[point_of[i] < vertex_count ? point_of[i] + 1 : i + 1]++;
    for (size_t p = 0; p < vertex_count; ++p) start[p + 1] += start[p];
    /* Filling in index order keeps each bucket sorted by vertex index. */
    for (size_t i = 0; i < vertex_count; ++i) {
        uint32_t p = point_of[i] < vertex_count ? point_of[i] : (uint32_t)i;
        order[start[p]++] = (uint32_t)i;
    }
    /* start[p] now ends bucket p, and bucket p begins where bucket p - 1 ends. */
    size_t unique = 0;
    #pragma omp parallel for schedule(static) reduction(+:unique) if (vertex_count > PF_PARALLEL_MIN)
    for (size_t p = 0; p < vertex_count; ++p) {
        size_t begin = p == 0 ? 0 : start[p - 1], end = start[p];
        for (size_t a = begin; a < end; ++a) {
            uint32_t i = order[a];
            remap[i] = i;
            for (size_t b = begin; b < a; ++b) {
                uint32_t r = order[b];
                if (remap[r] == r && attributes_match(attributes, attribute_count, attribute_stride, attribute_tolerance, i, r)) {
                    remap[i] = r;
                    break;
                }
            }
            if (remap[i] == i) unique++;
        }
    }
    free(start);
    free(order);
    return unique;
}

size_t pf_weld_rounded(const float *positions, size_t vertex_count, size_t position_stride, double scale, uint32_t *remap) {
    /* Open addressing on the exact integer triple; slots hold a vertex index, keys are recomputed from it. */
    size_t capacity = 16;
    while (capacity < vertex_count * 2) capacity <<= 1;
    uint32_t *table = (uint32_t *)malloc(capacity * sizeof(uint32_t));
    int64_t *keys = (int64_t *)malloc((vertex_count ? vertex_count : 1) * 3 * sizeof(int64_t));
    if (!table || !keys) {
        free(table);
        free(keys);
        for (size_t i = 0; i < vertex_count; ++i) remap[i] = (uint32_t)i;
        return vertex_count;
    }
    memset(table, 0xFF, capacity * sizeof(uint32_t));
    const size_t mask = capacity - 1;
    size_t unique = 0;
    for (size_t i = 0; i < vertex_count; ++i) {
        const float *p = positions + i * position_stride;
        int64_t *k = keys + 3 * i;
        int finite = 1;
        for (int d = 0; d < 3; ++d) {
            double x = floor((double)p[d] * scale + 0.5); /* JavaScript's Math.round: halves go up */
            if (!(x > -9.0e18 && x < 9.0e18)) finite = 0;
            k[d] = finite ? (int64_t)x : 0;
        }
        remap[i] = (uint32_t)i;
        if (!finite) { unique++; continue; }
        size_t s = (size_t)hash_cell(k[0], k[1], k[2]) & mask;
        for (;;) {
            uint32_t r = table[s];
            if (r == EMPTY) { table[s] = (uint32_t)i; unique++; break; }
            const int64_t *q = keys + 3 * (size_t)r;
            if (q[0] == k[0] && q[1] == k[1] && q[2] == k[2]) { remap[i] = r; break; }
            s = (s + 1) & mask;
        }
    }
    free(table);
    free(keys);
    return unique;
}
