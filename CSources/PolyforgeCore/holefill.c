#include "polyforge_core.h"
#include "core_common.h"

/* Hole filling without new vertices. Boundary edges (one face) are traced into loops by following, from each
 * edge's end vertex, an unused boundary edge that starts there. A loop is filled with the reverse of its
 * direction, so the fill's winding continues the surface's. Triangulation:
 *  - when the loop is planar enough (largest distance from its Newell plane below half the square root of its
 *    area) and its projection onto that plane is a simple polygon, ear clipping in the plane, best-shaped ear
 *    first: the fill cannot overlap itself;
 *  - otherwise, or when ear clipping yields a zero-area triangle, Liepa's minimum-area triangulation by
 *    dynamic programming over the loop (loops up to PF_DP_MAX edges).
 * Neither may add an edge the mesh already has (that would make it non-manifold) or a zero-area triangle. */

enum { PF_DP_MAX = 256 };

typedef struct {
    const float *positions;
    const uint64_t *keys; /* sorted distinct undirected edge keys of the mesh */
    size_t key_count;
    int bits;
    double *xy;           /* projected loop, 2 per vertex */
    uint32_t *prev, *next;
    uint8_t *ear;
    double *cost;         /* DP tables, PF_DP_MAX^2 each */
    uint16_t *split;
    uint32_t *stack;
} fill_scratch;

static int edge_exists(const fill_scratch *s, uint32_t a, uint32_t b) {
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t key = ((uint64_t)lo << s->bits) | hi;
    size_t l = 0, h = s->key_count;
    while (l < h) {
        size_t m = (l + h) / 2;
        if (s->keys[m] < key) l = m + 1; else h = m;
    }
    return l < s->key_count && s->keys[l] == key;
}

