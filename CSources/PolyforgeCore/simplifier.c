/* simplifier.c - quadric edge-collapse simplification (pf_simplify, pf_simplify_lod).
 *
 * Garland & Heckbert's quadrics (area-weighted plane quadrics, border edge quadrics), attribute quadrics after
 * Hoppe (each triangle's attribute gradient, so UVs/normals/colors enter the metric), vertex classes and
 * sorted collapse passes in the manner of meshoptimizer's simplifier, plus optimal placement of interior
 * vertices, a link-condition guard and a permissive mode that relaxes seam and border rules step by step.
 *
 * Spatial cells make the passes parallel and keep them in cache. The vertices are reordered along a Morton curve
 * and cut into cells of a few thousand; each triangle belongs to one cell. In a pass, a collapse whose two
 * vertices and their whole neighbourhoods lie in one cell touches nothing another cell reads, so the cells walk
 * their own error-sorted candidates at the same time, each in its own part of memory. Cells ignore the pass's
 * triangle goal; they log what they did, and when the logs together overshoot it, one cut by error (ties by cell,
 * then log order) keeps a prefix of every log and undoes the rest. The candidates that straddle two cells go next,
 * grouped by a second partition (a Morton curve over the box shifted by half a cell), again in parallel; the few
 * left go last, serially, in error order. As the mesh thins, neighbouring cells merge, so a small mesh ends as one
 * cell in the plain serial order. Quadrics are kept in float in their own vertex's frame, where they are small.
 * A candidate's rank survives a pass in which no collapse touched its two vertices. The cells are fixed by the
 * mesh, not by the thread count, so the output is identical for any number of threads. Once half the vertices
 * have collapsed away, the live ones are renumbered in order and every per-vertex array is packed down, so the late
 * passes stay in cache. Everything is allocated once per call. */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS and madvise under -std=c11 */
#include "polyforge_core.h"
#include "core_common.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#ifdef _OPENMP
int omp_get_thread_num(void);
int omp_get_num_threads(void);
#endif

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

#define PF_MANY 0xFFFFFFFEu
#define MAX_ATTR 32
#define BORDER_WEIGHT 10.0f
#define PASS_ERROR_BOUND 1.5f
/* Vertices per cell: big enough that few collapses straddle two cells (about 12% of a pass's candidates on a 1M
 * triangle scan), small enough that a cell's vertices, quadrics and adjacency (about 1 MB) stay in a core's cache
 * while it is walked. */
#define CELL_VERTICES 8192
#define MORTON_BITS 10
#define DEAL_CHUNKS 16
/* The pass histogram of error keys: 65536 counts, then one sum per block of 256 keys (made when the threads' counts
 * are merged), so that finding the pass limit walks blocks, not keys: a pass's errors can span from 0 to 1e-2, tens
 * of thousands of mostly empty keys, and walking them one by one cost small meshes up to 7% of their run */
#define HIST_KEYS 65536
#define HIST_SIZE (HIST_KEYS + HIST_KEYS / 256)

/* A quadric in global (normalised) coordinates, for the attribute quadrics and the general paths. Double
 * precision: in float, the cancellation in Q(p) leaves noise of ~1e-4 of the diagonal after the square root, which
 * would hide real errors of that size on dense meshes and stop flat regions from collapsing. */
typedef struct quadric {
    double a00, a11, a22, a10, a20, a21, b0, b1, b2, c, w;
} quadric;

/* A position quadric in its vertex's own frame: Q(x) = y'Ay + 2b.y + c with y = x - pos[r], r the position's
 * representative. Around its own vertex every term is small (at the start b and c are exactly 0: every plane
 * passes through the vertex), so float keeps what matters, at half the memory of a double quadric in global
 * coordinates, and ranking is bound by loading quadrics. Frames are changed, summed and evaluated in double. */
typedef struct local_quadric {
    float a00, a11, a22, a10, a20, a21, b0, b1, b2, c, w;
} local_quadric;

/* A candidate, one per index slot of work (the edge from that corner to the next corner of its triangle), in four
 * bytes: the float bits of its error (never negative), the sign bit set when it collapses the edge backwards (the
 * next corner onto this one); CAND_NONE when the edge may not collapse. Its ends are read from work. */
#define CAND_NONE 0xFFFFFFFFu
#define CAND_BACKWARDS 0x80000000u

/* One collapse a cell made, kept until the pass's cut decides whether it stays: what committing needs (the
 * quadric sums wait until then) and what undoing it needs (the survivor's position before). */
typedef struct collapse_record {
    uint32_t i0, i1;
    float error;
    float p[3];
    float before[3];
    unsigned char moved, was_moved, tris, unused;
} collapse_record;

typedef struct cell {
    uint32_t vbegin, vend;            /* its vertices, in the working order */
    int contiguous;                   /* first partition: its vertices are vbegin..vend; second: b_order[vbegin..vend] */
    size_t live;                      /* vertices not collapsed yet (as of the last merge) */
    size_t tbegin, tcap, tcount;      /* its triangles: work[tbegin, tbegin + tcount) of a slot of tcap indices */
    size_t list, selected;            /* its candidates under the pass limit, sorted, at order[list ...] (second
                                       * partition: sort_tmp[list ...]) */
    size_t log_begin, logged, kept;   /* records at log[log_begin ...]: vbegin / 2 + the cell's index */
    size_t across_count;              /* its triangles with a corner in another cell, listed at across[tbegin ...] */
    size_t straddling;                /* candidates under the pass limit it cannot take alone, listed backwards from
                                       * sort_tmp[tbegin + tcount - 1] by its walk */
    size_t tris;                      /* triangles the logged collapses remove */
    size_t collapses;
    double max_position_error;
    float max_error;
} cell;

typedef struct ctx {
    size_t vcount, acount;
    float *pos;          /* working positions, normalised: (p - min) / diagonal, 3 per vertex */
    float *attr;         /* working attributes, weighted, acount per vertex */
    uint32_t *order_in;  /* working vertex -> input vertex */
    uint32_t *remap;     /* first vertex at the same position */
    uint32_t *wedge;     /* circular list of vertices at the same position */
    unsigned char *kind;
    unsigned char *locked; /* the caller's locks, in the working order (NULL: none) */
    unsigned char *moved;
    unsigned char *deep;   /* every neighbour in the vertex's cell (bit 0) and the same for its whole wedge (bit 1);
                            * bits 2 and 3: the same for the second partition's cell */
    unsigned char *dirty;  /* a collapse of the last pass changed the vertex (quadric, position, attributes) */
    int rerank_all;        /* classes changed (a permissive step): no candidate's rank carries over */
    uint32_t *cell_of;     /* the first partition's cell of each vertex */
    uint32_t *b_order;     /* the vertices along the second partition's curve */
    uint32_t *b_of;        /* the second partition's cell of each vertex */
    uint32_t *loop, *loopback;
    local_quadric *q;    /* position quadric, per remap representative, in its frame */
    quadric *qa;         /* attribute quadric, per vertex */
    float *grad;         /* attribute gradients, 4 per attribute per vertex */
    uint32_t *adj_offset; /* vcount + 1 */
    uint32_t *adj;        /* (next, prev) per corner */
    uint32_t *collapse_remap;
    uint32_t *merged;     /* the live vertex each input vertex has merged into, across passes */
    unsigned char *pass_locked;
    uint32_t *work;       /* triangles, grouped by cell */
    cell *cells;
    size_t cell_count;
    cell *bcells;          /* the second partition, for the collapses across the first one's cells */
    size_t bcell_count;
    uint32_t *bcount;      /* counters: DEAL_CHUNKS rows of bcell_count + 1; build_adjacency's cell offsets */
    uint32_t *cand;       /* per index slot of work: its candidate (CAND_*) */
    uint32_t *order;      /* per cell: its selected candidates in ascending error, stable */
    uint32_t *sort_tmp;
    uint32_t *across;     /* build_adjacency's lists of triangles across cells (in sort_tmp: valid until the pass's
                           * collapses use it again) */
    collapse_record *log;
    uint32_t *histogram;  /* HIST_SIZE; zero outside keys hist_lo..hist_hi and their blocks */
    uint32_t hist_lo, hist_hi;
    uint32_t *thread_histograms; /* HIST_KEYS per thread (no block sums); zero between passes */
    int optimal;          /* place interior collapses at the quadric's minimum */
    int free_attributes;  /* attributes of moved vertices are solved for too */
    int relaxed_borders;  /* permissive step 2: open edges count as manifold, so take both directions */
    size_t scratch_count; /* entries of sort_tmp */
    int keep_vertex_arrays; /* PF_SIMPLIFY_NO_COMPACTION */
    uint32_t *retired_to; /* per input vertex: the input vertex it had merged into when a compaction retired it
                           * (PF_NONE: not retired); NULL without vertex maps */
} ctx;

static void q_add(quadric *r, const quadric *a) {
    r->a00 += a->a00; r->a11 += a->a11; r->a22 += a->a22; r->a10 += a->a10; r->a20 += a->a20; r->a21 += a->a21;
    r->b0 += a->b0; r->b1 += a->b1; r->b2 += a->b2; r->c += a->c; r->w += a->w;
}

static double q_eval(const quadric *q, double x, double y, double z) {
    double r = q->a00 * x * x + q->a11 * y * y + q->a22 * z * z;
    r += 2 * (q->a10 * x * y + q->a20 * x * z + q->a21 * y * z);
    r += 2 * (q->b0 * x + q->b1 * y + q->b2 * z);
    return r + q->c;
}

/* q (frame origin `from`) moved to the frame with origin `to`: the same function of x, in double. */
static void lq_frame(const local_quadric *q, const float *from, const double to[3], quadric *out) {
    double tx = to[0] - from[0], ty = to[1] - from[1], tz = to[2] - from[2];
    double a00 = q->a00, a11 = q->a11, a22 = q->a22, a10 = q->a10, a20 = q->a20, a21 = q->a21;
    double ax = a00 * tx + a10 * ty + a20 * tz, ay = a10 * tx + a11 * ty + a21 * tz, az = a20 * tx + a21 * ty + a22 * tz;
    out->a00 = a00; out->a11 = a11; out->a22 = a22; out->a10 = a10; out->a20 = a20; out->a21 = a21;
    out->b0 = q->b0 + ax; out->b1 = q->b1 + ay; out->b2 = q->b2 + az;
    out->c = tx * ax + ty * ay + tz * az + 2 * (q->b0 * tx + q->b1 * ty + q->b2 * tz) + q->c;
    out->w = q->w;
}

/* The position quadric of v's position, in global coordinates (for the general paths with attributes). */
static void global_quadric(const ctx *c, uint32_t v, quadric *out) {
    static const double origin[3] = {0, 0, 0};
    uint32_t r = c->remap[v];
    lq_frame(&c->q[r], c->pos + 3 * r, origin, out);
}

static void lq_store(local_quadric *q, const quadric *d) {
    q->a00 = (float)d->a00; q->a11 = (float)d->a11; q->a22 = (float)d->a22;
    q->a10 = (float)d->a10; q->a20 = (float)d->a20; q->a21 = (float)d->a21;
    q->b0 = (float)d->b0; q->b1 = (float)d->b1; q->b2 = (float)d->b2; q->c = (float)d->c; q->w = (float)d->w;
}

static uint32_t a_cell(const ctx *c, uint32_t v) { return c->cell_of[v]; }
/* A first-partition cell's vertices are a range: membership needs no load. */
static int within_cell(const cell *cl, uint32_t v) { return v >= cl->vbegin && v < cl->vend; }
static uint32_t b_cell(const ctx *c, uint32_t v) { return c->b_of[v]; }

/* Runs fn on every cell, cells handed out one at a time through a shared counter (dynamic scheduling by hand:
 * clang 21 lowers schedule(dynamic) to __kmpc_dispatch_deinit, which Debian's libomp 14 lacks). Cells are
 * independent, so the result does not depend on who runs which. */
typedef void (*cell_fn)(ctx *c, cell *cl, size_t k, void *arg);

static void for_each_cell(ctx *c, cell *cells, size_t n, cell_fn fn, void *arg) {
    long count = (long)n, next = 0;
    #pragma omp parallel if (count > 1)
    for (;;) {
        long k = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
        if (k >= count) break;
        fn(c, &cells[k], (size_t)k, arg);
    }
}

/* ---- spatial order ------------------------------------------------------------------------------------- */

static uint32_t spread_bits(uint32_t x) {
    x &= 0x3FF;
    x = (x | (x << 16)) & 0x030000FF;
    x = (x | (x << 8)) & 0x0300F00F;
    x = (x | (x << 4)) & 0x030C30C3;
    x = (x | (x << 2)) & 0x09249249;
    return x;
}

/* Positions compare by value (-0 equals +0; NaN after every number, by its bits), then by input index: equal
 * positions end up next to each other, in input order. */
static int position_before(const float *positions, size_t stride, uint32_t a, uint32_t b) {
    const float *pa = positions + (size_t)a * stride, *pb = positions + (size_t)b * stride;
    for (int k = 0; k < 3; ++k) {
        float x = pa[k], y = pb[k];
        int nx = x != x, ny = y != y;
        if (nx != ny) return ny;
        if (nx) {
            uint32_t ux, uy;
            memcpy(&ux, &x, 4); memcpy(&uy, &y, 4);
            if (ux != uy) return ux < uy;
        } else if (x != y) {
            return x < y;
        }
    }
    return a < b;
}

static int same_position(const float *positions, size_t stride, uint32_t a, uint32_t b) {
    const float *pa = positions + (size_t)a * stride, *pb = positions + (size_t)b * stride;
    return pa[0] == pb[0] && pa[1] == pb[1] && pa[2] == pb[2];
}

/* Sorts a run of vertices that share a Morton code by position (insertion sort: such runs are a seam's few
 * copies of one point; a merge sort when a degenerate input puts many vertices in one grid cell). */
