/*
 * polyforge_core.h - the whole API of Polyforge's C core.
 *
 * Conventions (as meshoptimizer.h):
 *  - Plain arrays cross the API: positions are float triples, indices are uint32_t triples (one per triangle).
 *  - "stride" is counted in floats between consecutive vertices (3 for tightly packed xyz).
 *  - The caller owns every buffer. No function keeps a pointer after it returns, and none has global state
 *    beyond the thread count set with pf_set_thread_count.
 *  - Every function is thread-safe for distinct output buffers. Results are identical for any thread count.
 */
#ifndef POLYFORGE_CORE_H
#define POLYFORGE_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- runtime ---------------------------------------------------------------------------------------- */

/* Instruction-set level the kernels dispatch to at run time: 0 scalar, 1 SSE2, 2 AVX2+FMA. */
int pf_simd_level(void);

/* Threads that OpenMP regions will use (1 when built without OpenMP). */
int pf_thread_count(void);

/* Sets the thread count for later OpenMP regions started from the calling thread (OpenMP keeps it per thread:
 * call it on each worker thread that runs kernels); n <= 0 restores the default: OMP_NUM_THREADS when the
 * environment sets it, otherwise all cores.
 * Also makes idle OpenMP workers sleep at once instead of spinning for 200 ms, which on a 2-core machine
 * would steal time from Swift's own threads. */
void pf_set_thread_count(int n);

/* Keeps freed blocks in the process heap from now on (glibc: no mmap for large blocks, no trimming). Kernels and
 * readers allocate large scratch and arrays per call; served by fresh mmaps, every call pays its page faults again
 * and, with several threads, a TLB shootdown per munmap. The simplifier also asks for transparent huge pages for
 * its scratch only in this mode, where they are faulted once and reused. Process-wide: for tools and benchmarks to
 * call once at start-up, not for libraries. No effect outside glibc. */
void pf_keep_freed_memory(void);
/* The opposite: large blocks (128 KiB and up, glibc's default sizes, now fixed) are mapped per allocation and given
 * back when freed, so every call gets fresh pages, as in a one-off process. Setting the threshold also turns off
 * glibc's growing of it after large frees, which would let later calls reuse heap memory (benchmarks measure both
 * ways, and peak memory only this way). */
void pf_release_freed_memory(void);

/* memcpy, split over threads when `bytes` is 4 MB or more (deterministic: plain bytes). Readers copying large
 * buffers out of a mapped file into new arrays are bound by first-touch page faults, which threads share. */
void pf_copy(void *destination, const void *source, size_t bytes);

/* 1 when the core was compiled with OpenMP. */
int pf_has_openmp(void);

/* ---- bounds ----------------------------------------------------------------------------------------- */

/* Axis-aligned bounds of vertex_count points read from positions[i*stride .. i*stride+2].
 * Non-finite coordinates (NaN, +-Inf) are skipped and counted; the return value is the number of vertices
 * with at least one non-finite coordinate. When no finite vertex exists, out_min = +FLT_MAX and
 * out_max = -FLT_MAX. stride >= 3. Parallel over large inputs. */
size_t pf_bounds(const float *positions, size_t vertex_count, size_t stride, float out_min[3], float out_max[3]);

/* ---- indices ---------------------------------------------------------------------------------------- */

/* Position of the first index >= vertex_count in indices[0 .. index_count), or index_count when all are
 * in range. Used by every reader to reject out-of-range indices before any kernel trusts them. */
size_t pf_find_index_out_of_range(const uint32_t *indices, size_t index_count, uint32_t vertex_count);

/* Widens 16-bit or 8-bit indices to 32 bits. destination holds count elements; it may not alias source. */
void pf_widen_indices_u16(uint32_t *destination, const uint16_t *source, size_t count);
void pf_widen_indices_u8(uint32_t *destination, const uint8_t *source, size_t count);

/* Number of triangles (i, i+1, i+2) in a triangle list whose three indices are not all distinct. */
size_t pf_count_degenerate_indices(const uint32_t *indices, size_t index_count);


/* ---- welding ---------------------------------------------------------------------------------------- */

/* Merges vertices whose positions lie within `tolerance` of each other (per axis, a cube, not a sphere) and,
 * when `attributes` is not NULL, whose attributes also match within `attribute_tolerance` per component.
 *  positions:  vertex_count float triples, `position_stride` floats apart (>= 3).
 *  attributes: vertex_count rows of `attribute_count` floats, `attribute_stride` floats apart; NULL to weld by
 *              position only. This keeps UV and normal seams apart when asked to.
 *  remap:      out, vertex_count entries: the index of the vertex each one merges into. A vertex merges into the
 *              first vertex (in index order) within tolerance of it; that vertex maps to itself.
 * tolerance 0 merges exact duplicates only (-0 and +0 are equal). Non-finite positions never merge.
 * Returns the number of distinct vertices (those with remap[i] == i). Cell keys are computed in parallel, the
 * merge pass is sequential (it is what makes "first in index order" hold); deterministic for any thread count. */
size_t pf_weld(const float *positions, size_t vertex_count, size_t position_stride, float tolerance,
               const float *attributes, size_t attribute_count, size_t attribute_stride, float attribute_tolerance,
               uint32_t *remap);

