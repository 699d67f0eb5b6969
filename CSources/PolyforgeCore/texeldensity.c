#include "polyforge_core.h"

#include <math.h>

size_t pf_texel_density(const float *positions, const float *uvs, const uint32_t *indices, size_t index_count,
                        float *out_min, float *out_max) {
    double lo = INFINITY, hi = 0;
    size_t measured = 0;
    for (size_t f = 0; f < index_count / 3; ++f) {
        uint32_t i0 = indices[3 * f], i1 = indices[3 * f + 1], i2 = indices[3 * f + 2];
        const float *p0 = positions + 3 * (size_t)i0, *p1 = positions + 3 * (size_t)i1, *p2 = positions + 3 * (size_t)i2;
        double e1[3] = {(double)p1[0] - p0[0], (double)p1[1] - p0[1], (double)p1[2] - p0[2]};
        double e2[3] = {(double)p2[0] - p0[0], (double)p2[1] - p0[1], (double)p2[2] - p0[2]};
        double nx = e1[1] * e2[2] - e1[2] * e2[1], ny = e1[2] * e2[0] - e1[0] * e2[2], nz = e1[0] * e2[1] - e1[1] * e2[0];
        double area2 = sqrt(nx * nx + ny * ny + nz * nz);
        const float *t0 = uvs + 2 * (size_t)i0, *t1 = uvs + 2 * (size_t)i1, *t2 = uvs + 2 * (size_t)i2;
        double uv2 = fabs(((double)t1[0] - t0[0]) * ((double)t2[1] - t0[1]) - ((double)t1[1] - t0[1]) * ((double)t2[0] - t0[0]));
        if (!(area2 > 1e-20) || !(uv2 > 1e-20) || !isfinite(area2) || !isfinite(uv2)) continue;
        double d = sqrt(uv2 / area2);
        if (d < lo) lo = d;
        if (d > hi) hi = d;
        measured++;
    }
    *out_min = measured ? (float)lo : 0.0f;
    *out_max = measured ? (float)hi : 0.0f;
    return measured;
}
