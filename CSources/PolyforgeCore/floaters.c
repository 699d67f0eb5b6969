#include "polyforge_core.h"
#include "core_common.h"

/* Components by shared vertices (union-find over each face's corners), so pieces that touch at a single vertex
 * count as one: the conservative choice for deleting geometry. */

size_t pf_remove_floaters(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                          float fraction_of_total_area, float fraction_of_largest, int open_only, uint32_t *corner_source,
                          pf_floater_result *out) {
    pf_floater_result stats;
    memset(&stats, 0, sizeof(stats));
    const size_t face_count = index_count / 3;
    uint32_t *parent = (uint32_t *)malloc((vertex_count + 1) * sizeof(uint32_t));
    double *area = (double *)calloc(vertex_count + 1, sizeof(double));
    if (!parent || !area) {
        free(parent); free(area);
        if (out) *out = stats;
        return (size_t)-1;
    }
    for (size_t v = 0; v < vertex_count; ++v) parent[v] = (uint32_t)v;
    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        pf_uf_union(parent, v[0], v[1]);
        pf_uf_union(parent, v[1], v[2]);
    }
    double total = 0;
    for (size_t f = 0; f < face_count; ++f) {
        const uint32_t *v = indices + 3 * f;
        double a = pf_triangle_area(positions, v[0], v[1], v[2]);
        if (!(a == a)) a = 0; /* NaN from non-finite corners */
        area[pf_uf_find(parent, v[0])] += a;
        total += a;
    }
    double largest = -1;
    uint32_t largest_root = PF_NONE;
    /* Count components that have faces. */
    uint8_t *has_face = (uint8_t *)calloc(vertex_count + 1, 1);
    if (has_face) {
        for (size_t f = 0; f < face_count; ++f) has_face[pf_uf_find(parent, indices[3 * f])] = 1;
        for (size_t v = 0; v < vertex_count; ++v) {
            if (parent[v] != v || !has_face[v]) continue;
            stats.components++;
            if (area[v] > largest) { largest = area[v]; largest_root = (uint32_t)v; }
        }
        if (open_only) {
            /* Components with a boundary edge (one face) are marked 3; only those may go. */
            pf_edge *edges = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
            pf_edge *scratch = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
            if (edges && scratch) {
                int bits;
                size_t n;
                pf_edge *sorted = pf_group_edges(indices, face_count, vertex_count, edges, scratch, &bits, &n);
                for (size_t i = 0; sorted && i < n;) {
                    size_t j = i + 1;
                    while (j < n && sorted[j].key == sorted[i].key) j++;
                    if (j - i == 1) has_face[pf_uf_find(parent, indices[3 * (size_t)sorted[i].face])] = 3;
                    i = j;
                }
            }
            free(edges); free(scratch);
        }
        for (size_t v = 0; v < vertex_count; ++v) {
            if (parent[v] != v || !has_face[v] || v == largest_root) continue;
            if (open_only && has_face[v] != 3) continue;
            int small = (fraction_of_total_area > 0 && area[v] < (double)fraction_of_total_area * total) ||
                        (fraction_of_largest > 0 && area[v] < (double)fraction_of_largest * largest);
            if (small) { stats.removed_components++; stats.removed_area += area[v]; has_face[v] = 2; }
        }
    }
    size_t kept = 0;
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t root = pf_uf_find(parent, indices[3 * f]);
        if (has_face && has_face[root] == 2) { stats.removed_faces++; continue; }
        for (int e = 0; e < 3; ++e) {
            indices[3 * kept + e] = indices[3 * f + e];
            if (corner_source) corner_source[3 * kept + e] = (uint32_t)(3 * f + e);
        }
        kept++;
    }
    stats.total_area = total;
    free(parent); free(area); free(has_face);
    if (out) *out = stats;
    return kept * 3;
}
