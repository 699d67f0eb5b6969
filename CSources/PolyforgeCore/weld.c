#include "polyforge_core.h"

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

size_t pf_weld(const float *positions, size_t vertex_count, size_t position_stride, float tolerance,
               const float *attributes, size_t attribute_count, size_t attribute_stride, float attribute_tolerance,
               uint32_t *remap) {
    size_t capacity = 16;
    while (capacity < vertex_count * 2) capacity <<= 1;
    weld_slot *table = (weld_slot *)malloc(capacity * sizeof(weld_slot));
    uint32_t *next = (uint32_t *)malloc((vertex_count ? vertex_count : 1) * sizeof(uint32_t));
    if (!table || !next) {
        free(table);
        free(next);
        for (size_t i = 0; i < vertex_count; ++i) remap[i] = (uint32_t)i;
        return vertex_count;
    }
    for (size_t i = 0; i < capacity; ++i) table[i].head = EMPTY;
    const size_t mask = capacity - 1;
    const double cell = tolerance > 0 ? 8.0 * (double)tolerance : 0.0;
    const double near = tolerance > 0 ? (double)tolerance / cell : 0.0; /* border band, in cell units */
    size_t unique = 0;

    for (size_t i = 0; i < vertex_count; ++i) {
        const float *p = positions + i * position_stride;
        remap[i] = (uint32_t)i;
        if (!(isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]))) { unique++; continue; }
        int64_t key[3];
        int64_t side[3] = {0, 0, 0};
        if (cell > 0) {
            for (int k = 0; k < 3; ++k) {
                double q = (double)p[k] / cell;
                double f = floor(q);
                key[k] = (int64_t)f;
                double frac = q - f;
                side[k] = frac < near ? -1 : (frac > 1.0 - near ? 1 : 0);
            }
        } else {
            for (int k = 0; k < 3; ++k) key[k] = exact_key(p[k]);
        }
        uint64_t own = hash_cell(key[0], key[1], key[2]);
        uint32_t best = EMPTY;
        for (int n = 0; n < 8; ++n) {
            /* Neighbour n differs from p's cell along the axes of its set bits; skip axes p is not near. */
            if (((n & 1) && !side[0]) || ((n & 2) && !side[1]) || ((n & 4) && !side[2])) continue;
            uint64_t h = n == 0 ? own : hash_cell(key[0] + ((n & 1) ? side[0] : 0), key[1] + ((n & 2) ? side[1] : 0),
                                                  key[2] + ((n & 4) ? side[2] : 0));
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
        weld_slot *s = find_slot(table, mask, own, 1);
        if (s->head == EMPTY) { s->tag = (uint32_t)own; next[i] = EMPTY; }
        else next[i] = s->head;
        s->head = (uint32_t)i;
        unique++;
    }
    free(table);
    free(next);
    return unique;
}
