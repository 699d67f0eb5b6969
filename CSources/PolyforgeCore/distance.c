/* distance.c - symmetric surface (Hausdorff) distance between two triangle meshes (pf_surface_distance), and how
 * far one mesh's attributes (UVs) stray from another's over the same surface (pf_attribute_distance).
 *
 * Each surface is sampled deterministically (its vertices, plus area-stratified points with R2 low-discrepancy
 * barycentrics), and each sample's nearest point on the other surface is found through a bounding-volume
 * hierarchy with branch-and-bound. Queries run in parallel; distances go to an array and are reduced in order,
 * so the result does not depend on the thread count. */
#include "polyforge_core.h"
#include "core_common.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct bvh_node {
    float lo[3], hi[3];
    uint32_t first; /* leaf: first triangle in order[]; inner: left child (right = first + 1) */
    uint32_t count; /* leaf: triangle count; inner: 0 */
} bvh_node;

typedef struct bvh {
    bvh_node *nodes;
    uint32_t *tri;   /* triangle ids in leaf order */
    float *v;        /* 9 floats per triangle, in leaf order */
    size_t node_count;
} bvh;

#define LEAF_SIZE 4

static void tri_bounds(const float *t, float lo[3], float hi[3]) {
    for (int k = 0; k < 3; ++k) {
        float a = t[k], b = t[3 + k], c = t[6 + k];
        lo[k] = fminf(a, fminf(b, c));
        hi[k] = fmaxf(a, fmaxf(b, c));
    }
}

/* Partial sort of ids[lo..hi) so that ids[mid] has the median centroid on axis. */
static void select_median(uint32_t *ids, const float *cent, int axis, size_t lo, size_t hi, size_t mid) {
    while (hi - lo > 1) {
        float pivot = cent[3 * ids[lo + (hi - lo - 1) / 2] + axis]; /* lower middle: j < hi - 1 always */
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (cent[3 * ids[i] + axis] < pivot) ++i;
            while (cent[3 * ids[j] + axis] > pivot) --j;
            if (i >= j) break;
            uint32_t t = ids[i]; ids[i] = ids[j]; ids[j] = t;
            ++i; --j;
        }
        /* ids[lo..j] <= pivot <= ids[j+1..hi) */
        if (mid <= j) hi = j + 1; else lo = j + 1;
    }
}