static void sort_run(uint32_t *v, uint32_t *tmp, size_t n, const float *positions, size_t stride) {
    if (n <= 24) {
        for (size_t i = 1; i < n; ++i) {
            uint32_t x = v[i];
            size_t j = i;
            while (j > 0 && position_before(positions, stride, x, v[j - 1])) { v[j] = v[j - 1]; --j; }
            v[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_run(v, tmp, h, positions, stride);
    sort_run(v + h, tmp, n - h, positions, stride);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = position_before(positions, stride, v[j], v[i]) ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(uint32_t));
}

/* order_in: the input vertices along a Morton curve over the bounding box (10 bits per axis); with
 * `group_positions`, equal positions together within a code. keys (left holding each vertex's code, in order) and
 * the tmps are scratch of vcount entries each. */
static void spatial_order(const float *positions, size_t stride, size_t V, const float bmin[3], const float bmax[3],
                          int group_positions, uint32_t *order_in, uint32_t *keys, uint32_t *tmp_keys, uint32_t *tmp_order) {
    float scale[3];
    for (int k = 0; k < 3; ++k) {
        float e = bmax[k] - bmin[k];
        scale[k] = e > 0 && isfinite(e) ? (float)(1 << MORTON_BITS) / e : 0;
    }
    long long n = (long long)V;
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
    for (long long v = 0; v < n; ++v) {
        const float *p = positions + (size_t)v * stride;
        uint32_t code = 0;
        for (int k = 0; k < 3; ++k) {
            float x = (p[k] - bmin[k]) * scale[k];
            uint32_t g = x > 0 ? (x < (float)((1 << MORTON_BITS) - 1) ? (uint32_t)x : (1 << MORTON_BITS) - 1) : 0;
            code |= spread_bits(g) << k;
        }
        keys[v] = code;
        order_in[v] = (uint32_t)v;
    }
    /* LSD radix sort, three digits of 10 bits, over fixed chunks (counted and placed in parallel, placed chunk after
     * chunk within each digit): stable, so equal codes keep input order, for any thread count */
    enum { MAX_CHUNKS = 16 };
    uint32_t count[MAX_CHUNKS][1024];
    const int chunks = n > PF_PARALLEL_MIN ? MAX_CHUNKS : 1; /* a small mesh: one plain pass, no fixed cost of 16 */
    uint32_t *ks = keys, *os = order_in, *kd = tmp_keys, *od = tmp_order;
    for (int shift = 0; shift < 30; shift += 10) {
        #pragma omp parallel for schedule(static) if (chunks > 1)
        for (int ch = 0; ch < chunks; ++ch) {
            memset(count[ch], 0, sizeof(count[ch]));
            for (size_t i = V * (size_t)ch / (size_t)chunks, e = V * (size_t)(ch + 1) / (size_t)chunks; i < e; ++i)
                count[ch][(ks[i] >> shift) & 1023]++;
        }
        /* each digit's start, then each chunk's within it (rows walked in order: a column walk of the 16 x 1024
         * table stalls on every step) */
        uint32_t start[1024], sum = 0;
        memset(start, 0, sizeof(start));
        for (int ch = 0; ch < chunks; ++ch)
            for (int b = 0; b < 1024; ++b) start[b] += count[ch][b];
        for (int b = 0; b < 1024; ++b) { uint32_t x = start[b]; start[b] = sum; sum += x; }
        for (int ch = 0; ch < chunks; ++ch)
            for (int b = 0; b < 1024; ++b) { uint32_t x = count[ch][b]; count[ch][b] = start[b]; start[b] += x; }
        #pragma omp parallel for schedule(static) if (chunks > 1)
        for (int ch = 0; ch < chunks; ++ch) {
            for (size_t i = V * (size_t)ch / (size_t)chunks, e = V * (size_t)(ch + 1) / (size_t)chunks; i < e; ++i) {
                uint32_t d = count[ch][(ks[i] >> shift) & 1023]++;
                kd[d] = ks[i];
                od[d] = os[i];
            }
        }
        uint32_t *t = ks; ks = kd; kd = t;
        t = os; os = od; od = t;
    }
    if (os != order_in) {
        memcpy(order_in, os, V * sizeof(uint32_t));
        memcpy(keys, ks, V * sizeof(uint32_t));
    }
    for (size_t i = 0; i < V && group_positions;) {
        size_t j = i + 1;
        while (j < V && keys[j] == keys[i]) ++j;
        if (j - i > 1) sort_run(order_in + i, tmp_order, j - i, positions, stride);
        i = j;
    }
}

/* ---- setup -------------------------------------------------------------------------------------------- */

/* Triangle t of a cell's slots (an index into work) in build_adjacency: with `own`, its corners at the cell's own
 * vertices (cells in parallel: each writes only its vertices); without, its corners at other cells' vertices
 * (serially, after). count: count corners into off[v + 1]; else write them at off[v]++ and clear the deep bits of
 * triangles across cells. Returns whether the triangle has corners in other cells. */
static int adjacency_corners(ctx *c, const cell *cl, size_t t, int own, int count) {
    uint32_t *off = c->adj_offset;
    const uint32_t *v = c->work + t;
    int mine[3], foreign = 0;
    for (int j = 0; j < 3; ++j) {
        int inside = within_cell(cl, v[j]);
        foreign |= !inside;
        mine[j] = inside == own;
    }
    if (count) {
        for (int j = 0; j < 3; ++j) if (mine[j]) off[v[j] + 1]++;
        return foreign;
    }
    uint32_t ja = c->b_of[v[0]], jb = c->b_of[v[1]], jd = c->b_of[v[2]];
    unsigned char whole = (unsigned char)(0xFA | (foreign ? 0 : 1) | (ja == jb && jb == jd ? 4 : 0));
    for (int j = 0; j < 3; ++j) {
        if (!mine[j]) continue;
        uint32_t *x = c->adj + 2 * off[v[j]]++;
        x[0] = v[j == 2 ? 0 : j + 1];
        x[1] = v[j == 0 ? 2 : j - 1];
        c->deep[v[j]] &= whole;
    }
    return foreign;
}

/* Counts a cell's own corners and lists its triangles with corners elsewhere (at across[tbegin ...]). */
static void adjacency_count_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg; (void)k;
    memset(c->deep + cl->vbegin, 5, cl->vend - cl->vbegin);
    memset(c->adj_offset + cl->vbegin + 1, 0, (size_t)(cl->vend - cl->vbegin) * sizeof(uint32_t));
    uint32_t *across = c->across + cl->tbegin;
    size_t n = 0;
    for (size_t t = cl->tbegin, e = cl->tbegin + cl->tcount; t < e; t += 3)
        if (adjacency_corners(c, cl, t, 1, 1)) across[n++] = (uint32_t)t;
    cl->across_count = n;
}

static void adjacency_fill_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg; (void)k;
    for (size_t t = cl->tbegin, e = cl->tbegin + cl->tcount; t < e; t += 3) adjacency_corners(c, cl, t, 1, 0);
}

/* The corners of triangles across cells at the other cells' vertices, serially, in cell and slot order. */
static void adjacency_across(ctx *c, int count) {
    for (size_t k = 0; k < c->cell_count; ++k) {
        const uint32_t *across = c->across + c->cells[k].tbegin;
        for (size_t i = 0; i < c->cells[k].across_count; ++i) adjacency_corners(c, &c->cells[k], across[i], 0, count);
    }
}

/* Running sums of the counts in off[vbegin + 1 .. vend], within the cell. */
static void adjacency_prefix_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)k; (void)arg;
    uint32_t *off = c->adj_offset;
    for (uint32_t v = cl->vbegin + 1; v < cl->vend; ++v) off[v + 1] += off[v];
}

static void adjacency_offset_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg;
    uint32_t base = c->bcount[k];
    if (base)
        for (uint32_t v = cl->vbegin; v < cl->vend; ++v) c->adj_offset[v + 1] += base;
}

/* Builds the (next, prev) corner lists of every vertex from the cells' triangles, and deep bits 0 and 2 (no
 * triangle around the vertex leaves its cell, in either partition). A vertex's list holds the corners from its own
 * cell's triangles first, then those from other cells', each in slot order: the same for any thread count. Then
 * mark_deep completes bits 1 and 3. */
static void build_adjacency(ctx *c) {
    uint32_t *off = c->adj_offset;
    size_t V = c->vcount, n = c->cell_count;
    off[0] = 0;
    for_each_cell(c, c->cells, n, adjacency_count_cell, NULL);
    adjacency_across(c, 1);
    /* offsets: running sums within each cell in parallel, then each cell shifted by the cells before it */
    for_each_cell(c, c->cells, n, adjacency_prefix_cell, NULL);
    uint32_t base = 0;
    for (size_t k = 0; k < n; ++k) {
        c->bcount[k] = base;
        base += c->adj_offset[c->cells[k].vend];
    }
    for_each_cell(c, c->cells, n, adjacency_offset_cell, NULL);
    /* fill using off[v] as cursor, then shift back */
    for_each_cell(c, c->cells, n, adjacency_fill_cell, NULL);
    adjacency_across(c, 0);
    memmove(off + 1, off, V * sizeof(uint32_t));
    off[0] = 0;
}

/* Half-edge b -> a, read from a's own corners: it exists when a triangle at a has b as its previous corner. (A
 * check local to a: its list is already in cache, b's is not.) */
static int has_half_edge_into(const ctx *c, uint32_t a, uint32_t b) {
    for (uint32_t k = c->adj_offset[a]; k < c->adj_offset[a + 1]; ++k)
        if (c->adj[2 * k + 1] == b) return 1;
    return 0;
}

static int has_half_edge(const ctx *c, uint32_t a, uint32_t b) {
    for (uint32_t k = c->adj_offset[a]; k < c->adj_offset[a + 1]; ++k)
        if (c->adj[2 * k] == b) return 1;
    return 0;
}

/* deep bit 1 (3): bit 0 (2) holds for every vertex at v's position. A collapse between two bit-1 vertices of one
 * cell reads and writes only that cell's vertices. */
static void mark_deep(ctx *c) {
    long long n = (long long)c->vcount;
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
    for (long long v = 0; v < n; ++v) {
        if (c->remap[v] != (uint32_t)v) continue; /* each ring once, from its representative */
        unsigned char d = c->deep[v] & 5;
        for (uint32_t w = c->wedge[v]; w != (uint32_t)v && d; w = c->wedge[w]) d &= c->deep[w];
        if (!d) continue;
        uint32_t w = (uint32_t)v;
        do { c->deep[w] |= (unsigned char)(d << 1); w = c->wedge[w]; } while (w != (uint32_t)v);
    }
}

/* No triangle uses v (it has no corners). */
static int unused_vertex(const ctx *c, uint32_t v) { return c->adj_offset[v] == c->adj_offset[v + 1]; }

/* Takes the vertices no triangle uses out of the position rings: a ring of three where one is unused would make
 * the other two a complex vertex (no collapse ever), as an unused duplicate in a glTF or the copies a weld of exact
 * duplicates leaves behind do. Used members keep their order; the first of them represents the ring. Serial, and
 * only when some vertex is unused. */
static void detach_unused_vertices(ctx *c) {
    long long n = (long long)c->vcount;
    size_t unused = 0;
    #pragma omp parallel for schedule(static) reduction(+ : unused) if (n > PF_PARALLEL_MIN)
    for (long long v = 0; v < n; ++v) unused += unused_vertex(c, (uint32_t)v);
    if (!unused) return;
    for (uint32_t v = 0; v < (uint32_t)n; ++v) {
        if (c->remap[v] != v || c->wedge[v] == v) continue;
        int any = 0;
        uint32_t w = v;
        do { any |= unused_vertex(c, w); w = c->wedge[w]; } while (w != v);
        if (!any) continue;
        uint32_t first = PF_NONE, prev = PF_NONE;
        w = v;
        do {
            uint32_t next = c->wedge[w];
            if (unused_vertex(c, w)) {
                c->remap[w] = w;
                c->wedge[w] = w;
            } else {
                if (first == PF_NONE) first = w; else c->wedge[prev] = w;
                c->remap[w] = first;
                prev = w;
            }
            w = next;
        } while (w != v);
        if (prev != PF_NONE) c->wedge[prev] = first;
    }
}

/* Classifies vertices from open (twinless) half-edges, as meshoptimizer does. With relax >= 1 indices are
 * already welded by position (no seams); with relax >= 2 every vertex not locked by the caller is manifold.
 * A vertex finds its open half-edges in its own corner list (a twin b -> a shows as a corner of a whose previous
 * corner is b), so vertices are classified in parallel, each in cache. */
static void classify(ctx *c, int lock_border, int relax) {
    long long n = (long long)c->vcount;
    /* oi/oo: the one open half-edge into / out of each vertex (PF_MANY: several); scratch of >= vcount entries */
    uint32_t *oi = c->collapse_remap, *oo = c->order;
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
    for (long long v = 0; v < n; ++v) {
        uint32_t in = PF_NONE, out = PF_NONE;
        for (uint32_t k = c->adj_offset[v], e = c->adj_offset[v + 1]; k < e; ++k) {
            uint32_t nx = c->adj[2 * k], pv = c->adj[2 * k + 1];
            if (!has_half_edge_into(c, (uint32_t)v, nx)) out = (out == PF_NONE || out == nx) ? nx : PF_MANY; /* v -> nx */
            if (!has_half_edge(c, (uint32_t)v, pv)) in = (in == PF_NONE || in == pv) ? pv : PF_MANY;   /* pv -> v */
        }
        oi[v] = in;
        oo[v] = out;
    }
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
    for (long long vv = 0; vv < n; ++vv) {
        uint32_t v = (uint32_t)vv;
        unsigned char k;
        uint32_t w = c->wedge[v];
        if (unused_vertex(c, v)) k = K_LOCKED;
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
        int caller_locked = c->locked && c->locked[v];
        int on_border = oi[v] != PF_NONE || oo[v] != PF_NONE;
        if (k == K_BORDER && lock_border) k = K_LOCKED;
        if (caller_locked) k = K_LOCKED;
        /* permissive, last step: only what the caller locked stays put */
        if (relax >= 2 && !caller_locked && !(lock_border && on_border) && c->adj_offset[v] != c->adj_offset[v + 1])
            k = K_MANIFOLD;
        c->kind[v] = k;
    }
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
    for (long long v = 0; v < n; ++v) {
        /* loop: the next vertex along the open edge; loopback: the previous one */
        int open = c->kind[v] == K_BORDER || c->kind[v] == K_SEAM;
        c->loop[v] = open ? oo[v] : PF_NONE;
        c->loopback[v] = open ? oi[v] : PF_NONE;
    }
    for (size_t v = 0; v < c->vcount; ++v) c->collapse_remap[v] = (uint32_t)v;
}

/* The corners of triangle (v, n, p) rotated to start at the smallest index, so every corner computes the
 * triangle's quadrics from the same arithmetic. */
static void canonical(uint32_t v, uint32_t n, uint32_t p, uint32_t out[3]) {
    if (v < n && v < p) { out[0] = v; out[1] = n; out[2] = p; }
    else if (n < p) { out[0] = n; out[1] = p; out[2] = v; }
    else { out[0] = p; out[1] = v; out[2] = n; }
}

static int is_open_kind(unsigned char k) { return k == K_BORDER || k == K_SEAM || k == K_LOCKED || k == K_COMPLEX; }

