/* simplifier.c - quadric edge-collapse simplification (pf_simplify, pf_simplify_lod).
 *
 * Garland & Heckbert's quadrics (area-weighted plane quadrics, border edge quadrics), attribute quadrics after
 * Hoppe (each triangle's attribute gradient, so UVs/normals/colors enter the metric), vertex classes and
 * sorted collapse passes in the manner of meshoptimizer's simplifier, plus optimal placement of interior
 * vertices, a link-condition guard and a permissive mode that relaxes seam and border rules step by step.
 * Everything is allocated once per call; each pass ranks candidates in parallel (deterministic: one value
 * per candidate, then a stable sort), and collapses them in sorted order on one thread. */
#include "polyforge_core.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_MANIFOLD = 0, K_BORDER, K_SEAM, K_COMPLEX, K_LOCKED, K_COUNT };

/* May a vertex of kind [from] collapse onto one of kind [to]? Border and seam collapses also have to run
 * along their own edge loop (checked separately). */
static const unsigned char can_collapse[K_COUNT][K_COUNT] = {
    {1, 1, 1, 1, 1},
    {0, 1, 0, 0, 1},
    {0, 0, 1, 0, 1},
    {0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0},
};
/* Does an edge between kinds [a] and [b] always have a twin half-edge (so one direction suffices)? */
static const unsigned char has_opposite[K_COUNT][K_COUNT] = {
    {1, 1, 1, 0, 1},
    {1, 0, 1, 0, 0},
    {1, 1, 1, 0, 1},
    {0, 0, 0, 0, 0},
    {1, 0, 1, 0, 0},
};

#define PF_NONE 0xFFFFFFFFu
#define PF_MANY 0xFFFFFFFEu
#define MAX_ATTR 32
#define BORDER_WEIGHT 10.0f
#define PASS_ERROR_BOUND 1.5f

/* Double precision: in float, the cancellation in Q(p) leaves noise of ~1e-4 of the diagonal after the square
 * root, which would hide real errors of that size on dense meshes and stop flat regions from collapsing. */
typedef struct quadric {
    double a00, a11, a22, a10, a20, a21, b0, b1, b2, c, w;
} quadric;

typedef struct candidate {
    uint32_t v0, v1;
    float error;
} candidate;

typedef struct ctx {
    size_t vcount, icount, acount;
    float *pos;          /* working positions, normalised: (p - min) / diagonal, 3 per vertex */
    float *attr;         /* working attributes, weighted, acount per vertex */
    uint32_t *remap;     /* first vertex at the same position */
    uint32_t *wedge;     /* circular list of vertices at the same position */
    unsigned char *kind;
    const unsigned char *user_locked;
    unsigned char *moved;
    uint32_t *loop, *loopback;
    quadric *q;          /* position quadric, per remap representative */
    quadric *qa;         /* attribute quadric, per vertex */
    float *grad;         /* attribute gradients, 4 per attribute per vertex */
    uint32_t *adj_offset; /* vcount + 1 */
    uint32_t *adj;        /* (next, prev) per corner */
    uint32_t *collapse_remap;
    uint32_t *merged;     /* the live vertex each input vertex has merged into, across passes */
    unsigned char *pass_locked;
    candidate *cand;
    uint32_t *order;     /* candidates in ascending error, stable */
    uint32_t *histogram;  /* 65536 */
    uint32_t *sort_tmp;
    int optimal;          /* place interior collapses at the quadric's minimum */
    int free_attributes;  /* attributes of moved vertices are solved for too */
    int relaxed_borders;  /* permissive step 2: open edges count as manifold, so take both directions */
} ctx;

static void q_add(quadric *r, const quadric *a) {
    r->a00 += a->a00; r->a11 += a->a11; r->a22 += a->a22; r->a10 += a->a10; r->a20 += a->a20; r->a21 += a->a21;
    r->b0 += a->b0; r->b1 += a->b1; r->b2 += a->b2; r->c += a->c; r->w += a->w;
}

/* Quadric of the plane n.p + d = 0 (n unit), times w. */
static void q_plane(quadric *q, double a, double b, double c, double d, double w) {
    q->a00 = a * a * w; q->a11 = b * b * w; q->a22 = c * c * w;
    q->a10 = a * b * w; q->a20 = a * c * w; q->a21 = b * c * w;
    q->b0 = a * d * w; q->b1 = b * d * w; q->b2 = c * d * w; q->c = d * d * w; q->w = w;
}

static double q_eval(const quadric *q, double x, double y, double z) {
    double r = q->a00 * x * x + q->a11 * y * y + q->a22 * z * z;
    r += 2 * (q->a10 * x * y + q->a20 * x * z + q->a21 * y * z);
    r += 2 * (q->b0 * x + q->b1 * y + q->b2 * z);
    return r + q->c;
}

/* ---- setup -------------------------------------------------------------------------------------------- */

static uint32_t hash_position(const float *p) {
    uint32_t h = 0x9e3779b9u;
    for (int k = 0; k < 3; ++k) {
        float f = p[k] == 0.0f ? 0.0f : p[k]; /* -0 == +0 */
        uint32_t u;
        memcpy(&u, &f, 4);
        h ^= u + 0x9e3779b9u + (h << 6) + (h >> 2);
        h *= 0x85ebca6bu;
    }
    return h ^ (h >> 16);
}

/* remap[v] = first vertex with v's exact position; wedge links the vertices of one position in a ring. */
static void build_position_remap(ctx *c, const float *positions, size_t stride, uint32_t *table, size_t table_size) {
    memset(table, 0xFF, table_size * sizeof(uint32_t));
    for (size_t v = 0; v < c->vcount; ++v) {
        const float *p = positions + v * stride;
        size_t slot = hash_position(p) & (table_size - 1);
        for (;;) {
            uint32_t t = table[slot];
            if (t == PF_NONE) { table[slot] = (uint32_t)v; c->remap[v] = (uint32_t)v; break; }
            const float *o = positions + (size_t)t * stride;
            if (o[0] == p[0] && o[1] == p[1] && o[2] == p[2]) { c->remap[v] = t; break; }
            slot = (slot + 1) & (table_size - 1);
        }
    }
    for (size_t v = 0; v < c->vcount; ++v) c->wedge[v] = (uint32_t)v;
    for (size_t v = 0; v < c->vcount; ++v) {
        uint32_t r = c->remap[v];
        if (r != v) { /* insert v after r */
            c->wedge[v] = c->wedge[r];
            c->wedge[r] = (uint32_t)v;
        }
    }
}

