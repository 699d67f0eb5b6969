// Shim over draco::Decoder: decodes once, then answers size queries and copies into caller-owned buffers.
#include "polyforge_draco.h"

#include <draco/compression/decode.h>
#include <draco/core/decoder_buffer.h>
#include <draco/mesh/mesh.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

struct pf_draco_mesh {
    std::unique_ptr<draco::Mesh> mesh;
};

namespace {

void write_error(char *error, size_t error_size, const std::string &message) {
    if (error == nullptr || error_size == 0) return;
    size_t n = std::min(message.size(), error_size - 1);
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

bool is_signed_integer(draco::DataType t) {
    return t == draco::DT_INT8 || t == draco::DT_INT16 || t == draco::DT_INT32 || t == draco::DT_INT64;
}

const draco::PointAttribute *find_attribute(const pf_draco_mesh *mesh, uint32_t unique_id) {
    if (mesh == nullptr || !mesh->mesh) return nullptr;
    return mesh->mesh->GetAttributeByUniqueId(unique_id);
}

}  // namespace

extern "C" int pf_draco_version(void) { return 2; }

extern "C" pf_draco_mesh *pf_draco_decode(const void *data, size_t size, char *error, size_t error_size) {
    try {
        if (data == nullptr || size == 0) {
            write_error(error, error_size, "the Draco buffer is empty");
            return nullptr;
        }
        draco::DecoderBuffer buffer;
        buffer.Init(static_cast<const char *>(data), size);
        draco::Decoder decoder;
        auto type = draco::Decoder::GetEncodedGeometryType(&buffer);
        if (!type.ok()) {
            write_error(error, error_size, "not a Draco stream: " + type.status().error_msg_string());
            return nullptr;
        }
        if (type.value() != draco::TRIANGULAR_MESH) {
            write_error(error, error_size, "the Draco stream holds a point cloud, not a triangle mesh");
            return nullptr;
        }
        auto decoded = decoder.DecodeMeshFromBuffer(&buffer);
        if (!decoded.ok()) {
            write_error(error, error_size, "Draco decoding failed: " + decoded.status().error_msg_string());
            return nullptr;
        }
        std::unique_ptr<draco::Mesh> mesh = std::move(decoded).value();
        if (!mesh) {
            write_error(error, error_size, "Draco decoding produced no mesh");
            return nullptr;
        }
        auto *handle = new pf_draco_mesh;
        handle->mesh = std::move(mesh);
        return handle;
    } catch (const std::exception &e) {
        write_error(error, error_size, std::string("Draco decoding failed: ") + e.what());
    } catch (...) {
        write_error(error, error_size, "Draco decoding failed with an unknown C++ exception");
    }
    return nullptr;
}

extern "C" void pf_draco_free(pf_draco_mesh *mesh) { delete mesh; }

extern "C" uint32_t pf_draco_face_count(const pf_draco_mesh *mesh) {
    return (mesh && mesh->mesh) ? mesh->mesh->num_faces() : 0;
}

extern "C" uint32_t pf_draco_point_count(const pf_draco_mesh *mesh) {
    return (mesh && mesh->mesh) ? mesh->mesh->num_points() : 0;
}

extern "C" int pf_draco_copy_indices(const pf_draco_mesh *mesh, uint32_t *destination, size_t index_count) {
    if (mesh == nullptr || !mesh->mesh) return -1;
    const draco::Mesh &m = *mesh->mesh;
    const size_t faces = m.num_faces();
    if (index_count != faces * 3 || (index_count > 0 && destination == nullptr)) return -1;
    const uint32_t points = m.num_points();
    for (size_t f = 0; f < faces; ++f) {
        const draco::Mesh::Face &face = m.face(draco::FaceIndex(static_cast<uint32_t>(f)));
        for (int k = 0; k < 3; ++k) {
            const uint32_t index = face[k].value();
            if (index >= points) return -2;
            destination[f * 3 + k] = index;
        }
    }
    return 0;
}

extern "C" int pf_draco_get_attribute_info(const pf_draco_mesh *mesh, uint32_t unique_id, pf_draco_attribute_info *info) {
    const draco::PointAttribute *att = find_attribute(mesh, unique_id);
    if (att == nullptr || info == nullptr) return -1;
    info->components = att->num_components();
    info->data_type = static_cast<pf_draco_data_type>(att->data_type());
    info->normalized = att->normalized() ? 1 : 0;
    return 0;
}

extern "C" int pf_draco_copy_attribute_floats(const pf_draco_mesh *mesh, uint32_t unique_id, float *destination,
                                              size_t float_count) {
    try {
        const draco::PointAttribute *att = find_attribute(mesh, unique_id);
        if (att == nullptr) return -1;
        const uint32_t points = mesh->mesh->num_points();
        const int components = att->num_components();
        if (components <= 0 || components > std::numeric_limits<int8_t>::max()) return -3;
        if (float_count != static_cast<size_t>(points) * static_cast<size_t>(components)) return -2;
        if (float_count > 0 && destination == nullptr) return -2;
        // ConvertValue checks the end of the storage but not the mapping itself; check both ends here.
        if (att->is_mapping_identity() ? att->size() < points : att->indices_map_size() < points) return -3;
        const bool clamp_signed = att->normalized() && is_signed_integer(att->data_type());
        for (uint32_t p = 0; p < points; ++p) {
            const draco::AttributeValueIndex value = att->mapped_index(draco::PointIndex(p));
            if (value.value() >= att->size()) return -3;
            float *out = destination + static_cast<size_t>(p) * components;
            if (!att->ConvertValue<float>(value, static_cast<int8_t>(components), out)) return -4;
            if (clamp_signed) {
                for (int c = 0; c < components; ++c) out[c] = std::max(out[c], -1.0f);
            }
        }
        return 0;
    } catch (...) {
        return -3;
    }
}