/* Merges vertices whose coordinates agree after rounding: floor(x * scale + 0.5) per axis (JavaScript's Math.round,
 * which the glTF Asset Auditor matches vertices with at scale 1e5). Exact integer keys, so no tolerance chain and
 * no float collisions however large the coordinates. remap and the return value as pf_weld; non-finite positions
 * never merge. Single-threaded; deterministic. */
size_t pf_weld_rounded(const float *positions, size_t vertex_count, size_t position_stride, double scale, uint32_t *remap);

/* Splits the vertices of each point by attributes: the second half of a weld that keeps UV and normal seams.
 *  point_of:   vertex_count entries, the point (a vertex index, as pf_weld's remap gives) each vertex lies on;
 *              an entry >= vertex_count counts as the vertex's own point.
 *  attributes: vertex_count rows of `attribute_count` floats, `attribute_stride` floats apart.
 *  remap:      out: the first vertex (in index order) on the same point whose attributes all match within
 *              `attribute_tolerance`, or the vertex itself.
 * Cheaper than a second positional weld: no spatial hashing, points are already known. Parallel over points;
 * the result is the same for any thread count. Returns the number of vertices with remap[i] == i. */
size_t pf_weld_refine(const uint32_t *point_of, size_t vertex_count, const float *attributes, size_t attribute_count,
                      size_t attribute_stride, float attribute_tolerance, uint32_t *remap);

/* ---- topology --------------------------------------------------------------------------------------- */

/* Counts of a triangle list's surface defects; see pf_analyze_topology. */
typedef struct pf_topology {
    size_t triangle_count;
    size_t referenced_vertex_count;   /* vertices used by at least one triangle */
    size_t edge_count;                /* distinct undirected edges of non-degenerate triangles */
    size_t boundary_edge_count;       /* edges with exactly one face */
    size_t nonmanifold_edge_count;    /* edges with three or more faces */
    size_t inconsistent_edge_count;   /* two-face edges whose faces run the edge the same way (winding flip) */
    size_t nonmanifold_vertex_count;  /* vertices whose faces form more than one fan (bow-ties, non-manifold edges) */
    size_t degenerate_face_count;     /* repeated index, or zero area: shortest height below
                                       * max(1e-8, 4.8e-7 x longest edge), i.e. collinear up to float32 rounding */
    size_t duplicate_face_count;      /* faces over the same vertex set as an earlier face, either winding */
    size_t component_count;           /* faces connected through two-face edges (trimesh's rule) */
    size_t boundary_loop_count;       /* connected chains of boundary edges: holes and open borders */
    int watertight;                   /* every edge has exactly two faces, and there is at least one face */
    int winding_consistent;           /* no inconsistent edges */
} pf_topology;

/* Analyses the surface of a triangle list.
 *  indices:       index_count / 3 triangles; every index < vertex_count (check with pf_find_index_out_of_range).
 *  positions:     vertex_count float triples (stride 3) for the zero-area test, or NULL to test repeated indices only.
 *  face_component: out, optional (NULL): index_count / 3 entries, each face's component id in 0 ..< component_count,
 *                 numbered in order of each component's first face. Degenerate faces get their own component.
 * Vertices are taken as they are: weld first (pf_weld) to analyse the surface rather than its seams.
 * Memory: about 130 bytes per triangle of scratch, allocated and freed inside. Returns 0 on success, -1 when out
 * of memory. Deterministic. */
int pf_analyze_topology(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        pf_topology *out, uint32_t *face_component);


/* ---- UV and surface quality (QC) -------------------------------------------------------------------- */

/* Statistics of one UV set over a triangle list; see pf_uv_bounds. Signed areas are taken in (u, v) as
 * stored (glTF: v grows downwards), counter-clockwise positive, for the triangle's index order. */
typedef struct pf_uv_stats {
    size_t coordinate_count;          /* UV pairs read (vertex_count) */
    size_t coordinates_outside;       /* pairs with u or v outside [0, 1] (NaN counts as outside) */
    size_t triangle_count;            /* index_count / 3 */
    size_t triangles_outside;         /* triangles with at least one corner outside [0, 1] */
    size_t positive_area_count;       /* counter-clockwise in (u, v) */
    size_t negative_area_count;       /* clockwise in (u, v) */
    size_t zero_area_count;           /* |2 x signed area| <= 1e-12, or a non-finite corner */
    size_t nonfinite_count;           /* pairs with a NaN or infinite component */
    float min[2], max[2];             /* bounds of the finite pairs; +FLT_MAX / -FLT_MAX when there is none */
} pf_uv_stats;

/* Measures UV bounds and UV-triangle orientation.
 *  uvs:     vertex_count (u, v) pairs, `stride` floats apart (>= 2).
 *  indices: index_count / 3 triangles, every index < vertex_count.
 * The coordinate pass is SIMD (SSE2 on x86-64, scalar elsewhere) for stride 2; parallel over large inputs.
 * Flips relative to the majority are min(positive, negative). Deterministic. Returns 0, or -1 on a NULL argument. */
int pf_uv_bounds(const float *uvs, size_t vertex_count, size_t stride, const uint32_t *indices, size_t index_count,
                 pf_uv_stats *out);

