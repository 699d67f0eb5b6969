#include "polyforge_core.h"

#include <math.h>
#include <stdlib.h>

#define PF_PI 3.14159265358979323846

/* One half of the edge map: the larger vertex of an edge and the face it came from, bucketed by the smaller. */
typedef struct { uint32_t other, face; } pf_edge_entry;

static int entry_less(const pf_edge_entry *a, const pf_edge_entry *b) {
    return a->other < b->other || (a->other == b->other && a->face < b->face);
}

static int entry_compare(const void *x, const void *y) {
    const pf_edge_entry *a = x, *b = y;
    return entry_less(a, b) ? -1 : entry_less(b, a) ? 1 : 0;
}

/* Buckets hold a vertex's edges to higher vertices: a handful on ordinary meshes, so insertion sort wins. */
static void sort_bucket(pf_edge_entry *e, size_t n) {
    if (n > 32) { qsort(e, n, sizeof *e, entry_compare); return; }
    for (size_t i = 1; i < n; ++i) {
        pf_edge_entry x = e[i];
        size_t j = i;
        while (j > 0 && entry_less(&x, &e[j - 1])) { e[j] = e[j - 1]; --j; }
        e[j] = x;
    }
}

int pf_edge_angles(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                   float threshold_degrees, pf_edge_angle_stats *out) {
    size_t faces = index_count / 3;
    out->edge_count = out->two_face_edge_count = out->hard_edge_count = 0;
    out->max_angle_degrees = 0;
    double *normals = malloc((faces ? faces : 1) * 3 * sizeof(double));
    size_t *start = calloc(vertex_count + 1, sizeof(size_t));
    pf_edge_entry *entries = malloc((faces ? faces : 1) * 3 * sizeof(pf_edge_entry));
    if (!normals || !start || !entries) { free(normals); free(start); free(entries); return -1; }

    for (size_t f = 0; f < faces; ++f) {
        const uint32_t *t = indices + 3 * f;
        double *n = normals + 3 * f;
        n[0] = n[1] = n[2] = 0;
        if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2]) continue;
        const float *a = positions + 3 * (size_t)t[0], *b = positions + 3 * (size_t)t[1], *c = positions + 3 * (size_t)t[2];
        double e1[3] = {(double)b[0] - a[0], (double)b[1] - a[1], (double)b[2] - a[2]};
        double e2[3] = {(double)c[0] - a[0], (double)c[1] - a[1], (double)c[2] - a[2]};
        double x = e1[1] * e2[2] - e1[2] * e2[1], y = e1[2] * e2[0] - e1[0] * e2[2], z = e1[0] * e2[1] - e1[1] * e2[0];
        double len = sqrt(x * x + y * y + z * z);
        if (!(len > 0) || !isfinite(len)) continue;
        n[0] = x / len; n[1] = y / len; n[2] = z / len;
        for (int k = 0; k < 3; ++k) {
            uint32_t u = t[k], v = t[(k + 1) % 3];
            start[(u < v ? u : v) + 1]++;
        }
    }
    for (size_t v = 0; v < vertex_count; ++v) start[v + 1] += start[v];
    size_t *fill = malloc((vertex_count ? vertex_count : 1) * sizeof(size_t));
    if (!fill) { free(normals); free(start); free(entries); return -1; }
    for (size_t v = 0; v < vertex_count; ++v) fill[v] = start[v];
    for (size_t f = 0; f < faces; ++f) {
        const double *n = normals + 3 * f;
        if (n[0] == 0 && n[1] == 0 && n[2] == 0) continue;
        const uint32_t *t = indices + 3 * f;
        for (int k = 0; k < 3; ++k) {
            uint32_t u = t[k], v = t[(k + 1) % 3];
            uint32_t lo = u < v ? u : v, hi = u < v ? v : u;
            entries[fill[lo]++] = (pf_edge_entry){hi, (uint32_t)f};
        }
    }
    free(fill);

    /* A tiny slack makes an exact right angle (cos = 0 up to rounding) count as reaching 90 degrees. */
    const double threshold_cos = cos(((double)threshold_degrees - 1e-4) * PF_PI / 180.0);
    double min_cos = 1.0;
    for (size_t v = 0; v < vertex_count; ++v) {
        pf_edge_entry *e = entries + start[v];
        size_t n = start[v + 1] - start[v];
        sort_bucket(e, n);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && e[j].other == e[i].other) ++j;
            out->edge_count++;
            if (j - i == 2) {
                out->two_face_edge_count++;
                const double *a = normals + 3 * (size_t)e[i].face, *b = normals + 3 * (size_t)e[i + 1].face;
                double c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
                if (c < min_cos) min_cos = c;
                if (c <= threshold_cos) out->hard_edge_count++;
            }
            i = j;
        }
    }
    if (min_cos < -1) min_cos = -1;
    out->max_angle_degrees = (float)(acos(min_cos) * 180.0 / PF_PI);
    free(normals);
    free(start);
    free(entries);
    return 0;
}
