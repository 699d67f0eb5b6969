#include "polyforge_core.h"
#include "core_common.h"

/* Manifold by vertex splitting. Edges are grouped by sorting; a two-face edge joins its faces, and an edge with
 * three or more faces joins them in pairs of opposite direction (the first face with the next unpaired face that
 * runs the edge the other way), leaving the rest unjoined. Corners joined across joined edges form the fans of
 * each vertex (union-find); the fan holding a vertex's first corner keeps the vertex, every other fan gets a
 * copy. Splitting can leave two pairs of one edge on the same two vertices when their fans meet elsewhere; a
 * check round finds those and detaches the extra faces, then the fans are computed again. */

static void join_pair(uint32_t *corner_parent, const pf_edge *a, const pf_edge *b) {
    uint32_t as = 3 * a->face + a->corner, ae = 3 * a->face + (a->corner + 1) % 3;
    uint32_t bs = 3 * b->face + b->corner, be = 3 * b->face + (b->corner + 1) % 3;
    if (a->forward != b->forward) { pf_uf_union(corner_parent, as, be); pf_uf_union(corner_parent, ae, bs); }
    else { pf_uf_union(corner_parent, as, bs); pf_uf_union(corner_parent, ae, be); }
}

/* Pairs the faces of an edge with three or more. With positions, faces are sorted by the angle of their third
 * vertex around the edge, and each face is paired with its angular neighbour on its inner side (against its
 * normal) when that one runs the edge the other way: the two faces bounding the same solid wedge. The rule is
 * local and geometric, so it pairs the same sheets all along a chain of non-manifold edges, which keeps the fans
 * of the chain's vertices apart. Faces left over pair in face order, opposite directions only. */
static void pair_around_edge(const uint32_t *indices, const float *positions, const pf_edge *group, size_t k,
                             const uint8_t *detached, uint32_t *corner_parent) {
    enum { MAX = 64 };
    size_t n = k < MAX ? k : MAX;
    uint8_t paired[MAX];
    memset(paired, 0, sizeof(paired));
    if (positions) {
        uint32_t lo = indices[3 * group[0].face + group[0].corner], hi = indices[3 * group[0].face + (group[0].corner + 1) % 3];
        if (!group[0].forward) { uint32_t t = lo; lo = hi; hi = t; }
        const float *pl = positions + 3 * (size_t)lo, *ph = positions + 3 * (size_t)hi;
        double e[3] = {ph[0] - pl[0], ph[1] - pl[1], ph[2] - pl[2]};
        double el = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        if (el > 0) {
            for (int d = 0; d < 3; ++d) e[d] /= el;
            double angle[MAX];
            uint8_t order[MAX];
            double u[3] = {0, 0, 0}, w[3] = {0, 0, 0};
            int have_basis = 0;
            for (size_t x = 0; x < n; ++x) {
                const pf_edge *r = &group[x];
                uint32_t c = indices[3 * r->face + (r->corner + 2) % 3];
                const float *pc = positions + 3 * (size_t)c;
                double d[3] = {pc[0] - pl[0], pc[1] - pl[1], pc[2] - pl[2]};
                double along = d[0] * e[0] + d[1] * e[1] + d[2] * e[2];
                for (int q = 0; q < 3; ++q) d[q] -= along * e[q];
                if (!have_basis) {
                    double dl = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                    if (dl > 0) {
                        for (int q = 0; q < 3; ++q) u[q] = d[q] / dl;
                        w[0] = e[1] * u[2] - e[2] * u[1]; w[1] = e[2] * u[0] - e[0] * u[2]; w[2] = e[0] * u[1] - e[1] * u[0];
                        have_basis = 1;
                    }
                }
                angle[x] = atan2(d[0] * w[0] + d[1] * w[1] + d[2] * w[2], d[0] * u[0] + d[1] * u[1] + d[2] * u[2]);
                order[x] = (uint8_t)x;
            }
            for (size_t x = 1; x < n; ++x) {
                uint8_t t = order[x];
                size_t y = x;
                while (y > 0 && angle[order[y - 1]] > angle[t]) { order[y] = order[y - 1]; y--; }
                order[y] = t;
            }
            /* Rotating a face's half-plane by +angle about lo->hi moves it along (hi-lo) x (c-lo): outward for a face
             * running lo->hi, so its inner neighbour is the previous one in angle; for the others, the next. */
            for (size_t x = 0; x < n; ++x) {
                size_t a = order[x];
                if (paired[a] || detached[group[a].face] || !group[a].forward) continue;
                size_t b = order[(x + n - 1) % n];
                if (paired[b] || detached[group[b].face] || group[b].forward) continue;
                join_pair(corner_parent, &group[a], &group[b]);
                paired[a] = paired[b] = 1;
            }
        }
    }
    int any = 0;
    for (size_t x = 0; x < n; ++x) any |= paired[x];
    for (size_t x = 0; x < n; ++x) {
        if (paired[x] || detached[group[x].face]) continue;
        for (size_t y = x + 1; y < n; ++y) {
            if (paired[y] || detached[group[y].face] || group[y].forward == group[x].forward) continue;
            join_pair(corner_parent, &group[x], &group[y]);
            paired[x] = paired[y] = 1;
            any = 1;
            break;
        }
    }
    if (!any) {
        /* All run the same way: join the first two (orient flips one later). */
        for (size_t x = 0; x < n && !any; ++x) {
            if (detached[group[x].face]) continue;
            for (size_t y = x + 1; y < n; ++y) {
                if (detached[group[y].face]) continue;
                join_pair(corner_parent, &group[x], &group[y]);
                any = 1;
                break;
            }
        }
    }
}