/* Texel density per triangle: sqrt(uv area / surface area), in UV units per position unit; multiply by a texture's
 * side in pixels to get pixels per metre. Triangles with zero surface or zero UV area are skipped.
 *  positions: vertex_count xyz triples (stride 3); uvs: vertex_count uv pairs (stride 2).
 * Writes the smallest and largest density to out_min / out_max and returns the number of triangles measured
 * (0: both outputs are 0). Deterministic. */
size_t pf_texel_density(const float *positions, const float *uvs, const uint32_t *indices, size_t index_count,
                        float *out_min, float *out_max);

/* Dihedral angles over the welded edge map; see pf_edge_angles. */
typedef struct pf_edge_angle_stats {
    size_t edge_count;                /* distinct undirected edges of non-degenerate triangles */
    size_t two_face_edge_count;       /* edges with exactly two faces: the only ones that have an angle */
    size_t hard_edge_count;           /* two-face edges whose face normals are >= threshold apart */
    float max_angle_degrees;          /* largest angle between the normals of two faces sharing an edge */
} pf_edge_angle_stats;

/* Counts hard edges: two-face edges where the angle between the two face normals is >= threshold_degrees
 * (90 = the 3D Commerce "no hard edges" rule: a cube's edges are hard, a 45-degree bevel is not). Normals are
 * computed in double precision; an angle within 1e-4 degrees of the threshold counts as reaching it.
 * Weld positions first (pf_weld): edges are matched by vertex index. Degenerate faces (repeated index or zero
 * normal) are ignored. Memory: about 16 bytes per index plus 4 per vertex, allocated inside.
 * Returns 0, or -1 when out of memory. Deterministic, single-threaded. */
int pf_edge_angles(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                   float threshold_degrees, pf_edge_angle_stats *out);

/* Groups triangles into UV islands: triangles sharing a UV vertex (an index of the welded UV set) are one
 * island. island: out, index_count / 3 entries, numbered 0 ..< return value in order of each island's first
 * triangle. Memory: 4 bytes per vertex, allocated inside. Returns the island count, or (size_t)-1 when out of
 * memory. Deterministic. */
size_t pf_uv_islands(const uint32_t *indices, size_t index_count, size_t vertex_count, uint32_t *island);

/* Result of pf_uv_overlap. */
typedef struct pf_uv_overlap_stats {
    size_t overlapping_triangle_count;   /* triangles sharing at least one sample with another triangle */
    size_t covered_sample_count;         /* samples covered at least once */
    size_t overlapped_sample_count;      /* samples covered two or more times */
} pf_uv_overlap_stats;

/* Estimates UV overlap by rasterising every non-degenerate UV triangle into a resolution x resolution grid of
 * samples (cell centres) spanning [u0, u0 + extent] x [v0, v0 + extent]. A top-left fill rule covers a sample on
 * an edge shared by two triangles exactly once, so a clean layout has no overlapped sample; triangles smaller
 * than a cell may be missed. uvs: (u, v) pairs, stride 2. resolution 1..8192. Memory: 4 bytes per cell.
 * Returns 0, or -1 on a bad argument or out of memory. Deterministic. */
int pf_uv_overlap(const float *uvs, const uint32_t *indices, size_t index_count, float u0, float v0, float extent,
                  uint32_t resolution, pf_uv_overlap_stats *out);

/* UV gutter test at a texture resolution (the 3D Commerce gutter rule): the unit square [0,1]^2 is cut into
 * resolution x resolution pixels; a triangle touches a pixel when it overlaps (with positive area) the square of
 * side 2/resolution centred on the pixel centre. Returns the number of pixels touched by two or more islands
 * (0 = gutters wide enough), or (size_t)-1 on a bad argument or out of memory.
 *  island: index_count / 3 island ids (pf_uv_islands). uvs: pairs, stride 2. resolution 1..8192.
 * Memory: 4 bytes per pixel. Deterministic. */
size_t pf_uv_gutter_collisions(const float *uvs, const uint32_t *indices, size_t index_count, const uint32_t *island,
                               uint32_t resolution);

/* ---- repair ----------------------------------------------------------------------------------------- */

/* The repair kernels (cleanup.c, manifold.c, orient.c, holefill.c, floaters.c) work on one triangle list whose
 * indices are already welded by position (pf_weld): an index names a point of the surface, not a vertex with
 * its attributes. Callers that keep UV or normal seams run them on a position-welded copy of the indices and
 * carry their own per-corner vertex ids along with the corner maps each kernel returns.
 * Every kernel allocates its scratch once per call (the edge list: about 100 bytes per triangle, more where
 * stated), keeps no state, and is deterministic: edge grouping and cleanup's area test run in parallel (OpenMP)
 * with identical results for any thread count. All return (size_t)-1 when out of memory, leaving their outputs
 * unspecified. */

/* What pf_cleanup removed or rewrote, in faces. */
typedef struct pf_cleanup_result {
    size_t repeated_index_faces;  /* an index repeated within the face */
    size_t nonfinite_faces;       /* a corner with a NaN or infinite coordinate */
    size_t zero_area_faces;       /* zero area (the pf_topology rule) with three distinct indices, as found */
    size_t zero_area_split;       /* ... of which caps, resolved by splitting the face across their longest edge */
    size_t zero_area_collapsed;   /* faces removed by collapsing needles' shortest edges (the needle and its
                                   * neighbour across that edge) */
    size_t zero_area_removed;     /* zero-area faces dropped because neither fix applied (boundary, no progress) */
    size_t duplicate_faces;       /* same vertex set and winding as an earlier face */
    size_t opposite_faces;        /* same vertex set as an earlier face, opposite winding (back-to-back pair) */
} pf_cleanup_result;

