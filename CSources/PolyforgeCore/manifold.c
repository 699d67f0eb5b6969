#include "polyforge_core.h"
#include "repair_common.h"

/* Manifold by vertex splitting. Edges are grouped by sorting; a two-face edge joins its faces, and an edge with
 * three or more faces joins them in pairs of opposite direction (the first face with the next unpaired face that
 * runs the edge the other way), leaving the rest unjoined. Corners joined across joined edges form the fans of
 * each vertex (union-find); the fan holding a vertex's first corner keeps the vertex, every other fan gets a
 * copy. Splitting can leave two pairs of one edge on the same two vertices when their fans meet elsewhere; a
 * check round finds those and detaches the extra faces, then the fans are computed again. */

static size_t assign_fans(const uint32_t *indices, uint32_t *out_indices, size_t face_count, size_t vertex_count,
                          const pf_edge *edges, size_t edge_total, const uint8_t *detached, uint32_t *corner_parent,
                          uint32_t *fan_vertex, uint8_t *claimed, uint32_t *new_vertex_source, pf_manifold_result *stats) {
    for (size_t c = 0; c < face_count * 3; ++c) { corner_parent[c] = (uint32_t)c; fan_vertex[c] = PF_NONE; }
    memset(claimed, 0, vertex_count);
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && edges[j].key == edges[i].key) j++;
        size_t k = j - i;
        if (k == 2) {
            const pf_edge *a = &edges[i], *b = &edges[i + 1];
            if (!detached[a->face] && !detached[b->face]) {
                /* a's start corner meets b's end corner when they run opposite ways, its start corner otherwise. */
                uint32_t as = 3 * a->face + a->corner, ae = 3 * a->face + (a->corner + 1) % 3;
                uint32_t bs = 3 * b->face + b->corner, be = 3 * b->face + (b->corner + 1) % 3;
                if (a->forward != b->forward) { pf_uf_union(corner_parent, as, be); pf_uf_union(corner_parent, ae, bs); }
                else { pf_uf_union(corner_parent, as, bs); pf_uf_union(corner_parent, ae, be); }
            }
        } else if (k > 2) {
            uint8_t paired[64];
            size_t limit = k < 64 ? k : 64;
            memset(paired, 0, sizeof(paired));
            int any = 0;
            for (size_t x = 0; x < limit; ++x) {
                if (paired[x] || detached[edges[i + x].face]) continue;
                for (size_t y = x + 1; y < limit; ++y) {
                    if (paired[y] || detached[edges[i + y].face] || edges[i + y].forward == edges[i + x].forward) continue;
                    const pf_edge *a = &edges[i + x], *b = &edges[i + y];
                    pf_uf_union(corner_parent, 3 * a->face + a->corner, 3 * b->face + (b->corner + 1) % 3);
                    pf_uf_union(corner_parent, 3 * a->face + (a->corner + 1) % 3, 3 * b->face + b->corner);
                    paired[x] = paired[y] = 1;
                    any = 1;
                    break;
                }
            }
            if (!any) {
                /* All run the same way: join the first two (orient flips one later). */
                for (size_t x = 0; x < limit && !any; ++x) {
                    if (detached[edges[i + x].face]) continue;
                    for (size_t y = x + 1; y < limit; ++y) {
                        if (detached[edges[i + y].face]) continue;
                        const pf_edge *a = &edges[i + x], *b = &edges[i + y];
                        pf_uf_union(corner_parent, 3 * a->face + a->corner, 3 * b->face + b->corner);
                        pf_uf_union(corner_parent, 3 * a->face + (a->corner + 1) % 3, 3 * b->face + (b->corner + 1) % 3);
                        any = 1;
                        break;
                    }
                }
            }
        }
        i = j;
    }
    size_t added = 0;
    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        if (!pf_face_is_proper(v)) {
            for (int e = 0; e < 3; ++e) out_indices[3 * f + e] = v[e];
            continue;
        }
        if (detached[f]) {
            for (int e = 0; e < 3; ++e) {
                out_indices[3 * f + e] = (uint32_t)(vertex_count + added);
                new_vertex_source[added++] = v[e];
            }
            continue;
        }
        for (int e = 0; e < 3; ++e) {
            uint32_t c = (uint32_t)(3 * f + e);
            uint32_t root = pf_uf_find(corner_parent, c);
            if (fan_vertex[root] == PF_NONE) {
                uint32_t vertex = v[e];
                if (!claimed[vertex]) { claimed[vertex] = 1; fan_vertex[root] = vertex; }
                else {
                    if (claimed[vertex] == 1) { stats->split_vertices++; claimed[vertex] = 2; }
                    fan_vertex[root] = (uint32_t)(vertex_count + added);
                    new_vertex_source[added++] = vertex;
                }
            }
            out_indices[c] = fan_vertex[root];
        }
    }
    return added;
}

