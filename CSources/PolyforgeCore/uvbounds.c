#include "polyforge_core.h"

#include <float.h>
#include <math.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/* Below this many vertices or triangles a parallel region costs more than it saves. */
enum { PF_UV_PARALLEL_MIN = 1 << 16, PF_UV_CHUNKS = 64 };

typedef struct { size_t outside, nonfinite; float lo[2], hi[2]; } pf_uv_part;

static void part_empty(pf_uv_part *p) {
    p->outside = p->nonfinite = 0;
    p->lo[0] = p->lo[1] = FLT_MAX;
    p->hi[0] = p->hi[1] = -FLT_MAX;
}

static void coords_scalar(const float *uv, size_t begin, size_t end, size_t stride, pf_uv_part *p) {
    for (size_t i = begin; i < end; ++i) {
        float u = uv[i * stride], v = uv[i * stride + 1];
        if (!(isfinite(u) && isfinite(v))) { p->nonfinite++; p->outside++; continue; }
        if (u < 0.0f || u > 1.0f || v < 0.0f || v > 1.0f) p->outside++;
        if (u < p->lo[0]) p->lo[0] = u;
        if (u > p->hi[0]) p->hi[0] = u;
        if (v < p->lo[1]) p->lo[1] = v;
        if (v > p->hi[1]) p->hi[1] = v;
    }
}

#if defined(__x86_64__)
/* SSE2 over tightly packed pairs, two pairs per step. "Inside" is 0 <= x <= 1, which is false for NaN, so one
 * compare pair classifies outside and non-finite alike; x - x == 0 separates the non-finite ones. */
static void coords_sse2(const float *uv, size_t begin, size_t end, pf_uv_part *p) {
    const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
    __m128 lo = _mm_set1_ps(FLT_MAX), hi = _mm_set1_ps(-FLT_MAX);
    size_t outside = 0, nonfinite = 0, i = begin;
    for (; i + 2 <= end; i += 2) {
        __m128 x = _mm_loadu_ps(uv + 2 * i);
        int inside = _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(x, zero), _mm_cmple_ps(x, one)));
        int finite = _mm_movemask_ps(_mm_cmpeq_ps(_mm_sub_ps(x, x), zero));
        outside += (inside & 3) != 3;
        outside += (inside & 12) != 12;
        if (finite == 15) {
            lo = _mm_min_ps(lo, x);
            hi = _mm_max_ps(hi, x);
        } else {
            nonfinite += (finite & 3) != 3;
            nonfinite += (finite & 12) != 12;
            pf_uv_part q;
            part_empty(&q);
            if ((finite & 3) == 3) coords_scalar(uv, i, i + 1, 2, &q);
            if ((finite & 12) == 12) coords_scalar(uv, i + 1, i + 2, 2, &q);
            for (int k = 0; k < 2; ++k) {
                if (q.lo[k] < p->lo[k]) p->lo[k] = q.lo[k];
                if (q.hi[k] > p->hi[k]) p->hi[k] = q.hi[k];
            }
        }
    }
    float l[4], h[4];
    _mm_storeu_ps(l, lo);
    _mm_storeu_ps(h, hi);
    for (int k = 0; k < 2; ++k) {
        float a = l[k] < l[k + 2] ? l[k] : l[k + 2], b = h[k] > h[k + 2] ? h[k] : h[k + 2];
        if (a < p->lo[k]) p->lo[k] = a;
        if (b > p->hi[k]) p->hi[k] = b;
    }
    p->outside += outside;
    p->nonfinite += nonfinite;
    coords_scalar(uv, i, end, 2, p);
}
#endif

static void coords_range(const float *uv, size_t begin, size_t end, size_t stride, pf_uv_part *p) {
#if defined(__x86_64__)
    if (stride == 2) { coords_sse2(uv, begin, end, p); return; }
#endif
    coords_scalar(uv, begin, end, stride, p);
}

static int corner_outside(const float *c) {
    return !(c[0] >= 0.0f && c[0] <= 1.0f && c[1] >= 0.0f && c[1] <= 1.0f);
}

typedef struct { size_t outside, positive, negative, zero; } pf_tri_part;

static void triangles_range(const float *uv, size_t stride, const uint32_t *indices, size_t begin, size_t end,
                            pf_tri_part *t) {
    for (size_t f = begin; f < end; ++f) {
        const float *a = uv + (size_t)indices[3 * f] * stride;
        const float *b = uv + (size_t)indices[3 * f + 1] * stride;
        const float *c = uv + (size_t)indices[3 * f + 2] * stride;
        t->outside += corner_outside(a) || corner_outside(b) || corner_outside(c);
        double cross = ((double)b[0] - a[0]) * ((double)c[1] - a[1]) - ((double)b[1] - a[1]) * ((double)c[0] - a[0]);
        if (!isfinite(cross) || fabs(cross) <= 1e-12) t->zero++;
        else if (cross > 0) t->positive++;
        else t->negative++;
    }
}

int pf_uv_bounds(const float *uvs, size_t vertex_count, size_t stride, const uint32_t *indices, size_t index_count,
                 pf_uv_stats *out) {
    if (!out || stride < 2 || (vertex_count && !uvs) || (index_count && !indices)) return -1;
    pf_uv_part total;
    part_empty(&total);
    size_t triangles = index_count / 3;
    pf_tri_part tri = {0, 0, 0, 0};
    if (vertex_count < PF_UV_PARALLEL_MIN && triangles < PF_UV_PARALLEL_MIN) {
        coords_range(uvs, 0, vertex_count, stride, &total);
        triangles_range(uvs, stride, indices, 0, triangles, &tri);
    } else {
        /* Fixed chunking and an ordered merge keep the result independent of the thread count. */
        pf_uv_part parts[PF_UV_CHUNKS];
        pf_tri_part tparts[PF_UV_CHUNKS];
        #pragma omp parallel for schedule(static)
        for (int c = 0; c < PF_UV_CHUNKS; ++c) {
            part_empty(&parts[c]);
            coords_range(uvs, vertex_count * (size_t)c / PF_UV_CHUNKS, vertex_count * (size_t)(c + 1) / PF_UV_CHUNKS,
                         stride, &parts[c]);
            tparts[c] = (pf_tri_part){0, 0, 0, 0};
            triangles_range(uvs, stride, indices, triangles * (size_t)c / PF_UV_CHUNKS,
                            triangles * (size_t)(c + 1) / PF_UV_CHUNKS, &tparts[c]);
        }
        for (int c = 0; c < PF_UV_CHUNKS; ++c) {
            total.outside += parts[c].outside;
            total.nonfinite += parts[c].nonfinite;
            for (int k = 0; k < 2; ++k) {
                if (parts[c].lo[k] < total.lo[k]) total.lo[k] = parts[c].lo[k];
                if (parts[c].hi[k] > total.hi[k]) total.hi[k] = parts[c].hi[k];
            }
            tri.outside += tparts[c].outside;
            tri.positive += tparts[c].positive;
            tri.negative += tparts[c].negative;
            tri.zero += tparts[c].zero;
        }
    }
    out->coordinate_count = vertex_count;
    out->coordinates_outside = total.outside;
    out->nonfinite_count = total.nonfinite;
    out->triangle_count = triangles;
    out->triangles_outside = tri.outside;
    out->positive_area_count = tri.positive;
    out->negative_area_count = tri.negative;
    out->zero_area_count = tri.zero;
    for (int k = 0; k < 2; ++k) { out->min[k] = total.lo[k]; out->max[k] = total.hi[k]; }
    return 0;
}