static void build_adjacency(ctx *c, const uint32_t *indices, size_t icount) {
    uint32_t *off = c->adj_offset;
    memset(off, 0, (c->vcount + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < icount; ++i) off[indices[i] + 1]++;
    for (size_t v = 0; v < c->vcount; ++v) off[v + 1] += off[v];
    /* fill using off[v] as cursor, then shift back */
    for (size_t t = 0; t < icount; t += 3) {
        uint32_t a = indices[t], b = indices[t + 1], d = indices[t + 2];
        uint32_t *e;
        e = c->adj + 2 * off[a]++; e[0] = b; e[1] = d;
        e = c->adj + 2 * off[b]++; e[0] = d; e[1] = a;
        e = c->adj + 2 * off[d]++; e[0] = a; e[1] = b;
    }
    for (size_t v = c->vcount; v > 0; --v) off[v] = off[v - 1];
    off[0] = 0;
}

static int has_half_edge(const ctx *c, uint32_t a, uint32_t b) {
    for (uint32_t k = c->adj_offset[a]; k < c->adj_offset[a + 1]; ++k)
        if (c->adj[2 * k] == b) return 1;
    return 0;
}

/* Classifies vertices from open (twinless) half-edges, as meshoptimizer does. With relax >= 1 indices are
 * already welded by position (no seams); with relax >= 2 every vertex not locked by the caller is manifold. */
static void classify(ctx *c, int lock_border, int relax) {
    size_t n = c->vcount;
    /* oi/oo: the one open half-edge into / out of each vertex (PF_MANY: several); scratch of >= vcount entries */
    uint32_t *oi = c->collapse_remap, *oo = c->order;
    for (size_t v = 0; v < n; ++v) oi[v] = oo[v] = PF_NONE;
    for (size_t v = 0; v < n; ++v) {
        for (uint32_t k = c->adj_offset[v]; k < c->adj_offset[v + 1]; ++k) {
            uint32_t t = c->adj[2 * k];
            if (!has_half_edge(c, t, (uint32_t)v)) {
                oo[v] = (oo[v] == PF_NONE || oo[v] == t) ? t : PF_MANY;
                oi[t] = (oi[t] == PF_NONE || oi[t] == v) ? (uint32_t)v : PF_MANY;
            }
        }
    }
    for (size_t v = 0; v < n; ++v) {
        unsigned char k;
        uint32_t w = c->wedge[v];
        if (c->adj_offset[v] == c->adj_offset[v + 1]) k = K_LOCKED; /* unused */
        else if (w == v) {
            if (oi[v] == PF_NONE && oo[v] == PF_NONE) k = K_MANIFOLD;
            else if (oi[v] != PF_MANY && oo[v] != PF_MANY && oi[v] != PF_NONE && oo[v] != PF_NONE) k = K_BORDER;
            else k = K_COMPLEX;
        } else if (c->wedge[w] == v) {
            /* two vertices at one point: a seam when both are open along the same neighbours, in opposite
             * directions */
            uint32_t iv = oi[v], ov = oo[v], iw = oi[w], ow = oo[w];
            if (iv != PF_NONE && iv != PF_MANY && ov != PF_NONE && ov != PF_MANY && iw != PF_NONE && iw != PF_MANY &&
                ow != PF_NONE && ow != PF_MANY && c->remap[iv] == c->remap[ow] && c->remap[ov] == c->remap[iw])
                k = K_SEAM;
            else
                k = K_COMPLEX;
        } else {
            k = K_COMPLEX;
        }
        int caller_locked = c->user_locked && c->user_locked[v];
        int on_border = oi[v] != PF_NONE || oo[v] != PF_NONE;
        if (k == K_BORDER && lock_border) k = K_LOCKED;
        if (caller_locked) k = K_LOCKED;
        /* permissive, last step: only what the caller locked stays put */
        if (relax >= 2 && !caller_locked && !(lock_border && on_border) && c->adj_offset[v] != c->adj_offset[v + 1])
            k = K_MANIFOLD;
        c->kind[v] = k;
    }
    for (size_t v = 0; v < n; ++v) {
        /* loop: the next vertex along the open edge; loopback: the previous one */
        c->loop[v] = (c->kind[v] == K_BORDER || c->kind[v] == K_SEAM) ? oo[v] : PF_NONE;
        c->loopback[v] = (c->kind[v] == K_BORDER || c->kind[v] == K_SEAM) ? oi[v] : PF_NONE;
    }
    for (size_t v = 0; v < n; ++v) c->collapse_remap[v] = (uint32_t)v;
}

/* Plane quadrics (area-weighted) at the position representatives, border edge quadrics, attribute quadrics
 * per vertex. */
static void accumulate_quadrics(ctx *c, const uint32_t *indices, size_t icount, int with_edges) {
    memset(c->q, 0, c->vcount * sizeof(quadric));
    for (size_t t = 0; t < icount; t += 3) {
        uint32_t i0 = indices[t], i1 = indices[t + 1], i2 = indices[t + 2];
        const float *p0 = c->pos + 3 * i0, *p1 = c->pos + 3 * i1, *p2 = c->pos + 3 * i2;
        float e1x = p1[0] - p0[0], e1y = p1[1] - p0[1], e1z = p1[2] - p0[2];
        float e2x = p2[0] - p0[0], e2y = p2[1] - p0[1], e2z = p2[2] - p0[2];
        float nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
        float len = sqrtf(nx * nx + ny * ny + nz * nz);
        if (len == 0) continue;
        nx /= len; ny /= len; nz /= len;
        float area = 0.5f * len;
        quadric tq;
        q_plane(&tq, nx, ny, nz, -(nx * p0[0] + ny * p0[1] + nz * p0[2]), area);
        q_add(&c->q[c->remap[i0]], &tq);
        q_add(&c->q[c->remap[i1]], &tq);
        q_add(&c->q[c->remap[i2]], &tq);
    }
    if (!with_edges) return;
    for (size_t t = 0; t < icount; t += 3) {
        for (int e = 0; e < 3; ++e) {
            uint32_t a = indices[t + e], b = indices[t + (e + 1) % 3], o = indices[t + (e + 2) % 3];
            unsigned char ka = c->kind[a], kb = c->kind[b];
            int open = (ka == K_BORDER || ka == K_SEAM || ka == K_LOCKED || ka == K_COMPLEX) &&
                       (kb == K_BORDER || kb == K_SEAM || kb == K_LOCKED || kb == K_COMPLEX) && !has_half_edge(c, b, a);
            if (!open) continue;
            const float *pa = c->pos + 3 * a, *pb = c->pos + 3 * b, *po = c->pos + 3 * o;
            float ex = pb[0] - pa[0], ey = pb[1] - pa[1], ez = pb[2] - pa[2];
            float el = sqrtf(ex * ex + ey * ey + ez * ez);
            if (el == 0) continue;
            ex /= el; ey /= el; ez /= el;
            float dx = po[0] - pa[0], dy = po[1] - pa[1], dz = po[2] - pa[2];
            float dd = dx * ex + dy * ey + dz * ez;
            float nx = dx - ex * dd, ny = dy - ey * dd, nz = dz - ez * dd; /* in the face, perpendicular to the edge */
            float nl = sqrtf(nx * nx + ny * ny + nz * nz);
            if (nl == 0) continue;
            nx /= nl; ny /= nl; nz /= nl;
            quadric eq;
            q_plane(&eq, nx, ny, nz, -(nx * pa[0] + ny * pa[1] + nz * pa[2]), el * el * BORDER_WEIGHT);
            eq.w = 0; /* edge quadrics add error, not area */
            q_add(&c->q[c->remap[a]], &eq);
            q_add(&c->q[c->remap[b]], &eq);
        }
    }
}

static void accumulate_attribute_quadrics(ctx *c, const uint32_t *indices, size_t icount) {
    size_t K = c->acount;
    memset(c->qa, 0, c->vcount * sizeof(quadric));
    memset(c->grad, 0, c->vcount * K * 4 * sizeof(float));
    for (size_t t = 0; t < icount; t += 3) {
        uint32_t i0 = indices[t], i1 = indices[t + 1], i2 = indices[t + 2];
        const float *p0 = c->pos + 3 * i0, *p1 = c->pos + 3 * i1, *p2 = c->pos + 3 * i2;
        float e1[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
        float e2[3] = {p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]};
        float d00 = e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2];
        float d01 = e1[0] * e2[0] + e1[1] * e2[1] + e1[2] * e2[2];
        float d11 = e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2];
        float denom = d00 * d11 - d01 * d01;
        if (!(denom > 0)) continue;
        float area = 0.5f * sqrtf(denom);
        float inv = 1.0f / denom;
        quadric tq;
        memset(&tq, 0, sizeof(tq));
        tq.w = area;
        float g4[MAX_ATTR][4];
        for (size_t k = 0; k < K; ++k) {
            float a0 = c->attr[i0 * K + k], a1 = c->attr[i1 * K + k], a2 = c->attr[i2 * K + k];
            float da1 = a1 - a0, da2 = a2 - a0;
            float s1 = (d11 * da1 - d01 * da2) * inv, s2 = (d00 * da2 - d01 * da1) * inv;
            float gx = s1 * e1[0] + s2 * e2[0], gy = s1 * e1[1] + s2 * e2[1], gz = s1 * e1[2] + s2 * e2[2];
            float d = a0 - (gx * p0[0] + gy * p0[1] + gz * p0[2]);
            tq.a00 += area * gx * gx; tq.a11 += area * gy * gy; tq.a22 += area * gz * gz;
            tq.a10 += area * gx * gy; tq.a20 += area * gx * gz; tq.a21 += area * gy * gz;
            tq.b0 += area * gx * d; tq.b1 += area * gy * d; tq.b2 += area * gz * d; tq.c += area * d * d;
            g4[k][0] = area * gx; g4[k][1] = area * gy; g4[k][2] = area * gz; g4[k][3] = area * d;
        }
        uint32_t vs[3] = {i0, i1, i2};
        for (int j = 0; j < 3; ++j) {
            q_add(&c->qa[vs[j]], &tq);
            float *g = c->grad + (size_t)vs[j] * K * 4;
            for (size_t k = 0; k < K; ++k) {
                g[4 * k] += g4[k][0]; g[4 * k + 1] += g4[k][1]; g[4 * k + 2] += g4[k][2]; g[4 * k + 3] += g4[k][3];
            }
        }
    }
}

