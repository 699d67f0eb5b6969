#include "polyforge_core.h"

#include <float.h>
#include <math.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/* Below this many vertices a parallel region costs more than it saves. */
enum { PF_BOUNDS_PARALLEL_MIN = 1 << 16 };

typedef struct { float lo[3], hi[3]; size_t bad; } pf_box;

static void box_empty(pf_box *b) {
    for (int k = 0; k < 3; ++k) { b->lo[k] = FLT_MAX; b->hi[k] = -FLT_MAX; }
    b->bad = 0;
}

static void box_merge(pf_box *into, const pf_box *b) {
    for (int k = 0; k < 3; ++k) {
        if (b->lo[k] < into->lo[k]) into->lo[k] = b->lo[k];
        if (b->hi[k] > into->hi[k]) into->hi[k] = b->hi[k];
    }
    into->bad += b->bad;
}

static void bounds_scalar(const float *p, size_t begin, size_t end, size_t stride, pf_box *b) {
    for (size_t i = begin; i < end; ++i) {
        const float *v = p + i * stride;
        if (!(isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]))) { b->bad++; continue; }
        for (int k = 0; k < 3; ++k) {
            if (v[k] < b->lo[k]) b->lo[k] = v[k];
            if (v[k] > b->hi[k]) b->hi[k] = v[k];
        }
    }
}

#if defined(__x86_64__)
/* SSE2: one vertex per step in xyz_ lanes; a finite check via x - x == 0 (false for NaN and Inf). */
static void bounds_sse2(const float *p, size_t begin, size_t end, size_t stride, pf_box *b) {
    __m128 lo = _mm_set1_ps(FLT_MAX), hi = _mm_set1_ps(-FLT_MAX);
    const __m128 zero = _mm_setzero_ps();
    size_t bad = 0;
    size_t i = begin;
    /* The 4-wide load reads one float past the vertex, so the last vertex goes through the scalar path. */
    size_t safe_end = end > begin ? end - 1 : begin;
    for (; i < safe_end; ++i) {
        __m128 v = _mm_loadu_ps(p + i * stride);
        __m128 finite = _mm_cmpeq_ps(_mm_sub_ps(v, v), zero);
        if ((_mm_movemask_ps(finite) & 7) != 7) { bad++; continue; }
        lo = _mm_min_ps(lo, v);
        hi = _mm_max_ps(hi, v);
    }
    float l[4], h[4];
    _mm_storeu_ps(l, lo);
    _mm_storeu_ps(h, hi);
    pf_box part;
    for (int k = 0; k < 3; ++k) { part.lo[k] = l[k]; part.hi[k] = h[k]; }
    part.bad = bad;
    box_merge(b, &part);
    bounds_scalar(p, i, end, stride, b);
}
#endif

static void bounds_range(const float *p, size_t begin, size_t end, size_t stride, pf_box *b) {
#if defined(__x86_64__)
    bounds_sse2(p, begin, end, stride, b);
#else
    bounds_scalar(p, begin, end, stride, b);
#endif
}

size_t pf_bounds(const float *positions, size_t vertex_count, size_t stride, float out_min[3], float out_max[3]) {
    pf_box total;
    box_empty(&total);
    if (vertex_count < PF_BOUNDS_PARALLEL_MIN) {
        bounds_range(positions, 0, vertex_count, stride, &total);
    } else {
        /* Fixed chunking and an ordered merge keep the result independent of the thread count. */
        enum { CHUNKS = 64 };
        pf_box parts[CHUNKS];
        #pragma omp parallel for schedule(static)
        for (int c = 0; c < CHUNKS; ++c) {
            size_t begin = vertex_count * (size_t)c / CHUNKS, end = vertex_count * (size_t)(c + 1) / CHUNKS;
            box_empty(&parts[c]);
            bounds_range(positions, begin, end, stride, &parts[c]);
        }
        for (int c = 0; c < CHUNKS; ++c) box_merge(&total, &parts[c]);
    }
    for (int k = 0; k < 3; ++k) { out_min[k] = total.lo[k]; out_max[k] = total.hi[k]; }
    return total.bad;
}