/* Removes degenerate and duplicate faces of a triangle list, in place.
 *  indices:       index_count / 3 triangles, every index < vertex_count. Rewritten: the kept faces, compacted to the
 *                 front in their original order (split caps replace their neighbour in place).
 *  positions:     vertex_count float triples (stride 3); NULL skips the non-finite and zero-area passes.
 *  corner_source: out, optional: index_count entries; entry c (c < returned count) is the input index slot the
 *                 output slot c came from, so per-corner data can follow (for split caps, the corner of the same
 *                 vertex in the face it came from).
 *  out:           optional counts.
 * Order: repeated/non-finite faces, then zero-area faces (caps split, needles collapsed into their nearer end
 * vertex, up to four rounds, the rest dropped), then duplicates, keeping the first face of each vertex set (so of
 * a back-to-back pair the first face stays). Zero area uses pf_analyze_topology's rule, so the result has no
 * faces it counts degenerate or duplicate. Returns the new index count. Vertices are not removed: see
 * pf_compact_vertices. */
size_t pf_cleanup(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                  uint32_t *corner_source, pf_cleanup_result *out);

/* Drops vertices no index refers to, keeping the others' order. vertex_remap (out, vertex_count entries) gets
 * each old vertex's new index, or 0xFFFFFFFF when unused; indices are rewritten through it. Returns the new
 * vertex count. Callers move their vertex data with the remap. */
size_t pf_compact_vertices(uint32_t *indices, size_t index_count, size_t vertex_count, uint32_t *vertex_remap);

/* What pf_make_manifold did. */
typedef struct pf_manifold_result {
    size_t nonmanifold_edges;   /* edges with three or more faces in the input */
    size_t split_vertices;      /* input vertices that were given one or more copies */
    size_t added_vertices;      /* copies made (new vertex ids) */
    size_t detached_faces;      /* faces cut loose entirely (each corner its own vertex) as a last resort */
} pf_manifold_result;

/* Splits non-manifold edges and vertices by duplicating vertices, so that every edge has at most two faces and
 * the faces around every vertex form a single fan (connected across two-face edges). No face is removed or moved.
 *  indices:           rewritten in place; faces with a repeated index are left as they are.
 *  positions:         vertex_count float triples (stride 3), used to pair the faces of an edge with three or more
 *                     by angle around it; NULL pairs them in face order.
 *  corner_cut:        optional, index_count flags: 1 at corner c cuts the edge that starts there (from corner c to
 *                     the next corner of its face): its faces are not joined across it, so its ends split where
 *                     that separates their fans. pf_orient's corner_conflict is made for this; NULL cuts nothing.
 *  new_vertex_source: out, index_count entries (the worst case): new vertex vertex_count + i copies input vertex
 *                     new_vertex_source[i]. Callers append those copies to their vertex data.
 * Faces of an edge with three or more are kept together in pairs of opposite direction: each face with its
 * angular neighbour on its inner side (the two faces bounding one solid wedge), so pairs stay consistent along
 * chains of such edges; faces left unpaired get their own copy of the edge. A vertex keeps the fan of its
 * first corner. About 140 bytes of scratch per triangle. Returns the new vertex count (>= vertex_count). */
size_t pf_make_manifold(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        const uint8_t *corner_cut, uint32_t *new_vertex_source, pf_manifold_result *out);

/* What pf_orient did. */
typedef struct pf_orient_result {
    size_t flipped_faces;
    size_t components;           /* faces connected across two-face edges */
    size_t closed_components;    /* components every face edge of which has exactly two faces */
    size_t inverted_components;  /* closed components turned outward as a whole (negative volume) */
    size_t conflicting_edges;    /* edges whose faces still disagree: the component is not orientable (Moebius) */
} pf_orient_result;

/* Makes the winding consistent within each component, by breadth-first search over two-face edges from the
 * component's first face, then turns each component as a whole: a closed one so that its signed volume is
 * positive (outward normals, counter-clockwise seen from outside), an open one towards the winding the
 * larger part of its area already had.
 *  indices:      flipped faces have their last two indices swapped, in place.
 *  positions:    vertex_count float triples (stride 3); NULL keeps each component's first face as it is.
 *  face_flipped: out, optional: index_count / 3 flags, 1 where the face was flipped.
 *  corner_conflict: out, optional: index_count flags, 1 at the corners (of the output faces) that start an edge
 *                 whose two faces still disagree (non-orientable components). Cutting those edges with
 *                 pf_make_manifold and orienting again resolves the ones that reach a boundary.
 * Returns the number of faces flipped. */
size_t pf_orient(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                 uint8_t *face_flipped, uint8_t *corner_conflict, pf_orient_result *out);