/* ---- error and placement ------------------------------------------------------------------------------- */

/* Attribute error at p with attributes s (NULL: the optimal ones, written to s_out when not NULL), for the sum
 * of the attribute quadrics of vertices a and b. */
static double attribute_error(const ctx *c, uint32_t a, uint32_t b, const double p[3], const float *s, float *s_out) {
    size_t K = c->acount;
    quadric q = c->qa[a];
    q_add(&q, &c->qa[b]);
    if (q.w <= 0) return 0;
    double e = q_eval(&q, p[0], p[1], p[2]);
    const float *ga = c->grad + (size_t)a * K * 4, *gb = c->grad + (size_t)b * K * 4;
    for (size_t k = 0; k < K; ++k) {
        double gx = ga[4 * k] + gb[4 * k], gy = ga[4 * k + 1] + gb[4 * k + 1], gz = ga[4 * k + 2] + gb[4 * k + 2];
        double gd = ga[4 * k + 3] + gb[4 * k + 3];
        double dot = gx * p[0] + gy * p[1] + gz * p[2] + gd;
        if (s) {
            e += -2 * s[k] * dot + (double)s[k] * s[k] * q.w;
        } else {
            double opt = dot / q.w;
            e -= dot * opt;
            if (s_out) s_out[k] = (float)opt;
        }
    }
    return fabs(e) / q.w;
}

static double position_error(const quadric *q, const double p[3]) {
    return q->w > 0 ? fabs(q_eval(q, p[0], p[1], p[2])) / q->w : fabs(q_eval(q, p[0], p[1], p[2]));
}

/* The quadrics of a candidate pair, summed once and evaluated at every placement tried. */
typedef struct pair_sums {
    quadric q;              /* position quadric */
    quadric qa;             /* attribute quadric */
    double g[MAX_ATTR][4];  /* attribute gradients */
} pair_sums;

static void sum_pair(const ctx *c, uint32_t a, uint32_t b, pair_sums *s) {
    s->q = c->q[c->remap[a]];
    if (c->remap[a] != c->remap[b]) q_add(&s->q, &c->q[c->remap[b]]);
    size_t K = c->acount;
    if (!K) return;
    s->qa = c->qa[a];
    q_add(&s->qa, &c->qa[b]);
    const float *ga = c->grad + (size_t)a * K * 4, *gb = c->grad + (size_t)b * K * 4;
    for (size_t k = 0; k < K; ++k)
        for (int j = 0; j < 4; ++j) s->g[k][j] = (double)ga[4 * k + j] + gb[4 * k + j];
}

/* Position plus attribute error of a pair at p, with attributes `attr` (NULL: the optimal ones). */
static double pair_error(const ctx *c, const pair_sums *s, const double p[3], const float *attr) {
    double e = position_error(&s->q, p);
    size_t K = c->acount;
    if (!K || s->qa.w <= 0) return e;
    double ea = q_eval(&s->qa, p[0], p[1], p[2]);
    for (size_t k = 0; k < K; ++k) {
        double dot = s->g[k][0] * p[0] + s->g[k][1] * p[1] + s->g[k][2] * p[2] + s->g[k][3];
        if (attr) ea += -2 * attr[k] * dot + (double)attr[k] * attr[k] * s->qa.w;
        else ea -= dot * dot / s->qa.w;
    }
    return e + fabs(ea) / s->qa.w;
}

/* Minimum of a manifold pair's combined quadric (attributes free, or fixed at the survivor b's): solves the 3x3
 * system in double. Returns 0 when it is ill-conditioned or lands far from the edge. */