static double cross2(const double *a, const double *b, const double *c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

static int segments_cross(const double *a, const double *b, const double *c, const double *d) {
    double d1 = cross2(a, b, c), d2 = cross2(a, b, d), d3 = cross2(c, d, a), d4 = cross2(c, d, b);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 1;
    /* Touching or collinear overlap counts as crossing: the projection is then not a simple polygon. */
    if (d1 == 0 && d2 == 0) {
        for (int k = 0; k < 2; ++k) {
            double lo = a[k] < b[k] ? a[k] : b[k], hi = a[k] < b[k] ? b[k] : a[k];
            double lo2 = c[k] < d[k] ? c[k] : d[k], hi2 = c[k] < d[k] ? d[k] : c[k];
            if (hi < lo2 || hi2 < lo) return 0;
        }
        return 1;
    }
    return 0;
}

static int is_ear(const fill_scratch *s, const uint32_t *w, uint32_t i, double eps) {
    uint32_t a = s->prev[i], c = s->next[i];
    const double *pa = s->xy + 2 * a, *pb = s->xy + 2 * i, *pc = s->xy + 2 * c;
    if (cross2(pa, pb, pc) <= eps) return 0;
    if (edge_exists(s, w[a], w[c])) return 0;
    for (uint32_t j = s->next[c]; j != a; j = s->next[j]) {
        const double *p = s->xy + 2 * j;
        if (cross2(pa, pb, p) >= 0 && cross2(pb, pc, p) >= 0 && cross2(pc, pa, p) >= 0) return 0;
    }
    return 1;
}

static double ear_quality(const fill_scratch *s, uint32_t i) {
    const double *pa = s->xy + 2 * s->prev[i], *pb = s->xy + 2 * i, *pc = s->xy + 2 * s->next[i];
    double l = 0;
    const double *p[3] = {pa, pb, pc};
    for (int k = 0; k < 3; ++k) {
        double dx = p[(k + 1) % 3][0] - p[k][0], dy = p[(k + 1) % 3][1] - p[k][1];
        l += dx * dx + dy * dy;
    }
    return l > 0 ? cross2(pa, pb, pc) / l : 0;
}

/* Ear clipping of the projected loop; returns triangles written, or 0 when it fails. */
static size_t ear_clip(fill_scratch *s, const uint32_t *w, size_t n, double eps, uint32_t *tris) {
    for (size_t i = 0; i < n; ++i) { s->prev[i] = (uint32_t)(i == 0 ? n - 1 : i - 1); s->next[i] = (uint32_t)(i + 1 == n ? 0 : i + 1); }
    for (size_t i = 0; i < n; ++i) s->ear[i] = (uint8_t)is_ear(s, w, (uint32_t)i, eps);
    size_t remaining = n, t = 0;
    uint32_t start = 0;
    while (remaining > 3) {
        uint32_t best = PF_NONE;
        double best_q = -1;
        uint32_t i = start;
        for (size_t k = 0; k < remaining; ++k, i = s->next[i]) {
            if (!s->ear[i]) continue;
            double q = ear_quality(s, i);
            if (q > best_q) { best_q = q; best = i; }
        }
        if (best == PF_NONE) return 0;
        uint32_t a = s->prev[best], c = s->next[best];
        tris[3 * t] = a; tris[3 * t + 1] = best; tris[3 * t + 2] = c;
        t++;
        s->next[a] = c; s->prev[c] = a;
        remaining--;
        start = a;
        s->ear[a] = (uint8_t)is_ear(s, w, a, eps);
        s->ear[c] = (uint8_t)is_ear(s, w, c, eps);
    }
    uint32_t a = s->prev[start], b = start, c = s->next[start];
    if (cross2(s->xy + 2 * a, s->xy + 2 * b, s->xy + 2 * c) <= eps) return 0;
    tris[3 * t] = a; tris[3 * t + 1] = b; tris[3 * t + 2] = c;
    return t + 1;
}

/* Minimum-area triangulation (Liepa 2003, without the dihedral term); returns triangles written, or 0. */
static size_t min_area(fill_scratch *s, const uint32_t *w, size_t n, uint32_t *tris) {
    const double INF = 1e300;
    for (size_t i = 0; i + 1 < n; ++i) s->cost[i * n + i + 1] = 0;
    for (size_t len = 2; len < n; ++len) {
        for (size_t i = 0; i + len < n; ++i) {
            size_t j = i + len;
            double best = INF;
            uint16_t arg = 0;
            int chord_ok = (i == 0 && j == n - 1) || !edge_exists(s, w[i], w[j]);
            if (chord_ok) {
                for (size_t m = i + 1; m < j; ++m) {
                    double c = s->cost[i * n + m] + s->cost[m * n + j];
                    if (c >= best) continue;
                    if (pf_zero_area(s->positions, w[i], w[m], w[j])) continue;
                    c += pf_triangle_area(s->positions, w[i], w[m], w[j]);
                    if (c < best) { best = c; arg = (uint16_t)m; }
                }
            }
            s->cost[i * n + j] = best;
            s->split[i * n + j] = arg;
        }
    }
    if (s->cost[n - 1] >= INF) return 0;
    size_t t = 0, top = 0;
    s->stack[top++] = 0; s->stack[top++] = (uint32_t)(n - 1);
    while (top) {
        uint32_t j = s->stack[--top], i = s->stack[--top];
        if (j - i < 2) continue;
        uint32_t m = s->split[i * n + j];
        tris[3 * t] = i; tris[3 * t + 1] = m; tris[3 * t + 2] = j;
        t++;
        s->stack[top++] = i; s->stack[top++] = m;
        s->stack[top++] = m; s->stack[top++] = j;
    }
    return t;
}

/* Triangulates loop w (n >= 3). Returns triangles written, or 0 with *reason set (1 degenerate, 2 no valid
 * triangulation, 3 too far from planar for the loop's size). */
static size_t triangulate(fill_scratch *s, const uint32_t *w, size_t n, uint32_t *tris, int *reason) {
    const float *P = s->positions;
    double c[3] = {0, 0, 0};
    for (size_t i = 0; i < n; ++i) for (int d = 0; d < 3; ++d) c[d] += P[3 * (size_t)w[i] + d];
    for (int d = 0; d < 3; ++d) c[d] /= (double)n;
    double N[3] = {0, 0, 0}, perimeter = 0;
    for (size_t i = 0; i < n; ++i) {
        const float *a = P + 3 * (size_t)w[i], *b = P + 3 * (size_t)w[(i + 1) % n];
        double ax = a[0] - c[0], ay = a[1] - c[1], az = a[2] - c[2], bx = b[0] - c[0], by = b[1] - c[1], bz = b[2] - c[2];
        N[0] += ay * bz - az * by; N[1] += az * bx - ax * bz; N[2] += ax * by - ay * bx;
        perimeter += sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay) + (bz - az) * (bz - az));
    }
    double len = sqrt(N[0] * N[0] + N[1] * N[1] + N[2] * N[2]);
    if (perimeter == 0) { *reason = 1; return 0; }
    if (len > 1e-9 * perimeter * perimeter) {
        double nx = N[0] / len, ny = N[1] / len, nz = N[2] / len;
        double deviation = 0;
        for (size_t i = 0; i < n; ++i) {
            const float *a = P + 3 * (size_t)w[i];
            double d = fabs((a[0] - c[0]) * nx + (a[1] - c[1]) * ny + (a[2] - c[2]) * nz);
            if (d > deviation) deviation = d;
        }
        if (deviation <= 0.5 * sqrt(0.5 * len)) {
            /* Basis (u, v) with u x v = n, so the loop runs counter-clockwise in the plane. */
            double u[3];
            if (fabs(nx) < 0.9) { u[0] = 0; u[1] = nz; u[2] = -ny; } else { u[0] = -nz; u[1] = 0; u[2] = nx; }
            double ul = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            for (int d = 0; d < 3; ++d) u[d] /= ul;
            double v[3] = {ny * u[2] - nz * u[1], nz * u[0] - nx * u[2], nx * u[1] - ny * u[0]};
            for (size_t i = 0; i < n; ++i) {
                const float *a = P + 3 * (size_t)w[i];
                double x = a[0] - c[0], y = a[1] - c[1], z = a[2] - c[2];
                s->xy[2 * i] = x * u[0] + y * u[1] + z * u[2];
                s->xy[2 * i + 1] = x * v[0] + y * v[1] + z * v[2];
            }
            int simple = 1;
            for (size_t i = 0; i < n && simple; ++i)
                for (size_t j = i + 2; j < n && simple; ++j) {
                    if (i == 0 && j == n - 1) continue;
                    if (segments_cross(s->xy + 2 * i, s->xy + 2 * ((i + 1) % n), s->xy + 2 * j, s->xy + 2 * ((j + 1) % n))) simple = 0;
                }
            if (simple) {
                size_t t = ear_clip(s, w, n, 1e-12 * perimeter * perimeter, tris);
                int ok = t == n - 2;
                for (size_t k = 0; k < t && ok; ++k)
                    if (pf_zero_area(P, w[tris[3 * k]], w[tris[3 * k + 1]], w[tris[3 * k + 2]])) ok = 0;
                if (ok) return t;
            }
        } else if (n > PF_DP_MAX) {
            *reason = 3;
            return 0;
        }
    } else if (n > PF_DP_MAX) {
        *reason = 1;
        return 0;
    }
    if (n > PF_DP_MAX) { *reason = 2; return 0; }
    size_t t = min_area(s, w, n, tris);
    if (t != n - 2) { *reason = len > 1e-9 * perimeter * perimeter ? 2 : 1; return 0; }
    return t;
}

