#include "polyforge_core.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/* Coverage must not depend on whether the SIMD or scalar path evaluated an edge. */
#pragma STDC FP_CONTRACT OFF

#ifdef _OPENMP
int omp_get_max_threads(void);
int omp_get_thread_num(void);
#endif

/* A tile is TILE_SAMPLES x TILE_SAMPLES samples, i.e. 32x32 output pixels at 2x2 samples per pixel. */
enum { TILE_SAMPLES = 64, MAX_DIMENSION = 8192, SRGB_LUT = 4096 };
/* Vertices snap to 1/256 sample so that differences of coordinates are exact in float. */
static const float SNAP = 256.0f;
static const uint32_t EMPTY = 0xFFFFFFFFu;

typedef struct {
    const pf_raster_mesh *mesh;
    const pf_raster_options *options;
    const float *sx, *sy, *sz, *sinvw; /* per vertex: sample-space x, y, NDC depth, 1/w */
    uint32_t sample_width, sample_height;
    float to_linear[256];
    uint8_t to_srgb[SRGB_LUT];
    float background[4]; /* linear rgb, alpha */
    float wire[4];       /* linear rgb, alpha */
    int scalar;          /* PF_RASTER_SCALAR: the portable edge loop instead of SSE2 */
} raster_context;

static float srgb_to_linear(float c) {
    return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

static float linear_to_srgb(float c) {
    return c <= 0.0031308f ? c * 12.92f : 1.055f * powf(c, 1.0f / 2.4f) - 0.055f;
}

static uint8_t encode_srgb(const raster_context *c, float linear) {
    if (!(linear > 0.0f)) return 0;
    if (linear >= 1.0f) return 255;
    return c->to_srgb[(int)(linear * (SRGB_LUT - 1) + 0.5f)];
}

/* Round to nearest (ties to even) without a libm call; |v| < 2^31. */
static inline float round_nearest(float v) {
#if defined(__x86_64__)
    return (float)_mm_cvtss_si32(_mm_set_ss(v));
#else
    return rintf(v);
#endif
}

/* floor and ceil for values well inside the range of long, without a libm call (no SSE4.1 at baseline). */
static inline long floor_small(float v) {
    long i = (long)v;
    return (float)i > v ? i - 1 : i;
}

static inline long ceil_small(float v) {
    long i = (long)v;
    return (float)i < v ? i + 1 : i;
}

/* ---- vertex transform --------------------------------------------------------------------------------- */

static void transform_vertices(raster_context *c, float *sx, float *sy, float *sz, float *sinvw, uint8_t *valid) {
    const float *m = c->options->view_projection;
    const float *p = c->mesh->positions;
    const float sw = (float)c->sample_width, sh = (float)c->sample_height;
    const float guard_lo_x = -4.0f * sw, guard_hi_x = 5.0f * sw, guard_lo_y = -4.0f * sh, guard_hi_y = 5.0f * sh;
    const long n = (long)c->mesh->vertex_count;
#pragma omp parallel for schedule(static) if (n > 65536)
    for (long i = 0; i < n; ++i) {
        float x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
        float cx = m[0] * x + m[4] * y + m[8] * z + m[12];
        float cy = m[1] * x + m[5] * y + m[9] * z + m[13];
        float cz = m[2] * x + m[6] * y + m[10] * z + m[14];
        float cw = m[3] * x + m[7] * y + m[11] * z + m[15];
        valid[i] = 0;
        sx[i] = sy[i] = sz[i] = sinvw[i] = 0.0f;
        if (!(cw > 1e-20f)) continue;
        float inv = 1.0f / cw;
        float nz = cz * inv;
        if (!(nz >= -1.0f && nz <= 1.0f)) continue;
        float fx = (cx * inv * 0.5f + 0.5f) * sw;
        float fy = (0.5f - cy * inv * 0.5f) * sh;
        if (!(fx >= guard_lo_x && fx <= guard_hi_x && fy >= guard_lo_y && fy <= guard_hi_y)) continue;
        sx[i] = round_nearest(fx * SNAP) / SNAP;
        sy[i] = round_nearest(fy * SNAP) / SNAP;
        sz[i] = nz;
        sinvw[i] = inv;
        valid[i] = 1;
    }
}

/* ---- triangle setup ------------------------------------------------------------------------------------ */

static int material_double_sided(const pf_raster_options *o, const uint32_t *materials, size_t t) {
    uint32_t id = materials ? materials[t] : 0;
    return id < o->material_count ? o->materials[id].double_sided != 0 : 0;
}

/* Twice the signed screen area; positive when the triangle is clockwise on screen (y down), i.e. a back face. */
static float screen_area2(const float *sx, const float *sy, uint32_t a, uint32_t b, uint32_t d) {
    return (sx[b] - sx[a]) * (sy[d] - sy[a]) - (sx[d] - sx[a]) * (sy[b] - sy[a]);
}

/* One edge function E(p) = A * (px - ox) + B * (py - oy), positive inside. The origin is the endpoint that
 * sorts first, so two triangles sharing an edge evaluate bit-identical magnitudes with opposite signs; with
 * the top-left tie rule, every sample on a shared edge is covered exactly once. */
typedef struct { float a, b, ox, oy; int top_left; } edge_fn;

static edge_fn make_edge(float ax, float ay, float bx, float by) {
    edge_fn e;
    int swap = (bx < ax) || (bx == ax && by < ay);
    float px = swap ? bx : ax, py = swap ? by : ay, qx = swap ? ax : bx, qy = swap ? ay : by;
    float s = swap ? -1.0f : 1.0f;
    /* E_ab(p) = (bx - ax)(py - ay) - (px - ax)(by - ay), computed from the canonical origin. */
    e.a = -s * (qy - py);
    e.b = s * (qx - px);
    e.ox = px;
    e.oy = py;
    float dx = bx - ax, dy = by - ay;
    e.top_left = (dy < 0.0f) || (dy == 0.0f && dx > 0.0f);
    return e;
}

static inline int edge_inside(const edge_fn *e, float v) {
    return v > 0.0f || (v == 0.0f && e->top_left);
}

/* Whether triangle (a, b, d) covers sample (x, y): the same edge functions, orientation and tie rule as
 * raster_triangle's scalar loop, operation for operation, so both always agree. */
static int covers_sample(const raster_context *c, uint32_t v0, uint32_t v1, uint32_t v2, long x, long y) {
    const float *sx = c->sx, *sy = c->sy;
    if (screen_area2(sx, sy, v0, v1, v2) > 0.0f) { uint32_t k = v1; v1 = v2; v2 = k; }
    float x0 = sx[v0], y0 = sy[v0], x1 = sx[v1], y1 = sy[v1], x2 = sx[v2], y2 = sy[v2];
    edge_fn e0 = make_edge(x2, y2, x1, y1), e1 = make_edge(x0, y0, x2, y2), e2 = make_edge(x1, y1, x0, y0);
    float py = (float)y + 0.5f, px = (float)x + 0.5f;
    float b0 = e0.b * (py - e0.oy), b1 = e1.b * (py - e1.oy), b2 = e2.b * (py - e2.oy);
    float w0 = e0.a * (px - e0.ox) + b0, w1 = e1.a * (px - e1.ox) + b1, w2 = e2.a * (px - e2.ox) + b2;
    return edge_inside(&e0, w0) && edge_inside(&e1, w1) && edge_inside(&e2, w2);
}

/* Tile rectangle of triangle t packed as 4 x 8 bits (first tile x and y, extent in x and y; at most 256 tiles a
 * side, as MAX_DIMENSION allows), or NOT_DRAWN: 4 bytes a triangle, because this array is fresh memory for every
 * image and first touch of it costs more than the binning itself. */
static const uint32_t NOT_DRAWN = 0xFFFFFFFFu; /* tx0 + extent would exceed 255: never a real rectangle */
static uint32_t triangle_tiles(const raster_context *c, const uint8_t *valid, size_t t) {
    const uint32_t *idx = c->mesh->indices + 3 * t;
    uint32_t a = idx[0], b = idx[1], d = idx[2];
    if (!(valid[a] & valid[b] & valid[d])) return NOT_DRAWN;
    float area = screen_area2(c->sx, c->sy, a, b, d);
    if (area == 0.0f) return NOT_DRAWN;
    if (area > 0.0f && !material_double_sided(c->options, c->mesh->materials, t)) return NOT_DRAWN;
    float x0 = fminf(c->sx[a], fminf(c->sx[b], c->sx[d])), x1 = fmaxf(c->sx[a], fmaxf(c->sx[b], c->sx[d]));
    float y0 = fminf(c->sy[a], fminf(c->sy[b], c->sy[d])), y1 = fmaxf(c->sy[a], fmaxf(c->sy[b], c->sy[d]));
    /* Samples sit at integer + 0.5; covered sample columns are ceil(x0 - 0.5) .. floor(x1 - 0.5). */
    long sx0 = ceil_small(x0 - 0.5f), sx1 = floor_small(x1 - 0.5f);
    long sy0 = ceil_small(y0 - 0.5f), sy1 = floor_small(y1 - 0.5f);
    if (sx0 < 0) sx0 = 0;
    if (sy0 < 0) sy0 = 0;
    if (sx1 > (long)c->sample_width - 1) sx1 = (long)c->sample_width - 1;
    if (sy1 > (long)c->sample_height - 1) sy1 = (long)c->sample_height - 1;
    if (sx0 > sx1 || sy0 > sy1) return NOT_DRAWN;
    /* Most triangles of a dense mesh span one sample at most: test it here, so the many that miss it are never
     * binned (raster_triangle would set up three edges to find nothing). */
    if (sx0 == sx1 && sy0 == sy1 && !covers_sample(c, a, b, d, sx0, sy0)) return NOT_DRAWN;
    uint32_t tx0 = (uint32_t)(sx0 / TILE_SAMPLES), tx1 = (uint32_t)(sx1 / TILE_SAMPLES);
    uint32_t ty0 = (uint32_t)(sy0 / TILE_SAMPLES), ty1 = (uint32_t)(sy1 / TILE_SAMPLES);
    return tx0 | (ty0 << 8) | ((tx1 - tx0) << 16) | ((ty1 - ty0) << 24);
}

/* ---- tile rasterization ------------------------------------------------------------------------------ */

static void sample_texture(const raster_context *c, const pf_raster_texture *tex, float u, float v, float out[4]);

/* Alpha of triangle t's material at barycentric (screen-linear) weights b, for the MASK alpha test. */
static float material_alpha(const raster_context *c, uint32_t t, const uint32_t v[3], const float b[3]) {
    const pf_raster_mesh *mesh = c->mesh;
    const pf_raster_options *o = c->options;
    uint32_t id = mesh->materials ? mesh->materials[t] : 0;
    const pf_raster_material *m = &o->materials[id];
    float alpha = m->base_color[3];
    float p[3], sum = 0.0f;
    for (int k = 0; k < 3; ++k) { p[k] = b[k] * c->sinvw[v[k]]; sum += p[k]; }
    if (!(sum > 0.0f)) return alpha;
    for (int k = 0; k < 3; ++k) p[k] /= sum;
    if (mesh->colors) {
        float s = 0.0f;
        for (int k = 0; k < 3; ++k) s += p[k] * mesh->colors[4 * (size_t)v[k] + 3];
        alpha *= s;
    }
    if (mesh->uvs && m->texture >= 0 && (size_t)m->texture < o->texture_count) {
        const pf_raster_texture *tex = &o->textures[m->texture];
        if (tex->rgba && tex->width > 0 && tex->height > 0) {
            float u = 0.0f, w = 0.0f;
            for (int k = 0; k < 3; ++k) { u += p[k] * mesh->uvs[2 * (size_t)v[k]]; w += p[k] * mesh->uvs[2 * (size_t)v[k] + 1]; }
            const float *tr = m->uv_transform;
            float texel[4];
            sample_texture(c, tex, tr[0] * u + tr[1] * w + tr[2], tr[3] * u + tr[4] * w + tr[5], texel);
            alpha *= texel[3];
        }
    }
    return alpha;
}

/* Per-sample cutoffs for BLEND drawn by coverage: a 2x2 ordered pattern over each pixel's samples. */
static const float BLEND_CUTOFF[4] = {0.125f, 0.625f, 0.875f, 0.375f};

/* The alpha-tested edge loop: one sample at a time, because every covered sample samples the texture.
 * cutoff < 0 means BLEND by coverage: the sample's cutoff comes from BLEND_CUTOFF. */
static void raster_masked(const raster_context *c, uint32_t t, const uint32_t v[3], const edge_fn e[3], float area,
                          float z0, float k1, float k2, float cutoff, long tile_x0, long tile_y0,
                          long sx0, long sx1, long sy0, long sy1, float *depth, uint32_t *ids) {
    for (long y = sy0; y <= sy1; ++y) {
        float py = (float)(tile_y0 + y) + 0.5f;
        float b0 = e[0].b * (py - e[0].oy), b1 = e[1].b * (py - e[1].oy), b2 = e[2].b * (py - e[2].oy);
        for (long x = sx0; x <= sx1; ++x) {
            float px = (float)(tile_x0 + x) + 0.5f;
            float w0 = e[0].a * (px - e[0].ox) + b0, w1 = e[1].a * (px - e[1].ox) + b1, w2 = e[2].a * (px - e[2].ox) + b2;
            if (!(edge_inside(&e[0], w0) && edge_inside(&e[1], w1) && edge_inside(&e[2], w2))) continue;
            float z = z0 + (w1 * k1 + w2 * k2);
            if (!(z < depth[y * TILE_SAMPLES + x])) continue;
            const float b[3] = {w0 / area, w1 / area, w2 / area};
            float limit = cutoff >= 0.0f ? cutoff : BLEND_CUTOFF[((tile_x0 + x) & 1) | (((tile_y0 + y) & 1) << 1)];
            if (material_alpha(c, t, v, b) < limit) continue;
            depth[y * TILE_SAMPLES + x] = z;
            ids[y * TILE_SAMPLES + x] = t;
        }
    }
}

static void raster_triangle(const raster_context *c, uint32_t t, long tile_x0, long tile_y0, long tile_w, long tile_h,
                            float *depth, uint32_t *ids) {
    const uint32_t *idx = c->mesh->indices + 3 * (size_t)t;
    uint32_t v0 = idx[0], v1 = idx[1], v2 = idx[2];
    const float *sx = c->sx, *sy = c->sy;
    if (screen_area2(sx, sy, v0, v1, v2) > 0.0f) { uint32_t k = v1; v1 = v2; v2 = k; }
    /* Now counter-clockwise on screen (y down): inside is where all three edge functions are positive. */
    float x0 = sx[v0], y0 = sy[v0], x1 = sx[v1], y1 = sy[v1], x2 = sx[v2], y2 = sy[v2];
    float area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    area = -area;
    if (!(area > 0.0f)) return;
    float bx0 = fminf(x0, fminf(x1, x2)), bx1 = fmaxf(x0, fmaxf(x1, x2));
    float by0 = fminf(y0, fminf(y1, y2)), by1 = fmaxf(y0, fmaxf(y1, y2));
    long sx0 = ceil_small(bx0 - 0.5f) - tile_x0, sx1 = floor_small(bx1 - 0.5f) - tile_x0;
    long sy0 = ceil_small(by0 - 0.5f) - tile_y0, sy1 = floor_small(by1 - 0.5f) - tile_y0;
    if (sx0 < 0) sx0 = 0;
    if (sy0 < 0) sy0 = 0;
    if (sx1 > tile_w - 1) sx1 = tile_w - 1;
    if (sy1 > tile_h - 1) sy1 = tile_h - 1;
    if (sx0 > sx1 || sy0 > sy1) return;

    /* Edge i is opposite vertex i; with the winding flipped the edge functions run b -> a. */
    edge_fn e0 = make_edge(x2, y2, x1, y1), e1 = make_edge(x0, y0, x2, y2), e2 = make_edge(x1, y1, x0, y0);
    float z0 = c->sz[v0], inverse_area = 1.0f / area;
    float k1 = (c->sz[v1] - z0) * inverse_area, k2 = (c->sz[v2] - z0) * inverse_area;

    uint32_t material = c->mesh->materials ? c->mesh->materials[t] : 0;
    if (material < c->options->material_count &&
        (c->options->materials[material].alpha_cutoff > 0.0f || c->options->materials[material].alpha_blend)) {
        const uint32_t v[3] = {v0, v1, v2};
        const edge_fn e[3] = {e0, e1, e2};
        const pf_raster_material *m = &c->options->materials[material];
        raster_masked(c, t, v, e, area, z0, k1, k2, m->alpha_blend ? -1.0f : m->alpha_cutoff,
                      tile_x0, tile_y0, sx0, sx1, sy0, sy1, depth, ids);
        return;
    }

#if defined(__x86_64__)
    if (!c->scalar) {
        /* Four samples of a row per step, the same arithmetic as the scalar loop below lane by lane; groups
         * start at a multiple of 4 inside the tile, whose row buffer is 64 wide. */
        const __m128 zero = _mm_setzero_ps();
        const __m128 lane = _mm_set_ps(3.5f, 2.5f, 1.5f, 0.5f);
        const __m128 a0 = _mm_set1_ps(e0.a), a1 = _mm_set1_ps(e1.a), a2 = _mm_set1_ps(e2.a);
        const __m128 o0 = _mm_set1_ps(e0.ox), o1 = _mm_set1_ps(e1.ox), o2 = _mm_set1_ps(e2.ox);
        const __m128 tl0 = _mm_castsi128_ps(_mm_set1_epi32(e0.top_left ? -1 : 0));
        const __m128 tl1 = _mm_castsi128_ps(_mm_set1_epi32(e1.top_left ? -1 : 0));
        const __m128 tl2 = _mm_castsi128_ps(_mm_set1_epi32(e2.top_left ? -1 : 0));
        const __m128 vz0 = _mm_set1_ps(z0), vk1 = _mm_set1_ps(k1), vk2 = _mm_set1_ps(k2);
        const __m128i vid = _mm_set1_epi32((int)t);
        long gx0 = sx0 & ~3L;
        for (long y = sy0; y <= sy1; ++y) {
            float py = (float)(tile_y0 + y) + 0.5f;
            __m128 b0 = _mm_set1_ps(e0.b * (py - e0.oy)), b1 = _mm_set1_ps(e1.b * (py - e1.oy)), b2 = _mm_set1_ps(e2.b * (py - e2.oy));
            float *drow = depth + y * TILE_SAMPLES;
            uint32_t *irow = ids + y * TILE_SAMPLES;
            for (long x = gx0; x <= sx1; x += 4) {
                __m128 px = _mm_add_ps(_mm_set1_ps((float)(tile_x0 + x)), lane);
                __m128 w0 = _mm_add_ps(_mm_mul_ps(a0, _mm_sub_ps(px, o0)), b0);
                __m128 w1 = _mm_add_ps(_mm_mul_ps(a1, _mm_sub_ps(px, o1)), b1);
                __m128 w2 = _mm_add_ps(_mm_mul_ps(a2, _mm_sub_ps(px, o2)), b2);
                __m128 in0 = _mm_or_ps(_mm_cmpgt_ps(w0, zero), _mm_and_ps(_mm_cmpeq_ps(w0, zero), tl0));
                __m128 in1 = _mm_or_ps(_mm_cmpgt_ps(w1, zero), _mm_and_ps(_mm_cmpeq_ps(w1, zero), tl1));
                __m128 in2 = _mm_or_ps(_mm_cmpgt_ps(w2, zero), _mm_and_ps(_mm_cmpeq_ps(w2, zero), tl2));
                __m128 inside = _mm_and_ps(in0, _mm_and_ps(in1, in2));
                if (_mm_movemask_ps(inside) == 0) continue;
                __m128 z = _mm_add_ps(vz0, _mm_add_ps(_mm_mul_ps(w1, vk1), _mm_mul_ps(w2, vk2)));
                __m128 old = _mm_loadu_ps(drow + x);
                __m128 pass = _mm_and_ps(inside, _mm_cmplt_ps(z, old));
                if (_mm_movemask_ps(pass) == 0) continue;
                /* Lanes past tile_w stay inside the 64-wide row buffer and are never resolved. */
                __m128i keep = _mm_castps_si128(pass);
                _mm_storeu_ps(drow + x, _mm_or_ps(_mm_and_ps(pass, z), _mm_andnot_ps(pass, old)));
                __m128i oldid = _mm_loadu_si128((const __m128i *)(irow + x));
                _mm_storeu_si128((__m128i *)(irow + x), _mm_or_si128(_mm_and_si128(keep, vid), _mm_andnot_si128(keep, oldid)));
            }
        }
        return;
    }
#endif
    for (long y = sy0; y <= sy1; ++y) {
        float py = (float)(tile_y0 + y) + 0.5f;
        float b0 = e0.b * (py - e0.oy), b1 = e1.b * (py - e1.oy), b2 = e2.b * (py - e2.oy);
        for (long x = sx0; x <= sx1; ++x) {
            float px = (float)(tile_x0 + x) + 0.5f;
            float w0 = e0.a * (px - e0.ox) + b0, w1 = e1.a * (px - e1.ox) + b1, w2 = e2.a * (px - e2.ox) + b2;
            if (!(edge_inside(&e0, w0) && edge_inside(&e1, w1) && edge_inside(&e2, w2))) continue;
            float z = z0 + (w1 * k1 + w2 * k2);
            if (z < depth[y * TILE_SAMPLES + x]) { depth[y * TILE_SAMPLES + x] = z; ids[y * TILE_SAMPLES + x] = t; }
        }
    }
}

/* ---- shading ----------------------------------------------------------------------------------------- */

/* Bilinear, wrap-repeat, texels converted to linear before filtering. */
static void sample_texture(const raster_context *c, const pf_raster_texture *tex, float u, float v, float out[4]) {
    if (!(isfinite(u) && isfinite(v))) { out[0] = out[1] = out[2] = out[3] = 1.0f; return; }
    long w = (long)tex->width, h = (long)tex->height;
    u -= fabsf(u) < 1e9f ? (float)floor_small(u) : floorf(u);
    v -= fabsf(v) < 1e9f ? (float)floor_small(v) : floorf(v);
    float fx = u * (float)w - 0.5f, fy = v * (float)h - 0.5f;
    long x0 = floor_small(fx), y0 = floor_small(fy);
    float tx = fx - (float)x0, ty = fy - (float)y0;
    if (x0 < 0) x0 += w;
    if (y0 < 0) y0 += h;
    if (x0 >= w) x0 -= w;
    if (y0 >= h) y0 -= h;
    long x1 = x0 + 1 == w ? 0 : x0 + 1, y1 = y0 + 1 == h ? 0 : y0 + 1;
    const uint8_t *p00 = tex->rgba + 4 * (y0 * w + x0), *p10 = tex->rgba + 4 * (y0 * w + x1);
    const uint8_t *p01 = tex->rgba + 4 * (y1 * w + x0), *p11 = tex->rgba + 4 * (y1 * w + x1);
    for (int k = 0; k < 3; ++k) {
        float top = c->to_linear[p00[k]] + (c->to_linear[p10[k]] - c->to_linear[p00[k]]) * tx;
        float bottom = c->to_linear[p01[k]] + (c->to_linear[p11[k]] - c->to_linear[p01[k]]) * tx;
        out[k] = top + (bottom - top) * ty;
    }
    /* Alpha is linear already. */
    float top = (float)p00[3] + ((float)p10[3] - (float)p00[3]) * tx;
    float bottom = (float)p01[3] + ((float)p11[3] - (float)p01[3]) * tx;
    out[3] = (top + (bottom - top) * ty) * (1.0f / 255.0f);
}

static void normalize3(float v[3]) {
    float len = sqrtf(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (len > 0.0f) { v[0] /= len; v[1] /= len; v[2] /= len; }
}

/* Linear color of triangle t at sample-space point (px, py). */
static void shade(const raster_context *c, uint32_t t, float px, float py, float out[3]) {
    const pf_raster_mesh *mesh = c->mesh;
    const pf_raster_options *o = c->options;
    const uint32_t *idx = mesh->indices + 3 * (size_t)t;
    const uint32_t v[3] = {idx[0], idx[1], idx[2]};
    float x0 = c->sx[v[0]], y0 = c->sy[v[0]], x1 = c->sx[v[1]], y1 = c->sy[v[1]], x2 = c->sx[v[2]], y2 = c->sy[v[2]];
    float area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    int back = area > 0.0f;
    float b[3];
    b[1] = ((px - x0) * (y2 - y0) - (x2 - x0) * (py - y0)) / area;
    b[2] = ((x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)) / area;
    b[0] = 1.0f - b[1] - b[2];
    for (int k = 0; k < 3; ++k) {
        /* A group's centroid may lie just outside the triangle that shades it: extrapolate, within limits. */
        if (b[k] < -0.5f) b[k] = -0.5f;
        if (b[k] > 1.5f) b[k] = 1.5f;
    }
    /* Perspective-correct weights: interpolate attribute/w and 1/w linearly on screen. */
    float p[3], sum = 0.0f;
    for (int k = 0; k < 3; ++k) { p[k] = b[k] * c->sinvw[v[k]]; sum += p[k]; }
    if (!(sum > 0.0f)) { p[0] = 1.0f; p[1] = p[2] = 0.0f; sum = 1.0f; }
    for (int k = 0; k < 3; ++k) p[k] /= sum;

    uint32_t id = mesh->materials ? mesh->materials[t] : 0;
    const pf_raster_material *m = id < o->material_count ? &o->materials[id] : NULL;
    float color[3] = {1.0f, 1.0f, 1.0f};
    if (m) { color[0] = m->base_color[0]; color[1] = m->base_color[1]; color[2] = m->base_color[2]; }
    if (mesh->colors) {
        for (int ch = 0; ch < 3; ++ch) {
            float s = 0.0f;
            for (int k = 0; k < 3; ++k) s += p[k] * mesh->colors[4 * (size_t)v[k] + ch];
            color[ch] *= s;
        }
    }
    if (mesh->uvs) {
        float u = 0.0f, w = 0.0f;
        for (int k = 0; k < 3; ++k) { u += p[k] * mesh->uvs[2 * (size_t)v[k]]; w += p[k] * mesh->uvs[2 * (size_t)v[k] + 1]; }
        if (o->flags & PF_RASTER_UV_CHECKER) {
            /* 8 squares per UV unit; warm/cool so mirrored or rotated islands stand out. */
            float cu = floorf(u * 8.0f), cv = floorf(w * 8.0f);
            int odd = ((long)cu + (long)cv) & 1;
            float fu = u - floorf(u), fv = w - floorf(w);
            color[0] = odd ? 0.85f : 0.10f + 0.5f * fu;
            color[1] = odd ? 0.85f : 0.10f + 0.3f * fv;
            color[2] = odd ? 0.85f : 0.35f;
        } else if (m && m->texture >= 0 && (size_t)m->texture < o->texture_count) {
            const pf_raster_texture *tex = &o->textures[m->texture];
            if (tex->rgba && tex->width > 0 && tex->height > 0) {
                const float *tr = m->uv_transform;
                float tu = tr[0] * u + tr[1] * w + tr[2], tv = tr[3] * u + tr[4] * w + tr[5];
                float texel[4];
                sample_texture(c, tex, tu, tv, texel);
                for (int ch = 0; ch < 3; ++ch) color[ch] *= texel[ch];
            }
        }
    }

    float albedo = 0.2126f * color[0] + 0.7152f * color[1] + 0.0722f * color[2];
    int unlit = (o->flags & PF_RASTER_UNLIT) || (m && m->unlit);
    if (!unlit) {
        const float *pos = mesh->positions;
        float n[3] = {0.0f, 0.0f, 0.0f};
        if (mesh->normals) {
            for (int k = 0; k < 3; ++k)
                for (int ch = 0; ch < 3; ++ch) n[ch] += p[k] * mesh->normals[3 * (size_t)v[k] + ch];
        }
        if (n[0] * n[0] + n[1] * n[1] + n[2] * n[2] < 1e-12f) {
            const float *a = pos + 3 * (size_t)v[0], *bb = pos + 3 * (size_t)v[1], *cc = pos + 3 * (size_t)v[2];
            float e1[3] = {bb[0] - a[0], bb[1] - a[1], bb[2] - a[2]}, e2[3] = {cc[0] - a[0], cc[1] - a[1], cc[2] - a[2]};
            n[0] = e1[1] * e2[2] - e1[2] * e2[1];
            n[1] = e1[2] * e2[0] - e1[0] * e2[2];
            n[2] = e1[0] * e2[1] - e1[1] * e2[0];
        }
        normalize3(n);
        if (back) { n[0] = -n[0]; n[1] = -n[1]; n[2] = -n[2]; }
        float world[3] = {0.0f, 0.0f, 0.0f};
        for (int k = 0; k < 3; ++k)
            for (int ch = 0; ch < 3; ++ch) world[ch] += p[k] * pos[3 * (size_t)v[k] + ch];
        float view[3] = {o->eye[0] - world[0], o->eye[1] - world[1], o->eye[2] - world[2]};
        normalize3(view);
        const float *l = o->light_direction;
        float key = n[0] * l[0] + n[1] * l[1] + n[2] * l[2];
        float facing = n[0] * view[0] + n[1] * view[1] + n[2] * view[2];
        float sky = 0.5f + 0.5f * n[1];
        /* Key light, a sky/ground hemisphere and a little camera fill so no side reads as black. */
        float light = 0.70f * (key > 0.0f ? key : 0.0f) + 0.18f + 0.22f * sky + 0.12f * (facing > 0.0f ? facing : 0.0f);
        for (int ch = 0; ch < 3; ++ch) color[ch] *= light;
        if (m && (m->sheen_color[0] > 0.0f || m->sheen_color[1] > 0.0f || m->sheen_color[2] > 0.0f)) {
            /* Cloth: a soft base of sheen plus a rim where the surface turns away from the eye. */
            float rim = 1.0f - (facing > 0.0f ? facing : 0.0f);
            float sheen = 0.25f + 0.75f * rim * rim;
            for (int ch = 0; ch < 3; ++ch) color[ch] += m->sheen_color[ch] * sheen * (0.4f + 0.6f * (key > 0.0f ? key : 0.0f));
        }
    }

    if (o->flags & PF_RASTER_WIREFRAME) {
        /* Distance to the edge opposite vertex k, in samples: barycentric * height of that vertex. */
        float edge_distance[3];
        for (int k = 0; k < 3; ++k) {
            float ex = c->sx[v[(k + 2) % 3]] - c->sx[v[(k + 1) % 3]], ey = c->sy[v[(k + 2) % 3]] - c->sy[v[(k + 1) % 3]];
            float len = sqrtf(ex * ex + ey * ey);
            edge_distance[k] = len > 0.0f ? fabsf(b[k]) * fabsf(area) / len : 0.0f;
        }
        float d = fminf(edge_distance[0], fminf(edge_distance[1], edge_distance[2])) * 0.5f; /* output pixels */
        float f = 0.5f * o->wireframe_width + 0.25f - d;
        f = f < 0.0f ? 0.0f : (f > 1.0f ? 1.0f : f);
        f *= c->wire[3];
        /* Over an albedo about as dark (or light) as the line color, the line takes the inverse color. */
        float line = 0.2126f * c->wire[0] + 0.7152f * c->wire[1] + 0.0722f * c->wire[2];
        int invert = fabsf(albedo - line) < 0.15f;
        for (int ch = 0; ch < 3; ++ch) color[ch] += ((invert ? 1.0f - c->wire[ch] : c->wire[ch]) - color[ch]) * f;
    }
    out[0] = color[0];
    out[1] = color[1];
    out[2] = color[2];
}

/* Box-filters the 2x2 samples of every pixel of a tile, shading each distinct triangle once per pixel at
 * the centroid of the samples it covers. */
static void resolve_tile(const raster_context *c, long tile_x0, long tile_y0, long tile_w, long tile_h,
                         const float *depth, const uint32_t *ids, uint8_t *out_rgba, float *out_depth) {
    const uint32_t width = c->options->width;
    for (long py = 0; py < tile_h / 2; ++py) {
        for (long px = 0; px < tile_w / 2; ++px) {
            uint32_t tri[4];
            int count[4];
            float cx[4], cy[4];
            int unique = 0, covered = 0;
            float nearest = INFINITY;
            for (int s = 0; s < 4; ++s) {
                long lx = 2 * px + (s & 1), ly = 2 * py + (s >> 1);
                uint32_t id = ids[ly * TILE_SAMPLES + lx];
                if (id == EMPTY) continue;
                covered++;
                float z = depth[ly * TILE_SAMPLES + lx];
                if (z < nearest) nearest = z;
                int k = 0;
                while (k < unique && tri[k] != id) k++;
                if (k == unique) { tri[k] = id; count[k] = 0; cx[k] = cy[k] = 0.0f; unique++; }
                count[k]++;
                cx[k] += (float)(tile_x0 + lx) + 0.5f;
                cy[k] += (float)(tile_y0 + ly) + 0.5f;
            }
            /* On a dense mesh a pixel holds several neighbours of one smooth surface. Triangles that share a
             * vertex and the material with an earlier one join its group; each group is shaded once, by its
             * triangle with the most samples, at the centroid of all the group's samples. Silhouettes,
             * occlusion boundaries and split-vertex creases stay separate groups, hence anti-aliased. */
            int group[4];
            for (int k = 0; k < unique; ++k) {
                group[k] = k;
                if (c->options->flags & PF_RASTER_WIREFRAME) continue;
                const uint32_t *a = c->mesh->indices + 3 * (size_t)tri[k];
                uint32_t ma = c->mesh->materials ? c->mesh->materials[tri[k]] : 0;
                for (int j = 0; j < k && group[k] == k; ++j) {
                    const uint32_t *b = c->mesh->indices + 3 * (size_t)tri[j];
                    uint32_t mb = c->mesh->materials ? c->mesh->materials[tri[j]] : 0;
                    if (ma != mb) continue;
                    for (int u = 0; u < 3; ++u)
                        if (a[u] == b[0] || a[u] == b[1] || a[u] == b[2]) { group[k] = group[j]; break; }
                }
            }
            float rgb[3] = {0.0f, 0.0f, 0.0f}; /* premultiplied */
            for (int g = 0; g < unique; ++g) {
                int samples = 0, best = -1;
                float gx = 0.0f, gy = 0.0f;
                for (int k = 0; k < unique; ++k) {
                    if (group[k] != g) continue;
                    samples += count[k];
                    gx += cx[k];
                    gy += cy[k];
                    if (best < 0 || count[k] > count[best]) best = k;
                }
                if (!samples) continue;
                float col[3];
                shade(c, tri[best], gx / (float)samples, gy / (float)samples, col);
                for (int ch = 0; ch < 3; ++ch) rgb[ch] += col[ch] * (float)samples;
            }
            float empty = (float)(4 - covered) * c->background[3];
            for (int ch = 0; ch < 3; ++ch) rgb[ch] += c->background[ch] * empty;
            float alpha = (float)covered + empty;
            size_t ox = (size_t)(tile_x0 / 2 + px), oy = (size_t)(tile_y0 / 2 + py);
            uint8_t *dst = out_rgba + 4 * (oy * width + ox);
            if (alpha > 0.0f) {
                for (int ch = 0; ch < 3; ++ch) dst[ch] = encode_srgb(c, rgb[ch] / alpha);
            } else {
                dst[0] = dst[1] = dst[2] = 0;
            }
            float a = alpha * 0.25f * 255.0f + 0.5f;
            dst[3] = (uint8_t)(a > 255.0f ? 255.0f : a);
            if (out_depth) out_depth[oy * width + ox] = nearest;
        }
    }
}

/* ---- the draw call ----------------------------------------------------------------------------------- */

size_t pf_raster_draw(const pf_raster_mesh *mesh, const pf_raster_options *options, uint8_t *out_rgba, float *out_depth) {
    if (!mesh || !options || !out_rgba) return (size_t)-1;
    if (options->width < 1 || options->height < 1 || options->width > MAX_DIMENSION || options->height > MAX_DIMENSION) return (size_t)-1;
    if (mesh->index_count > 0 && (!mesh->positions || !mesh->indices)) return (size_t)-1;
    if (options->material_count > 0 && !options->materials) return (size_t)-1;
    if (options->texture_count > 0 && !options->textures) return (size_t)-1;
    const size_t triangle_count = mesh->index_count / 3;
    if (triangle_count >= EMPTY) return (size_t)-1;

    raster_context c;
    memset(&c, 0, sizeof c);
    c.mesh = mesh;
    c.options = options;
    c.sample_width = options->width * 2;
    c.sample_height = options->height * 2;
    c.scalar = (options->flags & PF_RASTER_SCALAR) != 0;
    for (int i = 0; i < 256; ++i) c.to_linear[i] = srgb_to_linear((float)i / 255.0f);
    for (int i = 0; i < SRGB_LUT; ++i) {
        float s = linear_to_srgb((float)i / (float)(SRGB_LUT - 1)) * 255.0f + 0.5f;
        c.to_srgb[i] = (uint8_t)(s > 255.0f ? 255.0f : s);
    }
    for (int ch = 0; ch < 3; ++ch) {
        c.background[ch] = srgb_to_linear(fminf(fmaxf(options->background[ch], 0.0f), 1.0f));
        c.wire[ch] = srgb_to_linear(fminf(fmaxf(options->wireframe_color[ch], 0.0f), 1.0f));
    }
    c.background[3] = fminf(fmaxf(options->background[3], 0.0f), 1.0f);
    c.wire[3] = fminf(fmaxf(options->wireframe_color[3], 0.0f), 1.0f);

    const uint32_t tiles_x = (c.sample_width + TILE_SAMPLES - 1) / TILE_SAMPLES;
    const uint32_t tiles_y = (c.sample_height + TILE_SAMPLES - 1) / TILE_SAMPLES;
    const size_t tile_count = (size_t)tiles_x * tiles_y;
    /* Fixed by the input sizes, never by the thread count, so the bins come out the same either way. */
    size_t chunks = triangle_count / 4096;
    if (chunks < 1) chunks = 1;
    if (chunks > 64) chunks = 64;
    while (chunks > 1 && chunks * tile_count > ((size_t)1 << 22)) chunks /= 2;
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
    if (threads < 1) threads = 1;
#endif

    const size_t n = mesh->vertex_count;
    size_t arena_size = n * (4 * sizeof(float) + 1) + 64 + triangle_count * sizeof(uint32_t) + 64
                      + (chunks * tile_count + 1) * sizeof(size_t) + 64
                      + (size_t)threads * TILE_SAMPLES * TILE_SAMPLES * (sizeof(float) + sizeof(uint32_t)) + 64;
    char *arena = (char *)malloc(arena_size);
    if (!arena) return (size_t)-1;
    char *cursor = arena;
#define TAKE(type, count) ((type *)(cursor = (char *)(((uintptr_t)cursor + 15) & ~(uintptr_t)15), cursor += (count) * sizeof(type), cursor - (count) * sizeof(type)))
    float *sx = TAKE(float, n), *sy = TAKE(float, n), *sz = TAKE(float, n), *sinvw = TAKE(float, n);
    uint32_t *rects = TAKE(uint32_t, triangle_count);
    size_t *offsets = TAKE(size_t, chunks * tile_count + 1);
    float *tile_depth = TAKE(float, (size_t)threads * TILE_SAMPLES * TILE_SAMPLES);
    uint32_t *tile_ids = TAKE(uint32_t, (size_t)threads * TILE_SAMPLES * TILE_SAMPLES);
    uint8_t *valid = TAKE(uint8_t, n);
#undef TAKE
    c.sx = sx; c.sy = sy; c.sz = sz; c.sinvw = sinvw;

    transform_vertices(&c, sx, sy, sz, sinvw, valid);

    /* Binning, two passes over fixed chunks of triangles: count per (tile, chunk), prefix-sum, fill. Each
     * tile's list is then in submission order. */
    memset(offsets, 0, (chunks * tile_count + 1) * sizeof(size_t));
    size_t drawn = 0, bad_indices = 0;
    const long chunk_count = (long)chunks;
#pragma omp parallel for schedule(static) reduction(+ : drawn, bad_indices)
    for (long k = 0; k < chunk_count; ++k) {
        size_t begin = triangle_count * (size_t)k / chunks, end = triangle_count * (size_t)(k + 1) / chunks;
        for (size_t t = begin; t < end; ++t) {
            const uint32_t *idx = mesh->indices + 3 * t;
            if (idx[0] >= n || idx[1] >= n || idx[2] >= n) { bad_indices++; rects[t] = NOT_DRAWN; continue; }
            uint32_t r = triangle_tiles(&c, valid, t);
            rects[t] = r;
            if (r == NOT_DRAWN) continue;
            drawn++;
            uint32_t tx0 = r & 0xFF, ty0 = (r >> 8) & 0xFF, tx1 = tx0 + ((r >> 16) & 0xFF), ty1 = ty0 + (r >> 24);
            for (uint32_t ty = ty0; ty <= ty1; ++ty)
                for (uint32_t tx = tx0; tx <= tx1; ++tx) offsets[((size_t)ty * tiles_x + tx) * chunks + (size_t)k]++;
        }
    }
    if (bad_indices) { free(arena); return (size_t)-1; }
    size_t total = 0;
    for (size_t i = 0; i < chunks * tile_count; ++i) { size_t v = offsets[i]; offsets[i] = total; total += v; }
    offsets[chunks * tile_count] = total;
    uint32_t *bins = (uint32_t *)malloc((total ? total : 1) * sizeof(uint32_t));
    if (!bins) { free(arena); return (size_t)-1; }
#pragma omp parallel for schedule(static)
    for (long k = 0; k < chunk_count; ++k) {
        size_t begin = triangle_count * (size_t)k / chunks, end = triangle_count * (size_t)(k + 1) / chunks;
        for (size_t t = begin; t < end; ++t) {
            uint32_t r = rects[t];
            if (r == NOT_DRAWN) continue;
            uint32_t tx0 = r & 0xFF, ty0 = (r >> 8) & 0xFF, tx1 = tx0 + ((r >> 16) & 0xFF), ty1 = ty0 + (r >> 24);
            for (uint32_t ty = ty0; ty <= ty1; ++ty)
                for (uint32_t tx = tx0; tx <= tx1; ++tx) bins[offsets[((size_t)ty * tiles_x + tx) * chunks + (size_t)k]++] = (uint32_t)t;
        }
    }
    /* The fill advanced each (tile, chunk) offset to the next one's start: tile i now spans
     * [offsets[i*chunks - 1] (or 0), offsets[(i+1)*chunks - 1]). */

    /* Tiles are handed out through a shared counter: dynamic scheduling by hand, because clang 21 lowers
     * schedule(dynamic) to __kmpc_dispatch_deinit, which Debian's libomp 14 lacks. */
    const long tiles = (long)tile_count;
    long next_tile = 0;
#pragma omp parallel
    {
        int thread = 0;
#ifdef _OPENMP
        thread = omp_get_thread_num();
#endif
        float *depth = tile_depth + (size_t)thread * TILE_SAMPLES * TILE_SAMPLES;
        uint32_t *ids = tile_ids + (size_t)thread * TILE_SAMPLES * TILE_SAMPLES;
        for (;;) {
            long i = __atomic_fetch_add(&next_tile, 1, __ATOMIC_RELAXED);
            if (i >= tiles) break;
            long tx = i % (long)tiles_x, ty = i / (long)tiles_x;
            long x0 = tx * TILE_SAMPLES, y0 = ty * TILE_SAMPLES;
            long w = (long)c.sample_width - x0, h = (long)c.sample_height - y0;
            if (w > TILE_SAMPLES) w = TILE_SAMPLES;
            if (h > TILE_SAMPLES) h = TILE_SAMPLES;
            for (int s = 0; s < TILE_SAMPLES * TILE_SAMPLES; ++s) { depth[s] = INFINITY; ids[s] = EMPTY; }
            size_t begin = i == 0 ? 0 : offsets[(size_t)i * chunks - 1], end = offsets[((size_t)i + 1) * chunks - 1];
            for (size_t e = begin; e < end; ++e) raster_triangle(&c, bins[e], x0, y0, w, h, depth, ids);
            resolve_tile(&c, x0, y0, w, h, depth, ids, out_rgba, out_depth);
        }
    }
    free(bins);
    free(arena);
    return drawn;
}