static int solve_optimal(const ctx *c, const pair_sums *s, uint32_t a, uint32_t b, double out[3]) {
    const quadric *q = &s->q;
    double iw = q->w > 0 ? 1.0 / q->w : 1.0;
    double m00 = q->a00 * iw, m11 = q->a11 * iw, m22 = q->a22 * iw, m10 = q->a10 * iw, m20 = q->a20 * iw, m21 = q->a21 * iw;
    double r0 = -q->b0 * iw, r1 = -q->b1 * iw, r2 = -q->b2 * iw;
    size_t K = c->acount;
    if (K && s->qa.w > 0) {
        const quadric *qa = &s->qa;
        double ia = 1.0 / qa->w;
        m00 += qa->a00 * ia; m11 += qa->a11 * ia; m22 += qa->a22 * ia;
        m10 += qa->a10 * ia; m20 += qa->a20 * ia; m21 += qa->a21 * ia;
        r0 -= qa->b0 * ia; r1 -= qa->b1 * ia; r2 -= qa->b2 * ia;
        if (c->free_attributes) {
            double sq = ia * ia;
            for (size_t k = 0; k < K; ++k) {
                double gx = s->g[k][0], gy = s->g[k][1], gz = s->g[k][2], gd = s->g[k][3];
                m00 -= gx * gx * sq; m11 -= gy * gy * sq; m22 -= gz * gz * sq;
                m10 -= gx * gy * sq; m20 -= gx * gz * sq; m21 -= gy * gz * sq;
                r0 += gx * gd * sq; r1 += gy * gd * sq; r2 += gz * gd * sq;
            }
        } else {
            const float *sv = c->attr + (size_t)b * K;
            for (size_t k = 0; k < K; ++k) {
                r0 += sv[k] * s->g[k][0] * ia;
                r1 += sv[k] * s->g[k][1] * ia;
                r2 += sv[k] * s->g[k][2] * ia;
            }
        }
    }
    double c00 = m11 * m22 - m21 * m21, c01 = m20 * m21 - m10 * m22, c02 = m10 * m21 - m11 * m20;
    double det = m00 * c00 + m10 * c01 + m20 * c02;
    double tr = m00 + m11 + m22;
    if (!(tr > 0) || fabs(det) <= 1e-6 * tr * tr * tr) return 0;
    double c11 = m00 * m22 - m20 * m20, c12 = m10 * m20 - m00 * m21, c22 = m00 * m11 - m10 * m10;
    double id = 1.0 / det;
    out[0] = (c00 * r0 + c01 * r1 + c02 * r2) * id;
    out[1] = (c01 * r0 + c11 * r1 + c12 * r2) * id;
    out[2] = (c02 * r0 + c12 * r1 + c22 * r2) * id;
    const float *pa = c->pos + 3 * a, *pb = c->pos + 3 * b;
    double ex = pb[0] - pa[0], ey = pb[1] - pa[1], ez = pb[2] - pa[2];
    double mx = out[0] - 0.5 * (pa[0] + pb[0]), my = out[1] - 0.5 * (pa[1] + pb[1]), mz = out[2] - 0.5 * (pa[2] + pb[2]);
    if (mx * mx + my * my + mz * mz > (ex * ex + ey * ey + ez * ez)) return 0; /* farther than one edge length */
    return isfinite(out[0]) && isfinite(out[1]) && isfinite(out[2]);
}

/* Error of collapsing i0 onto i1 with i1 at p (attributes of i1 kept, or optimal when free). */
static double collapse_error_at(const ctx *c, uint32_t i0, uint32_t i1, const double p[3], int free_attr) {
    quadric q = c->q[c->remap[i0]];
    if (c->remap[i0] != c->remap[i1]) q_add(&q, &c->q[c->remap[i1]]);
    double e = position_error(&q, p);
    if (c->acount) {
        e += attribute_error(c, i0, i1, p, free_attr ? NULL : c->attr + (size_t)i1 * c->acount, NULL);
        if (c->kind[i0] == K_SEAM) {
            /* the other side of the seam collapses along with it */
            uint32_t w0 = c->wedge[i0];
            uint32_t w1 = (c->loop[i0] == i1) ? c->loopback[w0] : c->loop[w0];
            if (w1 != PF_NONE && w1 < c->vcount)
                e += attribute_error(c, w0, w1, p, c->attr + (size_t)w1 * c->acount, NULL);
        }
    }
    return e;
}

/* Moving a vertex off its input position must buy a real improvement, not float noise: an endpoint within
 * 1e-6 of the diagonal stays exact (a cube's corners stay bit-identical). */
static int worth_moving(double moved_error, double endpoint_error) {
    return endpoint_error > 1e-12 && moved_error < endpoint_error * 0.999;
}

/* Chooses the surviving vertex and where it ends up, for collapsing *i0 onto *i1 (or the reverse when
 * `both` and it is cheaper); returns the error, *moved when p differs from the survivor's position. */
static double place(const ctx *c, uint32_t *i0, uint32_t *i1, int both, double p[3], int *moved) {
    uint32_t a = *i0, b = *i1;
    const float *pb = c->pos + 3 * b, *pa = c->pos + 3 * a;
    size_t K = c->acount;
    *moved = 0;
    if (c->kind[a] == K_SEAM || c->kind[b] == K_SEAM) {
        /* seams keep an endpoint, and the other side of the seam adds its attribute error */
        double qb[3] = {pb[0], pb[1], pb[2]};
        double e = collapse_error_at(c, a, b, qb, 0);
        p[0] = qb[0]; p[1] = qb[1]; p[2] = qb[2];
        if (both && e > 0) {
            double qa[3] = {pa[0], pa[1], pa[2]};
            double ea = collapse_error_at(c, b, a, qa, 0);
            if (ea < e) { e = ea; *i0 = b; *i1 = a; p[0] = qa[0]; p[1] = qa[1]; p[2] = qa[2]; }
        }
        return e;
    }
    pair_sums s;
    sum_pair(c, a, b, &s);
    double qb[3] = {pb[0], pb[1], pb[2]};
    double e = pair_error(c, &s, qb, K ? c->attr + (size_t)b * K : NULL);
    p[0] = qb[0]; p[1] = qb[1]; p[2] = qb[2];
    if (both && e > 0) {
        double qa[3] = {pa[0], pa[1], pa[2]};
        double ea = pair_error(c, &s, qa, K ? c->attr + (size_t)a * K : NULL);
        if (ea < e) { e = ea; *i0 = b; *i1 = a; p[0] = qa[0]; p[1] = qa[1]; p[2] = qa[2]; }
    }
    if (!c->optimal || c->kind[a] != K_MANIFOLD || c->kind[b] != K_MANIFOLD || e <= 1e-12) return e;
    int fa = c->free_attributes && K;
    double o[3];
    if (!solve_optimal(c, &s, *i0, *i1, o)) {
        o[0] = 0.5 * (pa[0] + pb[0]); o[1] = 0.5 * (pa[1] + pb[1]); o[2] = 0.5 * (pa[2] + pb[2]);
    }
    double eo = pair_error(c, &s, o, fa ? NULL : (K ? c->attr + (size_t)*i1 * K : NULL));
    if (worth_moving(eo, e)) { e = eo; p[0] = o[0]; p[1] = o[1]; p[2] = o[2]; *moved = 1; }
    return e;
}