size_t pf_make_manifold(uint32_t *indices, size_t index_count, size_t vertex_count, uint32_t *new_vertex_source,
                        pf_manifold_result *out) {
    pf_manifold_result stats;
    memset(&stats, 0, sizeof(stats));
    const size_t face_count = index_count / 3;
    pf_edge *edges = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    pf_edge *scratch = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    uint32_t *corner_parent = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint32_t *fan_vertex = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint32_t *result = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint8_t *claimed = (uint8_t *)malloc(vertex_count + 1);
    uint8_t *detached = (uint8_t *)calloc(face_count + 1, 1);
    if (!edges || !scratch || !corner_parent || !fan_vertex || !result || !claimed || !detached) {
        free(edges); free(scratch); free(corner_parent); free(fan_vertex); free(result); free(claimed); free(detached);
        if (out) *out = stats;
        return (size_t)-1;
    }
    int bits = pf_vertex_bits(vertex_count);
    size_t edge_total = pf_collect_edges(indices, face_count, bits, edges);
    pf_edge *sorted = pf_sort_edges(edges, scratch, edge_total, 2 * bits);
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && sorted[j].key == sorted[i].key) j++;
        if (j - i > 2) stats.nonmanifold_edges++;
        i = j;
    }

    size_t added = 0;
    for (int round = 0; round < 4; ++round) {
        stats.split_vertices = 0;
        added = assign_fans(indices, result, face_count, vertex_count, sorted, edge_total, detached, corner_parent,
                            fan_vertex, claimed, new_vertex_source, &stats);
        if (stats.nonmanifold_edges == 0) break;
        /* Check: edges of the result with three or more faces. Detached faces get their own corners. */
        size_t new_count = vertex_count + added;
        int new_bits = pf_vertex_bits(new_count);
        pf_edge *check_in = sorted == edges ? scratch : edges;
        /* `sorted` stays intact for the next round; the check sorts in the other buffer. */
        pf_edge *tmp = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
        if (!tmp) break;
        size_t n = pf_collect_edges(result, face_count, new_bits, check_in);
        pf_edge *check = pf_sort_edges(check_in, tmp, n, 2 * new_bits);
        size_t fixed = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && check[j].key == check[i].key) j++;
            for (size_t x = i + 2; j - i > 2 && x < j; ++x) {
                if (!detached[check[x].face]) { detached[check[x].face] = 1; stats.detached_faces++; fixed++; }
            }
            i = j;
        }
        free(tmp);
        if (fixed == 0) break;
        if (round == 3) {
            stats.split_vertices = 0;
            added = assign_fans(indices, result, face_count, vertex_count, sorted, edge_total, detached, corner_parent,
                                fan_vertex, claimed, new_vertex_source, &stats);
        }
    }
    memcpy(indices, result, face_count * 3 * sizeof(uint32_t));
    stats.added_vertices = added;
    free(edges); free(scratch); free(corner_parent); free(fan_vertex); free(result); free(claimed); free(detached);
    if (out) *out = stats;
    return vertex_count + added;
}