/* Boundary loops pf_fill_holes found, and why those left open were left open. */
typedef struct pf_hole_fill_result {
    size_t loops;                 /* boundary loops traced */
    size_t filled_loops;
    size_t filled_triangles;
    size_t open_too_large;        /* more edges than max_edges */
    size_t open_degenerate;       /* collinear or coincident: any fill would have zero area */
    size_t open_not_planar;       /* too far from planar, and longer than the minimum-area search handles (256) */
    size_t open_no_triangulation; /* every triangulation would reuse an existing edge or make a zero-area face */
    size_t open_not_simple;       /* the boundary passes a vertex twice or does not close (run pf_make_manifold) */
    size_t open_single_face;      /* a lone triangle: the fill would be its back-to-back twin */
    size_t open_capacity;         /* fill_capacity reached */
    size_t largest_open_loop;     /* edges of the largest loop left open, 0 when all were filled */
} pf_hole_fill_result;

/* Fills boundary loops (holes and open borders) of up to max_edges edges with triangles over the loop's own
 * vertices: no vertex is added. The fill runs against the loop's direction, so it continues the surrounding
 * winding: orient first (pf_orient). Planar-enough loops whose projection is a simple polygon are ear-clipped in
 * their plane (no self-overlap); others, up to 256 edges, get the minimum-area triangulation. No fill triangle
 * has zero area or adds an edge the mesh already has.
 *  indices:            the mesh, index_count / 3 triangles (read only). Best made manifold first.
 *  positions:          vertex_count float triples (stride 3).
 *  fill_indices:       out, fill_capacity entries: the new triangles, to append to the mesh.
 *  fill_corner_source: out, optional, fill_capacity entries: for each fill corner, an input index slot of the same
 *                      vertex on the loop (the corner where the loop's boundary edge starts), to copy attributes.
 *  fill_capacity:      3 x the mesh's boundary edge count always suffices.
 * About 100 bytes of scratch per triangle plus 0.7 MB. Returns the number of indices written (3 per triangle). */
size_t pf_fill_holes(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                     size_t max_edges, uint32_t *fill_indices, uint32_t *fill_corner_source, size_t fill_capacity,
                     pf_hole_fill_result *out);

/* What pf_remove_floaters removed. */
typedef struct pf_floater_result {
    size_t components;          /* connected through shared vertices */
    size_t removed_components;
    size_t removed_faces;
    double removed_area;
    double total_area;
} pf_floater_result;

/* Removes small connected components (connected through shared vertices, so pieces touching at one vertex stay
 * together), in place: those with less area than fraction_of_total_area x the total area, or than
 * fraction_of_largest x the largest component's area. A fraction <= 0 disables its test; the largest component
 * always stays. open_only != 0 restricts removal to components with a boundary edge (open slivers that hole
 * filling could not close, such as lone fins cut off a non-manifold edge); closed shells then always stay.
 *  indices:       kept faces compacted to the front in order.
 *  corner_source: out, optional, index_count entries: input slot of each output slot.
 * Returns the new index count. */
size_t pf_remove_floaters(uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                          float fraction_of_total_area, float fraction_of_largest, int open_only, uint32_t *corner_source,
                          pf_floater_result *out);


/* ---- raster ----------------------------------------------------------------------------------------- */

/* Software rasterizer for thumbnails (raster.c). One call draws one indexed triangle list, already in world
 * space, into an RGBA8 image through a view-projection matrix. Coverage uses 2x2 ordered supersampling
 * (4 samples per pixel, watertight: a sample on an edge shared by two triangles is covered exactly once);
 * each pixel is shaded once per surface among its samples (triangles sharing a vertex index and material
 * count as one surface, so silhouettes and occlusion edges are anti-aliased but a dense mesh is not shaded
 * four times per pixel), then the samples are box-filtered.
 * The image is cut into 32x32-pixel tiles that are drawn in parallel (OpenMP, dynamic schedule); each
 * pixel belongs to one tile and triangles are drawn in submission order within a tile, so the output is
 * bit-identical for any thread count. Depth test is "nearer than", so of two coplanar triangles the first
 * submitted wins. */

/* pf_raster_options.flags */
enum {
    PF_RASTER_WIREFRAME = 1,  /* draw triangle edges over the shaded surface in wireframe_color */
    PF_RASTER_UV_CHECKER = 2, /* replace every base color by an 8x8-per-UV-unit checker of TEXCOORD_0 */
    PF_RASTER_UNLIT = 4,      /* every material unlit: base color only, no light */
    PF_RASTER_SCALAR = 8      /* coverage through the portable scalar loop instead of SSE2 (same output; for tests) */
};

/* A base-color texture: width*height RGBA8 texels, row-major, top row first (as PNG/JPEG decode), sRGB.
 * Sampled bilinearly with wrap-repeat on both axes; uv (0,0) is the top-left corner of texel (0,0). */
typedef struct pf_raster_texture {
    const uint8_t *rgba;
    uint32_t width, height;
} pf_raster_texture;