/* Adds w * n n' to the quadric: a plane through the quadric's own vertex (in its frame, b and c stay 0). */
static void lq_add_plane(local_quadric *q, float nx, float ny, float nz, float w) {
    q->a00 += w * nx * nx; q->a11 += w * ny * ny; q->a22 += w * nz * nz;
    q->a10 += w * nx * ny; q->a20 += w * nx * nz; q->a21 += w * ny * nz;
}

/* A triangle's plane quadric (area-weighted) at its corners' positions, and the edge quadrics of its open edges
 * (a plane through the edge, perpendicular to the face, weighted by the squared edge length). */
static void add_triangle_quadrics(ctx *c, uint32_t i0, uint32_t i1, uint32_t i2) {
    const uint32_t v[3] = {i0, i1, i2};
    const float *p0 = c->pos + 3 * i0, *p1 = c->pos + 3 * i1, *p2 = c->pos + 3 * i2;
    float e1x = p1[0] - p0[0], e1y = p1[1] - p0[1], e1z = p1[2] - p0[2];
    float e2x = p2[0] - p0[0], e2y = p2[1] - p0[1], e2z = p2[2] - p0[2];
    float nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    float len = sqrtf(nx * nx + ny * ny + nz * nz);
    if (len == 0) return;
    float area = 0.5f * len;
    nx /= len; ny /= len; nz /= len;
    for (int k = 0; k < 3; ++k) {
        local_quadric *q = &c->q[c->remap[v[k]]];
        lq_add_plane(q, nx, ny, nz, area);
        q->w += area;
    }
    for (int e = 0; e < 3; ++e) {
        uint32_t a = v[e], b = v[e == 2 ? 0 : e + 1], o = v[e == 0 ? 2 : e - 1];
        if (!is_open_kind(c->kind[a]) || !is_open_kind(c->kind[b]) || has_half_edge_into(c, a, b)) continue;
        const float *pa = c->pos + 3 * a, *pb = c->pos + 3 * b, *po = c->pos + 3 * o;
        float ex = pb[0] - pa[0], ey = pb[1] - pa[1], ez = pb[2] - pa[2];
        float el = sqrtf(ex * ex + ey * ey + ez * ez);
        if (el == 0) continue;
        ex /= el; ey /= el; ez /= el;
        float dx = po[0] - pa[0], dy = po[1] - pa[1], dz = po[2] - pa[2];
        float dd = dx * ex + dy * ey + dz * ez;
        float mx = dx - ex * dd, my = dy - ey * dd, mz = dz - ez * dd; /* in the face, perpendicular to the edge */
        float ml = sqrtf(mx * mx + my * my + mz * mz);
        if (ml == 0) continue;
        mx /= ml; my /= ml; mz /= ml;
        /* edge quadrics add error, not area */
        lq_add_plane(&c->q[c->remap[a]], mx, my, mz, el * el * BORDER_WEIGHT);
        lq_add_plane(&c->q[c->remap[b]], mx, my, mz, el * el * BORDER_WEIGHT);
    }
}

static void accumulate_cell_quadrics(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg; (void)k;
    memset(c->q + cl->vbegin, 0, (size_t)(cl->vend - cl->vbegin) * sizeof(local_quadric));
    const uint32_t *w = c->work + cl->tbegin;
    for (size_t t = 0; t < cl->tcount; t += 3)
        if (within_cell(cl, w[t]) && within_cell(cl, w[t + 1]) && within_cell(cl, w[t + 2]))
            add_triangle_quadrics(c, w[t], w[t + 1], w[t + 2]);
}

/* Plane and border edge quadrics at the position representatives, in their own frames. Triangles inside one cell
 * add to that cell's vertices only, so cells run in parallel; the triangles across cells follow, in order, from the
 * lists build_adjacency (run just before) made. */
static void accumulate_quadrics(ctx *c) {
    for_each_cell(c, c->cells, c->cell_count, accumulate_cell_quadrics, NULL);
    for (size_t k = 0; k < c->cell_count; ++k) {
        const uint32_t *across = c->across + c->cells[k].tbegin;
        for (size_t i = 0; i < c->cells[k].across_count; ++i) {
            const uint32_t *w = c->work + across[i];
            add_triangle_quadrics(c, w[0], w[1], w[2]);
        }
    }
}

/* Attribute quadric and gradients of triangle t (canonical order), added to vertex v's. */
static void add_attribute_quadric(ctx *c, const uint32_t t[3], quadric *qa, float *g) {
    size_t K = c->acount;
    const float *p0 = c->pos + 3 * t[0], *p1 = c->pos + 3 * t[1], *p2 = c->pos + 3 * t[2];
    float e1[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
    float e2[3] = {p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]};
    float d00 = e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2];
    float d01 = e1[0] * e2[0] + e1[1] * e2[1] + e1[2] * e2[2];
    float d11 = e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2];
    float denom = d00 * d11 - d01 * d01;
    if (!(denom > 0)) return;
    float area = 0.5f * sqrtf(denom);
    float inv = 1.0f / denom;
    qa->w += area;
    for (size_t k = 0; k < K; ++k) {
        float a0 = c->attr[t[0] * K + k], a1 = c->attr[t[1] * K + k], a2 = c->attr[t[2] * K + k];
        float da1 = a1 - a0, da2 = a2 - a0;
        float s1 = (d11 * da1 - d01 * da2) * inv, s2 = (d00 * da2 - d01 * da1) * inv;
        float gx = s1 * e1[0] + s2 * e2[0], gy = s1 * e1[1] + s2 * e2[1], gz = s1 * e1[2] + s2 * e2[2];
        float d = a0 - (gx * p0[0] + gy * p0[1] + gz * p0[2]);
        qa->a00 += area * gx * gx; qa->a11 += area * gy * gy; qa->a22 += area * gz * gz;
        qa->a10 += area * gx * gy; qa->a20 += area * gx * gz; qa->a21 += area * gy * gz;
        qa->b0 += area * gx * d; qa->b1 += area * gy * d; qa->b2 += area * gz * d; qa->c += area * d * d;
        g[4 * k] += area * gx; g[4 * k + 1] += area * gy; g[4 * k + 2] += area * gz; g[4 * k + 3] += area * d;
    }
}