size_t pf_fill_holes(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                     size_t max_edges, uint32_t *fill_indices, uint32_t *fill_corner_source, size_t fill_capacity,
                     pf_hole_fill_result *out) {
    pf_hole_fill_result stats;
    memset(&stats, 0, sizeof(stats));
    const size_t face_count = index_count / 3;
    pf_edge *edges = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    pf_edge *scratch = (pf_edge *)malloc((face_count * 3 + 1) * sizeof(pf_edge));
    uint32_t *first = (uint32_t *)calloc(vertex_count + 2, sizeof(uint32_t));
    uint32_t *stamp = (uint32_t *)malloc((vertex_count + 1) * sizeof(uint32_t));
    if (!edges || !scratch || !first || !stamp) {
        free(edges); free(scratch); free(first); free(stamp);
        if (out) *out = stats;
        return (size_t)-1;
    }
    int bits;
    size_t n;
    pf_edge *sorted = pf_group_edges(indices, face_count, vertex_count, edges, scratch, &bits, &n);
    if (!sorted) {
        free(edges); free(scratch); free(first); free(stamp);
        if (out) *out = stats;
        return (size_t)-1;
    }
    pf_edge *spare = sorted == edges ? scratch : edges;
    /* Distinct keys go into the spare buffer's memory (8 bytes each fit in 16); boundary edges after them. */
    uint64_t *keys = (uint64_t *)spare;
    size_t key_count = 0, boundary = 0;
    pf_edge *bedges = sorted; /* compacted in place: boundary records overwrite the sorted prefix */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sorted[j].key == sorted[i].key) j++;
        keys[key_count++] = sorted[i].key;
        if (j - i == 1) bedges[boundary++] = sorted[i];
        i = j;
    }
    /* Start vertex of boundary edge b, its end, and its corner. CSR of boundary edges by start vertex. */
    #define BSTART(e) indices[3 * (size_t)(e).face + (e).corner]
    #define BEND(e) indices[3 * (size_t)(e).face + ((e).corner + 1) % 3]
    for (size_t b = 0; b < boundary; ++b) first[BSTART(bedges[b]) + 1]++;
    for (size_t v = 0; v < vertex_count; ++v) first[v + 1] += first[v];
    uint32_t *by_start = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    uint8_t *used = (uint8_t *)calloc(boundary + 1, 1);
    uint32_t *loop = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    uint32_t *loop_corner = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    uint32_t *loop_face = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    uint32_t *w = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    uint32_t *tris = (uint32_t *)malloc((3 * boundary + 3) * sizeof(uint32_t));
    fill_scratch s;
    s.positions = positions; s.keys = keys; s.key_count = key_count; s.bits = bits;
    s.xy = (double *)malloc((2 * boundary + 2) * sizeof(double));
    s.prev = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    s.next = (uint32_t *)malloc((boundary + 1) * sizeof(uint32_t));
    s.ear = (uint8_t *)malloc(boundary + 1);
    s.cost = (double *)malloc(PF_DP_MAX * PF_DP_MAX * sizeof(double));
    s.split = (uint16_t *)malloc(PF_DP_MAX * PF_DP_MAX * sizeof(uint16_t));
    s.stack = (uint32_t *)malloc(4 * PF_DP_MAX * sizeof(uint32_t));
    size_t written = 0;
    if (by_start && used && loop && loop_corner && loop_face && w && tris && s.xy && s.prev && s.next && s.ear && s.cost && s.split && s.stack) {
        for (size_t v = 0; v < vertex_count; ++v) stamp[v] = first[v];
        for (size_t b = 0; b < boundary; ++b) by_start[stamp[BSTART(bedges[b])]++] = (uint32_t)b;
        for (size_t v = 0; v < vertex_count; ++v) stamp[v] = PF_NONE;
        for (size_t b0 = 0; b0 < boundary; ++b0) {
            if (used[b0]) continue;
            size_t len = 0;
            int broken = 0, pinched = 0;
            uint32_t b = (uint32_t)b0, origin = BSTART(bedges[b0]);
            for (;;) {
                used[b] = 1;
                uint32_t a = BSTART(bedges[b]);
                if (stamp[a] == (uint32_t)b0) pinched = 1;
                stamp[a] = (uint32_t)b0;
                loop[len] = a;
                loop_corner[len] = 3 * bedges[b].face + bedges[b].corner;
                loop_face[len] = bedges[b].face;
                len++;
                uint32_t e = BEND(bedges[b]);
                if (e == origin) break;
                uint32_t nb = PF_NONE;
                for (uint32_t k = first[e]; k < first[e + 1]; ++k) if (!used[by_start[k]]) { nb = by_start[k]; break; }
                if (nb == PF_NONE) { broken = 1; break; }
                b = nb;
            }
            stats.loops++;
            int reason = 0;
            if (broken || pinched) reason = 4;
            else if (len > max_edges) reason = 5;
            else if (len < 3) reason = 1;
            else if (len == 3 && loop_face[0] == loop_face[1] && loop_face[1] == loop_face[2]) reason = 6;
            size_t t = 0;
            if (!reason) {
                for (size_t i = 0; i < len; ++i) w[i] = loop[len - 1 - i];
                t = triangulate(&s, w, len, tris, &reason);
                if (t && written + 3 * t > fill_capacity) { t = 0; reason = 7; }
            }
            if (!t) {
                switch (reason) {
                case 1: stats.open_degenerate++; break;
                case 2: stats.open_no_triangulation++; break;
                case 3: stats.open_not_planar++; break;
                case 4: stats.open_not_simple++; break;
                case 5: stats.open_too_large++; break;
                case 6: stats.open_single_face++; break;
                default: stats.open_capacity++; break;
                }
                if (len > stats.largest_open_loop) stats.largest_open_loop = len;
                continue;
            }
            for (size_t k = 0; k < 3 * t; ++k) {
                uint32_t local = tris[k];
                fill_indices[written + k] = w[local];
                if (fill_corner_source) fill_corner_source[written + k] = loop_corner[len - 1 - local];
            }
            written += 3 * t;
            stats.filled_loops++;
            stats.filled_triangles += t;
        }
    }
    #undef BSTART
    #undef BEND
    free(by_start); free(used); free(loop); free(loop_corner); free(loop_face); free(w); free(tris);
    free(s.xy); free(s.prev); free(s.next); free(s.ear); free(s.cost); free(s.split); free(s.stack);
    free(edges); free(scratch); free(first); free(stamp);
    if (out) *out = stats;
    return written;
}
