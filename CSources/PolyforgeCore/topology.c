#include "polyforge_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Edge analysis by sorting: every directed edge of every proper triangle becomes (undirected key, face, direction);
 * a radix sort groups equal keys, and each group's size says boundary (1), manifold (2) or non-manifold (3+).
 * Union-find then gives components (faces joined across two-face edges, as trimesh counts them), boundary loops
 * (vertices joined along boundary edges) and fans (face corners joined around each vertex). */

typedef struct { uint64_t key; uint32_t face; uint32_t forward; } edge_record;

static uint32_t uf_find(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    /* The smaller index becomes the root, so results do not depend on visiting order. */
    if (a < b) parent[b] = a; else if (b < a) parent[a] = b;
}

static void radix_sort_edges(edge_record *data, edge_record *scratch, size_t n, int key_bits) {
    enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
    size_t count[BUCKETS];
    for (int shift = 0; shift < key_bits; shift += DIGIT) {
        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < n; ++i) count[(data[i].key >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (int b = 0; b < BUCKETS; ++b) { size_t c = count[b]; count[b] = sum; sum += c; }
        for (size_t i = 0; i < n; ++i) scratch[count[(data[i].key >> shift) & (BUCKETS - 1)]++] = data[i];
        edge_record *t = data; data = scratch; scratch = t;
        /* After an odd number of passes the sorted data sits in `scratch`'s original buffer: copied back below. */
    }
    (void)data;
}

static int face_is_zero_area(const float *positions, uint32_t a, uint32_t b, uint32_t c) {
    const float *p = positions + 3 * (size_t)a, *q = positions + 3 * (size_t)b, *r = positions + 3 * (size_t)c;
    double e1[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
    double e2[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
    double e3[3] = {r[0] - q[0], r[1] - q[1], r[2] - q[2]};
    double cx = e1[1] * e2[2] - e1[2] * e2[1], cy = e1[2] * e2[0] - e1[0] * e2[2], cz = e1[0] * e2[1] - e1[1] * e2[0];
    double twice_area = sqrt(cx * cx + cy * cy + cz * cz);
    double l1 = e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2];
    double l2 = e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2];
    double l3 = e3[0] * e3[0] + e3[1] * e3[1] + e3[2] * e3[2];
    double longest = sqrt(l1 > l2 ? (l1 > l3 ? l1 : l3) : (l2 > l3 ? l2 : l3));
    if (longest == 0) return 1;
    /* trimesh's absolute 1e-8, widened to float32 rounding of the coordinates: a triangle collinear in the source
     * text is rarely exactly collinear once stored as floats. */
    double threshold = 4.0 * 1.1920929e-7 * longest;
    if (threshold < 1e-8) threshold = 1e-8;
    return twice_area / longest < threshold;
}

typedef struct { uint32_t a, b, c; } face_key;

static size_t count_duplicate_faces(const uint32_t *indices, size_t face_count) {
    size_t capacity = 16;
    while (capacity < face_count * 2) capacity <<= 1;
    face_key *table = (face_key *)malloc(capacity * sizeof(face_key));
    if (!table) return 0;
    memset(table, 0xFF, capacity * sizeof(face_key));
    size_t duplicates = 0;
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t v[3] = {indices[3 * f], indices[3 * f + 1], indices[3 * f + 2]};
        if (v[0] > v[1]) { uint32_t t = v[0]; v[0] = v[1]; v[1] = t; }
        if (v[1] > v[2]) { uint32_t t = v[1]; v[1] = v[2]; v[2] = t; }
        if (v[0] > v[1]) { uint32_t t = v[0]; v[0] = v[1]; v[1] = t; }
        uint64_t h = (uint64_t)v[0] * 0x9E3779B97F4A7C15ull ^ (uint64_t)v[1] * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)v[2] * 0x165667B19E3779F9ull;
        size_t i = (size_t)(h ^ (h >> 29)) & (capacity - 1);
        for (;;) {
            face_key *s = &table[i];
            if (s->a == 0xFFFFFFFFu && s->b == 0xFFFFFFFFu && s->c == 0xFFFFFFFFu) { s->a = v[0]; s->b = v[1]; s->c = v[2]; break; }
            if (s->a == v[0] && s->b == v[1] && s->c == v[2]) { duplicates++; break; }
            i = (i + 1) & (capacity - 1);
        }
    }
    free(table);
    return duplicates;
}