static int bvh_build(bvh *b, const float *positions, const uint32_t *indices, size_t index_count) {
    size_t n = 0;
    size_t tc = index_count / 3;
    uint32_t *ids = malloc((tc ? tc : 1) * sizeof(uint32_t));
    float *cent = malloc((tc ? tc : 1) * 3 * sizeof(float));
    b->nodes = malloc((2 * tc / LEAF_SIZE + 2 * tc + 1) * sizeof(bvh_node));
    b->tri = NULL;
    b->v = malloc((tc ? tc : 1) * 9 * sizeof(float));
    if (!ids || !cent || !b->nodes || !b->v) { free(ids); free(cent); return -1; }
    for (size_t t = 0; t < tc; ++t) {
        const float *p0 = positions + 3 * indices[3 * t], *p1 = positions + 3 * indices[3 * t + 1], *p2 = positions + 3 * indices[3 * t + 2];
        if (!(isfinite(p0[0] + p0[1] + p0[2] + p1[0] + p1[1] + p1[2] + p2[0] + p2[1] + p2[2]))) continue;
        ids[n] = (uint32_t)t;
        for (int k = 0; k < 3; ++k) cent[3 * t + k] = (p0[k] + p1[k] + p2[k]) * (1.0f / 3.0f);
        n++;
    }
    if (n == 0) { free(ids); free(cent); return -1; }
    /* explicit stack of (node, lo, hi) */
    size_t cap = 128, sp = 0;
    size_t stack[128][3];
    b->node_count = 1;
    stack[sp][0] = 0; stack[sp][1] = 0; stack[sp][2] = n; sp++;
    while (sp) {
        sp--;
        size_t node = stack[sp][0], lo = stack[sp][1], hi = stack[sp][2];
        bvh_node *nd = &b->nodes[node];
        float clo[3] = {FLT_MAX, FLT_MAX, FLT_MAX}, chi[3] = {-FLT_MAX, -FLT_MAX, -FLT_MAX};
        for (int k = 0; k < 3; ++k) { nd->lo[k] = FLT_MAX; nd->hi[k] = -FLT_MAX; }
        for (size_t i = lo; i < hi; ++i) {
            uint32_t t = ids[i];
            float tv[9];
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 3; ++k) tv[3 * j + k] = positions[3 * indices[3 * t + j] + k];
            float tl[3], th[3];
            tri_bounds(tv, tl, th);
            for (int k = 0; k < 3; ++k) {
                nd->lo[k] = fminf(nd->lo[k], tl[k]); nd->hi[k] = fmaxf(nd->hi[k], th[k]);
                clo[k] = fminf(clo[k], cent[3 * t + k]); chi[k] = fmaxf(chi[k], cent[3 * t + k]);
            }
        }
        int axis = 0;
        float ext = chi[0] - clo[0];
        for (int k = 1; k < 3; ++k) if (chi[k] - clo[k] > ext) { ext = chi[k] - clo[k]; axis = k; }
        if (hi - lo <= LEAF_SIZE || ext <= 0 || sp + 2 > cap) {
            nd->first = (uint32_t)lo;
            nd->count = (uint32_t)(hi - lo);
            continue;
        }
        size_t mid = lo + (hi - lo) / 2;
        select_median(ids, cent, axis, lo, hi, mid);
        size_t left = b->node_count;
        b->node_count += 2;
        nd->first = (uint32_t)left;
        nd->count = 0;
        stack[sp][0] = left + 1; stack[sp][1] = mid; stack[sp][2] = hi; sp++;
        stack[sp][0] = left; stack[sp][1] = lo; stack[sp][2] = mid; sp++;
    }
    for (size_t i = 0; i < n; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k) b->v[9 * i + 3 * j + k] = positions[3 * indices[3 * ids[i] + j] + k];
    free(cent);
    b->tri = ids;
    return 0;
}

static void bvh_free(bvh *b) {
    free(b->nodes);
    free(b->tri);
    free(b->v);
}

/* Squared distance from p to triangle (a, b, c) (Ericson, Real-Time Collision Detection, 5.1.5); the closest point
 * goes to closest_out when it is not NULL. */
static double closest_on_triangle(const double p[3], const float *t, double closest_out[3]);

static double point_triangle_sq(const double p[3], const float *t) { return closest_on_triangle(p, t, NULL); }

static double closest_on_triangle(const double p[3], const float *t, double closest_out[3]) {
    double a[3] = {t[0], t[1], t[2]}, b[3] = {t[3], t[4], t[5]}, c[3] = {t[6], t[7], t[8]};
    double ab[3], ac[3], ap[3], r[3];
    for (int k = 0; k < 3; ++k) { ab[k] = b[k] - a[k]; ac[k] = c[k] - a[k]; ap[k] = p[k] - a[k]; }
    double d1 = ab[0] * ap[0] + ab[1] * ap[1] + ab[2] * ap[2], d2 = ac[0] * ap[0] + ac[1] * ap[1] + ac[2] * ap[2];
    if (d1 <= 0 && d2 <= 0) { for (int k = 0; k < 3; ++k) r[k] = a[k]; goto done; }
    double bp[3];
    for (int k = 0; k < 3; ++k) bp[k] = p[k] - b[k];
    double d3 = ab[0] * bp[0] + ab[1] * bp[1] + ab[2] * bp[2], d4 = ac[0] * bp[0] + ac[1] * bp[1] + ac[2] * bp[2];
    if (d3 >= 0 && d4 <= d3) { for (int k = 0; k < 3; ++k) r[k] = b[k]; goto done; }
    double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) {
        double v = (d1 - d3) != 0 ? d1 / (d1 - d3) : 0;
        for (int k = 0; k < 3; ++k) r[k] = a[k] + v * ab[k];
        goto done;
    }
    double cp[3];
    for (int k = 0; k < 3; ++k) cp[k] = p[k] - c[k];
    double d5 = ab[0] * cp[0] + ab[1] * cp[1] + ab[2] * cp[2], d6 = ac[0] * cp[0] + ac[1] * cp[1] + ac[2] * cp[2];
    if (d6 >= 0 && d5 <= d6) { for (int k = 0; k < 3; ++k) r[k] = c[k]; goto done; }
    double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) {
        double w = (d2 - d6) != 0 ? d2 / (d2 - d6) : 0;
        for (int k = 0; k < 3; ++k) r[k] = a[k] + w * ac[k];
        goto done;
    }
    double va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
        double den = (d4 - d3) + (d5 - d6);
        double w = den != 0 ? (d4 - d3) / den : 0;
        for (int k = 0; k < 3; ++k) r[k] = b[k] + w * (c[k] - b[k]);
        goto done;
    }
    {
        double den = va + vb + vc;
        if (den == 0) { for (int k = 0; k < 3; ++k) r[k] = a[k]; goto done; }
        double v = vb / den, w = vc / den;
        for (int k = 0; k < 3; ++k) r[k] = a[k] + ab[k] * v + ac[k] * w;
    }
