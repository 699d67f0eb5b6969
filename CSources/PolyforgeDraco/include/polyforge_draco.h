/* polyforge_draco.h - KHR_draco_mesh_compression decoding through Debian's libdraco (1.5.x).
 *
 * A small C API over draco::Decoder so Swift never sees C++. Nothing here throws or aborts: every
 * C++ exception (including std::bad_alloc) is caught inside the shim and reported as a failure.
 * Functions are thread-safe as long as a given mesh handle is not freed while another thread uses it;
 * reading one handle from several threads at once is fine (all accessors are const).
 */
#ifndef POLYFORGE_DRACO_H
#define POLYFORGE_DRACO_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* A decoded Draco triangle mesh. Opaque; create with pf_draco_decode, release with pf_draco_free. */
typedef struct pf_draco_mesh pf_draco_mesh;

/* Component storage type of a decoded attribute; same numbering as draco::DataType. */
typedef enum pf_draco_data_type {
    PF_DRACO_INVALID = 0,
    PF_DRACO_INT8 = 1,
    PF_DRACO_UINT8 = 2,
    PF_DRACO_INT16 = 3,
    PF_DRACO_UINT16 = 4,
    PF_DRACO_INT32 = 5,
    PF_DRACO_UINT32 = 6,
    PF_DRACO_INT64 = 7,
    PF_DRACO_UINT64 = 8,
    PF_DRACO_FLOAT32 = 9,
    PF_DRACO_FLOAT64 = 10,
    PF_DRACO_BOOL = 11,
} pf_draco_data_type;

/* What pf_draco_get_attribute_info reports about one attribute. */
typedef struct pf_draco_attribute_info {
    /* Values per point (1..4 for glTF attributes). */
    int32_t components;
    /* Storage type after decoding. Quantized attributes are dequantized by the decoder, so they report FLOAT32. */
    pf_draco_data_type data_type;
    /* 1 when Draco marks an integer attribute as normalized; pf_draco_copy_attribute_floats then maps it
     * to 0..1 (unsigned) or -1..1 (signed). 0 otherwise: integers are copied as plain numbers. */
    int32_t normalized;
} pf_draco_attribute_info;

/* Returns the version of this C API (2). */
int pf_draco_version(void);

/* Decodes a Draco-compressed triangle mesh (the bytes of a KHR_draco_mesh_compression bufferView).
 * data/size: the compressed bytes; read only during the call (the handle keeps no pointer into them).
 * error/error_size: optional (error may be NULL); on failure receives a NUL-terminated sentence,
 * truncated to error_size - 1 bytes.
 * Returns a new handle, or NULL on failure (bad header, point cloud instead of mesh, corrupt data, out of memory). */
pf_draco_mesh *pf_draco_decode(const void *data, size_t size, char *error, size_t error_size);

/* Releases a handle from pf_draco_decode. NULL is allowed. */
void pf_draco_free(pf_draco_mesh *mesh);

/* Number of triangles. The index buffer holds 3 * face count indices. */
uint32_t pf_draco_face_count(const pf_draco_mesh *mesh);

/* Number of points (glTF vertices). Every attribute has one value per point. */
uint32_t pf_draco_point_count(const pf_draco_mesh *mesh);

/* Copies the triangle list: 3 point indices per face, faces in Draco order.
 * destination must hold index_count uint32 values, and index_count must equal 3 * pf_draco_face_count.
 * Returns 0 on success; -1 if index_count is wrong; -2 if an index is >= pf_draco_point_count
 * (destination is then partially written and must be discarded). */
int pf_draco_copy_indices(const pf_draco_mesh *mesh, uint32_t *destination, size_t index_count);

/* Looks up the attribute whose Draco unique id is unique_id (the number in the glTF extension's
 * "attributes" map) and fills *info. Returns 0 on success, -1 if the mesh has no such attribute. */
int pf_draco_get_attribute_info(const pf_draco_mesh *mesh, uint32_t unique_id, pf_draco_attribute_info *info);

/* Copies the attribute with Draco unique id unique_id for all points, as floats:
 * point i's components land at destination[i * components ... i * components + components - 1].
 * Quantized attributes come out dequantized; normalized integer attributes come out in 0..1 / -1..1
 * (signed values clamped to -1 as glTF requires); other integers come out as their plain value.
 * destination must hold float_count floats, and float_count must equal point count * components.
 * Returns 0 on success; -1 if there is no such attribute; -2 if float_count is wrong;
 * -3 if the attribute's point-to-value mapping or storage is inconsistent (corrupt data);
 * -4 if a value cannot be converted to float. On failure destination is partially written. */
int pf_draco_copy_attribute_floats(const pf_draco_mesh *mesh, uint32_t unique_id, float *destination, size_t float_count);

#ifdef __cplusplus
}
#endif
#endif