/* ---- checks -------------------------------------------------------------------------------------------- */

/* Would moving vertex v to p flip (or flatten) one of its triangles not containing `skip`? Corners follow
 * this pass's collapses; zero-area triangles are not judged. */
static int flips(const ctx *c, uint32_t v, uint32_t skip, const double p[3]) {
    const uint32_t *cr = c->collapse_remap;
    int skip_wedge = c->wedge[skip] != skip;
    uint32_t sp = c->remap[skip];
    const float *v0 = c->pos + 3 * cr[v];
    for (uint32_t k = c->adj_offset[v]; k < c->adj_offset[v + 1]; ++k) {
        uint32_t b = cr[c->adj[2 * k]], d = cr[c->adj[2 * k + 1]];
        if (b == skip || d == skip || b == d) continue;
        if (skip_wedge && (c->remap[b] == sp || c->remap[d] == sp)) continue;
        const float *pb = c->pos + 3 * b, *pd = c->pos + 3 * d;
        double ex = pb[0] - v0[0], ey = pb[1] - v0[1], ez = pb[2] - v0[2];
        double fx = pd[0] - v0[0], fy = pd[1] - v0[1], fz = pd[2] - v0[2];
        double nx = ey * fz - ez * fy, ny = ez * fx - ex * fz, nz = ex * fy - ey * fx;
        double nn = nx * nx + ny * ny + nz * nz;
        if (nn == 0) continue;
        ex = pb[0] - p[0]; ey = pb[1] - p[1]; ez = pb[2] - p[2];
        fx = pd[0] - p[0]; fy = pd[1] - p[1]; fz = pd[2] - p[2];
        double mx = ey * fz - ez * fy, my = ez * fx - ex * fz, mz = ex * fy - ey * fx;
        double dot = nx * mx + ny * my + nz * mz;
        /* reject flips and near-flips (normal turned by more than ~85 degrees) */
        if (dot <= 0 || dot * dot <= 0.0064 * nn * (mx * mx + my * my + mz * mz)) return 1;
    }
    return 0;
}

/* Link condition: the neighbours shared by i0 and i1 must be exactly the far corners of the triangles on
 * edge (i0, i1); anything else would pinch the surface into a non-manifold edge. */
static int breaks_link(const ctx *c, uint32_t i0, uint32_t i1) {
    uint32_t n0[64], far[8];
    int c0 = 0, cf = 0;
    const uint32_t *cr = c->collapse_remap;
    for (uint32_t k = c->adj_offset[i0]; k < c->adj_offset[i0 + 1]; ++k) {
        uint32_t b = cr[c->adj[2 * k]], d = cr[c->adj[2 * k + 1]];
        if (b == d) continue;
        if (b == i1) { if (cf < 8) far[cf++] = d; continue; }
        if (d == i1) { if (cf < 8) far[cf++] = b; continue; }
        if (c0 < 64) n0[c0++] = b;
    }
    if (cf == 0) return 1;
    for (uint32_t k = c->adj_offset[i1]; k < c->adj_offset[i1 + 1]; ++k) {
        uint32_t b = cr[c->adj[2 * k]];
        if (b == i0) continue;
        for (int x = 0; x < c0; ++x) {
            if (n0[x] != b) continue;
            int is_far = 0;
            for (int y = 0; y < cf; ++y) is_far |= far[y] == b;
            if (!is_far) return 1;
        }
    }
    return 0;
}

/* Would the collapse leave two triangles on the same three vertices? That happens when i0 and i1 each have a
 * triangle (not on their shared edge) with the same two other corners — a tetrahedron collapsing into a
 * back-to-back pair, or a thin tube pinching shut. The link condition alone lets it through. */
static int duplicates_face(const ctx *c, uint32_t i0, uint32_t i1) {
    const uint32_t *cr = c->collapse_remap;
    for (uint32_t k = c->adj_offset[i0]; k < c->adj_offset[i0 + 1]; ++k) {
        uint32_t b = cr[c->adj[2 * k]], d = cr[c->adj[2 * k + 1]];
        if (b == d || b == i1 || d == i1) continue;
        for (uint32_t m = c->adj_offset[i1]; m < c->adj_offset[i1 + 1]; ++m) {
            uint32_t x = cr[c->adj[2 * m]], y = cr[c->adj[2 * m + 1]];
            if ((x == b && y == d) || (x == d && y == b)) return 1;
        }
    }
    return 0;
}

/* ---- passes -------------------------------------------------------------------------------------------- */

static int direction_ok(const ctx *c, uint32_t i0, uint32_t i1) {
    unsigned char k0 = c->kind[i0], k1 = c->kind[i1];
    if (!can_collapse[k0][k1]) return 0;
    if (k0 == K_BORDER || k0 == K_SEAM) return c->loop[i0] == i1 || c->loopback[i0] == i1;
    return 1;
}

static size_t pick_candidates(ctx *c, const uint32_t *indices, size_t icount) {
    size_t n = 0;
    for (size_t t = 0; t < icount; t += 3) {
        for (int e = 0; e < 3; ++e) {
            uint32_t a = indices[t + e], b = indices[t + (e + 1) % 3];
            unsigned char ka = c->kind[a], kb = c->kind[b];
            if (has_opposite[ka][kb] && !c->relaxed_borders && c->remap[b] < c->remap[a]) continue;
            int ab = direction_ok(c, a, b), ba = direction_ok(c, b, a);
            if (!ab && !ba) continue;
            candidate *cd = &c->cand[n++];
            /* both directions possible: ranked later, the cheaper wins */
            cd->v0 = ab ? a : b;
            cd->v1 = ab ? b : a;
            cd->error = (ab && ba) ? -1.0f : 0.0f;
        }
    }
    return n;
}

static void rank_candidates(ctx *c, size_t n) {
    long long count = (long long)n;
#pragma omp parallel for schedule(static) if (count > 8192)
    for (long long i = 0; i < count; ++i) {
        candidate *cd = &c->cand[i];
        double p[3];
        int moved;
        uint32_t i0 = cd->v0, i1 = cd->v1;
        double e = place(c, &i0, &i1, cd->error < 0, p, &moved);
        cd->v0 = i0; cd->v1 = i1;
        cd->error = (float)e;
    }
}

/* Stable counting sort on the top 16 bits of the (non-negative) error. */
static void sort_candidates(ctx *c, size_t n) {
    uint32_t *h = c->histogram;
    memset(h, 0, 65536 * sizeof(uint32_t));
    for (size_t i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, &c->cand[i].error, 4);
        h[u >> 16]++;
    }
    uint32_t sum = 0;
    for (size_t i = 0; i < 65536; ++i) { uint32_t x = h[i]; h[i] = sum; sum += x; }
    for (size_t i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, &c->cand[i].error, 4);
        c->order[h[u >> 16]++] = (uint32_t)i;
    }
}