done:
    if (closest_out) { closest_out[0] = r[0]; closest_out[1] = r[1]; closest_out[2] = r[2]; }
    return (p[0] - r[0]) * (p[0] - r[0]) + (p[1] - r[1]) * (p[1] - r[1]) + (p[2] - r[2]) * (p[2] - r[2]);
}

static double box_sq(const bvh_node *n, const double p[3]) {
    double d = 0;
    for (int k = 0; k < 3; ++k) {
        double e = p[k] < n->lo[k] ? n->lo[k] - p[k] : (p[k] > n->hi[k] ? p[k] - n->hi[k] : 0);
        d += e * e;
    }
    return d;
}

static double nearest_sq(const bvh *b, const double p[3], double best) {
    uint32_t stack[128];
    int sp = 0;
    stack[sp++] = 0;
    while (sp) {
        const bvh_node *n = &b->nodes[stack[--sp]];
        if (box_sq(n, p) >= best) continue;
        if (n->count) {
            for (uint32_t i = 0; i < n->count; ++i) {
                double d = point_triangle_sq(p, b->v + 9 * (size_t)(n->first + i));
                if (d < best) best = d;
            }
            continue;
        }
        const bvh_node *l = &b->nodes[n->first], *r = &b->nodes[n->first + 1];
        double dl = box_sq(l, p), dr = box_sq(r, p);
        if (sp + 2 > 128) continue;
        if (dl < dr) {
            if (dr < best) stack[sp++] = n->first + 1;
            if (dl < best) stack[sp++] = n->first;
        } else {
            if (dl < best) stack[sp++] = n->first;
            if (dr < best) stack[sp++] = n->first + 1;
        }
    }
    return best;
}

/* Writes the sample points of one surface: its referenced vertices, then `count` area-stratified points. With
 * attributes (k per vertex, packed), each sample's attributes there go to attr_out. */