/* A material as the rasterizer shades it. base_color is linear RGBA (glTF baseColorFactor). texture indexes
 * pf_raster_options.textures, or is -1 for none; its texel (sRGB, converted to linear) multiplies base_color.
 * uv_transform maps TEXCOORD_0 before sampling, row-major 2x3:
 * u' = t[0]*u + t[1]*v + t[2], v' = t[3]*u + t[4]*v + t[5] (identity = {1,0,0, 0,1,0}; KHR_texture_transform
 * composes to this form). double_sided != 0 draws back faces with the normal flipped; otherwise back faces
 * (clockwise on screen) are culled. unlit != 0 shades with base color only (KHR_materials_unlit).
 * alpha_cutoff > 0 turns on the alpha test (glTF alphaMode MASK): a sample whose alpha, base_color[3] times
 * the texel's alpha times the vertex color's alpha, is below alpha_cutoff is not drawn, so what is behind
 * shows through. 0 draws every sample opaque (OPAQUE).
 * alpha_blend != 0 (glTF BLEND) draws by coverage instead: each of a pixel's four samples has its own cutoff
 * (1/8, 3/8, 5/8, 7/8 in a fixed pattern), so alpha 0.3 covers about one sample in four and what is behind shows
 * through in proportion, with no sorting and the same result on any thread count. alpha_cutoff is then ignored.
 * sheen_color (linear RGB, KHR_materials_sheen's sheenColorFactor; zeros for none) adds the glow cloth and velvet
 * have at grazing angles, on top of the lit base color, so dark fabric does not read as black. */
typedef struct pf_raster_material {
    float base_color[4];
    int32_t texture;
    float uv_transform[6];
    int32_t double_sided;
    int32_t unlit;
    float alpha_cutoff;
    int32_t alpha_blend;
    float sheen_color[3];
} pf_raster_material;

/* The geometry of one draw. Every stream is per vertex, tightly packed, vertex_count entries:
 *  positions  xyz, world space (required);
 *  normals    xyz, world space, need not be unit length; NULL, or (0,0,0) at all three corners of a
 *             triangle, means that triangle is shaded with its face normal (flat);
 *  uvs        TEXCOORD_0 as uv pairs, or NULL (textures and the UV checker are then skipped);
 *  colors     linear RGBA vertex colors, multiplied into base color, or NULL.
 * indices holds index_count/3 triangles (counter-clockwise = front, as glTF); every index < vertex_count.
 * materials holds one material id per triangle (index into pf_raster_options.materials), or is NULL for
 * material 0 everywhere; an id >= material_count draws as opaque white. */
typedef struct pf_raster_mesh {
    const float *positions;
    const float *normals;
    const float *uvs;
    const float *colors;
    size_t vertex_count;
    const uint32_t *indices;
    size_t index_count;
    const uint32_t *materials;
} pf_raster_mesh;

typedef struct pf_raster_options {
    /* clip = view_projection * (x, y, z, 1), column-major as glTF. OpenGL conventions: a point is visible for
     * w > 0 and -w <= x, y, z <= w; x to the right, y up. Works for perspective and orthographic matrices. */
    float view_projection[16];
    /* World-space eye position, for the camera fill light (orthographic: any point far back along the view). */
    float eye[3];
    /* World-space unit direction towards the key light. Lit color = albedo * (0.70 max(0, n.l) + 0.18
     * + 0.22 (0.5 + 0.5 n.y) + 0.12 max(0, n.v)): key light, +Y-up hemisphere ambient, camera fill. */
    float light_direction[3];
    /* sRGB RGBA of the background, 0..1; alpha 0 gives a transparent background. */
    float background[4];
    /* sRGB RGBA of wireframe lines (PF_RASTER_WIREFRAME), and their width in output pixels. Over an albedo
     * (shaded color before lighting) whose linear luminance is within 0.15 of the line's, the line takes the
     * inverse color instead, so it stays visible on dark materials. */
    float wireframe_color[4];
    float wireframe_width;
    uint32_t width, height;    /* output pixels, 1..8192 each */
    uint32_t flags;            /* PF_RASTER_* */
    const pf_raster_material *materials;
    size_t material_count;
    const pf_raster_texture *textures;
    size_t texture_count;
} pf_raster_options;

/* Draws mesh into out_rgba (width*height*4 bytes, row-major, top row first, straight (not premultiplied)
 * alpha, sRGB). out_depth, when not NULL, receives width*height floats: the nearest NDC depth z/w (-1..1)
 * among the pixel's samples, or +INFINITY where nothing was drawn. Every pixel of both buffers is written.
 * Triangles with a vertex outside the clip volume's depth range (w <= 0, z/w outside -1..1) or further than
 * 4 viewport widths off screen are skipped, not clipped: frame the camera around the whole mesh.
 * Allocates scratch per call and frees it before returning: 17 bytes per vertex, 8 bytes per triangle plus
 * 4 per (triangle, 32x32-pixel tile it overlaps), and 32 KB per thread.
 * Returns the number of triangles drawn (in front, not culled, overlapping the image), or (size_t)-1 when an
 * argument is invalid (NULL required pointer, size out of range, an index >= vertex_count) or memory ran out;
 * out_rgba is then untouched.
 * Thread-safe for distinct output buffers; the inputs are only read. */
size_t pf_raster_draw(const pf_raster_mesh *mesh, const pf_raster_options *options, uint8_t *out_rgba, float *out_depth);

/* ---- simplification (simplifier.c) and surface distance (distance.c) -------------------------------- */

