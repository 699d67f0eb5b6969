#include "polyforge_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PF_CELL_EMPTY = 0, PF_CELL_MULTI = UINT32_MAX };

/* A UV triangle in grid units, turned counter-clockwise. */
typedef struct { double x[3], y[3]; } pf_grid_tri;

static int grid_triangle(const float *uvs, const uint32_t *t, double u0, double v0, double scale, pf_grid_tri *g) {
    for (int k = 0; k < 3; ++k) {
        g->x[k] = ((double)uvs[2 * (size_t)t[k]] - u0) * scale;
        g->y[k] = ((double)uvs[2 * (size_t)t[k] + 1] - v0) * scale;
        if (!isfinite(g->x[k]) || !isfinite(g->y[k])) return 0;
    }
    double area = (g->x[1] - g->x[0]) * (g->y[2] - g->y[0]) - (g->y[1] - g->y[0]) * (g->x[2] - g->x[0]);
    if (fabs(area) <= 1e-18 * scale * scale) return 0;
    if (area < 0) {
        double tx = g->x[1], ty = g->y[1];
        g->x[1] = g->x[2]; g->y[1] = g->y[2];
        g->x[2] = tx; g->y[2] = ty;
    }
    return 1;
}

/* Top-left rule for counter-clockwise triangles: of the two triangles sharing an edge, which run it in
 * opposite directions, exactly one owns the samples lying on it. */
static int covers(const pf_grid_tri *g, double px, double py) {
    for (int k = 0; k < 3; ++k) {
        double ax = g->x[k], ay = g->y[k], dx = g->x[(k + 1) % 3] - ax, dy = g->y[(k + 1) % 3] - ay;
        double e = dx * (py - ay) - dy * (px - ax);
        if (e < 0) return 0;
        if (e == 0 && !(dy < 0 || (dy == 0 && dx < 0))) return 0;
    }
    return 1;
}

static void sample_range(const pf_grid_tri *g, uint32_t resolution, long *x0, long *x1, long *y0, long *y1) {
    double lx = fmin(g->x[0], fmin(g->x[1], g->x[2])), hx = fmax(g->x[0], fmax(g->x[1], g->x[2]));
    double ly = fmin(g->y[0], fmin(g->y[1], g->y[2])), hy = fmax(g->y[0], fmax(g->y[1], g->y[2]));
    /* Samples sit at i + 0.5. */
    *x0 = lx - 0.5 < 0 ? 0 : (long)ceil(lx - 0.5);
    *y0 = ly - 0.5 < 0 ? 0 : (long)ceil(ly - 0.5);
    *x1 = hx - 0.5 >= resolution - 1 ? (long)resolution - 1 : (long)floor(hx - 0.5);
    *y1 = hy - 0.5 >= resolution - 1 ? (long)resolution - 1 : (long)floor(hy - 0.5);
}

int pf_uv_overlap(const float *uvs, const uint32_t *indices, size_t index_count, float u0, float v0, float extent,
                  uint32_t resolution, pf_uv_overlap_stats *out) {
    if (!out || resolution == 0 || resolution > 8192 || !(extent > 0) || (index_count && (!uvs || !indices))) return -1;
    out->overlapping_triangle_count = out->covered_sample_count = out->overlapped_sample_count = 0;
    size_t cells = (size_t)resolution * resolution;
    uint32_t *grid = calloc(cells, sizeof(uint32_t));
    if (!grid) return -1;
    double scale = resolution / (double)extent;
    size_t faces = index_count / 3;
    for (size_t f = 0; f < faces; ++f) {
        pf_grid_tri g;
        if (!grid_triangle(uvs, indices + 3 * f, u0, v0, scale, &g)) continue;
        long x0, x1, y0, y1;
        sample_range(&g, resolution, &x0, &x1, &y0, &y1);
        for (long y = y0; y <= y1; ++y)
            for (long x = x0; x <= x1; ++x) {
                if (!covers(&g, x + 0.5, y + 0.5)) continue;
                uint32_t *c = grid + (size_t)y * resolution + (size_t)x;
                if (*c == PF_CELL_EMPTY) { *c = (uint32_t)f + 1; out->covered_sample_count++; }
                else if (*c != PF_CELL_MULTI) { *c = PF_CELL_MULTI; out->overlapped_sample_count++; }
            }
    }
    if (out->overlapped_sample_count > 0) {
        for (size_t f = 0; f < faces; ++f) {
            pf_grid_tri g;
            if (!grid_triangle(uvs, indices + 3 * f, u0, v0, scale, &g)) continue;
            long x0, x1, y0, y1;
            sample_range(&g, resolution, &x0, &x1, &y0, &y1);
            int hit = 0;
            for (long y = y0; y <= y1 && !hit; ++y)
                for (long x = x0; x <= x1 && !hit; ++x)
                    hit = grid[(size_t)y * resolution + (size_t)x] == PF_CELL_MULTI && covers(&g, x + 0.5, y + 0.5);
            out->overlapping_triangle_count += hit;
        }
    }
    free(grid);
    return 0;
}