static size_t make_samples(const float *positions, size_t vertex_count, const uint32_t *indices, size_t index_count,
                           size_t count, float *out, unsigned char *seen, const float *attributes, size_t k, float *attr_out) {
    size_t n = 0;
    memset(seen, 0, vertex_count);
    for (size_t i = 0; i < index_count; ++i) {
        uint32_t v = indices[i];
        if (seen[v]) continue;
        seen[v] = 1;
        memcpy(out + 3 * n, positions + 3 * v, 3 * sizeof(float));
        if (attributes) memcpy(attr_out + k * n, attributes + k * (size_t)v, k * sizeof(float));
        n++;
    }
    size_t tc = index_count / 3;
    double total = 0;
    for (size_t t = 0; t < tc; ++t) {
        const float *a = positions + 3 * indices[3 * t], *b = positions + 3 * indices[3 * t + 1], *c = positions + 3 * indices[3 * t + 2];
        double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2], vx = c[0] - a[0], vy = c[1] - a[1], vz = c[2] - a[2];
        double cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
        double ar = 0.5 * sqrt(cx * cx + cy * cy + cz * cz);
        if (isfinite(ar)) total += ar;
    }
    if (!(total > 0) || count == 0) return n;
    /* sample s sits at cumulative area (s + 0.5) / count * total */
    double acc = 0, step = total / (double)count;
    size_t s = 0;
    const double g1 = 0.7548776662466927, g2 = 0.5698402909980532; /* R2 sequence */
    for (size_t t = 0; t < tc && s < count; ++t) {
        const float *a = positions + 3 * indices[3 * t], *b = positions + 3 * indices[3 * t + 1], *c = positions + 3 * indices[3 * t + 2];
        double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2], vx = c[0] - a[0], vy = c[1] - a[1], vz = c[2] - a[2];
        double cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
        double ar = 0.5 * sqrt(cx * cx + cy * cy + cz * cz);
        if (!isfinite(ar)) continue;
        acc += ar;
        while (s < count && ((double)s + 0.5) * step < acc) {
            double r1 = fmod(0.5 + g1 * (double)(s + 1), 1.0), r2 = fmod(0.5 + g2 * (double)(s + 1), 1.0);
            if (r1 + r2 > 1) { r1 = 1 - r1; r2 = 1 - r2; }
            for (int j = 0; j < 3; ++j) out[3 * n + j] = (float)(a[j] + r1 * (b[j] - a[j]) + r2 * (c[j] - a[j]));
            const uint32_t *tri = indices + 3 * t;
            for (size_t j = 0; attributes && j < k; ++j) {
                double x = attributes[k * tri[0] + j], y = attributes[k * tri[1] + j], z = attributes[k * tri[2] + j];
                attr_out[k * n + j] = (float)(x + r1 * (y - x) + r2 * (z - x));
            }
            n++;
            s++;
        }
    }
    return n;
}

/* Distances below `snap` are float32 rounding of the sample points (a surface against itself), not distance. */
static void one_way(const float *samples, size_t n, const bvh *b, double snap, double *dist) {
    long long count = (long long)n;
#pragma omp parallel for schedule(static) if (count > 4096)
    for (long long i = 0; i < count; ++i) {
        double p[3] = {samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]};
        double d = sqrt(nearest_sq(b, p, DBL_MAX));
        dist[i] = d < snap ? 0 : d;
    }
}


int pf_surface_distance(const float *positions_a, size_t vertex_count_a, const uint32_t *indices_a, size_t index_count_a,
                        const float *positions_b, size_t vertex_count_b, const uint32_t *indices_b, size_t index_count_b,
                        size_t samples_per_surface, pf_surface_distance_result *out) {
    if (!out || !positions_a || !positions_b || !indices_a || !indices_b || index_count_a < 3 || index_count_b < 3) return -1;
    if (pf_find_index_out_of_range(indices_a, index_count_a, (uint32_t)vertex_count_a) != index_count_a ||
        pf_find_index_out_of_range(indices_b, index_count_b, (uint32_t)vertex_count_b) != index_count_b)
        return -1;
    memset(out, 0, sizeof(*out));
    float lo[3], hi[3], lob[3], hib[3];
    pf_bounds(positions_a, vertex_count_a, 3, lo, hi);
    out->diagonal = pf_box_diagonal(lo, hi);
    pf_bounds(positions_b, vertex_count_b, 3, lob, hib);
    double magnitude = 0;
    for (int k = 0; k < 3; ++k) {
        double m = fmax(fmax(fabs((double)lo[k]), fabs((double)hi[k])), fmax(fabs((double)lob[k]), fabs((double)hib[k])));
        if (m < FLT_MAX && m > magnitude) magnitude = m;
    }
    double snap = 4.0 * FLT_EPSILON * magnitude;
    bvh ba, bb;
    memset(&ba, 0, sizeof(ba));
    memset(&bb, 0, sizeof(bb));
    size_t vmax = vertex_count_a > vertex_count_b ? vertex_count_a : vertex_count_b;
    size_t smax = vmax + samples_per_surface;
    float *samples = malloc(smax * 3 * sizeof(float));
    double *dist = malloc(smax * sizeof(double));
    unsigned char *seen = malloc(vmax ? vmax : 1);
    int rc = -1;
    if (!samples || !dist || !seen) goto cleanup;
    if (bvh_build(&ba, positions_a, indices_a, index_count_a) != 0) goto cleanup;
    if (bvh_build(&bb, positions_b, indices_b, index_count_b) != 0) goto cleanup;
    for (int dir = 0; dir < 2; ++dir) {
        const float *pos = dir == 0 ? positions_a : positions_b;
        size_t n = make_samples(pos, dir == 0 ? vertex_count_a : vertex_count_b, dir == 0 ? indices_a : indices_b,
                                dir == 0 ? index_count_a : index_count_b, samples_per_surface, samples, seen, NULL, 0, NULL);
        one_way(samples, n, dir == 0 ? &bb : &ba, snap, dist);
        double mx = 0, sum = 0;
        for (size_t i = 0; i < n; ++i) { if (dist[i] > mx) mx = dist[i]; sum += dist[i]; }
        if (dir == 0) { out->max_ab = mx; out->mean_ab = n ? sum / (double)n : 0; out->samples_a = n; }
        else { out->max_ba = mx; out->mean_ba = n ? sum / (double)n : 0; out->samples_b = n; }
    }
    out->max = out->max_ab > out->max_ba ? out->max_ab : out->max_ba;
    out->mean = (out->samples_a + out->samples_b)
                    ? (out->mean_ab * (double)out->samples_a + out->mean_ba * (double)out->samples_b) /
                          (double)(out->samples_a + out->samples_b)
                    : 0;
    rc = 0;
cleanup:
    bvh_free(&ba);
    bvh_free(&bb);
    free(samples);
    free(dist);
    free(seen);
    return rc;
}