static void lock_wedge(ctx *c, uint32_t v) {
    uint32_t w = v;
    do { c->pass_locked[w] = 1; w = c->wedge[w]; } while (w != v);
}

static size_t perform_collapses(ctx *c, size_t n, size_t triangle_goal, float error_limit, float *max_error,
                                double *max_position_error, size_t *collapses) {
    size_t done_tris = 0;
    for (size_t x = 0; x < n; ++x) {
        const candidate *cd = &c->cand[c->order[x]];
        /* the walk jumps around the mesh in error order: fetch ahead what the next collapses will read */
        if (x + 48 < n) __builtin_prefetch(&c->cand[c->order[x + 48]]);
        if (x + 24 < n) {
            uint32_t f0 = c->cand[c->order[x + 24]].v0, f1 = c->cand[c->order[x + 24]].v1;
            __builtin_prefetch(&c->adj_offset[f0]);
            __builtin_prefetch(&c->adj_offset[f1]);
            __builtin_prefetch(&c->pass_locked[f0]);
            __builtin_prefetch(&c->pos[3 * f0]);
            __builtin_prefetch(&c->pos[3 * f1]);
        }
        if (x + 12 < n) {
            uint32_t f0 = c->cand[c->order[x + 12]].v0, f1 = c->cand[c->order[x + 12]].v1;
            const uint32_t *a0 = c->adj + 2 * c->adj_offset[f0], *a1 = c->adj + 2 * c->adj_offset[f1];
            __builtin_prefetch(a0);
            __builtin_prefetch(a0 + 16);
            __builtin_prefetch(a1);
            __builtin_prefetch(&c->q[c->remap[f0]]);
            __builtin_prefetch(&c->q[c->remap[f1]]);
            __builtin_prefetch((const char *)&c->q[c->remap[f0]] + 64);
            __builtin_prefetch((const char *)&c->q[c->remap[f1]] + 64);
        }
        if (x + 6 < n) {
            /* third stage: the neighbours' positions and collapse targets the flip checks read */
            uint32_t f0 = c->cand[c->order[x + 6]].v0, f1 = c->cand[c->order[x + 6]].v1;
            for (uint32_t k = c->adj_offset[f0], e = c->adj_offset[f0 + 1]; k < e; ++k) {
                uint32_t b = c->adj[2 * k];
                __builtin_prefetch(&c->pos[3 * b]);
                __builtin_prefetch(&c->collapse_remap[b]);
            }
            for (uint32_t k = c->adj_offset[f1], e = c->adj_offset[f1 + 1]; k < e; ++k) {
                uint32_t b = c->adj[2 * k];
                __builtin_prefetch(&c->pos[3 * b]);
                __builtin_prefetch(&c->collapse_remap[b]);
            }
        }
        if (done_tris >= triangle_goal || cd->error > error_limit) break;
        uint32_t i0 = cd->v0, i1 = cd->v1;
        if (c->pass_locked[i0] || c->pass_locked[i1]) continue;
        double p[3];
        int moved;
        place(c, &i0, &i1, 0, p, &moved);
        unsigned char k0 = c->kind[i0];
        /* every vertex at i0's position moves onto i1 */
        int bad = 0;
        uint32_t w = i0;
        do { if (flips(c, w, i1, p)) { bad = 1; break; } w = c->wedge[w]; } while (w != i0);
        if (!bad && moved && flips(c, i1, i0, p)) bad = 1;
        if (!bad && k0 == K_MANIFOLD && c->kind[i1] == K_MANIFOLD && breaks_link(c, i0, i1)) bad = 1;
        if (!bad && duplicates_face(c, i0, i1)) bad = 1;
        if (bad) continue;

        uint32_t r0 = c->remap[i0], r1 = c->remap[i1];
        if (r0 != r1) q_add(&c->q[r1], &c->q[r0]);
        double pe = position_error(&c->q[r1], p);
        if (pe > *max_position_error) *max_position_error = pe;
        if (c->acount) {
            size_t K = c->acount;
            if (moved && c->free_attributes) {
                float s[MAX_ATTR];
                attribute_error(c, i0, i1, p, NULL, s);
                memcpy(c->attr + (size_t)i1 * K, s, K * sizeof(float));
            }
            q_add(&c->qa[i1], &c->qa[i0]);
            float *g1 = c->grad + (size_t)i1 * K * 4, *g0 = c->grad + (size_t)i0 * K * 4;
            for (size_t k = 0; k < 4 * K; ++k) g1[k] += g0[k];
        }
        if (k0 == K_SEAM) {
            uint32_t w0 = c->wedge[i0];
            uint32_t w1 = (c->loop[i0] == i1) ? c->loopback[w0] : c->loop[w0];
            if (w1 == PF_NONE || w1 >= c->vcount) w1 = c->wedge[i1];
            c->collapse_remap[w0] = w1;
            if (c->acount) {
                size_t K = c->acount;
                q_add(&c->qa[w1], &c->qa[w0]);
                float *g1 = c->grad + (size_t)w1 * K * 4, *g0 = c->grad + (size_t)w0 * K * 4;
                for (size_t k = 0; k < 4 * K; ++k) g1[k] += g0[k];
            }
        } else if (c->wedge[i0] != i0) {
            /* a manifold collapse never has wedge partners; complex vertices do not collapse */
            uint32_t ww = c->wedge[i0];
            while (ww != i0) { c->collapse_remap[ww] = i1; ww = c->wedge[ww]; }
        }
        c->collapse_remap[i0] = i1;
        if (moved) {
            c->pos[3 * i1] = (float)p[0]; c->pos[3 * i1 + 1] = (float)p[1]; c->pos[3 * i1 + 2] = (float)p[2];
            c->moved[i1] = 1;
        }
        lock_wedge(c, i0);
        lock_wedge(c, i1);
        done_tris += (k0 == K_MANIFOLD || k0 == K_SEAM) ? 2 : 1;
        if (cd->error > *max_error) *max_error = cd->error;
        (*collapses)++;
    }
    return done_tris;
}

static void remap_loops(ctx *c, uint32_t *loop) {
    for (size_t i = 0; i < c->vcount; ++i) {
        uint32_t l = loop[i];
        if (l == PF_NONE || l >= c->vcount) continue;
        uint32_t r = c->collapse_remap[l];
        loop[i] = (r == i) ? loop[l] : r;
    }
}

/* Applies this pass's collapses; drops triangles that became degenerate (by index or by position). */
static size_t remap_indices(ctx *c, uint32_t *indices, size_t icount) {
    size_t out = 0;
    for (size_t t = 0; t < icount; t += 3) {
        uint32_t a = c->collapse_remap[indices[t]], b = c->collapse_remap[indices[t + 1]], d = c->collapse_remap[indices[t + 2]];
        uint32_t ra = c->remap[a], rb = c->remap[b], rd = c->remap[d];
        if (ra == rb || rb == rd || ra == rd) continue;
        indices[out] = a; indices[out + 1] = b; indices[out + 2] = d;
        out += 3;
    }
    return out;
}

