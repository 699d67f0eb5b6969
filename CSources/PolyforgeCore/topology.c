#include "polyforge_core.h"
#include "core_common.h"

/* Edge analysis by grouping: every directed edge of every proper triangle becomes (undirected key, face, corner,
 * direction); pf_sort_edges groups equal keys, and each group's size says boundary (1), manifold (2) or
 * non-manifold (3+). Union-find then gives components (faces joined across two-face edges, as trimesh counts them),
 * boundary loops (vertices joined along boundary edges) and fans (face corners joined around each vertex). */

typedef struct { uint32_t a, b, c; } face_key;

static size_t count_duplicate_faces(const uint32_t *indices, size_t face_count) {
    size_t capacity = 16;
    while (capacity < face_count * 2) capacity <<= 1;
    face_key *table = (face_key *)malloc(capacity * sizeof(face_key));
    if (!table) return 0;
    memset(table, 0xFF, capacity * sizeof(face_key));
    size_t duplicates = 0;
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t v[3] = {indices[3 * f], indices[3 * f + 1], indices[3 * f + 2]};
        if (v[0] > v[1]) { uint32_t t = v[0]; v[0] = v[1]; v[1] = t; }
        if (v[1] > v[2]) { uint32_t t = v[1]; v[1] = v[2]; v[2] = t; }
        if (v[0] > v[1]) { uint32_t t = v[0]; v[0] = v[1]; v[1] = t; }
        size_t i = (size_t)pf_hash3(v[0], v[1], v[2]) & (capacity - 1);
        for (;;) {
            face_key *s = &table[i];
            if (s->a == PF_NONE && s->b == PF_NONE && s->c == PF_NONE) { s->a = v[0]; s->b = v[1]; s->c = v[2]; break; }
            if (s->a == v[0] && s->b == v[1] && s->c == v[2]) { duplicates++; break; }
            i = (i + 1) & (capacity - 1);
        }
    }
    free(table);
    return duplicates;
}

int pf_analyze_topology(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        pf_topology *out, uint32_t *face_component) {
    memset(out, 0, sizeof(*out));
    const size_t face_count = index_count / 3;
    out->triangle_count = face_count;

    pf_edge *edges = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    pf_edge *scratch = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    uint32_t *face_parent = (uint32_t *)malloc((face_count + 1) * sizeof(uint32_t));
    uint32_t *corner_parent = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint32_t *vertex_parent = (uint32_t *)malloc((vertex_count + 1) * sizeof(uint32_t));
    uint32_t *fans = (uint32_t *)calloc(vertex_count + 1, sizeof(uint32_t));
    uint8_t *vertex_flags = (uint8_t *)calloc(vertex_count + 1, 1);
    uint8_t *face_proper = (uint8_t *)malloc(face_count + 1);
    if (!edges || !scratch || !face_parent || !corner_parent || !vertex_parent || !fans || !vertex_flags || !face_proper) {
        free(edges); free(scratch); free(face_parent); free(corner_parent); free(vertex_parent); free(fans); free(vertex_flags); free(face_proper);
        return -1;
    }
    int vertex_bits;

    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        face_parent[f] = (uint32_t)f;
        for (int k = 0; k < 3; ++k) { corner_parent[3 * f + k] = (uint32_t)(3 * f + k); vertex_flags[v[k]] |= 1; }
        face_proper[f] = (uint8_t)pf_face_is_proper(v);
        if (!face_proper[f] || (positions && pf_zero_area(positions, v[0], v[1], v[2]))) out->degenerate_face_count++;
    }
    for (size_t v = 0; v < vertex_count; ++v) {
        vertex_parent[v] = (uint32_t)v;
        out->referenced_vertex_count += vertex_flags[v] & 1;
    }

    size_t edge_total = 0;
    pf_edge *sorted = pf_group_edges(indices, face_count, vertex_count, edges, scratch, &vertex_bits, &edge_total);
    if (!sorted) {
        free(edges); free(scratch); free(face_parent); free(corner_parent); free(vertex_parent); free(fans); free(vertex_flags); free(face_proper);
        return -1;
    }

    const uint64_t lo_mask = ((uint64_t)1 << vertex_bits) - 1;
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && sorted[j].key == sorted[i].key) j++;
        uint32_t lo = (uint32_t)(sorted[i].key >> vertex_bits), hi = (uint32_t)(sorted[i].key & lo_mask);
        out->edge_count++;
        if (j - i == 1) {
            out->boundary_edge_count++;
            pf_uf_union(vertex_parent, lo, hi);
            vertex_flags[lo] |= 2;
            vertex_flags[hi] |= 2;
        } else if (j - i == 2) {
            const pf_edge *e = &sorted[i], *g = &sorted[i + 1];
            if (e->forward == g->forward) out->inconsistent_edge_count++;
            pf_uf_union(face_parent, e->face, g->face);
            /* An edge starting at corner k runs v[k] -> v[k+1]: `forward` says which end is the low vertex. */
            uint32_t e_lo = 3 * e->face + (e->forward ? e->corner : (e->corner + 1) % 3);
            uint32_t e_hi = 3 * e->face + (e->forward ? (e->corner + 1) % 3 : e->corner);
            uint32_t g_lo = 3 * g->face + (g->forward ? g->corner : (g->corner + 1) % 3);
            uint32_t g_hi = 3 * g->face + (g->forward ? (g->corner + 1) % 3 : g->corner);
            pf_uf_union(corner_parent, e_lo, g_lo);
            pf_uf_union(corner_parent, e_hi, g_hi);
        } else {
            out->nonmanifold_edge_count++;
        }
        i = j;
    }

    /* Fans: corners of proper faces still apart after joining across manifold edges. */
    for (size_t f = 0; f < face_count; ++f) {
        if (!face_proper[f]) continue;
        for (int k = 0; k < 3; ++k) {
            uint32_t c = (uint32_t)(3 * f + k);
            if (pf_uf_find(corner_parent, c) == c) fans[indices[c]]++;
        }
    }
    for (size_t v = 0; v < vertex_count; ++v) out->nonmanifold_vertex_count += fans[v] > 1;

    for (size_t v = 0; v < vertex_count; ++v)
        if ((vertex_flags[v] & 2) && pf_uf_find(vertex_parent, (uint32_t)v) == v) out->boundary_loop_count++;

    /* Components numbered by first face; a root is its component's smallest face. */
    uint32_t *ids = corner_parent; /* reuse: face_count ids fit in 3 * face_count slots */
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t root = pf_uf_find(face_parent, (uint32_t)f);
        if (root == f) ids[f] = (uint32_t)out->component_count++;
        else ids[f] = ids[root];
        if (face_component) face_component[f] = ids[f];
    }

    out->duplicate_face_count = count_duplicate_faces(indices, face_count);
    out->watertight = face_count > 0 && out->boundary_edge_count == 0 && out->nonmanifold_edge_count == 0;
    /* Faces with repeated indices have no edges; a mesh of them is not watertight either. */
    for (size_t f = 0; f < face_count && out->watertight; ++f) if (!face_proper[f]) out->watertight = 0;
    out->winding_consistent = out->inconsistent_edge_count == 0;

    free(edges); free(scratch); free(face_parent); free(corner_parent); free(vertex_parent); free(fans); free(vertex_flags); free(face_proper);
    return 0;
}