/* Separating-axis test of a triangle against an open axis-aligned square: touching along a border is not overlap. */
static int triangle_overlaps_square(const double *x, const double *y, double sx0, double sy0, double sx1, double sy1) {
    double lx = fmin(x[0], fmin(x[1], x[2])), hx = fmax(x[0], fmax(x[1], x[2]));
    double ly = fmin(y[0], fmin(y[1], y[2])), hy = fmax(y[0], fmax(y[1], y[2]));
    if (hx <= sx0 || lx >= sx1 || hy <= sy0 || ly >= sy1) return 0;
    double cx[4] = {sx0, sx1, sx1, sx0}, cy[4] = {sy0, sy0, sy1, sy1};
    for (int k = 0; k < 3; ++k) {
        double nx = -(y[(k + 1) % 3] - y[k]), ny = x[(k + 1) % 3] - x[k];
        if (nx == 0 && ny == 0) continue;
        double t0 = nx * x[0] + ny * y[0], t1 = nx * x[1] + ny * y[1], t2 = nx * x[2] + ny * y[2];
        double tlo = fmin(t0, fmin(t1, t2)), thi = fmax(t0, fmax(t1, t2));
        double slo = INFINITY, shi = -INFINITY;
        for (int c = 0; c < 4; ++c) {
            double s = nx * cx[c] + ny * cy[c];
            if (s < slo) slo = s;
            if (s > shi) shi = s;
        }
        if (thi <= slo || tlo >= shi) return 0;
    }
    return 1;
}

size_t pf_uv_gutter_collisions(const float *uvs, const uint32_t *indices, size_t index_count, const uint32_t *island,
                               uint32_t resolution) {
    if (resolution == 0 || resolution > 8192 || (index_count && (!uvs || !indices || !island))) return (size_t)-1;
    size_t cells = (size_t)resolution * resolution;
    uint32_t *grid = calloc(cells, sizeof(uint32_t));
    if (!grid) return (size_t)-1;
    size_t collisions = 0;
    for (size_t f = 0; f < index_count / 3; ++f) {
        double x[3], y[3];
        int finite = 1;
        for (int k = 0; k < 3; ++k) {
            x[k] = (double)uvs[2 * (size_t)indices[3 * f + k]] * resolution;
            y[k] = (double)uvs[2 * (size_t)indices[3 * f + k] + 1] * resolution;
            finite &= isfinite(x[k]) && isfinite(y[k]);
        }
        if (!finite) continue;
        /* Pixel i's test square spans [i - 0.5, i + 1.5] in grid units: twice a pixel, centred on it. */
        double lx = fmin(x[0], fmin(x[1], x[2])), hx = fmax(x[0], fmax(x[1], x[2]));
        double ly = fmin(y[0], fmin(y[1], y[2])), hy = fmax(y[0], fmax(y[1], y[2]));
        long x0 = (long)fmax(0, floor(lx - 1.5)), x1 = (long)fmin(resolution - 1.0, ceil(hx + 0.5));
        long y0 = (long)fmax(0, floor(ly - 1.5)), y1 = (long)fmin(resolution - 1.0, ceil(hy + 0.5));
        uint32_t id = island[f] + 1;
        for (long py = y0; py <= y1; ++py)
            for (long px = x0; px <= x1; ++px) {
                uint32_t *c = grid + (size_t)py * resolution + (size_t)px;
                if (*c == id || *c == PF_CELL_MULTI) continue;
                if (!triangle_overlaps_square(x, y, px - 0.5, py - 0.5, px + 1.5, py + 1.5)) continue;
                if (*c == PF_CELL_EMPTY) *c = id;
                else { *c = PF_CELL_MULTI; collisions++; }
            }
    }
    free(grid);
    return collisions;
}