/* The errors and counters a level reports, whether it reached its target or the collapse stopped before it. */
static void record_level(pf_simplify_result *r, uint32_t reason, double max_position_error, float max_error, float diag,
                         int relax, size_t collapses, size_t passes) {
    r->stop_reason = reason;
    r->error = (float)sqrt(max_position_error);
    r->absolute_error = (float)sqrt(max_position_error) * diag;
    r->metric_error = sqrtf(max_error);
    r->relaxation = (uint32_t)relax;
    r->collapses = collapses;
    r->passes = passes;
}

static void snapshot(const ctx *c, size_t level, const uint32_t *indices, size_t icount, uint32_t *indices_out,
                     size_t index_capacity, const float *positions, size_t stride, const float *attributes,
                     size_t attribute_stride, const float *weights, float *positions_out, float *attributes_out,
                     const float box_min[3], float diag, uint32_t *vertex_maps_out, pf_simplify_result *r) {
    if (indices_out) memcpy(indices_out + level * index_capacity, indices, icount * sizeof(uint32_t));
    if (vertex_maps_out) memcpy(vertex_maps_out + level * c->vcount, c->merged, c->vcount * sizeof(uint32_t));
    if (positions_out) {
        float *po = positions_out + level * c->vcount * 3;
        for (size_t v = 0; v < c->vcount; ++v) {
            if (c->moved[v]) {
                for (int k = 0; k < 3; ++k) po[3 * v + k] = c->pos[3 * v + k] * diag + box_min[k];
            } else {
                for (int k = 0; k < 3; ++k) po[3 * v + k] = positions[v * stride + k];
            }
        }
    }
    if (attributes_out && c->acount) {
        size_t K = c->acount;
        float *ao = attributes_out + level * c->vcount * K;
        for (size_t v = 0; v < c->vcount; ++v)
            for (size_t k = 0; k < K; ++k)
                ao[v * K + k] = (c->moved[v] && weights[k] != 0) ? c->attr[v * K + k] / weights[k]
                                                                  : attributes[v * attribute_stride + k];
    }
    r->index_count = icount;
}