/* ---- attribute distance ---------------------------------------------------------------------------------- */

#define MAX_ATTRIBUTE 16
#define NEAREST_TIES 32

/* The triangles (leaf-order slots) of b within sqrt(limit) of p, at most NEAREST_TIES; returns how many. */
static int triangles_within(const bvh *b, const double p[3], double limit, uint32_t *out) {
    uint32_t stack[128];
    int sp = 0, n = 0;
    stack[sp++] = 0;
    while (sp && n < NEAREST_TIES) {
        const bvh_node *node = &b->nodes[stack[--sp]];
        if (box_sq(node, p) > limit) continue;
        if (node->count) {
            for (uint32_t i = 0; i < node->count && n < NEAREST_TIES; ++i)
                if (point_triangle_sq(p, b->v + 9 * (size_t)(node->first + i)) <= limit) out[n++] = node->first + i;
            continue;
        }
        if (sp + 2 > 128) continue;
        stack[sp++] = node->first + 1;
        stack[sp++] = node->first;
    }
    return n;
}

static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Attributes of triangle (i0, i1, i2) at point r of its plane (barycentric, clamped by the closest-point query). */
static void interpolate_at(const float *positions, const float *attributes, size_t k, const uint32_t *tri, const double r[3],
                           double *out) {
    const float *a = positions + 3 * tri[0], *b = positions + 3 * tri[1], *c = positions + 3 * tri[2];
    double v0[3], v1[3], v2[3];
    for (int j = 0; j < 3; ++j) { v0[j] = b[j] - a[j]; v1[j] = c[j] - a[j]; v2[j] = r[j] - a[j]; }
    double d00 = v0[0] * v0[0] + v0[1] * v0[1] + v0[2] * v0[2], d01 = v0[0] * v1[0] + v0[1] * v1[1] + v0[2] * v1[2];
    double d11 = v1[0] * v1[0] + v1[1] * v1[1] + v1[2] * v1[2], d20 = v2[0] * v0[0] + v2[1] * v0[1] + v2[2] * v0[2];
    double d21 = v2[0] * v1[0] + v2[1] * v1[1] + v2[2] * v1[2], den = d00 * d11 - d01 * d01;
    double u = 0, w = 0;
    if (den > 0) { u = (d11 * d20 - d01 * d21) / den; w = (d00 * d21 - d01 * d20) / den; }
    for (size_t j = 0; j < k; ++j) {
        double x = attributes[k * tri[0] + j], y = attributes[k * tri[1] + j], z = attributes[k * tri[2] + j];
        out[j] = x + u * (y - x) + w * (z - x);
    }
}

