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

/* Sets the thread count for later OpenMP regions; n <= 0 restores the default (all cores).
 * Also makes idle OpenMP workers sleep at once instead of spinning for 200 ms, which on a 2-core machine
 * would steal time from Swift's own threads. */
void pf_set_thread_count(int n);

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
 * Returns the number of distinct vertices (those with remap[i] == i). Single-threaded; deterministic. */
size_t pf_weld(const float *positions, size_t vertex_count, size_t position_stride, float tolerance,
               const float *attributes, size_t attribute_count, size_t attribute_stride, float attribute_tolerance,
               uint32_t *remap);

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
 * Memory: about 110 bytes per triangle of scratch, allocated and freed inside. Returns 0 on success, -1 when out
 * of memory. Deterministic. */
int pf_analyze_topology(const uint32_t *indices, size_t index_count, size_t vertex_count, const float *positions,
                        pf_topology *out, uint32_t *face_component);


/* ---- raster ----------------------------------------------------------------------------------------- */

/* Software rasterizer for thumbnails (raster.c). One call draws one indexed triangle list, already in world
 * space, into an RGBA8 image through a view-projection matrix. Coverage uses 2x2 ordered supersampling
 * (4 samples per pixel, watertight: a sample on an edge shared by two triangles is covered exactly once);
 * each pixel is shaded once per distinct triangle among its samples, then the samples are box-filtered.
 * The image is cut into 32x32-pixel tiles that are drawn in parallel (OpenMP, dynamic schedule); each
 * pixel belongs to one tile and triangles are drawn in submission order within a tile, so the output is
 * bit-identical for any thread count. Depth test is "nearer than", so of two coplanar triangles the first
 * submitted wins. */

/* pf_raster_options.flags */
enum {
    PF_RASTER_WIREFRAME = 1,  /* draw triangle edges over the shaded surface in wireframe_color */
    PF_RASTER_UV_CHECKER = 2, /* replace every base color by an 8x8-per-UV-unit checker of TEXCOORD_0 */
    PF_RASTER_UNLIT = 4       /* every material unlit: base color only, no light */
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
 * (clockwise on screen) are culled. unlit != 0 shades with base color only (KHR_materials_unlit). */
typedef struct pf_raster_material {
    float base_color[4];
    int32_t texture;
    float uv_transform[6];
    int32_t double_sided;
    int32_t unlit;
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
    /* World-space eye position (shading and wireframe use it; for orthographic, any point far behind the view). */
    float eye[3];
    /* World-space unit direction towards the key light. The hemisphere ambient uses +Y as sky. */
    float light_direction[3];
    /* sRGB RGBA of the background, 0..1; alpha 0 gives a transparent background. */
    float background[4];
    /* sRGB RGBA of wireframe lines (PF_RASTER_WIREFRAME), and their width in output pixels. */
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
 * Allocates one scratch arena per call (binning lists and per-thread tile buffers, about 8 bytes per
 * triangle plus 40 KB per thread) and frees it before returning.
 * Returns the number of triangles drawn (in front, not culled, overlapping the image), or (size_t)-1 when an
 * argument is invalid (NULL required pointer, size out of range) or memory ran out; out_rgba is then untouched.
 * Thread-safe for distinct output buffers; the inputs are only read. */
size_t pf_raster_draw(const pf_raster_mesh *mesh, const pf_raster_options *options, uint8_t *out_rgba, float *out_depth);

#ifdef __cplusplus
}
#endif
#endif /* POLYFORGE_CORE_H */
