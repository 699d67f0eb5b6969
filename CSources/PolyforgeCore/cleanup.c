#include "polyforge_core.h"
#include "core_common.h"

/* Face cleanup in three passes over a working copy of the faces:
 *  1. faces with a repeated index or a non-finite corner go;
 *  2. zero-area faces are resolved where the surface allows it: a cap (apex on the longest edge) splits the
 *     face across that edge at the apex, a needle (apex at an end of it) collapses its shortest edge; both
 *     keep the surface closed where dropping the face would open a slit. Rounds repeat while they make
 *     progress (at most 4); what is left is dropped;
 *  3. duplicate faces (same vertex set, either winding) keep their first copy.
 * Every face keeps, per corner, the input corner it came from, so callers can carry attributes along. */

typedef struct { uint64_t key; uint32_t degenerate; uint32_t neighbour; } cap_slot;

static int rotation_equal(const uint32_t *a, const uint32_t *b) {
    for (int r = 0; r < 3; ++r)
        if (a[0] == b[r] && a[1] == b[(r + 1) % 3] && a[2] == b[(r + 2) % 3]) return 1;
    return 0;
}

static int finite3(const float *p) { return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]); }

size_t pf_cleanup(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                  uint32_t *corner_source, pf_cleanup_result *out) {
    pf_cleanup_result stats;
    memset(&stats, 0, sizeof(stats));
    const size_t face_count = index_count / 3;
    uint32_t *source = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint8_t *alive = (uint8_t *)malloc(face_count + 1);
    uint32_t *vertex_remap = positions ? (uint32_t *)malloc((vertex_count + 1) * sizeof(uint32_t)) : NULL;
    if (!source || !alive || (positions && !vertex_remap)) {
        free(source); free(alive); free(vertex_remap);
        if (out) *out = stats;
        return (size_t)-1;
    }
    for (size_t c = 0; c < face_count * 3; ++c) source[c] = (uint32_t)c;

    for (size_t f = 0; f < face_count; ++f) {
        uint32_t *v = indices + 3 * f;
        alive[f] = 1;
        if (!pf_face_is_proper(v)) { alive[f] = 0; stats.repeated_index_faces++; continue; }
        if (positions && !(finite3(positions + 3 * (size_t)v[0]) && finite3(positions + 3 * (size_t)v[1]) &&
                           finite3(positions + 3 * (size_t)v[2]))) { alive[f] = 0; stats.nonfinite_faces++; }
    }

    if (positions) {
        for (size_t v = 0; v < vertex_count; ++v) vertex_remap[v] = (uint32_t)v;
        uint8_t *claimed = (uint8_t *)calloc(face_count + 1, 1);
        uint32_t *work = (uint32_t *)malloc((face_count + 1) * sizeof(uint32_t));
        uint8_t *touched = (uint8_t *)calloc(vertex_count + 1, 1); /* vertices in a collapse this round */
        for (int round = 0; round < 4 && claimed && work && touched; ++round) {
            size_t degenerate = 0;
            /* The area test is the costly part: flag in parallel, gather in order. */
            #pragma omp parallel for schedule(static) if (face_count > PF_PARALLEL_MIN)
            for (size_t f = 0; f < face_count; ++f) {
                const uint32_t *v = indices + 3 * f;
                claimed[f] = alive[f] && pf_zero_area(positions, v[0], v[1], v[2]);
            }
            for (size_t f = 0; f < face_count; ++f) if (claimed[f]) work[degenerate++] = (uint32_t)f;
            if (round == 0) stats.zero_area_faces = degenerate;
            if (degenerate == 0) break;
            int last = round == 3;
            size_t capacity = 16;
            while (capacity < degenerate * 2) capacity <<= 1;
            cap_slot *table = last ? NULL : (cap_slot *)malloc(capacity * sizeof(cap_slot));
            if (table) for (size_t i = 0; i < capacity; ++i) table[i].key = UINT64_MAX;
            memset(claimed, 0, face_count);
            int collapsed_any = 0;
            size_t progress = 0;
            for (size_t i = 0; i < degenerate; ++i) {
                uint32_t f = work[i];
                claimed[f] = 1;
            }
            for (size_t i = 0; i < degenerate; ++i) {
                uint32_t f = work[i];
                uint32_t *v = indices + 3 * f;
                if (!table) { alive[f] = 0; stats.zero_area_removed++; continue; }
                /* Longest edge p->q (corner k to k+1) and apex r. */
                int k = 0;
                double best = -1;
                for (int e = 0; e < 3; ++e) {
                    const float *a = positions + 3 * (size_t)v[e], *b = positions + 3 * (size_t)v[(e + 1) % 3];
                    double d = ((double)b[0] - a[0]) * ((double)b[0] - a[0]) + ((double)b[1] - a[1]) * ((double)b[1] - a[1]) +
                               ((double)b[2] - a[2]) * ((double)b[2] - a[2]);
                    if (d > best) { best = d; k = e; }
                }
                uint32_t p = v[k], q = v[(k + 1) % 3], r = v[(k + 2) % 3];
                const float *pp = positions + 3 * (size_t)p, *pq = positions + 3 * (size_t)q, *pr = positions + 3 * (size_t)r;
                double t = best > 0 ? (((double)pr[0] - pp[0]) * ((double)pq[0] - pp[0]) + ((double)pr[1] - pp[1]) * ((double)pq[1] - pp[1]) +
                                       ((double)pr[2] - pp[2]) * ((double)pq[2] - pp[2])) / best : 0;
                if (t < 1e-3 || t > 1 - 1e-3) {
                    /* Needle: collapse the apex into the nearer end (the shortest edge), once per vertex per round. */
                    uint32_t into = t < 0.5 ? p : q;
                    if (!touched[r] && !touched[into]) {
                        vertex_remap[r] = into;
                        touched[r] = touched[into] = 1;
                        collapsed_any = 1;
                        progress++;
                    }
                    continue;
                }
                /* Cap: find the face running q->p. */
                uint64_t key = ((uint64_t)q << 32) | p;
                size_t s = (size_t)pf_hash64(key) & (capacity - 1);
                while (table[s].key != UINT64_MAX && table[s].key != key) s = (s + 1) & (capacity - 1);
                if (table[s].key == UINT64_MAX) { table[s].key = key; table[s].degenerate = f; table[s].neighbour = PF_NONE; }
            }
            if (table) {
                for (size_t g = 0; g < face_count; ++g) {
                    if (!alive[g] || claimed[g]) continue;
                    const uint32_t *w = indices + 3 * g;
                    for (int e = 0; e < 3; ++e) {
                        uint64_t key = ((uint64_t)w[e] << 32) | w[(e + 1) % 3];
                        size_t s = (size_t)pf_hash64(key) & (capacity - 1);
                        while (table[s].key != UINT64_MAX && table[s].key != key) s = (s + 1) & (capacity - 1);
                        if (table[s].key == key && table[s].neighbour == PF_NONE) { table[s].neighbour = (uint32_t)g; claimed[g] = 1; break; }
                    }
                }
                for (size_t s = 0; s < capacity; ++s) {
                    if (table[s].key == UINT64_MAX) continue;
                    uint32_t f = table[s].degenerate, g = table[s].neighbour;
                    uint32_t q = (uint32_t)(table[s].key >> 32), p = (uint32_t)table[s].key;
                    uint32_t *v = indices + 3 * f, *w = indices + 3 * g;
                    int kr = 0;
                    while (v[kr] == p || v[kr] == q) kr++;
                    uint32_t r = v[kr];
                    if (g == PF_NONE) { alive[f] = 0; stats.zero_area_removed++; progress++; continue; }
                    int kq = 0;
                    while (w[kq] != q) kq++;
                    int kp = (kq + 1) % 3, kx = (kq + 2) % 3;
                    uint32_t x = w[kx];
                    if (x == r) { alive[f] = 0; stats.zero_area_removed++; progress++; continue; }
                    uint32_t sr = source[3 * f + kr], sp = source[3 * g + kp], sq = source[3 * g + kq], sx = source[3 * g + kx];
                    /* g (q, p, x) becomes (q, r, x); f's slot takes (r, p, x). Winding is kept. */
                    v[0] = r; v[1] = p; v[2] = x;
                    source[3 * f] = sr; source[3 * f + 1] = sp; source[3 * f + 2] = sx;
                    w[0] = q; w[1] = r; w[2] = x;
                    source[3 * g] = sq; source[3 * g + 1] = sr; source[3 * g + 2] = sx;
                    stats.zero_area_split++;
                    progress++;
                }
                free(table);
            }
            if (collapsed_any) {
                for (size_t f = 0; f < face_count; ++f) {
                    if (!alive[f]) continue;
                    uint32_t *v = indices + 3 * f;
                    for (int e = 0; e < 3; ++e) v[e] = vertex_remap[v[e]];
                    if (!pf_face_is_proper(v)) { alive[f] = 0; stats.zero_area_collapsed++; }
                }
                for (size_t v = 0; v < vertex_count; ++v) { vertex_remap[v] = (uint32_t)v; touched[v] = 0; }
            }
            if (progress == 0) {
                for (size_t i = 0; i < degenerate; ++i) if (alive[work[i]]) { alive[work[i]] = 0; stats.zero_area_removed++; }
                break;
            }
        }
        free(claimed);
        free(work);
        free(touched);
    }

    /* Duplicates: open addressing on the sorted vertex triple; the first face of each set stays. */
    size_t capacity = 16;
    while (capacity < face_count * 2) capacity <<= 1;
    uint32_t *table = (uint32_t *)malloc(capacity * sizeof(uint32_t));
    if (table) {
        memset(table, 0xFF, capacity * sizeof(uint32_t));
        for (size_t f = 0; f < face_count; ++f) {
            if (!alive[f]) continue;
            const uint32_t *v = indices + 3 * f;
            uint32_t s[3] = {v[0], v[1], v[2]};
            if (s[0] > s[1]) { uint32_t t = s[0]; s[0] = s[1]; s[1] = t; }
            if (s[1] > s[2]) { uint32_t t = s[1]; s[1] = s[2]; s[2] = t; }
            if (s[0] > s[1]) { uint32_t t = s[0]; s[0] = s[1]; s[1] = t; }
            size_t i = (size_t)pf_hash3(s[0], s[1], s[2]) & (capacity - 1);
            for (;;) {
                uint32_t g = table[i];
                if (g == PF_NONE) { table[i] = (uint32_t)f; break; }
                const uint32_t *w = indices + 3 * (size_t)g;
                uint32_t t[3] = {w[0], w[1], w[2]};
                if (t[0] > t[1]) { uint32_t x = t[0]; t[0] = t[1]; t[1] = x; }
                if (t[1] > t[2]) { uint32_t x = t[1]; t[1] = t[2]; t[2] = x; }
                if (t[0] > t[1]) { uint32_t x = t[0]; t[0] = t[1]; t[1] = x; }
                if (t[0] == s[0] && t[1] == s[1] && t[2] == s[2]) {
                    alive[f] = 0;
                    if (rotation_equal(v, w)) stats.duplicate_faces++; else stats.opposite_faces++;
                    break;
                }
                i = (i + 1) & (capacity - 1);
            }
        }
        free(table);
    }

    size_t kept = 0;
    for (size_t f = 0; f < face_count; ++f) {
        if (!alive[f]) continue;
        for (int e = 0; e < 3; ++e) {
            indices[3 * kept + e] = indices[3 * f + e];
            if (corner_source) corner_source[3 * kept + e] = source[3 * f + e];
        }
        kept++;
    }
    free(source); free(alive); free(vertex_remap);
    if (out) *out = stats;
    return kept * 3;
}

size_t pf_compact_vertices(uint32_t *indices, size_t index_count, size_t vertex_count, uint32_t *vertex_remap) {
    for (size_t v = 0; v < vertex_count; ++v) vertex_remap[v] = PF_NONE;
    for (size_t i = 0; i < index_count; ++i) vertex_remap[indices[i]] = 0;
    size_t next = 0;
    for (size_t v = 0; v < vertex_count; ++v) if (vertex_remap[v] == 0) vertex_remap[v] = (uint32_t)next++;
    for (size_t i = 0; i < index_count; ++i) indices[i] = vertex_remap[indices[i]];
    return next;
}