int pf_analyze_topology(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        pf_topology *out, uint32_t *face_component) {
    memset(out, 0, sizeof(*out));
    const size_t face_count = index_count / 3;
    out->triangle_count = face_count;

    edge_record *edges = (edge_record *)malloc((face_count * 3 + 1) * sizeof(edge_record));
    edge_record *scratch = (edge_record *)malloc((face_count * 3 + 1) * sizeof(edge_record));
    uint32_t *face_parent = (uint32_t *)malloc((face_count + 1) * sizeof(uint32_t));
    uint32_t *corner_parent = (uint32_t *)malloc((face_count * 3 + 1) * sizeof(uint32_t));
    uint32_t *vertex_parent = (uint32_t *)malloc((vertex_count + 1) * sizeof(uint32_t));
    uint8_t *vertex_flags = (uint8_t *)calloc(vertex_count + 1, 1);
    uint8_t *face_proper = (uint8_t *)malloc(face_count + 1);
    if (!edges || !scratch || !face_parent || !corner_parent || !vertex_parent || !vertex_flags || !face_proper) {
        free(edges); free(scratch); free(face_parent); free(corner_parent); free(vertex_parent); free(vertex_flags); free(face_proper);
        return -1;
    }
    int vertex_bits = 1;
    while (vertex_bits < 32 && ((size_t)1 << vertex_bits) < vertex_count) vertex_bits++;

    size_t edge_total = 0;
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t v[3] = {indices[3 * f], indices[3 * f + 1], indices[3 * f + 2]};
        face_parent[f] = (uint32_t)f;
        for (int k = 0; k < 3; ++k) { corner_parent[3 * f + k] = (uint32_t)(3 * f + k); vertex_flags[v[k]] |= 1; }
        int repeated = v[0] == v[1] || v[1] == v[2] || v[0] == v[2];
        face_proper[f] = !repeated;
        if (repeated || (positions && face_is_zero_area(positions, v[0], v[1], v[2]))) out->degenerate_face_count++;
        if (repeated) continue;
        for (int k = 0; k < 3; ++k) {
            uint32_t a = v[k], b = v[(k + 1) % 3];
            uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
            edges[edge_total].key = ((uint64_t)lo << vertex_bits) | hi;
            edges[edge_total].face = (uint32_t)f;
            edges[edge_total].forward = a < b;
            edge_total++;
        }
    }
    for (size_t v = 0; v < vertex_count; ++v) {
        vertex_parent[v] = (uint32_t)v;
        out->referenced_vertex_count += vertex_flags[v] & 1;
    }

    int key_bits = 2 * vertex_bits;
    int passes = (key_bits + 10) / 11;
    radix_sort_edges(edges, scratch, edge_total, key_bits);
    if (passes % 2 == 1) memcpy(edges, scratch, edge_total * sizeof(edge_record));

    /* Corner index of vertex `v` in face `f`. */
    #define CORNER(f, v) (3 * (f) + (indices[3 * (f)] == (v) ? 0 : (indices[3 * (f) + 1] == (v) ? 1 : 2)))
    const uint64_t lo_mask = ((uint64_t)1 << vertex_bits) - 1;
    for (size_t i = 0; i < edge_total;) {
        size_t j = i + 1;
        while (j < edge_total && edges[j].key == edges[i].key) j++;
        size_t k = j - i;
        uint32_t lo = (uint32_t)(edges[i].key >> vertex_bits), hi = (uint32_t)(edges[i].key & lo_mask);
        out->edge_count++;
        if (k == 1) {
            out->boundary_edge_count++;
            uf_union(vertex_parent, lo, hi);
            vertex_flags[lo] |= 2;
            vertex_flags[hi] |= 2;
        } else if (k == 2) {
            uint32_t f = edges[i].face, g = edges[i + 1].face;
            if (edges[i].forward == edges[i + 1].forward) out->inconsistent_edge_count++;
            uf_union(face_parent, f, g);
            uf_union(corner_parent, (uint32_t)CORNER(f, lo), (uint32_t)CORNER(g, lo));
            uf_union(corner_parent, (uint32_t)CORNER(f, hi), (uint32_t)CORNER(g, hi));
        } else {
            out->nonmanifold_edge_count++;
        }
        i = j;
    }
    #undef CORNER

    /* Fans: corners of proper faces still apart after joining across manifold edges. */
    uint32_t *fans = (uint32_t *)scratch; /* reuse: vertex_count counters fit in 3 * face_count records */
    size_t fan_slots = vertex_count;
    int fans_allocated = 0;
    if (fan_slots * sizeof(uint32_t) > (face_count * 3 + 1) * sizeof(edge_record)) {
        fans = (uint32_t *)calloc(fan_slots, sizeof(uint32_t));
        fans_allocated = 1;
        if (!fans) fan_slots = 0;
    } else {
        memset(fans, 0, fan_slots * sizeof(uint32_t));
    }
    for (size_t f = 0; f < face_count && fan_slots; ++f) {
        if (!face_proper[f]) continue;
        for (int k = 0; k < 3; ++k) {
            uint32_t c = (uint32_t)(3 * f + k);
            if (uf_find(corner_parent, c) == c) fans[indices[c]]++;
        }
    }
    for (size_t v = 0; v < fan_slots; ++v) out->nonmanifold_vertex_count += fans[v] > 1;
    if (fans_allocated) free(fans);

    for (size_t v = 0; v < vertex_count; ++v)
        if ((vertex_flags[v] & 2) && uf_find(vertex_parent, (uint32_t)v) == v) out->boundary_loop_count++;

    /* Components numbered by first face; face_parent roots are each component's smallest face. */
    uint32_t *ids = (uint32_t *)corner_parent; /* reuse: face_count ids fit in 3 * face_count slots */
    for (size_t f = 0; f < face_count; ++f) {
        uint32_t root = uf_find(face_parent, (uint32_t)f);
        if (root == f) ids[f] = (uint32_t)out->component_count++;
        else ids[f] = ids[root];
        if (face_component) face_component[f] = ids[f];
    }

    out->duplicate_face_count = count_duplicate_faces(indices, face_count);
    out->watertight = face_count > 0 && out->boundary_edge_count == 0 && out->nonmanifold_edge_count == 0;
    /* Faces with repeated indices have no edges; a mesh of them alone is not watertight either. */
    for (size_t f = 0; f < face_count && out->watertight; ++f) if (!face_proper[f]) out->watertight = 0;
    out->winding_consistent = out->inconsistent_edge_count == 0;

    free(edges); free(scratch); free(face_parent); free(corner_parent); free(vertex_parent); free(vertex_flags); free(face_proper);
    return 0;
}