/* pf_simplify options (bit flags). */
enum {
    PF_SIMPLIFY_LOCK_BORDER = 1,     /* vertices on open borders never move or go: tiles and parts stay sealed */
    PF_SIMPLIFY_PERMISSIVE = 2,      /* when the guards stall short of the target, relax them step by step: first
                                      * weld seams by position (attributes follow one side near the seam), then free
                                      * border and non-manifold vertices. Flips are never allowed. */
    PF_SIMPLIFY_ERROR_ABSOLUTE = 4,  /* target_error and the limit are in model units, not relative */
    PF_SIMPLIFY_ENDPOINTS_ONLY = 8,  /* no optimal placement: every collapse keeps one endpoint (meshopt-like) */
    PF_SIMPLIFY_NO_COMPACTION = 16   /* keep every vertex array at full size instead of packing the live vertices
                                      * once half have gone: the output is the same, only slower (for tests) */
};

/* Why pf_simplify stopped. */
enum {
    PF_SIMPLIFY_STOP_TARGET_COUNT = 0, /* the target index count was reached */
    PF_SIMPLIFY_STOP_TARGET_ERROR = 1, /* the next collapse would exceed target_error */
    PF_SIMPLIFY_STOP_TOPOLOGY = 2,     /* every remaining collapse is forbidden by vertex classes, flips or the
                                        * link condition (after all permissive steps, when permissive) */
    PF_SIMPLIFY_STOP_INVALID = 3       /* bad argument or out of memory; nothing was simplified */
};

/* What one simplification (or one LOD level) achieved. */
typedef struct pf_simplify_result {
    size_t index_count;      /* indices written (3 per triangle) */
    float error;             /* geometric error: sqrt of the largest area-averaged squared distance to the planes a
                              * kept vertex stands for (quadric error), relative to the input's bounding-box diagonal */
    float absolute_error;    /* the same in model units */
    float metric_error;      /* largest collapse cost as ranked: geometric plus weighted attribute error (relative) */
    uint32_t stop_reason;    /* PF_SIMPLIFY_STOP_* (TARGET_COUNT for a LOD level that was reached) */
    uint32_t relaxation;     /* permissive steps taken: 0 none, 1 seams welded, 2 borders and complex vertices freed */
    size_t collapses;        /* edge collapses performed */
    size_t passes;           /* ranking passes */
    size_t compactions;      /* times the live vertices were renumbered and the vertex arrays packed (see
                              * PF_SIMPLIFY_NO_COMPACTION) */
} pf_simplify_result;

/* Reduces a triangle list by quadric edge collapse (Garland-Heckbert area-weighted plane quadrics, border edge
 * quadrics, attribute quadrics after Hoppe), meshoptimizer-style vertex classes and sorted collapse passes.
 *  indices_out:   index_count entries (the worst case); the result, every index < vertex_count: it refers to the
 *                 input vertices (compact them afterwards, pf_compact_vertices). May alias indices.
 *  indices:       index_count / 3 triangles, every index < vertex_count.
 *  positions:     vertex_count xyz triples, `stride` floats apart (>= 3).
 *  attributes:    optional (NULL, attribute_count 0): vertex_count rows of attribute_count floats (<= 32),
 *                 attribute_stride floats apart, each multiplied by attribute_weights[k] before it enters the
 *                 metric (UV weight 1: a UV error of 0.01 costs as much as 1% of the diagonal). Vertices sharing
 *                 a position with different attributes form seams, which collapse only along themselves; vertices
 *                 no triangle uses take no part. Exact duplicates are not merged here: weld them first (pf_weld
 *                 with tolerance 0 over every stream), or each point of an unindexed mesh reads as complex.
 *  target_index_count, target_error: stop at the first reached; target_error is relative to the bounding-box
 *                 diagonal (0.01 = 1%) unless PF_SIMPLIFY_ERROR_ABSOLUTE; FLT_MAX for no limit.
 *  options:       PF_SIMPLIFY_* flags.
 *  vertex_lock:   optional, vertex_count flags; a non-zero vertex never moves or goes (e.g. material borders).
 *  positions_out: optional, vertex_count xyz triples (stride 3). When given, interior collapses place the vertex
 *                 at the combined quadric's minimum (3x3 solve, falling back to endpoints or midpoint), and every
 *                 vertex's final position is written here (unmoved vertices copied). When NULL, collapses keep
 *                 an endpoint and input positions stay valid.
 *  attributes_out: optional, vertex_count rows of attribute_count floats (packed): moved vertices get the
 *                 attributes that minimise the attribute quadric; the others are copied.
 *  result:        optional; what was achieved and why it stopped.
 * Vertex classes: interior (collapses anywhere), open border and seam (only along their own edge loop), complex
 * (non-manifold, more than two attribute sets on a point: never collapse) and locked. Collapses that flip or
 * fold a triangle (over ~85 degrees) or would pinch two fans into a non-manifold edge are rejected.
 * Memory: about 120 bytes per triangle for positions only (a closed mesh, two triangles per vertex), plus
 * 44 + 10 per attribute float per triangle with attributes, plus 256 KB per thread; allocated once per call,
 * nothing per collapse.
 * Threads (OpenMP): the mesh is cut into spatial cells that rank and collapse in parallel; the cells depend on the
 * mesh only, so the output is identical for every thread count. The output's triangles come in spatial order, not
 * the input's. Returns the new index count (0 for invalid arguments, result->stop_reason =
 * PF_SIMPLIFY_STOP_INVALID). */
