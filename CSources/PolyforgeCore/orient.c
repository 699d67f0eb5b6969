#include "polyforge_core.h"
#include "core_common.h"

/* Consistent winding by breadth-first search over two-face edges: a neighbour keeps the current face's
 * orientation when they run their shared edge in opposite directions and takes the other one otherwise.
 * Then each component is turned as a whole: closed shells (every edge of every face shared by exactly two
 * faces) outward by the sign of their volume, open patches towards the orientation most of their area has. */

size_t pf_orient(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                 uint8_t *face_flipped, uint8_t *corner_conflict, pf_orient_result *out) {
    pf_orient_result stats;
    memset(&stats, 0, sizeof(stats));
    const size_t face_count = index_count / 3;
    pf_edge *edges = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    pf_edge *scratch = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    uint32_t *neighbour = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t)); /* face across each edge, top bit: same direction */
    uint32_t *queue = (uint32_t *)malloc((face_count + 1) * sizeof(uint32_t));
    uint8_t *state = (uint8_t *)calloc(face_count + 1, 1); /* bit 0 visited, bit 1 flip, bit 2 open edge */
    if (!edges || !scratch || !neighbour || !queue || !state) {
        free(edges); free(scratch); free(neighbour); free(queue); free(state);
        if (out) *out = stats;
        return (size_t)-1;
    }
    int bits;
    size_t n;
    pf_edge *sorted = pf_group_edges(indices, face_count, vertex_count, edges, scratch, &bits, &n);
    if (!sorted) {
        free(edges); free(scratch); free(neighbour); free(queue); free(state);
        if (out) *out = stats;
        return (size_t)-1;
    }
    for (size_t c = 0; c < face_count * 3; ++c) neighbour[c] = PF_NONE;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sorted[j].key == sorted[i].key) j++;
        if (j - i == 2 && sorted[i].face != sorted[i + 1].face) {
            const pf_edge *a = &sorted[i], *b = &sorted[i + 1];
            uint32_t same = a->forward == b->forward ? 0x80000000u : 0;
            neighbour[3 * a->face + a->corner] = b->face | same;
            neighbour[3 * b->face + b->corner] = a->face | same;
        } else {
            for (size_t x = i; x < j; ++x) state[sorted[x].face] |= 4;
        }
        i = j;
    }
    free(edges); free(scratch);

    size_t flipped = 0;
    if (corner_conflict) memset(corner_conflict, 0, face_count * 3);
    for (size_t seed = 0; seed < face_count; ++seed) {
        if (state[seed] & 1) continue;
        const uint32_t *sv = indices + 3 * seed;
        state[seed] |= 1;
        if (!pf_face_is_proper(sv)) continue;
        stats.components++;
        size_t head = 0, tail = 0;
        queue[tail++] = (uint32_t)seed;
        int closed = 1;
        while (head < tail) {
            uint32_t f = queue[head++];
            if (state[f] & 4) closed = 0;
            for (int e = 0; e < 3; ++e) {
                uint32_t nb = neighbour[3 * (size_t)f + e];
                if (nb == PF_NONE) { closed = 0; continue; }
                uint32_t g = nb & 0x7FFFFFFFu;
                uint8_t want = (uint8_t)(((state[f] >> 1) & 1) ^ (nb >> 31));
                if (state[g] & 1) {
                    if (((state[g] >> 1) & 1) != want) {
                        /* Both faces come across the edge; count it once. */
                        if (f < g) stats.conflicting_edges++;
                        if (corner_conflict) {
                            /* Both faces' corners on this edge; remapped for flips below. */
                            corner_conflict[3 * (size_t)f + e] = 1;
                            const uint32_t *fv = indices + 3 * (size_t)f, *gv = indices + 3 * (size_t)g;
                            uint32_t a = fv[e], b = fv[(e + 1) % 3];
                            for (int k = 0; k < 3; ++k)
                                if ((gv[k] == a && gv[(k + 1) % 3] == b) || (gv[k] == b && gv[(k + 1) % 3] == a)) corner_conflict[3 * (size_t)g + k] = 1;
                        }
                    }
                    continue;
                }
                state[g] |= (uint8_t)(1 | (want << 1));
                queue[tail++] = g;
            }
        }
        /* Turn the component as a whole: by volume when closed, by majority area otherwise. */
        double volume = 0, flipped_area = 0, kept_area = 0;
        const float *origin = positions ? positions + 3 * (size_t)sv[0] : NULL;
        for (size_t q = 0; q < tail && positions; ++q) {
            uint32_t f = queue[q];
            const uint32_t *v = indices + 3 * (size_t)f;
            int flip = (state[f] >> 1) & 1;
            if (closed) {
                double p[3][3];
                for (int k = 0; k < 3; ++k)
                    for (int d = 0; d < 3; ++d) p[k][d] = (double)positions[3 * (size_t)v[k] + d] - origin[d];
                double det = p[0][0] * (p[1][1] * p[2][2] - p[1][2] * p[2][1]) - p[0][1] * (p[1][0] * p[2][2] - p[1][2] * p[2][0]) +
                             p[0][2] * (p[1][0] * p[2][1] - p[1][1] * p[2][0]);
                volume += flip ? -det : det;
            } else {
                double a = pf_triangle_area(positions, v[0], v[1], v[2]);
                if (flip) flipped_area += a; else kept_area += a;
            }
        }
        int invert = closed ? volume < 0 : flipped_area > kept_area;
        if (closed) {
            stats.closed_components++;
            if (invert) stats.inverted_components++;
        }
        for (size_t q = 0; q < tail; ++q) {
            uint32_t f = queue[q];
            int flip = ((state[f] >> 1) & 1) ^ invert;
            if (face_flipped) face_flipped[f] = (uint8_t)flip;
            if (flip) {
                uint32_t *v = indices + 3 * (size_t)f;
                uint32_t t = v[1]; v[1] = v[2]; v[2] = t;
                /* Edge k ran v[k] -> v[k+1]; after the swap, edge 0 is the old edge 2 and edge 2 the old edge 0. */
                if (corner_conflict) {
                    uint8_t *c = corner_conflict + 3 * (size_t)f;
                    uint8_t x = c[0]; c[0] = c[2]; c[2] = x;
                }
                flipped++;
            }
        }
    }
    if (face_flipped)
        for (size_t f = 0; f < face_count; ++f) if (!pf_face_is_proper(indices + 3 * f)) face_flipped[f] = 0;
    stats.flipped_faces = flipped;
    free(neighbour); free(queue); free(state);
    if (out) *out = stats;
    return flipped;
}