int pf_attribute_distance(const float *positions_a, size_t vertex_count_a, const uint32_t *indices_a, size_t index_count_a,
                          const float *attributes_a, const float *positions_b, size_t vertex_count_b,
                          const uint32_t *indices_b, size_t index_count_b, const float *attributes_b, size_t attribute_count,
                          size_t samples_per_surface, pf_attribute_distance_result *out) {
    if (!out || !positions_a || !positions_b || !indices_a || !indices_b || !attributes_a || !attributes_b ||
        index_count_a < 3 || index_count_b < 3 || attribute_count == 0 || attribute_count > MAX_ATTRIBUTE)
        return -1;
    if (pf_find_index_out_of_range(indices_a, index_count_a, (uint32_t)vertex_count_a) != index_count_a ||
        pf_find_index_out_of_range(indices_b, index_count_b, (uint32_t)vertex_count_b) != index_count_b)
        return -1;
    memset(out, 0, sizeof(*out));
    const size_t K = attribute_count;
    float lo[3], hi[3];
    pf_bounds(positions_a, vertex_count_a, 3, lo, hi);
    double tie = 1e-6 * pf_box_diagonal(lo, hi);
    bvh ba;
    memset(&ba, 0, sizeof(ba));
    /* samples of B: its referenced vertices, then area-stratified points; each with B's attributes there */
    size_t smax = vertex_count_b + samples_per_surface;
    float *samples = malloc((smax ? smax : 1) * 3 * sizeof(float));
    float *sample_attr = malloc((smax ? smax : 1) * K * sizeof(float));
    double *err = malloc((smax ? smax : 1) * sizeof(double));
    unsigned char *seen = malloc(vertex_count_b ? vertex_count_b : 1);
    int rc = -1;
    if (!samples || !sample_attr || !err || !seen) goto cleanup;
    if (bvh_build(&ba, positions_a, indices_a, index_count_a) != 0) goto cleanup;
    size_t n = make_samples(positions_b, vertex_count_b, indices_b, index_count_b, samples_per_surface, samples, seen,
                            attributes_b, K, sample_attr);
    long long count = (long long)n;
#pragma omp parallel for schedule(static) if (count > 4096)
    for (long long i = 0; i < count; ++i) {
        double p[3] = {samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]};
        double best = nearest_sq(&ba, p, DBL_MAX);
        /* A's points about as near as the nearest one: the place the sample stands for, up to the surface's own
         * deviation there (on a seam or a thin part, the nearest point may lie on the neighbouring chart) */
        double reach = 2 * sqrt(best) + tie;
        uint32_t near[NEAREST_TIES];
        int m = triangles_within(&ba, p, reach * reach, near);
        double smallest = DBL_MAX;
        for (int j = 0; j < m; ++j) {
            double r[3], at[MAX_ATTRIBUTE];
            closest_on_triangle(p, ba.v + 9 * (size_t)near[j], r);
            interpolate_at(positions_a, attributes_a, K, indices_a + 3 * (size_t)ba.tri[near[j]], r, at);
            double d = 0;
            for (size_t k = 0; k < K; ++k) { double e = at[k] - sample_attr[K * i + k]; d += e * e; }
            if (d < smallest) smallest = d;
        }
        err[i] = m ? sqrt(smallest) : 0;
    }
    double mx = 0, sum = 0;
    for (size_t i = 0; i < n; ++i) {
        if (err[i] > mx) mx = err[i];
        sum += err[i];
    }
    out->max = mx;
    out->mean = n ? sum / (double)n : 0;
    if (n) {
        qsort(err, n, sizeof(double), compare_doubles);
        out->p95 = err[(size_t)((double)(n - 1) * 0.95)];
    }
    out->samples = n;
    rc = 0;
cleanup:
    bvh_free(&ba);
    free(samples);
    free(sample_attr);
    free(err);
    free(seen);
    return rc;
}
