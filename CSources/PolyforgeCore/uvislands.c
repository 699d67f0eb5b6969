#include "polyforge_core.h"

#include <stdlib.h>

static uint32_t find_root(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; }
    return x;
}

size_t pf_uv_islands(const uint32_t *indices, size_t index_count, size_t vertex_count, uint32_t *island) {
    size_t faces = index_count / 3;
    uint32_t *parent = malloc((vertex_count ? vertex_count : 1) * sizeof(uint32_t));
    if (!parent) return (size_t)-1;
    for (size_t v = 0; v < vertex_count; ++v) parent[v] = (uint32_t)v;
    /* Union by smaller root keeps the result independent of visiting order details. */
    for (size_t f = 0; f < faces; ++f) {
        uint32_t a = find_root(parent, indices[3 * f]);
        for (int k = 1; k < 3; ++k) {
            uint32_t b = find_root(parent, indices[3 * f + k]);
            if (a == b) continue;
            if (a < b) parent[b] = a; else { parent[a] = b; a = b; }
        }
    }
    /* Number islands by first triangle: reuse parent[root] slots as labels via a second array-free pass. */
    uint32_t *label = malloc((vertex_count ? vertex_count : 1) * sizeof(uint32_t));
    if (!label) { free(parent); return (size_t)-1; }
    for (size_t v = 0; v < vertex_count; ++v) label[v] = UINT32_MAX;
    size_t count = 0;
    for (size_t f = 0; f < faces; ++f) {
        uint32_t r = find_root(parent, indices[3 * f]);
        if (label[r] == UINT32_MAX) label[r] = (uint32_t)count++;
        island[f] = label[r];
    }
    free(label);
    free(parent);
    return count;
}
