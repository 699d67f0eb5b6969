import PolyforgeDraco

/// A triangle mesh decoded from a KHR_draco_mesh_compression bufferView.
public struct DracoMesh: Sendable {
    /// Triangle list, 3 indices per face; every index is < `vertexCount`.
    public var indices: [UInt32]
    /// Number of Draco points, i.e. glTF vertices; every stream holds `vertexCount * components` floats.
    public var vertexCount: Int
    /// Decoded attributes keyed by the glTF semantic the caller asked for (`POSITION`, `NORMAL`, `TEXCOORD_0`, …).
    public var streams: [String: (components: Int, data: [Float])]

    public init(indices: [UInt32], vertexCount: Int, streams: [String: (components: Int, data: [Float])]) {
        self.indices = indices
        self.vertexCount = vertexCount
        self.streams = streams
    }
}

/// The one place that calls the PolyforgeDraco C API.
public enum DracoDecoder {
    /// Decodes Draco-compressed geometry.
    /// - Parameters:
    ///   - bytes: the extension's `bufferView` contents.
    ///   - attributes: the extension's `attributes` map — glTF semantic, Draco unique id — with `normalized`
    ///     from the glTF accessor: integer data Draco does not mark as normalized is then mapped to 0…1 / -1…1 here.
    ///   - fileName, path: put into the `FormatError` so the message names the file and the JSON place.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        attributes: [(name: String, uniqueID: Int, normalized: Bool)],
        fileName: String = "<draco>",
        path: String = "extensions.KHR_draco_mesh_compression"
    ) throws(FormatError) -> DracoMesh {
        func fail(_ reason: String, _ at: String = path) -> FormatError { FormatError(file: fileName, .jsonPath(at), reason) }

        guard let base = bytes.baseAddress, bytes.count > 0 else { throw fail("the Draco bufferView is empty") }
        var message = [CChar](repeating: 0, count: 256)
        let handle = message.withUnsafeMutableBufferPointer { pf_draco_decode(base, bytes.count, $0.baseAddress, $0.count) }
        guard let handle else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw fail(reason.isEmpty ? "Draco decoding failed" : reason)
        }
        defer { pf_draco_free(handle) }

        let faceCount = Int(pf_draco_face_count(handle))
        let pointCount = Int(pf_draco_point_count(handle))
        var indices = [UInt32](repeating: 0, count: faceCount * 3)
        let indexStatus = indices.withUnsafeMutableBufferPointer { pf_draco_copy_indices(handle, $0.baseAddress, $0.count) }
        switch indexStatus {
        case 0: break
        case -2: throw fail("the Draco mesh has a triangle index outside its \(pointCount) points")
        default: throw fail("the Draco mesh's index buffer could not be read")
        }

        var streams: [String: (components: Int, data: [Float])] = [:]
        for attribute in attributes {
            let at = "\(path).attributes.\(attribute.name)"
            guard let id = UInt32(exactly: attribute.uniqueID) else {
                throw fail("Draco attribute id \(attribute.uniqueID) is not a valid unique id", at)
            }
            var info = pf_draco_attribute_info()
            guard pf_draco_get_attribute_info(handle, id, &info) == 0 else {
                throw fail("the Draco stream has no attribute with unique id \(id)", at)
            }
            let components = Int(info.components)
            guard (1...16).contains(components) else {
                throw fail("Draco attribute \(id) has \(components) components", at)
            }
            var data = [Float](repeating: 0, count: pointCount * components)
            let status = data.withUnsafeMutableBufferPointer { pf_draco_copy_attribute_floats(handle, id, $0.baseAddress, $0.count) }
            guard status == 0 else {
                throw fail("Draco attribute \(id) could not be read (its values or point mapping are corrupt)", at)
            }
            if attribute.normalized, info.normalized == 0, let scale = normalizationScale(info.data_type) {
                let signed = isSigned(info.data_type)
                for i in data.indices {
                    let v = data[i] / scale
                    data[i] = signed ? max(v, -1) : v
                }
            }
            streams[attribute.name] = (components, data)
        }
        return DracoMesh(indices: indices, vertexCount: pointCount, streams: streams)
    }

    /// The integer maximum that glTF divides by for a normalized accessor; nil for float and 32/64-bit types,
    /// which glTF never normalizes.
    private static func normalizationScale(_ type: pf_draco_data_type) -> Float? {
        switch type {
        case PF_DRACO_INT8: return 127
        case PF_DRACO_UINT8: return 255
        case PF_DRACO_INT16: return 32767
        case PF_DRACO_UINT16: return 65535
        default: return nil
        }
    }

    private static func isSigned(_ type: pf_draco_data_type) -> Bool {
        type == PF_DRACO_INT8 || type == PF_DRACO_INT16
    }
}