static size_t assign_fans(const uint32_t *indices, const float *positions, const uint8_t *cut, uint32_t *out_indices, size_t face_count, size_t vertex_count,
                          const pf_edge *edges, size_t edge_total, const uint8_t *detached, uint32_t *corner_parent,
                          uint32_t *fan_vertex, uint8_t *claimed, uint32_t *new_vertex_source, pf_manifold_result *stats) {
    for (size_t c = 0; c < face_count * 3; ++c) { corner_parent[c] = (uint32_t)c; fan_vertex[c] = PF_NONE; }
    memset(claimed, 0, vertex_count);
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && edges[j].key == edges[i].key) j++;
        size_t k = j - i;
        if (cut) {
            int any_cut = 0;
            for (size_t x = i; x < j; ++x) any_cut |= cut[3 * (size_t)edges[x].face + edges[x].corner];
            if (any_cut) { i = j; continue; }
        }
        if (k == 2) {
            if (!detached[edges[i].face] && !detached[edges[i + 1].face]) join_pair(corner_parent, &edges[i], &edges[i + 1]);
        } else if (k > 2) {
            pair_around_edge(indices, positions, edges + i, k, detached, corner_parent);
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

size_t pf_make_manifold(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        const uint8_t *corner_cut, uint32_t *new_vertex_source, pf_manifold_result *out) {
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
    int bits;
    size_t edge_total;
    pf_edge *sorted = pf_group_edges(indices, face_count, vertex_count, edges, scratch, &bits, &edge_total);
    if (!sorted) {
        free(edges); free(scratch); free(corner_parent); free(fan_vertex); free(result); free(claimed); free(detached);
        if (out) *out = stats;
        return (size_t)-1;
    }
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && sorted[j].key == sorted[i].key) j++;
        if (j - i > 2) stats.nonmanifold_edges++;
        i = j;
    }

    size_t added = 0;
    for (int round = 0; round < 4; ++round) {
        stats.split_vertices = 0;
        added = assign_fans(indices, positions, corner_cut, result, face_count, vertex_count, sorted, edge_total, detached, corner_parent,
                            fan_vertex, claimed, new_vertex_source, &stats);
        if (stats.nonmanifold_edges == 0) break;
        /* Check: only faces of an input edge with three or more can still share a vertex pair (fans only ever get
         * finer), so each such group is checked on its own. Faces past the second on one pair are detached. */
        size_t fixed = 0;
        for (size_t i = 0; i < edge_total;) {
            size_t j = i + 1;
            while (j < edge_total && sorted[j].key == sorted[i].key) j++;
            for (size_t x = i; j - i > 2 && x < j; ++x) {
                const pf_edge *e = &sorted[x];
                if (detached[e->face]) continue;
                uint32_t a = result[3 * e->face + e->corner], b = result[3 * e->face + (e->corner + 1) % 3];
                size_t same = 0;
                for (size_t y = i; y < x; ++y) {
                    const pf_edge *o = &sorted[y];
                    if (detached[o->face]) continue;
                    uint32_t c = result[3 * o->face + o->corner], d = result[3 * o->face + (o->corner + 1) % 3];
                    if ((a == c && b == d) || (a == d && b == c)) same++;
                }
                if (same >= 2) { detached[e->face] = 1; stats.detached_faces++; fixed++; }
            }
            i = j;
        }
        if (fixed == 0) break;
        if (round == 3) {
            stats.split_vertices = 0;
            added = assign_fans(indices, positions, corner_cut, result, face_count, vertex_count, sorted, edge_total, detached, corner_parent,
                                fan_vertex, claimed, new_vertex_source, &stats);
        }
    }
    memcpy(indices, result, face_count * 3 * sizeof(uint32_t));
    stats.added_vertices = added;
    free(edges); free(scratch); free(corner_parent); free(fan_vertex); free(result); free(claimed); free(detached);
    if (out) *out = stats;
    return vertex_count + added;
}