static void accumulate_attribute_quadrics(ctx *c) {
    size_t K = c->acount;
    long long n = (long long)c->vcount;
    #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN / 4)
    for (long long vv = 0; vv < n; ++vv) {
        uint32_t v = (uint32_t)vv;
        quadric *qa = &c->qa[v];
        float *g = c->grad + (size_t)v * K * 4;
        memset(qa, 0, sizeof(*qa));
        memset(g, 0, K * 4 * sizeof(float));
        for (uint32_t k = c->adj_offset[v], e = c->adj_offset[v + 1]; k < e; ++k) {
            uint32_t t[3];
            canonical(v, c->adj[2 * k], c->adj[2 * k + 1], t);
            add_attribute_quadric(c, t, qa, g);
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
    global_quadric(c, a, &s->q);
    if (c->remap[a] != c->remap[b]) {
        quadric qb;
        global_quadric(c, b, &qb);
        q_add(&s->q, &qb);
    }
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

/* The vertex that i0's seam partner w0 collapses onto along with i0 -> i1: the next one along w0's loop, in the same
 * direction. PF_NONE when there is none still in play: on messy input a loop can keep a target that has collapsed
 * away (remap_loops copies a neighbour's loop that the same pass made stale), and collapsing onto it would bring a
 * dead vertex back into the triangles. */
static uint32_t seam_partner(const ctx *c, uint32_t i0, uint32_t i1, uint32_t w0) {
    uint32_t w1 = (c->loop[i0] == i1) ? c->loopback[w0] : c->loop[w0];
    if (w1 >= c->vcount || c->merged[w1] != w1 || c->collapse_remap[w1] != w1) return PF_NONE;
    return w1;
}

/* Error of collapsing i0 onto i1 with i1 at p (attributes of i1 kept, or optimal when free). */
static double collapse_error_at(const ctx *c, uint32_t i0, uint32_t i1, const double p[3], int free_attr) {
    quadric q;
    global_quadric(c, i0, &q);
    if (c->remap[i0] != c->remap[i1]) {
        quadric q1;
        global_quadric(c, i1, &q1);
        q_add(&q, &q1);
    }
    double e = position_error(&q, p);
    if (c->acount) {
        e += attribute_error(c, i0, i1, p, free_attr ? NULL : c->attr + (size_t)i1 * c->acount, NULL);
        if (c->kind[i0] == K_SEAM) {
            /* the other side of the seam collapses along with it */
            uint32_t w0 = c->wedge[i0], w1 = seam_partner(c, i0, i1, w0);
            if (w1 != PF_NONE) e += attribute_error(c, w0, w1, p, c->attr + (size_t)w1 * c->acount, NULL);
        }
    }
    return e;
}

/* Moving a vertex off its input position must buy a real improvement, not float noise: an endpoint within
 * 1e-6 of the diagonal stays exact (a cube's corners stay bit-identical). */
static int worth_moving(double moved_error, double endpoint_error) {
    return endpoint_error > 1e-12 && moved_error < endpoint_error * 0.999;
}

/* place() for meshes without attributes, the common case when ranking: both quadrics summed in b's frame (y = x -
 * pos[b]), where the error at b is the constant term, at a (y = t) one quadratic form, and at the quadric's
 * minimum y* = -A^-1 B simply C + B.y*. Same decisions as the general path. */
static double place_positions(const ctx *c, uint32_t *i0, uint32_t *i1, int both, double p[3], int *moved) {
    uint32_t a = *i0, b = *i1;
    const float *pa = c->pos + 3 * a, *pb = c->pos + 3 * b;
    const local_quadric *qa = &c->q[c->remap[a]], *qb = &c->q[c->remap[b]];
    double tx = (double)pa[0] - pb[0], ty = (double)pa[1] - pb[1], tz = (double)pa[2] - pb[2];
    /* a's quadric, at y - t in its own frame */
    double aa00 = qa->a00, aa11 = qa->a11, aa22 = qa->a22, aa10 = qa->a10, aa20 = qa->a20, aa21 = qa->a21;
    double ax = aa00 * tx + aa10 * ty + aa20 * tz, ay = aa10 * tx + aa11 * ty + aa21 * tz, az = aa20 * tx + aa21 * ty + aa22 * tz;
    double bat = qa->b0 * tx + qa->b1 * ty + qa->b2 * tz;
    double a00 = aa00 + qb->a00, a11 = aa11 + qb->a11, a22 = aa22 + qb->a22;
    double a10 = aa10 + qb->a10, a20 = aa20 + qb->a20, a21 = aa21 + qb->a21;
    double b0 = qa->b0 - ax + qb->b0, b1 = qa->b1 - ay + qb->b1, b2 = qa->b2 - az + qb->b2;
    double cc = (tx * ax + ty * ay + tz * az) - 2 * bat + qa->c + qb->c;
    double w = (double)qa->w + qb->w;
    double iw = w > 0 ? 1.0 / w : 1.0;
    /* t'At and B.t give the error at a and at the middle */
    double atx = a00 * tx + a10 * ty + a20 * tz, aty = a10 * tx + a11 * ty + a21 * tz, atz = a20 * tx + a21 * ty + a22 * tz;
    double tat = tx * atx + ty * aty + tz * atz, bt = b0 * tx + b1 * ty + b2 * tz;
    double e = fabs(cc) * iw;
    p[0] = pb[0]; p[1] = pb[1]; p[2] = pb[2];
    *moved = 0;
    if (both && e > 0) {
        double ea = fabs(tat + 2 * bt + cc) * iw;
        if (ea < e) { e = ea; *i0 = b; *i1 = a; p[0] = pa[0]; p[1] = pa[1]; p[2] = pa[2]; }
    }
    if (!c->optimal || c->kind[a] != K_MANIFOLD || c->kind[b] != K_MANIFOLD || e <= 1e-12) return e;
    /* the minimum solves A y = -B; scaling by the area cancels, in the solution and in the conditioning test */
    double c00 = a11 * a22 - a21 * a21, c01 = a20 * a21 - a10 * a22, c02 = a10 * a21 - a11 * a20;
    double det = a00 * c00 + a10 * c01 + a20 * c02;
    double tr = a00 + a11 + a22;
    double ox = 0.5 * tx, oy = 0.5 * ty, oz = 0.5 * tz;
    double eo = fabs(0.25 * tat + bt + cc) * iw; /* at the middle */
    if (tr > 0 && fabs(det) > 1e-6 * tr * tr * tr) {
        double c11 = a00 * a22 - a20 * a20, c12 = a10 * a20 - a00 * a21, c22 = a00 * a11 - a10 * a10;
        double id = -1.0 / det;
        double sx = (c00 * b0 + c01 * b1 + c02 * b2) * id;
        double sy = (c01 * b0 + c11 * b1 + c12 * b2) * id;
        double sz = (c02 * b0 + c12 * b1 + c22 * b2) * id;
        double mx = sx - ox, my = sy - oy, mz = sz - oz;
        /* no farther than one edge length from the middle */
        if (mx * mx + my * my + mz * mz <= tx * tx + ty * ty + tz * tz && isfinite(sx) && isfinite(sy) && isfinite(sz)) {
            ox = sx; oy = sy; oz = sz;
            eo = fabs(cc + b0 * sx + b1 * sy + b2 * sz) * iw;
        }
    }
    if (worth_moving(eo, e)) { e = eo; p[0] = pb[0] + ox; p[1] = pb[1] + oy; p[2] = pb[2] + oz; *moved = 1; }
    return e;
}


/* place_positions for two candidates at once, for ranking: one per lane of a pair of doubles (SSE2 or NEON, through
 * the compiler's vector extension). Placing is bound by its chain of dependent arithmetic, not by loads, and two
 * independent chains fill the same instructions: ranking the 1M scan costs a quarter less. Every operation is
 * place_positions' own, in its order, and every choice a select, so each lane's bits are what place_positions gives
 * (debug builds, with PF_SELF_CHECKS, check it on every pair). Per lane: the error, and whether the cheaper
 * direction is b onto a. */
typedef double pair_d __attribute__((vector_size(16)));
typedef long long pair_m __attribute__((vector_size(16)));

static pair_d pair_abs(pair_d x) {
    pair_m bits = (pair_m)x & (pair_m){0x7FFFFFFFFFFFFFFFLL, 0x7FFFFFFFFFFFFFFFLL};
    return (pair_d)bits;
}
static pair_d pair_select(pair_m m, pair_d a, pair_d b) { return (pair_d)((m & (pair_m)a) | (~m & (pair_m)b)); }

static void rank_pair(const ctx *c, const uint32_t a[2], const uint32_t b[2], const int both[2], double error[2], int reverse_out[2]) {
    const float *pa0 = c->pos + 3 * a[0], *pb0 = c->pos + 3 * b[0], *pa1 = c->pos + 3 * a[1], *pb1 = c->pos + 3 * b[1];
    const local_quadric *qa0 = &c->q[c->remap[a[0]]], *qb0 = &c->q[c->remap[b[0]]];
    const local_quadric *qa1 = &c->q[c->remap[a[1]]], *qb1 = &c->q[c->remap[b[1]]];
#define LANES(x0, x1) ((pair_d){(double)(x0), (double)(x1)})
    pair_d tx = LANES(pa0[0], pa1[0]) - LANES(pb0[0], pb1[0]);
    pair_d ty = LANES(pa0[1], pa1[1]) - LANES(pb0[1], pb1[1]);
    pair_d tz = LANES(pa0[2], pa1[2]) - LANES(pb0[2], pb1[2]);
    pair_d aa00 = LANES(qa0->a00, qa1->a00), aa11 = LANES(qa0->a11, qa1->a11), aa22 = LANES(qa0->a22, qa1->a22);
    pair_d aa10 = LANES(qa0->a10, qa1->a10), aa20 = LANES(qa0->a20, qa1->a20), aa21 = LANES(qa0->a21, qa1->a21);
    pair_d qab0 = LANES(qa0->b0, qa1->b0), qab1 = LANES(qa0->b1, qa1->b1), qab2 = LANES(qa0->b2, qa1->b2);
    pair_d ax = aa00 * tx + aa10 * ty + aa20 * tz, ay = aa10 * tx + aa11 * ty + aa21 * tz, az = aa20 * tx + aa21 * ty + aa22 * tz;
    pair_d bat = qab0 * tx + qab1 * ty + qab2 * tz;
    pair_d a00 = aa00 + LANES(qb0->a00, qb1->a00), a11 = aa11 + LANES(qb0->a11, qb1->a11), a22 = aa22 + LANES(qb0->a22, qb1->a22);
    pair_d a10 = aa10 + LANES(qb0->a10, qb1->a10), a20 = aa20 + LANES(qb0->a20, qb1->a20), a21 = aa21 + LANES(qb0->a21, qb1->a21);
    pair_d b0 = qab0 - ax + LANES(qb0->b0, qb1->b0), b1 = qab1 - ay + LANES(qb0->b1, qb1->b1), b2 = qab2 - az + LANES(qb0->b2, qb1->b2);
    pair_d cc = (tx * ax + ty * ay + tz * az) - 2 * bat + LANES(qa0->c, qa1->c) + LANES(qb0->c, qb1->c);
    pair_d w = LANES(qa0->w, qa1->w) + LANES(qb0->w, qb1->w);
    pair_d one = {1.0, 1.0}, zero = {0.0, 0.0};
    pair_d iw = pair_select(w > zero, one / w, one);
    pair_d atx = a00 * tx + a10 * ty + a20 * tz, aty = a10 * tx + a11 * ty + a21 * tz, atz = a20 * tx + a21 * ty + a22 * tz;
    pair_d tat = tx * atx + ty * aty + tz * atz, bt = b0 * tx + b1 * ty + b2 * tz;
    pair_d e = pair_abs(cc) * iw;
    pair_d ea = pair_abs(tat + 2 * bt + cc) * iw;
    pair_m both_m = {both[0] ? -1LL : 0, both[1] ? -1LL : 0};
    pair_m reverse = both_m & (e > zero) & (ea < e);
    e = pair_select(reverse, ea, e);
    pair_d c00 = a11 * a22 - a21 * a21, c01 = a20 * a21 - a10 * a22, c02 = a10 * a21 - a11 * a20;
    pair_d det = a00 * c00 + a10 * c01 + a20 * c02;
    pair_d tr = a00 + a11 + a22;
    pair_d c11 = a00 * a22 - a20 * a20, c12 = a10 * a20 - a00 * a21, c22 = a00 * a11 - a10 * a10;
    pair_d id = -one / det;
    pair_d sx = (c00 * b0 + c01 * b1 + c02 * b2) * id;
    pair_d sy = (c01 * b0 + c11 * b1 + c12 * b2) * id;
    pair_d sz = (c02 * b0 + c12 * b1 + c22 * b2) * id;
    pair_d half = {0.5, 0.5}, inf = {INFINITY, INFINITY};
    pair_d mx = sx - half * tx, my = sy - half * ty, mz = sz - half * tz;
    pair_d small = {1e-6, 1e-6};
    pair_m solved = (tr > zero) & (pair_abs(det) > small * tr * tr * tr) & (mx * mx + my * my + mz * mz <= tx * tx + ty * ty + tz * tz) &
                    (pair_abs(sx) < inf) & (pair_abs(sy) < inf) & (pair_abs(sz) < inf);
    pair_d quarter = {0.25, 0.25};
    pair_d eo = pair_select(solved, pair_abs(cc + b0 * sx + b1 * sy + b2 * sz) * iw, pair_abs(quarter * tat + bt + cc) * iw);
    pair_d tiny = {1e-12, 1e-12}, keep = {0.999, 0.999};
    int opt0 = c->optimal && c->kind[a[0]] == K_MANIFOLD && c->kind[b[0]] == K_MANIFOLD;
    int opt1 = c->optimal && c->kind[a[1]] == K_MANIFOLD && c->kind[b[1]] == K_MANIFOLD;
    pair_m opt = {opt0 ? -1LL : 0, opt1 ? -1LL : 0};
    pair_m move = opt & (e > tiny) & (eo < e * keep);
    e = pair_select(move, eo, e);
#undef LANES
    for (int k = 0; k < 2; ++k) {
        error[k] = e[k];
        reverse_out[k] = reverse[k] != 0;
#ifdef PF_SELF_CHECKS
        uint32_t i0 = a[k], i1 = b[k];
        double p[3];
        int moved;
        double scalar = place_positions(c, &i0, &i1, both[k], p, &moved);
        assert(memcmp(&scalar, &error[k], sizeof(double)) == 0 && (i0 != a[k]) == reverse_out[k]);
#endif
    }
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
    if (!K) return place_positions(c, i0, i1, both, p, moved);
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
 * this pass's collapses; zero-area triangles are not judged. When `dying` is given, it counts v's triangles that do
 * contain skip (or a vertex at its position), not already degenerate: those the collapse of v onto skip removes. */
static int flips(const ctx *c, uint32_t v, uint32_t skip, const double p[3], unsigned *dying) {
    const uint32_t *cr = c->collapse_remap;
    int skip_wedge = c->wedge[skip] != skip;
    uint32_t sp = c->remap[skip];
    const float *v0 = c->pos + 3 * cr[v];
    for (uint32_t k = c->adj_offset[v]; k < c->adj_offset[v + 1]; ++k) {
        uint32_t b = cr[c->adj[2 * k]], d = cr[c->adj[2 * k + 1]];
        if (b == d) continue;
        if (b == skip || d == skip || (skip_wedge && (c->remap[b] == sp || c->remap[d] == sp))) {
            if (dying) ++*dying;
            continue;
        }
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


/* Reads a range once, a cache line at a time: a sequential sweep the hardware prefetcher streams in, so that the
 * random accesses that follow hit the core's cache instead of memory. */
static void warm_range(const void *begin, size_t bytes) {
    const volatile unsigned char *p = (const volatile unsigned char *)begin;
    for (size_t i = 0; i < bytes; i += 64) (void)p[i];
}

/* The vertex data a cell's ranking and collapses touch at random. Not once seven eighths of its range have
 * collapsed away: streaming the dead would then cost more than the misses it saves. */
static void warm_cell(const ctx *c, const cell *cl, int for_collapse) {
    size_t vb = cl->vbegin, n = cl->vend - cl->vbegin;
    if (!cl->contiguous || 8 * cl->live < n) return;
    warm_range(c->q + vb, n * sizeof(local_quadric));
    warm_range(c->pos + 3 * vb, n * 3 * sizeof(float));
    warm_range(c->remap + vb, n * sizeof(uint32_t));
    if (for_collapse) {
        uint32_t a0 = c->adj_offset[vb], a1 = c->adj_offset[cl->vend];
        warm_range(c->adj + 2 * (size_t)a0, (size_t)(a1 - a0) * 2 * sizeof(uint32_t));
        warm_range(c->adj_offset + vb, n * sizeof(uint32_t));
        warm_range(c->collapse_remap + vb, n * sizeof(uint32_t));
    }
}

/* The top 16 bits of a candidate's (or record's) error: the key collapses are sorted and cut by. */
static uint32_t error_key(uint32_t candidate) { return (candidate & ~CAND_BACKWARDS) >> 16; }

static uint32_t float_key(float e) {
    uint32_t u;
    memcpy(&u, &e, 4);
    return error_key(u);
}

static float cand_error(uint32_t candidate) {
    uint32_t u = candidate & ~CAND_BACKWARDS;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* The ends of slot i's candidate: *v0 collapses onto *v1. */
static void cand_ends(const ctx *c, size_t i, uint32_t *v0, uint32_t *v1) {
    size_t e = i % 3;
    uint32_t a = c->work[i], b = c->work[i - e + (e == 2 ? 0 : e + 1)];
    int backwards = (c->cand[i] & CAND_BACKWARDS) != 0;
    *v0 = backwards ? b : a;
    *v1 = backwards ? a : b;
}

/* Counts a candidate's error in hist (top 16 bits), keeps the smallest error and widens [*key_lo, *key_hi] to its
 * key. */
static void count_candidate(uint32_t cd, uint32_t *hist, float *min_error, uint32_t *key_lo, uint32_t *key_hi) {
    uint32_t key = error_key(cd);
    hist[key]++;
    if (key < *key_lo) *key_lo = key;
    if (key > *key_hi) *key_hi = key;
    float f = cand_error(cd);
    if (f < *min_error) *min_error = f;
}

static uint32_t make_candidate(float f, int backwards) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if (f != f) u = 0x7FC00000u; /* a NaN stays positive: never under a limit */
    return (u & ~CAND_BACKWARDS) | (backwards ? CAND_BACKWARDS : 0);
}

/* Ranks a cell's candidates, one per index slot: the edge from that corner to the next, when it may collapse. A
 * slot whose two vertices no collapse of the last pass changed keeps its rank (the quadrics, positions, classes
 * and loops it was ranked on are the same); the others are picked and ranked again, those on positions alone two
 * at a time (the test mirrors place()'s own; a lone one left at the end goes through place()). Counts every
 * candidate (count_candidate) and returns how many there are. */
static size_t rank_cell(ctx *c, cell *cl, uint32_t *hist, float *min_error, uint32_t *key_lo, uint32_t *key_hi) {
    warm_cell(c, cl, 0);
    uint32_t *cand = c->cand + cl->tbegin;
    const uint32_t *w = c->work + cl->tbegin;
    size_t n = 0;
    /* candidates on positions alone wait in pairs for rank_pair: the slot, the ends as tried, whether both
     * directions may collapse, and whether the first end tried is the slot's next corner (the flag's reference) */
    uint32_t *pair_cd[2], pair_a[2], pair_b[2];
    int pair_both[2], pair_from_next[2], waiting = 0;
    int pairable = c->acount == 0;
    for (size_t t = 0; t < cl->tcount; t += 3) {
        if (t + 24 < cl->tcount) {
            /* the quadrics (two cache lines each) are the loads that stall ranking: fetch eight triangles ahead */
            for (int j = 0; j < 3; ++j) {
                const char *q = (const char *)&c->q[c->remap[w[t + 24 + j]]];
                __builtin_prefetch(q);
                __builtin_prefetch(q + 64);
            }
        }
        for (int e = 0; e < 3; ++e) {
            uint32_t *cd = &cand[t + e];
            uint32_t a = w[t + e], b = w[t + (e == 2 ? 0 : e + 1)];
            if (c->rerank_all || c->dirty[a] || c->dirty[b]) {
                *cd = CAND_NONE;
                unsigned char ka = c->kind[a], kb = c->kind[b];
                if (has_opposite[ka][kb] && !c->relaxed_borders && c->remap[b] < c->remap[a]) continue;
                int ab = direction_ok(c, a, b), ba = direction_ok(c, b, a);
                if (!ab && !ba) continue;
                /* both directions possible: the cheaper wins */
                uint32_t i0 = ab ? a : b, i1 = ab ? b : a;
                if (pairable && ka != K_SEAM && kb != K_SEAM) {
                    pair_cd[waiting] = cd; pair_a[waiting] = i0; pair_b[waiting] = i1;
                    pair_both[waiting] = ab && ba; pair_from_next[waiting] = i0 != a;
                    if (++waiting == 2) {
                        double error[2];
                        int reverse[2];
                        rank_pair(c, pair_a, pair_b, pair_both, error, reverse);
                        for (int k = 0; k < 2; ++k) {
                            *pair_cd[k] = make_candidate((float)error[k], reverse[k] ^ pair_from_next[k]);
                            count_candidate(*pair_cd[k], hist, min_error, key_lo, key_hi);
                        }
                        n += 2;
                        waiting = 0;
                    }
                    continue;
                }
                double p[3];
                int moved;
                float f = (float)place(c, &i0, &i1, ab && ba, p, &moved);
                *cd = make_candidate(f, i0 != a);
            }
            if (*cd == CAND_NONE) continue;
            count_candidate(*cd, hist, min_error, key_lo, key_hi);
            ++n;
        }
    }
    if (waiting) {
        uint32_t i0 = pair_a[0], i1 = pair_b[0];
        double p[3];
        int moved;
        float f = (float)place(c, &i0, &i1, pair_both[0], p, &moved);
        *pair_cd[0] = make_candidate(f, (i0 != pair_a[0]) ^ pair_from_next[0]);
        count_candidate(*pair_cd[0], hist, min_error, key_lo, key_hi);
        ++n;
    }
    return n;
}

/* Clears c->histogram where it may hold counts: the errors of a pass span a few thousand of its 65536 keys, and
 * clearing (and scanning) all of them each pass costs a small mesh more than its ranking. */
static void clear_histogram(ctx *c) {
    if (c->hist_lo <= c->hist_hi) {
        memset(c->histogram + c->hist_lo, 0, (size_t)(c->hist_hi - c->hist_lo + 1) * sizeof(uint32_t));
        uint32_t b0 = c->hist_lo >> 8, b1 = c->hist_hi >> 8;
        memset(c->histogram + HIST_KEYS + b0, 0, (size_t)(b1 - b0 + 1) * sizeof(uint32_t));
    }
    c->hist_lo = 1;
    c->hist_hi = 0;
}

/* Picks and ranks every cell's candidates. c->histogram gets the count per top 16 bits of the error (the pass
 * limit is read from it); returns the number of candidates and the smallest error in *min_error. */
static size_t pick_and_rank(ctx *c, float *min_error) {
    float smallest = FLT_MAX;
    uint32_t lo = 65535, hi = 0;
    size_t total = 0;
    long cells = (long)c->cell_count, next = 0;
    int used = 1;
    #pragma omp parallel if (cells > 1)
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
        #pragma omp single
        used = omp_get_num_threads();
#endif
        uint32_t *local = c->thread_histograms + (size_t)t * HIST_KEYS;
        float local_min = FLT_MAX;
        uint32_t local_lo = 65535, local_hi = 0;
        size_t local_total = 0;
        for (;;) {
            long k = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
            if (k >= cells) break;
            local_total += rank_cell(c, &c->cells[k], local, &local_min, &local_lo, &local_hi);
        }
        #pragma omp critical
        {
            if (local_min < smallest) smallest = local_min;
            if (local_lo < lo) lo = local_lo;
            if (local_hi > hi) hi = local_hi;
            total += local_total;
        }
    }
    /* integer counts: the same sums whichever thread counted what; the threads' histograms are left zero */
    clear_histogram(c);
    if (total) {
        for (int t = 0; t < used; ++t) {
            uint32_t *local = c->thread_histograms + (size_t)t * HIST_KEYS;
            for (uint32_t block = lo >> 8; block <= hi >> 8; ++block) {
                uint32_t sum = 0;
                for (uint32_t b = block << 8, e = b + 256; b < e; ++b) { sum += local[b]; c->histogram[b] += local[b]; local[b] = 0; }
                c->histogram[HIST_KEYS + block] += sum;
            }
        }
        c->hist_lo = lo;
        c->hist_hi = hi;
    }
    c->rerank_all = 0;
    *min_error = smallest;
    return total;
}

/* Sorts the candidate slots in[0, m) by the top 16 bits of their error, stably (two 8-bit counting passes), into
 * out; tmp is scratch. */
static void sort_by_error(const ctx *c, const uint32_t *in, size_t m, uint32_t *out, uint32_t *tmp) {
    uint32_t count[256];
    for (int shift = 0; shift < 16; shift += 8) {
        const uint32_t *src = shift == 0 ? in : tmp;
        uint32_t *dst = shift == 0 ? tmp : out;
        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < m; ++i) count[(error_key(c->cand[src[i]]) >> shift) & 255]++;
        uint32_t sum = 0;
        for (int b = 0; b < 256; ++b) { uint32_t x = count[b]; count[b] = sum; sum += x; }
        for (size_t i = 0; i < m; ++i) dst[count[(error_key(c->cand[src[i]]) >> shift) & 255]++] = src[i];
    }
}

/* Does the collapse of the candidate with ends v0, v1 stay inside cell k (both ends, and everything around them, in
 * it)? */
static int inside_cell(const ctx *c, uint32_t v0, uint32_t v1, size_t k) {
    return a_cell(c, v0) == k && a_cell(c, v1) == k && (c->deep[v0] & c->deep[v1] & 2);
}

static void lock_wedge(ctx *c, uint32_t v) {
    uint32_t w = v;
    do { c->pass_locked[w] = 1; w = c->wedge[w]; } while (w != v);
}

/* Tries one collapse: placement, flips, link condition, duplicate faces. When it passes, the pass state changes at
 * once (collapse targets, the survivor's position, locks) and *r says what committing or undoing it needs. */
static int try_collapse(ctx *c, size_t slot, collapse_record *r) {
    uint32_t i0, i1;
    cand_ends(c, slot, &i0, &i1);
    if (c->pass_locked[i0] || c->pass_locked[i1]) return 0;
    double p[3];
    int moved;
    place(c, &i0, &i1, 0, p, &moved);
    unsigned char k0 = c->kind[i0];
    /* every vertex at i0's position moves onto i1 (a seam's partner onto i1's); their triangles that then hold
     * i1's position twice go: counted exactly, since a double-sided or non-manifold edge takes more than two */
    unsigned dying = 0;
    uint32_t w = i0;
    do { if (flips(c, w, i1, p, &dying)) return 0; w = c->wedge[w]; } while (w != i0);
    if (moved && flips(c, i1, i0, p, NULL)) return 0;
    if (k0 == K_MANIFOLD && c->kind[i1] == K_MANIFOLD && breaks_link(c, i0, i1)) return 0;
    if (duplicates_face(c, i0, i1)) return 0;

    if (k0 == K_SEAM) {
        uint32_t w0 = c->wedge[i0], w1 = seam_partner(c, i0, i1, w0);
        if (w1 == PF_NONE) w1 = c->wedge[i1];
        c->collapse_remap[w0] = w1;
    } else if (c->wedge[i0] != i0) {
        /* a manifold collapse never has wedge partners; complex vertices do not collapse */
        uint32_t ww = c->wedge[i0];
        while (ww != i0) { c->collapse_remap[ww] = i1; ww = c->wedge[ww]; }
    }
    c->collapse_remap[i0] = i1;
    r->i0 = i0; r->i1 = i1;
    r->error = cand_error(c->cand[slot]);
    for (int k = 0; k < 3; ++k) { r->before[k] = c->pos[3 * i1 + k]; r->p[k] = (float)p[k]; }
    r->moved = (unsigned char)moved;
    r->was_moved = c->moved[i1];
    r->tris = (unsigned char)(dying < 255 ? dying : 255);
    if (moved) {
        for (int k = 0; k < 3; ++k) c->pos[3 * i1 + k] = r->p[k];
        c->moved[i1] = 1;
    }
    lock_wedge(c, i0);
    lock_wedge(c, i1);
    return 1;
}

/* Makes a logged collapse final: the quadrics, attribute quadrics and gradients of i0 join i1's, moved vertices get
 * their solved attributes, and the errors are recorded. */
static void commit_collapse(ctx *c, const collapse_record *r, double *max_position_error, float *max_error) {
    uint32_t i0 = r->i0, i1 = r->i1;
    uint32_t r0 = c->remap[i0], r1 = c->remap[i1];
    double p[3] = {r->p[0], r->p[1], r->p[2]};
    /* both quadrics move to the survivor's new frame, p (pos[i1] already holds it) */
    quadric sum, other;
    lq_frame(&c->q[r1], r->before, p, &sum); /* its frame until now: i1 where it stood */
    if (r0 != r1) {
        lq_frame(&c->q[r0], c->pos + 3 * r0, p, &other);
        q_add(&sum, &other);
    }
    lq_store(&c->q[r1], &sum);
    double pe = sum.w > 0 ? fabs(sum.c) / sum.w : fabs(sum.c);
    if (pe > *max_position_error) *max_position_error = pe;
    if (c->acount) {
        size_t K = c->acount;
        if (r->moved && c->free_attributes) {
            float s[MAX_ATTR];
            attribute_error(c, i0, i1, p, NULL, s);
            memcpy(c->attr + (size_t)i1 * K, s, K * sizeof(float));
        }
        q_add(&c->qa[i1], &c->qa[i0]);
        float *g1 = c->grad + (size_t)i1 * K * 4, *g0 = c->grad + (size_t)i0 * K * 4;
        for (size_t k = 0; k < 4 * K; ++k) g1[k] += g0[k];
        if (c->kind[i0] == K_SEAM) {
            uint32_t w0 = c->wedge[i0], w1 = c->collapse_remap[w0];
            q_add(&c->qa[w1], &c->qa[w0]);
            g1 = c->grad + (size_t)w1 * K * 4; g0 = c->grad + (size_t)w0 * K * 4;
            for (size_t k = 0; k < 4 * K; ++k) g1[k] += g0[k];
        }
    }
    if (r->error > *max_error) *max_error = r->error;
    uint32_t w = i1;
    do { c->dirty[w] = 1; w = c->wedge[w]; } while (w != i1);
}

static void undo_collapse(ctx *c, const collapse_record *r) {
    for (int k = 0; k < 3; ++k) c->pos[3 * r->i1 + k] = r->before[k];
    c->moved[r->i1] = r->was_moved;
    uint32_t w = r->i0;
    do { c->collapse_remap[w] = w; w = c->wedge[w]; } while (w != r->i0);
}

static void prefetch_ends(const ctx *c, size_t slot) {
    uint32_t v0, v1;
    cand_ends(c, slot, &v0, &v1);
    __builtin_prefetch(c->pass_locked + v0);
    __builtin_prefetch(c->pass_locked + v1);
    __builtin_prefetch(c->adj_offset + v0);
    __builtin_prefetch(c->adj_offset + v1);
    __builtin_prefetch(c->q + c->remap[v0]);
    __builtin_prefetch(c->q + c->remap[v1]);
    __builtin_prefetch(c->pos + 3 * v0);
    __builtin_prefetch(c->pos + 3 * v1);
}

static void prefetch_rings(const ctx *c, size_t slot) {
    uint32_t v0, v1;
    cand_ends(c, slot, &v0, &v1);
    if (c->pass_locked[v0] || c->pass_locked[v1]) return;
    __builtin_prefetch(c->adj + 2 * (size_t)c->adj_offset[v0]);
    __builtin_prefetch(c->adj + 2 * (size_t)c->adj_offset[v1]);
    __builtin_prefetch(c->collapse_remap + v0);
}

/* Walks a cell's sorted candidates, logging the collapses it makes. */
static void walk_list(ctx *c, cell *cl, const uint32_t *list) {
    if (cl->contiguous) warm_cell(c, cl, 1);
    collapse_record *log = c->log + cl->log_begin;
    size_t n = 0, tris = 0, m = cl->selected;
    for (size_t x = 0; x < m; ++x) {
        /* error order jumps around the cell, so every try starts with cache misses: fetch ahead in three steps
         * (the slot; then its ends' locks, quadrics and positions; then, if they are free, their rings) */
        if (x + 16 < m) {
            __builtin_prefetch(c->work + list[x + 16]);
            __builtin_prefetch(c->cand + list[x + 16]);
        }
        if (x + 8 < m) prefetch_ends(c, list[x + 8]);
        if (x + 4 < m) prefetch_rings(c, list[x + 4]);
        if (try_collapse(c, list[x], &log[n])) { tris += log[n].tris; ++n; }
    }
    cl->logged = n;
    cl->kept = n;
    cl->tris = tris;
}

/* First partition: a cell selects its own candidates under the limit, sorts and walks them. Those under the limit
 * it cannot take alone it lists too, backwards from the end of its sort_tmp range (the sort uses only the first
 * m entries there), for gather_across: one scan of the candidates instead of two. */
static void walk_cell(ctx *c, cell *cl, size_t k, void *arg) {
    float limit = *(const float *)arg;
    uint32_t *sel = c->order + cl->tbegin, *tmp = c->sort_tmp + cl->tbegin, *back = tmp + cl->tcount;
    size_t m = 0, a = 0;
    for (size_t i = cl->tbegin, e = cl->tbegin + cl->tcount; i < e; ++i) {
        if (c->cand[i] == CAND_NONE || !(cand_error(c->cand[i]) <= limit)) continue;
        uint32_t v0, v1;
        cand_ends(c, i, &v0, &v1);
        if (inside_cell(c, v0, v1, k)) sel[m++] = (uint32_t)i;
        else { *--back = (uint32_t)i; ++a; }
    }
    cl->straddling = a;
    sort_by_error(c, sel, m, sel, tmp);
    cl->list = cl->tbegin;
    cl->selected = m;
    cl->log_begin = cl->vbegin / 2 + k;
    walk_list(c, cl, sel);
}

/* Second partition: the cell's gathered list (in sort_tmp) is sorted and walked. */
static void walk_bcell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg;
    uint32_t *list = c->sort_tmp + cl->list;
    sort_by_error(c, list, cl->selected, list, c->order + cl->list);
    cl->log_begin = cl->vbegin / 2 + k;
    walk_list(c, cl, list); /* even with nothing selected: it empties the log of an earlier pass */
}

/* The candidates under the limit that the first partition's cell could not take (listed by its walk) and whose ends
 * are still free, in slot order, at order[tbegin ...]. */
static void gather_across(ctx *c, cell *cl, size_t k, void *arg) {
    (void)k; (void)arg;
    uint32_t *out = c->order + cl->tbegin;
    const uint32_t *end = c->sort_tmp + cl->tbegin + cl->tcount;
    size_t m = 0;
    for (size_t j = 1; j <= cl->straddling; ++j) {
        uint32_t i = *(end - j);
        uint32_t v0, v1;
        cand_ends(c, i, &v0, &v1);
        if (!c->pass_locked[v0] && !c->pass_locked[v1]) out[m++] = i;
    }
    cl->selected = m;
}

/* The logs together remove more than the goal: keep, by error key, then cell, then log order, the collapses up
 * to the goal. Each cell's log is in key order, so what it keeps is a prefix. */
static void cut_logs(ctx *c, cell *cells, size_t n, size_t goal, size_t cap) {
    uint32_t *h = c->histogram;
    clear_histogram(c);
    uint32_t lo = 65535, hi = 0;
    for (size_t k = 0; k < n; ++k) {
        const cell *cl = &cells[k];
        for (size_t i = 0; i < cl->logged; ++i) {
            uint32_t key = float_key(c->log[cl->log_begin + i].error);
            h[key] += c->log[cl->log_begin + i].tris;
            if (key < lo) lo = key;
            if (key > hi) hi = key;
        }
    }
    c->hist_lo = lo;
    c->hist_hi = hi;
    size_t below = 0;
    uint32_t key = lo <= hi ? lo : 0; /* below it every count is zero */
    while (key < 65535 && below + h[key] < goal) below += h[key++];
    size_t left = goal - below; /* > 0: taken from key `key`, in cell then log order */
    /* a collapse that would remove more than is left ends its cell's prefix there, so that later cells, a later
     * partition or the next pass can meet the goal exactly; only when nothing else fits is the one that overshoots
     * least (first in cell order) taken, within the cap */
    size_t over_cell = n, over_tris = 0;
    for (size_t k = 0; k < n; ++k) {
        cell *cl = &cells[k];
        const collapse_record *log = c->log + cl->log_begin;
        size_t i = 0;
        while (i < cl->logged && float_key(log[i].error) < key) ++i;
        while (i < cl->logged && float_key(log[i].error) == key && left > 0) {
            if (log[i].tris > left) {
                if (over_cell == n || log[i].tris < over_tris) { over_cell = k; over_tris = log[i].tris; }
                break;
            }
            left -= log[i].tris;
            ++i;
        }
        cl->kept = i;
    }
    if (left == goal && over_cell < n && over_tris <= cap) cells[over_cell].kept++;
}

/* Commits the collapses of a cell's log that the cut kept, and undoes the rest (last first). */
static void settle_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg; (void)k;
    collapse_record *log = c->log + cl->log_begin;
    if (cl->logged && cl->contiguous) warm_cell(c, cl, 0);
    cl->max_position_error = 0;
    cl->max_error = 0;
    cl->tris = 0;
    for (size_t i = 0; i < cl->kept; ++i) {
        commit_collapse(c, &log[i], &cl->max_position_error, &cl->max_error);
        cl->tris += log[i].tris;
    }
    for (size_t i = cl->logged; i > cl->kept; --i) undo_collapse(c, &log[i - 1]);
    cl->collapses = cl->kept;
}

/* Walks a partition's cells in parallel, cuts their logs to the goal, settles them. Returns the triangles kept. */
static size_t run_partition(ctx *c, cell *cells, size_t n, cell_fn walk, float limit, size_t goal, size_t cap, float *max_error,
                            double *max_position_error, size_t *collapses) {
    for_each_cell(c, cells, n, walk, &limit);
    size_t logged = 0;
    for (size_t k = 0; k < n; ++k) logged += cells[k].tris;
    if (logged > goal) cut_logs(c, cells, n, goal, cap);
    for_each_cell(c, cells, n, settle_cell, NULL);
    size_t done = 0;
    for (size_t k = 0; k < n; ++k) {
        const cell *cl = &cells[k];
        done += cl->tris;
        *collapses += cl->collapses;
        if (cl->max_error > *max_error) *max_error = cl->max_error;
        if (cl->max_position_error > *max_position_error) *max_position_error = cl->max_position_error;
    }
    return done;
}

/* The second partition's cell a candidate across the first one's borders collapses in, or nb when it straddles the
 * second partition's borders too (the serial walk's). */
static uint32_t across_cell(const ctx *c, size_t slot, size_t nb) {
    uint32_t v0, v1;
    cand_ends(c, slot, &v0, &v1);
    uint32_t j = b_cell(c, v0);
    return (j == b_cell(c, v1) && (c->deep[v0] & c->deep[v1] & 8)) ? j : (uint32_t)nb;
}

/* One pass's collapses under `limit`, up to `goal` triangles. First the cells, in parallel. Then what straddles
 * their borders: grouped by the second partition's cells (each around one border's middle), again in parallel.
 * Then the few left, serially, in error order. Returns the triangles removed (counted by each collapse,
 * as the remap counts them). */
static size_t collapse_pass(ctx *c, size_t goal, size_t cap, float limit, float *max_error, double *max_position_error,
                            size_t *collapses) {
    size_t n = c->cell_count;
    size_t done = run_partition(c, c->cells, n, walk_cell, limit, goal, cap, max_error, max_position_error, collapses);
    /* one cell holds every vertex and every neighbourhood: nothing straddles */
    if (done >= goal || n == 1) return done;

    /* gather per cell, then deal into the second partition's cells (slot nb: serial), stably: a counting sort over
     * fixed chunks of cells, counted and dealt in parallel */
    for_each_cell(c, c->cells, n, gather_across, NULL);
    size_t nb = c->bcell_count;
    uint32_t *count = c->bcount; /* DEAL_CHUNKS rows of nb + 1 */
    memset(count, 0, (size_t)DEAL_CHUNKS * (nb + 1) * sizeof(uint32_t));
    #pragma omp parallel for schedule(static) if (n > 1)
    for (int ch = 0; ch < DEAL_CHUNKS; ++ch) {
        uint32_t *row = count + (size_t)ch * (nb + 1);
        for (size_t k = n * (size_t)ch / DEAL_CHUNKS, ke = n * (size_t)(ch + 1) / DEAL_CHUNKS; k < ke; ++k) {
            const uint32_t *in = c->order + c->cells[k].tbegin;
            for (size_t i = 0; i < c->cells[k].selected; ++i) row[across_cell(c, in[i], nb)]++;
        }
    }
    size_t m = 0;
    for (size_t j = 0; j <= nb; ++j) {
        size_t first = m;
        for (int ch = 0; ch < DEAL_CHUNKS; ++ch) {
            uint32_t x = count[(size_t)ch * (nb + 1) + j];
            count[(size_t)ch * (nb + 1) + j] = (uint32_t)m;
            m += x;
        }
        if (j < nb) {
            c->bcells[j].list = first;
            c->bcells[j].selected = m - first;
        }
    }
    size_t serial_begin = count[nb]; /* chunk 0's start in the serial slot: the slot's start */
    #pragma omp parallel for schedule(static) if (n > 1)
    for (int ch = 0; ch < DEAL_CHUNKS; ++ch) {
        uint32_t *row = count + (size_t)ch * (nb + 1);
        for (size_t k = n * (size_t)ch / DEAL_CHUNKS, ke = n * (size_t)(ch + 1) / DEAL_CHUNKS; k < ke; ++k) {
            const uint32_t *in = c->order + c->cells[k].tbegin;
            for (size_t i = 0; i < c->cells[k].selected; ++i) c->sort_tmp[row[across_cell(c, in[i], nb)]++] = in[i];
        }
    }
    done += run_partition(c, c->bcells, nb, walk_bcell, limit, goal - done, cap - done, max_error, max_position_error, collapses);
    if (done >= goal) return done;

    /* the rest, serially */
    uint32_t *rest = c->sort_tmp + serial_begin;
    size_t rest_count = m - serial_begin;
    sort_by_error(c, rest, rest_count, rest, c->order);
    for (size_t x = 0; x < rest_count && done < goal; ++x) {
        collapse_record r;
        if (!try_collapse(c, rest[x], &r)) continue;
        if (done + r.tris > cap) { undo_collapse(c, &r); continue; }
        commit_collapse(c, &r, max_position_error, max_error);
        done += r.tris;
        (*collapses)++;
    }
    return done;
}

/* Follows the pass's collapses along the border and seam loops. A vertex whose loop changed is marked dirty: a
 * seam's rank reads the loop of the vertex across it. */
static void remap_loops(ctx *c, uint32_t *loop) {
    for (size_t i = 0; i < c->vcount; ++i) {
        uint32_t l = loop[i];
        if (l == PF_NONE || l >= c->vcount) continue;
        uint32_t r = c->collapse_remap[l];
        loop[i] = (r == i) ? loop[l] : r;
        if (loop[i] != l) {
            uint32_t w = (uint32_t)i;
            do { c->dirty[w] = 1; w = c->wedge[w]; } while (w != (uint32_t)i);
        }
    }
}

static void set_cell_of(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg;
    if (cl->contiguous)
        for (uint32_t v = cl->vbegin; v < cl->vend; ++v) c->cell_of[v] = (uint32_t)k;
    else
        for (uint32_t x = cl->vbegin; x < cl->vend; ++x) c->b_of[c->b_order[x]] = (uint32_t)k;
}

/* Merges neighbouring cells of a partition (along its curve) while they hold fewer than CELL_VERTICES live
 * vertices, so that as the mesh thins out, few collapses straddle cells and a small mesh ends as one cell: the exact
 * serial order. The first partition's merged cells also pack their triangles (and candidate slots) together at the
 * front of their span. */
static void merge_partition(ctx *c, cell *cells, size_t *count) {
    size_t n = *count;
    long long m = (long long)n;
    #pragma omp parallel for schedule(static) if (c->vcount > PF_PARALLEL_MIN)
    for (long long k = 0; k < m; ++k) {
        size_t live = 0;
        for (uint32_t x = cells[k].vbegin; x < cells[k].vend; ++x) {
            uint32_t v = cells[k].contiguous ? x : c->b_order[x];
            live += c->merged[v] == v;
        }
        cells[k].live = live;
    }
    if (n < 2) return;
    size_t out = 0, k = 0, rest = 0;
    for (size_t j = 0; j < n; ++j) rest += cells[j].live;
    int changed = 0;
    while (k < n) {
        size_t k1 = k, live = 0;
        while (k1 < n && live < CELL_VERTICES) live += cells[k1++].live;
        rest -= live;
        if (k1 < n && rest < CELL_VERTICES / 4) { k1 = n; rest = 0; }
        cell merged = cells[k];
        size_t at = merged.tbegin + merged.tcount;
        for (size_t j = k + 1; j < k1; ++j) {
            const cell *cj = &cells[j];
            merged.vend = cj->vend;
            if (!merged.contiguous) continue;
            memmove(c->work + at, c->work + cj->tbegin, cj->tcount * sizeof(uint32_t));
            memmove(c->cand + at, c->cand + cj->tbegin, cj->tcount * sizeof(uint32_t));
            at += cj->tcount;
            merged.tcap = cj->tbegin + cj->tcap - merged.tbegin;
        }
        if (merged.contiguous) merged.tcount = at - merged.tbegin;
        merged.live = live;
        changed |= k1 > k + 1;
        cells[out++] = merged;
        k = k1;
    }
    *count = out;
    if (changed) for_each_cell(c, cells, out, set_cell_of, NULL);
}

static void merge_cells(ctx *c) {
    merge_partition(c, c->cells, &c->cell_count);
    merge_partition(c, c->bcells, &c->bcell_count);
}

/* Applies this pass's collapses to a cell's triangles; drops those that became degenerate (by index or by
 * position). */
static void remap_cell(ctx *c, cell *cl, size_t k, void *arg) {
    (void)arg; (void)k;
    uint32_t *w = c->work + cl->tbegin;
    uint32_t *cand = c->cand + cl->tbegin;
    size_t out = 0;
    for (size_t t = 0; t < cl->tcount; t += 3) {
        uint32_t a = c->collapse_remap[w[t]], b = c->collapse_remap[w[t + 1]], d = c->collapse_remap[w[t + 2]];
        uint32_t ra = c->remap[a], rb = c->remap[b], rd = c->remap[d];
        if (ra == rb || rb == rd || ra == rd) continue;
        w[out] = a; w[out + 1] = b; w[out + 2] = d;
        /* the edges' ranks travel with their triangle */
        if (out != t) { cand[out] = cand[t]; cand[out + 1] = cand[t + 1]; cand[out + 2] = cand[t + 2]; }
        out += 3;
    }
    cl->tcount = out;
}

static size_t remap_all(ctx *c) {
    for_each_cell(c, c->cells, c->cell_count, remap_cell, NULL);
    size_t count = 0;
    for (size_t k = 0; k < c->cell_count; ++k) count += c->cells[k].tcount;
    return count;
}

/* The errors and counters a level reports, whether it reached its target or the collapse stopped before it. */
static void record_level(pf_simplify_result *r, uint32_t reason, double max_position_error, float max_error, float diag,
                         int relax, size_t collapses, size_t passes, size_t compactions) {
    r->stop_reason = reason;
    r->error = (float)sqrt(max_position_error);
    r->absolute_error = (float)sqrt(max_position_error) * diag;
    r->metric_error = sqrtf(max_error);
    r->relaxation = (uint32_t)relax;
    r->collapses = collapses;
    r->passes = passes;
    r->compactions = compactions;
}

/* Where the levels go, and what their positions and attributes are made from. */
typedef struct outputs {
    uint32_t *indices;           /* level l at indices + l * index_capacity */
    size_t index_capacity;
    const float *positions;      /* the input */
    size_t stride;
    const float *attributes;
    size_t attribute_stride;
    const float *weights;
    float *positions_out, *attributes_out; /* rows of `vertices` per level */
    uint32_t *vertex_maps;
    const float *box_min;
    float diag;
    size_t vertices;             /* input vertices: the length of a level's rows */
} outputs;

/* Working vertex v's output position and attributes in level l's rows. */
static void output_vertex(const ctx *c, const outputs *o, size_t l, size_t v) {
    size_t in = c->order_in[v];
    if (o->positions_out) {
        float *po = o->positions_out + l * o->vertices * 3;
        for (int k = 0; k < 3; ++k)
            po[3 * in + k] = c->moved[v] ? c->pos[3 * v + k] * o->diag + o->box_min[k] : o->positions[in * o->stride + k];
    }
    if (o->attributes_out && c->acount) {
        size_t K = c->acount;
        float *ao = o->attributes_out + l * o->vertices * K;
        for (size_t k = 0; k < K; ++k)
            ao[in * K + k] = (c->moved[v] && o->weights[k] != 0) ? c->attr[v * K + k] / o->weights[k]
                                                                   : o->attributes[in * o->attribute_stride + k];
    }
}

/* Writes one level: its triangles (cell by cell, in input vertex numbers), positions, attributes and merge map.
 * Vertices a compaction retired got their positions and attributes then; their map entry follows the vertex they
 * had merged into. */
static void snapshot(const ctx *c, size_t level, size_t icount, const outputs *o, pf_simplify_result *r) {
    const uint32_t *order_in = c->order_in;
    long long V = (long long)c->vcount;
    if (o->indices) {
        uint32_t *out = o->indices + level * o->index_capacity;
        size_t at = 0;
        for (size_t k = 0; k < c->cell_count; ++k) {
            const uint32_t *w = c->work + c->cells[k].tbegin;
            for (size_t i = 0, e = c->cells[k].tcount; i < e; ++i) out[at + i] = order_in[w[i]];
            at += c->cells[k].tcount;
        }
    }
    if (o->vertex_maps) {
        uint32_t *m = o->vertex_maps + level * o->vertices;
        #pragma omp parallel for schedule(static) if (V > PF_PARALLEL_MIN)
        for (long long v = 0; v < V; ++v) m[order_in[v]] = order_in[c->merged[v]];
        if (c->retired_to) {
            long long n = (long long)o->vertices;
            #pragma omp parallel for schedule(static) if (n > PF_PARALLEL_MIN)
            for (long long u = 0; u < n; ++u) {
                uint32_t x = (uint32_t)u;
                while (c->retired_to[x] != PF_NONE) x = c->retired_to[x];
                if (x != (uint32_t)u) m[u] = m[x];
            }
        }
    }
    if (o->positions_out || (o->attributes_out && c->acount)) {
        #pragma omp parallel for schedule(static) if (V > PF_PARALLEL_MIN)
        for (long long v = 0; v < V; ++v) output_vertex(c, o, level, (size_t)v);
    }
    r->index_count = icount;
}

/* Once most vertices have collapsed away, the passes walk arrays that are mostly dead: every vertex they touch
 * costs a cache line of its own, and the late passes of a deep simplification cost several times what the same
 * mesh would cost fresh. Compaction renumbers the live vertices 0..n-1 in their order, so every comparison between
 * vertex numbers (and so the output) is unchanged, and packs every per-vertex array down in place. The vertices it
 * retires have reached their final state: their positions and attributes go to every level still to come, and
 * retired_to keeps the input vertex each merged into. Runs between passes, after the remap and merge_cells (whose
 * live counts it uses), before the adjacency is rebuilt; new_of lives in `order`, free then. */
#define RETIRED 0x80000000u

/* Worth it once half the vertices are dead, and only where the arrays outgrow a core's cache: on the 1M-triangle
 * scan it takes 7-12% off a simplification to 10% or 2%. */
static int worth_compacting(const ctx *c) {
    size_t live = 0;
    for (size_t k = 0; k < c->cell_count; ++k) live += c->cells[k].live;
    return !c->keep_vertex_arrays && c->vcount >= 2 * CELL_VERTICES && c->vcount < RETIRED && 2 * live < c->vcount &&
           live < c->scratch_count;
}

/* One per-vertex array to pack: element size in bytes; vertex numbers in it are renumbered (a retired one, which
 * only a stale loop can hold, becomes PF_MANY: seam_partner and remap_loops treat both alike, as no vertex). */
typedef struct vertex_array {
    void *base;
    size_t size;
    int holds_vertices;
} vertex_array;

static void pack_array(const vertex_array *a, const uint32_t *live, size_t n, const uint32_t *new_of, size_t V) {
    if (a->size == 1) {
        unsigned char *p = a->base;
        for (size_t x = 0; x < n; ++x) p[x] = p[live[x]];
    } else if (a->size == 4 && a->holds_vertices) {
        uint32_t *p = a->base;
        for (size_t x = 0; x < n; ++x) {
            uint32_t y = p[live[x]];
            p[x] = y < V ? ((new_of[y] & RETIRED) ? PF_MANY : new_of[y]) : y;
        }
    } else if (a->size == 4) {
        uint32_t *p = a->base;
        for (size_t x = 0; x < n; ++x) p[x] = p[live[x]];
    } else if (a->size == sizeof(local_quadric)) {
        local_quadric *p = a->base;
        for (size_t x = 0; x < n; ++x) p[x] = p[live[x]];
    } else if (a->size == 3 * sizeof(float)) {
        float *p = a->base;
        for (size_t x = 0; x < n; ++x) {
            size_t v = live[x];
            p[3 * x] = p[3 * v]; p[3 * x + 1] = p[3 * v + 1]; p[3 * x + 2] = p[3 * v + 2];
        }
    } else {
        char *p = a->base;
        for (size_t x = 0; x < n; ++x) memmove(p + x * a->size, p + live[x] * a->size, a->size);
    }
}

static void renumber_cell_triangles(ctx *c, cell *cl, size_t k, void *arg) {
    (void)k;
    const uint32_t *new_of = arg;
    uint32_t *w = c->work + cl->tbegin;
    /* every corner is live (seam_partner sees to it); were one not, it would go to the vertex it merged into */
    for (size_t i = 0; i < cl->tcount; ++i) w[i] = new_of[w[i]] & ~RETIRED;
}

static void compact_vertices(ctx *c, const outputs *o, size_t first_level, size_t level_count) {
    size_t V = c->vcount, K = c->acount;
    long long VV = (long long)V;
    int parallel = VV > PF_PARALLEL_MIN;
    /* new_of: a live vertex's new number; a retired one's survivor's, flagged. The first partition's cells are
     * ranges of vertices: they shrink to their live ones. */
    uint32_t *new_of = c->order, *live = c->sort_tmp; /* live: the old number of each new one */
    uint32_t n = 0;
    for (size_t k = 0; k < c->cell_count; ++k) {
        cell *cl = &c->cells[k];
        uint32_t begin = n;
        for (uint32_t v = cl->vbegin; v < cl->vend; ++v) {
            new_of[v] = c->merged[v] == v ? n : RETIRED;
            live[n] = v;
            n += c->merged[v] == v;
        }
        cl->vbegin = begin;
        cl->vend = n;
    }
    #pragma omp parallel for schedule(static) if (parallel)
    for (long long vv = 0; vv < VV; ++vv) {
        size_t v = (size_t)vv;
        if (!(new_of[v] & RETIRED)) continue;
        new_of[v] = new_of[c->merged[v]] | RETIRED;
        if (c->retired_to) c->retired_to[c->order_in[v]] = c->order_in[c->merged[v]];
        for (size_t l = first_level; l < level_count; ++l) output_vertex(c, o, l, v);
    }
    /* each array packs on its own (new x from old live[x] >= x: in place, front to back, without a branch per
     * vertex), so threads take whole arrays, the biggest first; the last task is the second partition's curve,
     * whose cells shrink to their live vertices along it */
    vertex_array arrays[16];
    int count = 0;
    arrays[count++] = (vertex_array){c->q, sizeof(local_quadric), 0};
    if (K) {
        arrays[count++] = (vertex_array){c->grad, K * 4 * sizeof(float), 0};
        arrays[count++] = (vertex_array){c->qa, sizeof(quadric), 0};
        arrays[count++] = (vertex_array){c->attr, K * sizeof(float), 0};
    }
    arrays[count++] = (vertex_array){c->pos, 3 * sizeof(float), 0};
    arrays[count++] = (vertex_array){c->order_in, 4, 0};
    arrays[count++] = (vertex_array){c->remap, 4, 1};
    arrays[count++] = (vertex_array){c->wedge, 4, 1};
    arrays[count++] = (vertex_array){c->loop, 4, 1};
    arrays[count++] = (vertex_array){c->loopback, 4, 1};
    arrays[count++] = (vertex_array){c->kind, 1, 0};
    arrays[count++] = (vertex_array){c->moved, 1, 0};
    arrays[count++] = (vertex_array){c->dirty, 1, 0};
    if (c->locked) arrays[count++] = (vertex_array){c->locked, 1, 0};
    long next = 0, tasks = count + 1;
    #pragma omp parallel if (parallel)
    for (;;) {
        long k = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
        if (k >= tasks) break;
        if (k < count) { pack_array(&arrays[k], live, n, new_of, V); continue; }
        uint32_t out = 0;
        for (size_t j = 0; j < c->bcell_count; ++j) {
            cell *cl = &c->bcells[j];
            uint32_t begin = out;
            for (uint32_t x = cl->vbegin; x < cl->vend; ++x)
                if (!(new_of[c->b_order[x]] & RETIRED)) c->b_order[out++] = new_of[c->b_order[x]];
            cl->vbegin = begin;
            cl->vend = out;
        }
    }
    #pragma omp parallel for schedule(static) if (parallel)
    for (long long x = 0; x < (long long)n; ++x) {
        c->merged[x] = (uint32_t)x;
        c->collapse_remap[x] = (uint32_t)x;
        c->pass_locked[x] = 0;
    }
    for_each_cell(c, c->cells, c->cell_count, renumber_cell_triangles, new_of);
    c->vcount = n;
    for_each_cell(c, c->cells, c->cell_count, set_cell_of, NULL);
    for_each_cell(c, c->bcells, c->bcell_count, set_cell_of, NULL);
}

/* Cuts the ordered vertices into cells of about CELL_VERTICES, never between two equal Morton codes (so equal
 * positions share a cell), and deals each triangle to the cell of its smallest vertex, dropping triangles that are
 * degenerate by position. Returns the index count kept. */
static size_t build_cells(ctx *c, const uint32_t *indices, size_t icount, const uint32_t *keys, const uint32_t *order_of) {
    size_t V = c->vcount, n = 0;
    size_t v = 0;
    while (v < V) {
        size_t end = v + CELL_VERTICES < V ? v + CELL_VERTICES : V;
        while (end < V && keys[end] == keys[end - 1]) ++end;
        /* a short tail joins the cell before it */
        if (V - end < CELL_VERTICES / 4) end = V;
        c->cells[n].vbegin = (uint32_t)v;
        c->cells[n].vend = (uint32_t)end;
        c->cells[n].live = end - v;
        ++n;
        v = end;
    }
    c->cell_count = n;
    for (size_t k = 0; k < n; ++k) c->cells[k].contiguous = 1;
    for_each_cell(c, c->cells, n, set_cell_of, NULL);
    /* count per cell in fixed chunks of triangles, then place stably: chunk-major within each cell */
    enum { CHUNKS = 64 };
    size_t tcount = icount / 3;
    uint32_t *cnt = calloc((size_t)CHUNKS * n, sizeof(uint32_t));
    if (!cnt) return (size_t)-1;
    /* pass 0 counts each chunk's triangles per cell; pass 1 deals them out at the cursors the counts give */
    for (int pass = 0; pass < 2; ++pass) {
        #pragma omp parallel for schedule(static) if (tcount > PF_PARALLEL_MIN)
        for (int ch = 0; ch < CHUNKS; ++ch) {
            size_t tb = tcount * (size_t)ch / CHUNKS, te = tcount * (size_t)(ch + 1) / CHUNKS;
            uint32_t *row = cnt + (size_t)ch * n;
            for (size_t t = tb; t < te; ++t) {
                uint32_t a = order_of[indices[3 * t]], b = order_of[indices[3 * t + 1]], d = order_of[indices[3 * t + 2]];
                uint32_t ra = c->remap[a], rb = c->remap[b], rd = c->remap[d];
                if (ra == rb || rb == rd || ra == rd) continue;
                uint32_t cell = a_cell(c, a < b ? (a < d ? a : d) : (b < d ? b : d));
                if (pass == 0) { row[cell]++; continue; }
                uint32_t *dst = c->work + row[cell];
                row[cell] += 3;
                dst[0] = a; dst[1] = b; dst[2] = d;
            }
        }
        if (pass == 1) break;
        size_t at = 0;
        for (size_t k = 0; k < n; ++k) {
            c->cells[k].tbegin = at;
            size_t sum = 0;
            for (int ch = 0; ch < CHUNKS; ++ch) {
                uint32_t x = cnt[(size_t)ch * n + k];
                cnt[(size_t)ch * n + k] = (uint32_t)(at + 3 * sum); /* index cursor */
                sum += x;
            }
            c->cells[k].tcount = c->cells[k].tcap = 3 * sum;
            at += 3 * sum;
        }
    }
    size_t at = n ? c->cells[n - 1].tbegin + c->cells[n - 1].tcap : 0;
    free(cnt);
    return at;
}

/* The second partition: the vertices along a Morton curve over the box shifted by half a cell's width, cut into
 * cells as the first partition is. Its cells take the collapses that straddle the first partition's borders, which
 * mostly lie inside one of them. keys and the tmps are scratch of vcount entries each. */
static void build_bcells(ctx *c, const float extent[3], uint32_t *keys, uint32_t *tmp_keys, uint32_t *tmp_order) {
    size_t V = c->vcount;
    /* a cell of a surface's f-th of the vertices spans about sqrt(f) of the box */
    double f = V > CELL_VERTICES ? (double)CELL_VERTICES / (double)V : 1.0;
    float lo[3], hi[3];
    for (int k = 0; k < 3; ++k) {
        lo[k] = -(float)(0.5 * sqrt(f) * extent[k]);
        hi[k] = extent[k] + lo[k];
    }
    /* cells are cut between codes, never within one: the order inside a code does not matter here */
    spatial_order(c->pos, 3, V, lo, hi, 0, c->b_order, keys, tmp_keys, tmp_order);
    size_t n = 0, v = 0;
    while (v < V) {
        size_t end = v + CELL_VERTICES < V ? v + CELL_VERTICES : V;
        while (end < V && keys[end] == keys[end - 1]) ++end;
        if (V - end < CELL_VERTICES / 4) end = V;
        memset(&c->bcells[n], 0, sizeof(cell));
        c->bcells[n].vbegin = (uint32_t)v;
        c->bcells[n].vend = (uint32_t)end;
        ++n;
        v = end;
    }
    c->bcell_count = n;
    for_each_cell(c, c->bcells, n, set_cell_of, NULL);
}

/* The call's one allocation. It comes from malloc, so a process that keeps freed memory (pf_keep_freed_memory, as
 * the CLI does) reuses it from call to call instead of having the kernel clear it. There a large one is aligned to
 * 2 MB and marked for transparent huge pages where the system offers them: the random accesses of ranking and
 * collapsing miss the TLB far less, and the faults are paid once. Not when every call maps fresh memory: a huge
 * page must then be found whole, and the kernel compacts (or a virtual machine's host backs) memory to find it.
 * Measured here: 544 MB for the 4M scan cost 1.1 s more in huge pages than in small ones, after a call of
 * meshoptimizer had taken the recently freed blocks. */
static char *arena_alloc(size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= ((size_t)16 << 20) && pf_freed_memory_is_kept()) {
        size_t huge = (size_t)2 << 20, size = (bytes + huge - 1) & ~(huge - 1);
        char *p = aligned_alloc(huge, size);
        if (p) madvise(p, size, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes);
}

size_t pf_simplify_lod(uint32_t *indices_out, const uint32_t *indices, size_t index_count, const float *positions,
                       size_t vertex_count, size_t stride, const float *attributes, size_t attribute_stride,
                       const float *attribute_weights, size_t attribute_count, const size_t *target_index_counts,
                       size_t level_count, float target_error, unsigned int options, const unsigned char *vertex_lock,
                       float *positions_out, float *attributes_out, uint32_t *vertex_maps_out, pf_simplify_result *results) {
    if (level_count == 0 || !results) return 0;
    memset(results, 0, level_count * sizeof(pf_simplify_result));
    if (!positions || stride < 3 || index_count % 3 != 0 || attribute_count > MAX_ATTR || vertex_count >= PF_MANY ||
        (attribute_count && (!attributes || !attribute_weights || attribute_stride < attribute_count)) ||
        pf_find_index_out_of_range(indices, index_count, (uint32_t)vertex_count) != index_count) {
        for (size_t l = 0; l < level_count; ++l) results[l].stop_reason = PF_SIMPLIFY_STOP_INVALID;
        return (size_t)-1;
    }
    size_t V = vertex_count, K = attribute_count;
    int threads = PF_MAX_THREADS() > 0 ? PF_MAX_THREADS() : 1;
    size_t work_count = index_count > 4 * V ? index_count : 4 * V; /* the spatial sort's scratch (16 bytes a vertex) reuses cand */
    size_t order_count = index_count > V ? index_count : V;       /* order also holds a vertex list */
    size_t cell_capacity = V / (CELL_VERTICES / 4) + 2;
    /* a collapse locks two positions of its cell, so a cell logs at most half its vertices in a pass; cell k of
     * either partition logs from vbegin / 2 + k, so no two cells' records overlap */
    size_t log_capacity = V / 2 + cell_capacity + 2;
    size_t bytes = V * 3 * sizeof(float) + V * K * sizeof(float) + 3 * V * sizeof(uint32_t) + 6 * V +
                   2 * V * sizeof(uint32_t) + V * sizeof(local_quadric) + (K ? V * sizeof(quadric) + V * K * 4 * sizeof(float) : 0) +
                   (V + 1) * sizeof(uint32_t) + 2 * index_count * sizeof(uint32_t) + 3 * V * sizeof(uint32_t) +
                   work_count * sizeof(uint32_t) + (order_count + index_count) * sizeof(uint32_t) + HIST_SIZE * sizeof(uint32_t) +
                   index_count * sizeof(uint32_t) + 2 * cell_capacity * sizeof(cell) + (size_t)DEAL_CHUNKS * (cell_capacity + 1) * sizeof(uint32_t) + 2 * V * sizeof(uint32_t) + log_capacity * sizeof(collapse_record) +
                   (size_t)threads * HIST_KEYS * sizeof(uint32_t) + (vertex_maps_out ? V * sizeof(uint32_t) : 0) + 64 * 32;
    char *arena = arena_alloc(bytes);
    if (!arena) {
        for (size_t l = 0; l < level_count; ++l) results[l].stop_reason = PF_SIMPLIFY_STOP_INVALID;
        return (size_t)-1;
    }
    char *cur = arena;
#define TAKE(type, count) ((type *)(cur = (char *)(((uintptr_t)cur + 15) & ~(uintptr_t)15), cur += (count) * sizeof(type), cur - (count) * sizeof(type)))
    ctx c;
    memset(&c, 0, sizeof(c));
    c.vcount = V; c.acount = K;
    c.pos = TAKE(float, V * 3);
    c.attr = K ? TAKE(float, V * K) : NULL;
    c.order_in = TAKE(uint32_t, V);
    c.remap = TAKE(uint32_t, V);
    c.wedge = TAKE(uint32_t, V);
    c.kind = TAKE(unsigned char, V);
    c.moved = TAKE(unsigned char, V);
    c.pass_locked = TAKE(unsigned char, V);
    c.deep = TAKE(unsigned char, V);
    c.dirty = TAKE(unsigned char, V);
    c.locked = vertex_lock ? TAKE(unsigned char, V) : NULL;
    c.cell_of = TAKE(uint32_t, V);
    c.b_order = TAKE(uint32_t, V);
    c.b_of = TAKE(uint32_t, V);
    c.loop = TAKE(uint32_t, V);
    c.loopback = TAKE(uint32_t, V);
    c.q = TAKE(local_quadric, V);
    c.qa = K ? TAKE(quadric, V) : NULL;
    c.grad = K ? TAKE(float, V * K * 4) : NULL;
    c.adj_offset = TAKE(uint32_t, V + 1);
    c.adj = TAKE(uint32_t, 2 * index_count);
    c.collapse_remap = TAKE(uint32_t, V);
    c.merged = TAKE(uint32_t, V);
    c.cand = TAKE(uint32_t, work_count);
    c.order = TAKE(uint32_t, order_count);
    c.sort_tmp = TAKE(uint32_t, index_count);
    c.across = c.sort_tmp;
    c.scratch_count = index_count;
    c.keep_vertex_arrays = (options & PF_SIMPLIFY_NO_COMPACTION) != 0;
    c.histogram = TAKE(uint32_t, HIST_SIZE);
    c.work = TAKE(uint32_t, index_count);
    c.cells = TAKE(cell, cell_capacity);
    c.bcells = TAKE(cell, cell_capacity);
    c.bcount = TAKE(uint32_t, (size_t)DEAL_CHUNKS * (cell_capacity + 1));
    c.log = TAKE(collapse_record, log_capacity);
    c.thread_histograms = TAKE(uint32_t, (size_t)threads * HIST_KEYS);
    c.retired_to = vertex_maps_out ? TAKE(uint32_t, V) : NULL;
#undef TAKE
    /* every array inside the block its size was counted for (a vertex buffer far larger than its indices once
     * overran it: order holds a vertex list) */
    assert(cur <= arena + bytes);
    if (c.retired_to) memset(c.retired_to, 0xFF, V * sizeof(uint32_t));
    memset(c.histogram, 0, HIST_SIZE * sizeof(uint32_t));
    memset(c.thread_histograms, 0, (size_t)threads * HIST_KEYS * sizeof(uint32_t));
    c.hist_lo = 1;
    c.hist_hi = 0;
    /* an errors-only query (no indices_out) costs what a run with positions_out would */
    c.optimal = (options & PF_SIMPLIFY_ENDPOINTS_ONLY) == 0 && (positions_out != NULL || indices_out == NULL);
    c.free_attributes = attributes_out != NULL;

    /* normalise positions to the bounding-box diagonal, so errors are relative to it */
    float bmin[3], bmax[3];
    pf_bounds(positions, V, stride, bmin, bmax);
    float diag = 0;
    if (V && bmin[0] <= bmax[0])
        diag = (float)pf_box_diagonal(bmin, bmax);
    else
        bmin[0] = bmin[1] = bmin[2] = bmax[0] = bmax[1] = bmax[2] = 0;
    float scale = diag > 0 ? 1.0f / diag : 1.0f;
    if (!(diag > 0)) diag = 1.0f;
    const outputs out = {indices_out, index_count, positions, stride, attributes, attribute_stride, attribute_weights,
                         positions_out, attributes_out, vertex_maps_out, bmin, diag, V};

    /* the working order: vertices along a Morton curve; scratch from the candidate array, unused until the passes */
    uint32_t *keys = (uint32_t *)c.cand, *tmp_keys = keys + V, *tmp_order = keys + 2 * V, *order_of = keys + 3 * V;
    spatial_order(positions, stride, V, bmin, bmax, 1, c.order_in, keys, tmp_keys, tmp_order);
    long long VV = (long long)V;
    #pragma omp parallel for schedule(static) if (VV > PF_PARALLEL_MIN)
    for (long long v = 0; v < VV; ++v) {
        size_t o = c.order_in[v];
        order_of[o] = (uint32_t)v;
        for (int k = 0; k < 3; ++k) {
            float x = (positions[o * stride + k] - bmin[k]) * scale;
            c.pos[3 * v + k] = isfinite(x) ? x : 0;
        }
        for (size_t k = 0; k < K; ++k) c.attr[v * K + k] = attributes[o * attribute_stride + k] * attribute_weights[k];
        if (c.locked) c.locked[v] = vertex_lock[o];
        c.merged[v] = (uint32_t)v;
        c.moved[v] = 0;
        c.pass_locked[v] = 0;
        c.dirty[v] = 0;
    }
    /* equal positions are consecutive: the first of a run represents it, the run is the wedge ring (in fixed
     * chunks, each first walking back to where its first run began) */
    #pragma omp parallel for schedule(static) if (VV > PF_PARALLEL_MIN)
    for (int ch = 0; ch < 64; ++ch) {
        size_t begin = V * (size_t)ch / 64, end = V * (size_t)(ch + 1) / 64;
        if (begin >= end) continue;
        uint32_t r = (uint32_t)begin;
        while (r > 0 && same_position(positions, stride, c.order_in[r], c.order_in[r - 1])) --r;
        c.remap[begin] = r;
        for (size_t v = begin + 1; v < end; ++v)
            c.remap[v] = same_position(positions, stride, c.order_in[v], c.order_in[v - 1]) ? c.remap[v - 1] : (uint32_t)v;
    }
    #pragma omp parallel for schedule(static) if (VV > PF_PARALLEL_MIN)
    for (long long v = 0; v < VV; ++v) {
        uint32_t next = (uint32_t)v + 1;
        c.wedge[v] = (next < V && c.remap[next] == c.remap[v]) ? next : c.remap[v];
    }
    size_t count = build_cells(&c, indices, index_count, keys, order_of);
    if (count != (size_t)-1) {
        float extent[3];
        for (int k = 0; k < 3; ++k) extent[k] = (bmax[k] - bmin[k]) * scale;
        build_bcells(&c, extent, keys, tmp_keys, tmp_order);
    }
    if (count == (size_t)-1) {
        free(arena);
        for (size_t l = 0; l < level_count; ++l) results[l].stop_reason = PF_SIMPLIFY_STOP_INVALID;
        return (size_t)-1;
    }

    float limit = target_error < 0 ? 0 : target_error;
    if (options & PF_SIMPLIFY_ERROR_ABSOLUTE) limit *= scale;
    float limit_sq = limit * limit;
    int lock_border = (options & PF_SIMPLIFY_LOCK_BORDER) != 0;
    int permissive = (options & PF_SIMPLIFY_PERMISSIVE) != 0;

    build_adjacency(&c);
    detach_unused_vertices(&c);
    c.rerank_all = 1;
    int relax = 0;
    classify(&c, lock_border, relax);
    mark_deep(&c);
    accumulate_quadrics(&c);
    if (K) accumulate_attribute_quadrics(&c);

    float max_error = 0;
    double max_position_error = 0;
    size_t collapses = 0, passes = 0, compactions = 0;
    size_t level = 0;
    uint32_t reason = PF_SIMPLIFY_STOP_TARGET_COUNT;
    int stalled_passes = 0;
    for (;;) {
        while (level < level_count && count <= target_index_counts[level]) {
            snapshot(&c, level, count, &out, &results[level]);
            record_level(&results[level], PF_SIMPLIFY_STOP_TARGET_COUNT, max_position_error, max_error, diag, relax, collapses, passes,
                         compactions);
            level++;
        }
        if (level >= level_count) break;
        size_t target = target_index_counts[level];
        float min_error = FLT_MAX;
        size_t n = pick_and_rank(&c, &min_error);
        size_t done = 0;
        if (n) {
            size_t goal = (count - target) / 3;
            /* a pass may overshoot the goal by a triangle, but a target of one or more never empties the mesh */
            size_t keep = target >= 3 ? 1 : 0, cap = count / 3 > keep ? count / 3 - keep : 0;
            float pass_limit = limit_sq;
            /* keep each pass from racing ahead of the error the goal needs; but when what is left is at most a third of
             * the mesh (about what one pass can remove), let this pass aim at all of it, and when it is a tenth, at
             * twice that: one more pass would rank the edges again and rebuild the adjacency for a small part of the
             * goal. (Twice already at a third costs CAD-like meshes a quarter of their mean error: fandisk at 50%.) */
            size_t needed = goal / 2;
            if (goal <= count / 30) needed = goal * 2;
            else if (goal <= count / 9) needed = goal;
            size_t gi = needed < n ? needed : n - 1;
            /* whole blocks first (below hist_lo every count is zero), then the keys of the block it falls in */
            uint32_t block = c.hist_lo >> 8;
            size_t seen = 0;
            while (block < 255 && seen + c.histogram[HIST_KEYS + block] <= gi) seen += c.histogram[HIST_KEYS + block++];
            uint32_t bucket = block << 8;
            while (bucket < 65535 && seen + c.histogram[bucket] <= gi) seen += c.histogram[bucket++];
            uint32_t top = (bucket << 16) | 0xFFFFu; /* the needed-th error, to within 2^-7 */
            float bucket_top;
            memcpy(&bucket_top, &top, 4);
            float bound = bucket_top * PASS_ERROR_BOUND * PASS_ERROR_BOUND;
            if (bound < pass_limit) pass_limit = bound;
            if (pass_limit < min_error) pass_limit = min_error;
            if (min_error <= limit_sq) {
                for (size_t v = 0; v < c.vcount; ++v) c.collapse_remap[v] = (uint32_t)v;
                memset(c.pass_locked, 0, c.vcount);
                memset(c.dirty, 0, c.vcount);
                done = collapse_pass(&c, goal ? goal : 1, cap, pass_limit, &max_error, &max_position_error, &collapses);
                if (!done && pass_limit < limit_sq) /* the cheap ones were all guarded: widen to the caller's limit */
                    done = collapse_pass(&c, goal ? goal : 1, cap, limit_sq, &max_error, &max_position_error, &collapses);
            }
        }
        passes++;
        if (done) {
            size_t before = count;
            long long working = (long long)c.vcount; /* fewer than V once compacted */
            #pragma omp parallel for schedule(static) if (working > PF_PARALLEL_MIN)
            for (long long v = 0; v < working; ++v) c.merged[v] = c.collapse_remap[c.merged[v]];
            count = remap_all(&c);
            /* every level left is reached (the loop's head writes them): what follows only prepares another pass */
            size_t smallest = count;
            for (size_t l = level; l < level_count; ++l)
                if (target_index_counts[l] < smallest) smallest = target_index_counts[l];
            if (count <= smallest) continue;
            remap_loops(&c, c.loop);
            remap_loops(&c, c.loopback);
            merge_cells(&c); /* after the remap: it packs fewer triangles, in the same order */
            if (worth_compacting(&c)) {
                compact_vertices(&c, &out, level, level_count);
                compactions++;
            }
            build_adjacency(&c);
            mark_deep(&c);
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
                    for (size_t k = 0; k < c.cell_count; ++k) {
                        uint32_t *w = c.work + c.cells[k].tbegin;
                        for (size_t i = 0; i < c.cells[k].tcount; ++i) w[i] = c.remap[w[i]];
                    }
                    for (size_t v = 0; v < c.vcount; ++v) c.merged[v] = c.remap[c.merged[v]];
                    for (size_t v = 0; v < c.vcount; ++v) c.wedge[v] = (uint32_t)v;
                    for (size_t v = 0; v < c.vcount; ++v) c.collapse_remap[v] = (uint32_t)v;
                    count = remap_all(&c);
                    for (size_t v = 0; v < c.vcount; ++v) c.remap[v] = (uint32_t)v;
                }
                build_adjacency(&c);
                classify(&c, lock_border, relax);
                mark_deep(&c);
                c.relaxed_borders = relax >= 2;
                c.rerank_all = 1;
                if (relax == 1) {
                    /* the seams' edge quadrics no longer describe an edge: measure from the welded surface */
                    accumulate_quadrics(&c);
                    if (K) accumulate_attribute_quadrics(&c);
                }
                continue;
            }
        }
        break;
    }
    for (; level < level_count; ++level) {
        snapshot(&c, level, count, &out, &results[level]);
        record_level(&results[level], reason, max_position_error, max_error, diag, relax, collapses, passes, compactions);
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