size_t pf_simplify_lod(uint32_t *indices_out, const uint32_t *indices, size_t index_count, const float *positions,
                       size_t vertex_count, size_t stride, const float *attributes, size_t attribute_stride,
                       const float *attribute_weights, size_t attribute_count, const size_t *target_index_counts,
                       size_t level_count, float target_error, unsigned int options, const unsigned char *vertex_lock,
                       float *positions_out, float *attributes_out, uint32_t *vertex_maps_out, pf_simplify_result *results) {
    if (level_count == 0 || !results) return 0;
    memset(results, 0, level_count * sizeof(pf_simplify_result));
    if (!positions || stride < 3 || index_count % 3 != 0 || attribute_count > MAX_ATTR ||
        (attribute_count && (!attributes || !attribute_weights || attribute_stride < attribute_count)) ||
        pf_find_index_out_of_range(indices, index_count, (uint32_t)vertex_count) != index_count) {
        for (size_t l = 0; l < level_count; ++l) results[l].stop_reason = PF_SIMPLIFY_STOP_INVALID;
        return (size_t)-1;
    }
    size_t V = vertex_count, K = attribute_count;
    size_t table_size = 1;
    while (table_size < 2 * V + 2) table_size <<= 1;
    size_t work_count = index_count > V ? index_count : V;
    size_t bytes = V * 3 * sizeof(float) + V * K * sizeof(float) + 2 * V * sizeof(uint32_t) + 3 * V +
                   2 * V * sizeof(uint32_t) + V * sizeof(quadric) + (K ? V * sizeof(quadric) + V * K * 4 * sizeof(float) : 0) +
                   (V + 1) * sizeof(uint32_t) + 2 * index_count * sizeof(uint32_t) + 2 * V * sizeof(uint32_t) + V +
                   work_count * (sizeof(candidate) + sizeof(uint32_t)) + 65536 * sizeof(uint32_t) +
                   table_size * sizeof(uint32_t) + index_count * sizeof(uint32_t) + 64 * 24;
    char *arena = malloc(bytes);
    if (!arena) {
        for (size_t l = 0; l < level_count; ++l) results[l].stop_reason = PF_SIMPLIFY_STOP_INVALID;
        return (size_t)-1;
    }
    char *cur = arena;
#define TAKE(type, count) ((type *)(cur = (char *)(((uintptr_t)cur + 15) & ~(uintptr_t)15), cur += (count) * sizeof(type), cur - (count) * sizeof(type)))
    ctx c;
    memset(&c, 0, sizeof(c));
    c.vcount = V; c.icount = index_count; c.acount = K;
    c.pos = TAKE(float, V * 3);
    c.attr = K ? TAKE(float, V * K) : NULL;
    c.remap = TAKE(uint32_t, V);
    c.wedge = TAKE(uint32_t, V);
    c.kind = TAKE(unsigned char, V);
    c.moved = TAKE(unsigned char, V);
    c.pass_locked = TAKE(unsigned char, V);
    c.user_locked = vertex_lock;
    c.loop = TAKE(uint32_t, V);
    c.loopback = TAKE(uint32_t, V);
    c.q = TAKE(quadric, V);
    c.qa = K ? TAKE(quadric, V) : NULL;
    c.grad = K ? TAKE(float, V * K * 4) : NULL;
    c.adj_offset = TAKE(uint32_t, V + 1);
    c.adj = TAKE(uint32_t, 2 * index_count);
    c.collapse_remap = TAKE(uint32_t, V);
    c.merged = TAKE(uint32_t, V);
    c.cand = TAKE(candidate, work_count);
    c.order = TAKE(uint32_t, work_count);
    c.histogram = TAKE(uint32_t, 65536);
    uint32_t *table = TAKE(uint32_t, table_size);
    uint32_t *work = TAKE(uint32_t, index_count);
#undef TAKE
    /* an errors-only query (no indices_out) costs what a run with positions_out would */
    c.optimal = (options & PF_SIMPLIFY_ENDPOINTS_ONLY) == 0 && (positions_out != NULL || indices_out == NULL);
    c.free_attributes = attributes_out != NULL;

    /* normalise positions to the bounding-box diagonal, so errors are relative to it */
    float bmin[3], bmax[3];
    pf_bounds(positions, V, stride, bmin, bmax);
    float diag = 0;
    if (V && bmin[0] <= bmax[0])
        diag = sqrtf((bmax[0] - bmin[0]) * (bmax[0] - bmin[0]) + (bmax[1] - bmin[1]) * (bmax[1] - bmin[1]) +
                     (bmax[2] - bmin[2]) * (bmax[2] - bmin[2]));
    else
        bmin[0] = bmin[1] = bmin[2] = 0;
    float scale = diag > 0 ? 1.0f / diag : 1.0f;
    if (!(diag > 0)) diag = 1.0f;
    for (size_t v = 0; v < V; ++v)
        for (int k = 0; k < 3; ++k) {
            float x = (positions[v * stride + k] - bmin[k]) * scale;
            c.pos[3 * v + k] = isfinite(x) ? x : 0;
        }
    for (size_t v = 0; v < V; ++v)
        for (size_t k = 0; k < K; ++k) c.attr[v * K + k] = attributes[v * attribute_stride + k] * attribute_weights[k];
    memset(c.moved, 0, V);
    memset(c.pass_locked, 0, V);
    for (size_t v = 0; v < V; ++v) c.merged[v] = (uint32_t)v;

    float limit = target_error < 0 ? 0 : target_error;
    if (options & PF_SIMPLIFY_ERROR_ABSOLUTE) limit *= scale;
    float limit_sq = limit * limit;
    int lock_border = (options & PF_SIMPLIFY_LOCK_BORDER) != 0;
    int permissive = (options & PF_SIMPLIFY_PERMISSIVE) != 0;

    build_position_remap(&c, positions, stride, table, table_size);
    memmove(work, indices, index_count * sizeof(uint32_t));
    /* drop input triangles that are degenerate by position */
    size_t count = 0;
    for (size_t i = 0; i < V; ++i) c.collapse_remap[i] = (uint32_t)i;
    count = remap_indices(&c, work, index_count);
    build_adjacency(&c, work, count);
    int relax = 0;
    classify(&c, lock_border, relax);
    accumulate_quadrics(&c, work, count, 1);
    if (K) accumulate_attribute_quadrics(&c, work, count);

    float max_error = 0;
    double max_position_error = 0;
    size_t collapses = 0, passes = 0;
    size_t level = 0;
    uint32_t reason = PF_SIMPLIFY_STOP_TARGET_COUNT;
    int stalled_passes = 0;
    for (;;) {
        while (level < level_count && count <= target_index_counts[level]) {
            snapshot(&c, level, work, count, indices_out, index_count, positions, stride, attributes, attribute_stride,
                     attribute_weights, positions_out, attributes_out, bmin, diag, vertex_maps_out, &results[level]);
            record_level(&results[level], PF_SIMPLIFY_STOP_TARGET_COUNT, max_position_error, max_error, diag, relax, collapses, passes);
            level++;
        }
        if (level >= level_count) break;
        size_t target = target_index_counts[level];
        size_t n = pick_candidates(&c, work, count);
        if (n) rank_candidates(&c, n);
        size_t done = 0;
        float min_error = FLT_MAX;
        if (n) {
            sort_candidates(&c, n);
            min_error = c.cand[c.order[0]].error;
            size_t goal = (count - target) / 3;
            float pass_limit = limit_sq;
            /* keep each pass from racing ahead of the error the goal needs; but when what is left is a small part of
             * the mesh, let this pass finish it: one more pass would rank every edge again for a handful of collapses */
            size_t needed = goal / 2;
            if (goal <= count / 30) needed = goal * 2;
            size_t gi = needed < n ? needed : n - 1;
            float bound = c.cand[c.order[gi]].error * PASS_ERROR_BOUND * PASS_ERROR_BOUND;
            if (bound < pass_limit) pass_limit = bound;
            if (pass_limit < min_error) pass_limit = min_error;
            if (min_error <= limit_sq) {
                for (size_t v = 0; v < V; ++v) c.collapse_remap[v] = (uint32_t)v;
                memset(c.pass_locked, 0, V);
                done = perform_collapses(&c, n, goal ? goal : 1, pass_limit, &max_error, &max_position_error, &collapses);
                if (!done && pass_limit < limit_sq) /* the cheap ones were all guarded: widen to the caller's limit */
                    done = perform_collapses(&c, n, goal ? goal : 1, limit_sq, &max_error, &max_position_error, &collapses);
            }
        }
        passes++;
        if (done) {
            size_t before = count;
            for (size_t v = 0; v < V; ++v) c.merged[v] = c.collapse_remap[c.merged[v]];
            remap_loops(&c, c.loop);
            remap_loops(&c, c.loopback);
            count = remap_indices(&c, work, count);
            build_adjacency(&c, work, count);
            /* collapses that removed no triangle (stale border loops on messy input) must not spin forever */
            stalled_passes = count < before ? 0 : stalled_passes + 1;
            if (stalled_passes < 4) continue;
        }
        /* nothing collapsed (or nothing removed): either the error limit or the guards stopped us */
        stalled_passes = 0;
        if (n && min_error > limit_sq) {
            reason = PF_SIMPLIFY_STOP_TARGET_ERROR;
        } else {
            reason = PF_SIMPLIFY_STOP_TOPOLOGY;
            if (permissive && relax < 2) {
                relax++;
                if (relax == 1) {
                    /* weld by position: seams stop being seams; UVs on one side follow the other near them */
                    for (size_t i = 0; i < count; ++i) work[i] = c.remap[work[i]];
                    for (size_t v = 0; v < V; ++v) c.merged[v] = c.remap[c.merged[v]];
                    for (size_t v = 0; v < V; ++v) c.wedge[v] = (uint32_t)v;
                    for (size_t v = 0; v < V; ++v) c.collapse_remap[v] = (uint32_t)v;
                    count = remap_indices(&c, work, count);
                    for (size_t v = 0; v < V; ++v) c.remap[v] = (uint32_t)v;
                }
                build_adjacency(&c, work, count);
                classify(&c, lock_border, relax);
                c.relaxed_borders = relax >= 2;
                if (relax == 1) {
                    /* the seams' edge quadrics no longer describe an edge: measure from the welded surface */
                    accumulate_quadrics(&c, work, count, 1);
                    if (K) accumulate_attribute_quadrics(&c, work, count);
                }
                continue;
            }
        }
        break;
    }
    for (; level < level_count; ++level) {
        snapshot(&c, level, work, count, indices_out, index_count, positions, stride, attributes, attribute_stride,
                 attribute_weights, positions_out, attributes_out, bmin, diag, vertex_maps_out, &results[level]);
        record_level(&results[level], reason, max_position_error, max_error, diag, relax, collapses, passes);
    }
    free(arena);
    return results[level_count - 1].index_count;
}

size_t pf_simplify(uint32_t *indices_out, const uint32_t *indices, size_t index_count, const float *positions,
                   size_t vertex_count, size_t stride, const float *attributes, size_t attribute_stride,
                   const float *attribute_weights, size_t attribute_count, size_t target_index_count, float target_error,
                   unsigned int options, const unsigned char *vertex_lock, float *positions_out, float *attributes_out,
                   pf_simplify_result *result) {
    pf_simplify_result local;
    pf_simplify_result *r = result ? result : &local;
    size_t n = pf_simplify_lod(indices_out, indices, index_count, positions, vertex_count, stride, attributes,
                               attribute_stride, attribute_weights, attribute_count, &target_index_count, 1, target_error,
                               options, vertex_lock, positions_out, attributes_out, NULL, r);
    return n == (size_t)-1 ? 0 : n;
}