size_t pf_simplify(uint32_t *indices_out, const uint32_t *indices, size_t index_count, const float *positions,
                   size_t vertex_count, size_t stride, const float *attributes, size_t attribute_stride,
                   const float *attribute_weights, size_t attribute_count, size_t target_index_count, float target_error,
                   unsigned int options, const unsigned char *vertex_lock, float *positions_out, float *attributes_out,
                   pf_simplify_result *result);

/* One progressive simplification snapshotted at several targets: a LOD chain for the cost of its deepest level.
 * target_index_counts holds level_count non-increasing targets; level L is written to
 * indices_out[L * index_count ...] (capacity level_count * index_count), with positions_out / attributes_out
 * (optional, as pf_simplify) at [L * vertex_count * 3] / [L * vertex_count * attribute_count], and results[L].
 * Levels the collapse could not reach get the final state and its stop reason. indices_out may be NULL to learn
 * only the error each level would cost (results), e.g. to share a triangle budget between meshes by error; such a
 * query places vertices as a run with positions_out would (unless PF_SIMPLIFY_ENDPOINTS_ONLY).
 * vertex_maps_out: optional, level_count * vertex_count entries: for level L, the vertex each input vertex has
 * merged into by then (itself while it lives), so engines can geomorph a vertex of one level towards its parent
 * in the next.
 * Other arguments as pf_simplify.
 * Returns the last level's index count, or (size_t)-1 for invalid arguments / out of memory. */
size_t pf_simplify_lod(uint32_t *indices_out, const uint32_t *indices, size_t index_count, const float *positions,
                       size_t vertex_count, size_t stride, const float *attributes, size_t attribute_stride,
                       const float *attribute_weights, size_t attribute_count, const size_t *target_index_counts,
                       size_t level_count, float target_error, unsigned int options, const unsigned char *vertex_lock,
                       float *positions_out, float *attributes_out, uint32_t *vertex_maps_out, pf_simplify_result *results);

/* Symmetric surface distance between two triangle meshes; see pf_surface_distance. Distances are in model units. */
typedef struct pf_surface_distance_result {
    double max_ab, mean_ab;   /* from samples on A to the nearest point of surface B */
    double max_ba, mean_ba;   /* from samples on B to surface A */
    double max, mean;         /* symmetric Hausdorff distance, and the mean over both sample sets */
    double diagonal;          /* A's bounding-box diagonal, to make the figures relative */
    size_t samples_a, samples_b;
} pf_surface_distance_result;

/* Measures how far two surfaces are apart (Hausdorff, sampled both ways). Each surface's samples are its
 * referenced vertices plus samples_per_surface points spread by area (stratified, deterministic low-discrepancy
 * barycentrics); each sample's nearest point on the other surface comes from a bounding-volume hierarchy.
 *  positions_*: xyz triples (stride 3); indices_*: index_count / 3 triangles, every index < vertex_count.
 * Triangles with a non-finite corner are ignored. A distance below 4 float32 epsilons of the largest coordinate is
 * rounding of the sample points and counts as 0, so a surface against itself measures exactly 0. Memory: about 120 bytes per triangle plus 20 per sample.
 * Parallel (OpenMP); results are identical for every thread count. Returns 0, or -1 on a bad argument (an
 * empty mesh, an out-of-range index) or when out of memory. */
int pf_surface_distance(const float *positions_a, size_t vertex_count_a, const uint32_t *indices_a, size_t index_count_a,
                        const float *positions_b, size_t vertex_count_b, const uint32_t *indices_b, size_t index_count_b,
                        size_t samples_per_surface, pf_surface_distance_result *out);

/* How far the attributes of surface B (UVs: how far its texture has slid) stray from surface A's at the same
 * places; see pf_attribute_distance. */
typedef struct pf_attribute_distance_result {
    double max, mean;   /* attribute distance (Euclidean over the attribute's components, e.g. UV units) */
    double p95;         /* 95% of the samples are within this (the max is set by seams, which simplification
                         * straightens: a thin band beside them changes chart) */
    size_t samples;
} pf_attribute_distance_result;

/* Samples surface B (its referenced vertices and samples_per_surface area-stratified points, as
 * pf_surface_distance), takes each sample's attributes as interpolated on B, and compares them with A's attributes
 * interpolated at the nearest points of A: every triangle of A within twice the nearest distance (plus 1e-6 of A's
 * diagonal) counts, and the closest attributes among them. So a seam (two UV charts meeting on one edge) is not a
 * slide, nor is a point that the simplification moved off the surface by d and that lies within d of its texel.
 *  positions_*: xyz triples (stride 3); indices_*: index_count / 3 triangles, every index < vertex_count.
 *  attributes_*: vertex_count rows of attribute_count floats (packed), e.g. TEXCOORD_0 with attribute_count 2.
 * Parallel (OpenMP); results are identical for every thread count. Returns 0, or -1 on a bad argument (an empty
 * mesh, an out-of-range index, attribute_count 0 or over 16) or when out of memory. */
int pf_attribute_distance(const float *positions_a, size_t vertex_count_a, const uint32_t *indices_a, size_t index_count_a,
                          const float *attributes_a, const float *positions_b, size_t vertex_count_b,
                          const uint32_t *indices_b, size_t index_count_b, const float *attributes_b, size_t attribute_count,
                          size_t samples_per_surface, pf_attribute_distance_result *out);

#ifdef __cplusplus
}
#endif
#endif /* POLYFORGE_CORE_H */
