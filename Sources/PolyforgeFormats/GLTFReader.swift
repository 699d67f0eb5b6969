import PolyforgeCore
import PolyforgeMesh

/// Reads glTF 2.0 — binary (.glb) and JSON (.gltf with external or data-URI buffers and images) — into the scene model.
///
/// Every index, offset, stride and count is checked against the data it points into before anything is read,
/// so hostile files end in a `FormatError` naming the JSON path (or byte offset) and the reason.
public enum GLTFReader {
    /// Extensions whose objects we keep verbatim (they change nothing we decode) or decode ourselves.
    /// A file that *requires* anything else is refused: reading it without the extension would be wrong.
    public static let supportedExtensions: Set<String> = [
        "KHR_draco_mesh_compression", "EXT_meshopt_compression", "KHR_mesh_quantization", "KHR_texture_transform",
        "KHR_materials_emissive_strength", "KHR_materials_clearcoat", "KHR_materials_transmission", "KHR_materials_sheen",
        "KHR_materials_specular", "KHR_materials_ior", "KHR_materials_volume", "KHR_materials_iridescence",
        "KHR_materials_anisotropy", "KHR_materials_dispersion", "KHR_materials_unlit", "KHR_materials_variants",
        "KHR_materials_pbrSpecularGlossiness", "KHR_lights_punctual", "KHR_texture_basisu", "EXT_texture_webp",
        "EXT_texture_avif", "KHR_xmp_json_ld", "KHR_animation_pointer", "EXT_mesh_gpu_instancing", "MSFT_lod",
        "KHR_materials_diffuse_transmission", "EXT_lights_image_based", "KHR_node_visibility",
    ]

    /// Upper bound on elements of an accessor that has no buffer data behind it (zero-filled or sparse-only),
    /// so a forged count cannot make us allocate gigabytes.
    static let maximumUnbackedElements = 1 << 26

    /// `borrowing`: leave large tightly packed arrays in `bytes` and the buffers (see `BorrowedGeometry`); the caller
    /// keeps `bytes` alive as long as the result's `borrowed`.
    /// `minimumBorrowedBytes` lowers the size threshold (the fuzzer borrows everything it can).
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader,
                             borrowing: Bool = false, minimumBorrowedBytes: Int = GLTFReader.minimumBorrowedBytes) throws(FormatError) -> LoadedScene {
        var context = try Context(bytes: bytes, fileName: fileName, resources: resources)
        context.borrowing = borrowing
        context.minimumBorrowedBytes = minimumBorrowedBytes
        let scene = try context.readScene()
        var loaded = LoadedScene(scene: scene, format: context.isBinary ? .glb : .gltf, fileSize: bytes.count, sideFiles: context.sideFiles)
        if !context.borrowed.isEmpty { loaded.borrowed = BorrowedGeometry(entries: context.borrowed, owners: context.bufferOwners) }
        return loaded
    }

    /// Smallest array worth leaving in place when borrowing, in bytes.
    public static let minimumBorrowedBytes = 1 << 18

    struct AccessorInfo {
        var bufferView: Int?
        var byteOffset: Int
        var componentType: Int
        var normalized: Bool
        var count: Int
        var components: Int
        /// Bytes of one element including the column padding matrices of small types have.
        var elementSize: Int
        var sparse: JSONValue?
        var path: String
    }

    struct Context {
        let fileName: String
        let resources: ResourceLoader
        let json: JSONValue
        let isBinary: Bool
        /// GLB's BIN chunk, borrowed from the mapped file.
        let binaryChunk: UnsafeRawBufferPointer?
        var buffers: [UnsafeRawBufferPointer] = []
        /// Keeps external buffers alive while `buffers` points into them.
        var bufferOwners: [AnyObject] = []
        var decodedViews: [Int: ByteBox] = [:]
        /// Top-level arrays validated once (every element an object), looked up per accessor.
        var accessorList: [JSONValue] = []
        var viewList: [JSONValue] = []
        var sideFiles: [(reference: String, bytes: Int)] = []
        var warnings: [String] = []
        /// Leave large tight arrays in place (`GLTFReader.parse(borrowing:)`).
        var borrowing = false
        var minimumBorrowedBytes = GLTFReader.minimumBorrowedBytes
        var borrowed: [BorrowedGeometry.Entry] = []
        /// Borrowed arrays of the primitive being read, placed once it is kept.
        var pendingBorrows: [BorrowedGeometry.Entry] = []

        init(bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader) throws(FormatError) {
            self.fileName = fileName
            self.resources = resources
            var jsonBytes = bytes
            var jsonOffset = 0
            var binary: UnsafeRawBufferPointer? = nil
            if bytes.count >= 4, bytes[0] == 0x67, bytes[1] == 0x6C, bytes[2] == 0x54, bytes[3] == 0x46 {
                isBinary = true
                guard bytes.count >= 12 else { throw FormatError(file: fileName, .byteOffset(bytes.count), "truncated GLB header (\(bytes.count) of 12 bytes)") }
                let version = bytes.loadLE(4, as: UInt32.self)
                guard version == 2 else { throw FormatError(file: fileName, .byteOffset(4), "unsupported GLB version \(version) (only glTF 2.0 is read)") }
                let declared = Int(bytes.loadLE(8, as: UInt32.self))
                guard declared <= bytes.count else {
                    throw FormatError(file: fileName, .byteOffset(8), "GLB header declares \(declared) bytes but the file has \(bytes.count) (truncated)")
                }
                var offset = 12
                var json: UnsafeRawBufferPointer? = nil
                while offset < declared {
                    guard offset + 8 <= declared else { throw FormatError(file: fileName, .byteOffset(offset), "truncated GLB chunk header") }
                    let length = Int(bytes.loadLE(offset, as: UInt32.self))
                    let type = bytes.loadLE(offset + 4, as: UInt32.self)
                    guard length <= declared - offset - 8 else {
                        throw FormatError(file: fileName, .byteOffset(offset), "GLB chunk of \(length) bytes overruns the file (\(declared - offset - 8) bytes left)")
                    }
                    let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
                    if type == 0x4E4F_534A {
                        if json == nil { json = body; jsonOffset = offset + 8 }
                    } else if type == 0x004E_4942 {
                        guard json != nil else { throw FormatError(file: fileName, .byteOffset(offset), "GLB BIN chunk comes before the JSON chunk") }
                        if binary == nil { binary = body }
                    }
                    offset += 8 + length
                    offset = (offset + 3) & ~3
                }
                guard let json else { throw FormatError(file: fileName, .byteOffset(12), "GLB has no JSON chunk") }
                jsonBytes = json
            } else {
                isBinary = false
            }
            binaryChunk = binary
            do {
                json = try JSONParser.parse(jsonBytes)
            } catch {
                throw FormatError(file: fileName, .byteOffset(jsonOffset + error.offset), "invalid JSON: \(error.reason)")
            }
            guard json.objectValue != nil else { throw FormatError(file: fileName, .jsonPath("$"), "the glTF JSON is not an object") }
        }

        func fail(_ path: String, _ reason: String) -> FormatError { FormatError(file: fileName, .jsonPath(path), reason) }

        // MARK: JSON access with paths

        func array(_ key: String, in object: JSONValue, _ path: String) throws(FormatError) -> [JSONValue] {
            guard let v = object[key] else { return [] }
            guard let a = v.arrayValue else { throw fail(path + key, "expected an array") }
            return a
        }

        func int(_ key: String, in object: JSONValue, _ path: String) throws(FormatError) -> Int? {
            guard let v = object[key] else { return nil }
            guard let i = v.intValue else { throw fail(path + key, "expected an integer, found \(JSONWriter.string(v))") }
            return i
        }

        func index(_ key: String, in object: JSONValue, _ path: String, count: Int, what: String) throws(FormatError) -> Int? {
            guard let i = try int(key, in: object, path) else { return nil }
            guard i >= 0, i < count else { throw fail(path + key, "\(what) index \(i) is out of range (\(count) \(what)s)") }
            return i
        }

        func float(_ key: String, in object: JSONValue, _ path: String, default value: Float) throws(FormatError) -> Float {
            guard let v = object[key] else { return value }
            guard let d = v.doubleValue, d.isFinite else { throw fail(path + key, "expected a finite number") }
            return Float(d)
        }

        func floats(_ key: String, in object: JSONValue, _ path: String, count: Int) throws(FormatError) -> [Float]? {
            guard let v = object[key] else { return nil }
            guard let a = v.arrayValue, a.count == count else { throw fail(path + key, "expected an array of \(count) numbers") }
            var out: [Float] = []
            out.reserveCapacity(count)
            for (i, item) in a.enumerated() {
                guard let d = item.doubleValue, d.isFinite else { throw fail(path + key + "[\(i)]", "expected a finite number") }
                out.append(Float(d))
            }
            return out
        }

        func string(_ key: String, in object: JSONValue, _ path: String) throws(FormatError) -> String? {
            guard let v = object[key] else { return nil }
            guard let s = v.stringValue else { throw fail(path + key, "expected a string") }
            return s
        }

        func objects(_ key: String) throws(FormatError) -> [JSONValue] {
            let items = try array(key, in: json, "")
            for (i, item) in items.enumerated() where item.objectValue == nil {
                throw fail("\(key)[\(i)]", "expected an object")
            }
            return items
        }

        // MARK: Scene

        mutating func readScene() throws(FormatError) -> Scene {
            var scene = Scene()
            guard let asset = json["asset"] else { throw fail("asset", "missing required 'asset' object") }
            guard let version = try string("version", in: asset, "asset."), version.hasPrefix("2.") else {
                throw fail("asset.version", "unsupported or missing glTF version (only 2.x is read)")
            }
            scene.generator = try string("generator", in: asset, "asset.")
            scene.copyright = try string("copyright", in: asset, "asset.")

            for (i, e) in try array("extensionsUsed", in: json, "").enumerated() {
                guard let s = e.stringValue else { throw fail("extensionsUsed[\(i)]", "expected a string") }
                scene.extensionsUsed.append(s)
            }
            for (i, e) in try array("extensionsRequired", in: json, "").enumerated() {
                guard let s = e.stringValue else { throw fail("extensionsRequired[\(i)]", "expected a string") }
                guard GLTFReader.supportedExtensions.contains(s) else {
                    throw fail("extensionsRequired[\(i)]", "required extension '\(s)' is not supported")
                }
                scene.extensionsRequired.append(s)
            }
            scene.extensions = json["extensions"]
            scene.extras = json["extras"]

            accessorList = try objects("accessors")
            viewList = try objects("bufferViews")
            try loadBuffers()
            let nodeCount = try objects("nodes").count
            scene.samplers = try readSamplers()
            scene.images = try readImages()
            scene.textures = try readTextures(imageCount: scene.images.count, samplerCount: scene.samplers.count)
            scene.materials = try readMaterials(textureCount: scene.textures.count)
            scene.meshes = try readMeshes(materialCount: scene.materials.count)
            scene.cameras = try objects("cameras")
            scene.skins = try readSkins(nodeCount: nodeCount)
            scene.nodes = try readNodes(meshCount: scene.meshes.count, skinCount: scene.skins.count, cameraCount: scene.cameras.count)
            scene.rootNodes = try readRootNodes(nodeCount: nodeCount, nodes: scene.nodes)
            scene.animations = try readAnimations(nodeCount: nodeCount)
            scene.warnings = warnings
            return scene
        }

        // MARK: Buffers and views

        mutating func loadBuffers() throws(FormatError) {
            let list = try objects("buffers")
            for (i, buffer) in list.enumerated() {
                let path = "buffers[\(i)]."
                guard let length = try int("byteLength", in: buffer, path), length >= 0 else {
                    throw fail(path + "byteLength", "missing or negative byteLength")
                }
                if let uri = try string("uri", in: buffer, path) {
                    if uri.hasPrefix("data:") {
                        let data = try decodeDataURI(uri, path + "uri")
                        guard data.count >= length else { throw fail(path + "byteLength", "declares \(length) bytes but the data URI holds \(data.count)") }
                        let owner = ByteBox(data)
                        bufferOwners.append(owner)
                        buffers.append(owner.bytes)
                    } else {
                        guard let resolved = resources.resolve(uri) else { throw fail(path + "uri", "external buffer '\(uri)' cannot be loaded without a folder") }
                        guard FileSystem.exists(resolved) else { throw fail(path + "uri", "missing external buffer '\(uri)' (looked for \(resolved))") }
                        let file: MappedFile
                        do { file = try MappedFile(path: resolved) } catch { throw fail(path + "uri", "cannot read '\(uri)': \(error.reason)") }
                        guard file.count >= length else {
                            throw fail(path + "byteLength", "declares \(length) bytes but '\(uri)' has \(file.count) (truncated)")
                        }
                        bufferOwners.append(file)
                        buffers.append(file.bytes)
                        sideFiles.append((uri, file.count))
                    }
                } else if i == 0, let binaryChunk {
                    guard binaryChunk.count >= length else {
                        throw fail(path + "byteLength", "declares \(length) bytes but the GLB BIN chunk holds \(binaryChunk.count) (truncated)")
                    }
                    buffers.append(binaryChunk)
                } else if buffer["extensions"]?["EXT_meshopt_compression"]?["fallback"]?.boolValue == true {
                    // A meshopt fallback buffer has no data: every view into it must be decoded from a compressed view.
                    buffers.append(UnsafeRawBufferPointer(start: nil, count: 0))
                } else {
                    throw fail(path + "uri", "buffer has no uri and no GLB BIN chunk to refer to")
                }
            }
        }

        func decodeDataURI(_ uri: String, _ path: String) throws(FormatError) -> [UInt8] {
            guard let comma = uri.firstIndex(of: ",") else { throw fail(path, "malformed data URI (no comma)") }
            let header = uri[..<comma]
            let payload = uri.utf8[uri.utf8.index(after: comma.samePosition(in: uri.utf8)!)...]
            if header.hasSuffix(";base64") {
                guard let data = Base64.decode(payload) else { throw fail(path, "malformed base64 in data URI") }
                return data
            }
            return Array(ResourceLoader.percentDecoded(String(decoding: payload, as: UTF8.self)).utf8)
        }

        /// The bytes of a buffer view, decoding EXT_meshopt_compression views on first use.
        mutating func viewBytes(_ viewIndex: Int, _ path: String) throws(FormatError) -> (bytes: UnsafeRawBufferPointer, stride: Int?) {
            let views = viewList
            guard viewIndex >= 0, viewIndex < views.count else { throw fail(path, "bufferView index \(viewIndex) is out of range (\(views.count) bufferViews)") }
            let view = views[viewIndex]
            let vpath = "bufferViews[\(viewIndex)]."
            let stride = try int("byteStride", in: view, vpath)
            if let stride, stride < 4 || stride > 252 || stride % 4 != 0 {
                throw fail(vpath + "byteStride", "byteStride \(stride) must be a multiple of 4 between 4 and 252")
            }
            if let meshopt = view["extensions"]?["EXT_meshopt_compression"] {
                if decodedViews[viewIndex] == nil {
                    decodedViews[viewIndex] = ByteBox(try decodeMeshoptView(meshopt, vpath + "extensions.EXT_meshopt_compression."))
                }
                return (decodedViews[viewIndex]!.bytes, stride)
            }
            let raw = try rawRange(view, vpath)
            return (raw, stride)
        }

        func rawRange(_ object: JSONValue, _ path: String) throws(FormatError) -> UnsafeRawBufferPointer {
            guard let b = try index("buffer", in: object, path, count: buffers.count, what: "buffer") else { throw fail(path + "buffer", "missing buffer index") }
            let offset = try int("byteOffset", in: object, path) ?? 0
            guard let length = try int("byteLength", in: object, path) else { throw fail(path + "byteLength", "missing byteLength") }
            let buffer = buffers[b]
            guard offset >= 0, length >= 0, offset <= buffer.count, length <= buffer.count - offset else {
                throw fail(path + "byteLength", "range \(offset)..<\(offset + length) overruns buffer \(b) of \(buffer.count) bytes")
            }
            return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
        }

        func decodeMeshoptView(_ ext: JSONValue, _ path: String) throws(FormatError) -> [UInt8] {
            let source = try rawRange(ext, path)
            guard let count = try int("count", in: ext, path), count >= 0 else { throw fail(path + "count", "missing count") }
            guard let stride = try int("byteStride", in: ext, path), stride > 0 else { throw fail(path + "byteStride", "missing byteStride") }
            let mode = try string("mode", in: ext, path) ?? ""
            let filter = try string("filter", in: ext, path) ?? "NONE"
            guard count <= 1 << 28, stride <= 256 else { throw fail(path + "count", "count \(count) × byteStride \(stride) is implausibly large") }
            return try MeshoptCodec.decode(source, count: count, byteStride: stride, mode: mode, filter: filter,
                                           fileName: fileName, path: String(path.dropLast()))
        }

        // MARK: Accessors

        func accessorInfo(_ index: Int, _ refPath: String) throws(FormatError) -> AccessorInfo {
            let accessors = accessorList
            guard index >= 0, index < accessors.count else { throw fail(refPath, "accessor index \(index) is out of range (\(accessors.count) accessors)") }
            let a = accessors[index]
            let path = "accessors[\(index)]."
            guard let componentType = try int("componentType", in: a, path) else { throw fail(path + "componentType", "missing componentType") }
            let componentSize: Int
            switch componentType {
            case 5120, 5121: componentSize = 1
            case 5122, 5123: componentSize = 2
            case 5125, 5126: componentSize = 4
            default: throw fail(path + "componentType", "unknown componentType \(componentType)")
            }
            guard let count = try int("count", in: a, path), count >= 0 else { throw fail(path + "count", "missing or negative count") }
            guard let type = try string("type", in: a, path) else { throw fail(path + "type", "missing type") }
            let components: Int
            var elementSize: Int
            switch type {
            case "SCALAR": components = 1; elementSize = componentSize
            case "VEC2": components = 2; elementSize = 2 * componentSize
            case "VEC3": components = 3; elementSize = 3 * componentSize
            case "VEC4": components = 4; elementSize = 4 * componentSize
            case "MAT2": components = 4; elementSize = componentSize == 1 ? 8 : 4 * componentSize
            case "MAT3": components = 9; elementSize = componentSize == 4 ? 36 : 12 * componentSize
            case "MAT4": components = 16; elementSize = 16 * componentSize
            default: throw fail(path + "type", "unknown accessor type '\(type)'")
            }
            let bufferView = try int("bufferView", in: a, path)
            let byteOffset = try int("byteOffset", in: a, path) ?? 0
            guard byteOffset >= 0 else { throw fail(path + "byteOffset", "negative byteOffset") }
            return AccessorInfo(bufferView: bufferView, byteOffset: byteOffset, componentType: componentType,
                                normalized: a["normalized"]?.boolValue ?? false, count: count, components: components,
                                elementSize: elementSize, sparse: a["sparse"], path: "accessors[\(index)]")
        }

        /// Reads an accessor as floats (`components` per element), dequantizing normalized integers.
        mutating func readFloats(_ index: Int, _ refPath: String) throws(FormatError) -> (components: Int, data: [Float]) {
            let info = try accessorInfo(index, refPath)
            var out: [Float]
            if let view = info.bufferView {
                let (bytes, stride) = try viewBytes(view, info.path + ".bufferView")
                out = try decodeElements(bytes, stride: stride, info: info)
            } else {
                guard info.count * info.components <= GLTFReader.maximumUnbackedElements else {
                    throw fail(info.path + ".count", "count \(info.count) without a bufferView is implausibly large")
                }
                out = [Float](repeating: 0, count: info.count * info.components)
            }
            if let sparse = info.sparse { try applySparse(sparse, to: &out, info: info) }
            return (info.components, out)
        }

        func decodeElements(_ bytes: UnsafeRawBufferPointer, stride: Int?, info: AccessorInfo, byteOffset: Int? = nil) throws(FormatError) -> [Float] {
            let offset = byteOffset ?? info.byteOffset
            let stride = stride ?? info.elementSize
            let count = info.count
            let componentSize = info.componentType == 5126 || info.componentType == 5125 ? 4 : (info.componentType >= 5122 ? 2 : 1)
            if count == 0 { return [] }
            guard stride >= info.elementSize || byteOffset != nil else {
                throw fail(info.path + ".bufferView", "byteStride \(stride) is smaller than the element size \(info.elementSize)")
            }
            let needed = offset + stride * (count - 1) + info.elementSize
            guard offset <= bytes.count, needed <= bytes.count, needed > 0 else {
                throw fail(info.path + ".count", "\(count) elements from byte \(offset) need \(needed) bytes but the bufferView has \(bytes.count)")
            }
            let comps = info.components
            // Matrices of 1- and 2-byte components pad each column to 4 bytes.
            let rows = comps == 4 && info.elementSize == 8 ? 2 : (comps == 9 && componentSize < 4 ? 3 : comps)
            let columnStride = comps == 9 && componentSize < 4 ? 4 : (comps == 4 && info.elementSize == 8 ? 4 : rows * componentSize)
            let columns = comps / rows
            if info.componentType == 5126, stride == comps * 4, rows == comps {
                // Tightly packed floats: one copy, into memory not zeroed first.
                return [Float](unsafeUninitializedCapacity: count * comps) { dst, initialized in
                    pf_copy(dst.baseAddress, bytes.baseAddress!.advanced(by: offset), count * comps * 4)
                    initialized = count * comps
                }
            }
            var out = [Float](repeating: 0, count: count * comps)
            out.withUnsafeMutableBufferPointer { dst in
                let normalized = info.normalized
                var o = 0
                for e in 0..<count {
                    let base = offset + e * stride
                    for c in 0..<columns {
                        let colBase = base + c * columnStride
                        for r in 0..<rows {
                            let at = colBase + r * componentSize
                            let v: Float
                            switch info.componentType {
                            case 5126: v = bytes.loadFloatLE(at)
                            case 5121: let x = Float(bytes[at]); v = normalized ? x / 255 : x
                            case 5120: let x = Float(Int8(bitPattern: bytes[at])); v = normalized ? max(x / 127, -1) : x
                            case 5123: let x = Float(bytes.loadLE(at, as: UInt16.self)); v = normalized ? x / 65535 : x
                            case 5122: let x = Float(bytes.loadLE(at, as: Int16.self)); v = normalized ? max(x / 32767, -1) : x
                            default: v = Float(bytes.loadLE(at, as: UInt32.self))
                            }
                            dst[o] = v
                            o += 1
                        }
                    }
                }
            }
            return out
        }

        mutating func applySparse(_ sparse: JSONValue, to out: inout [Float], info: AccessorInfo) throws(FormatError) {
            let path = info.path + ".sparse."
            guard let count = try int("count", in: sparse, path), count >= 1, count <= info.count else {
                throw fail(path + "count", "sparse count must be between 1 and the accessor count \(info.count)")
            }
            guard let indicesObject = sparse["indices"], let valuesObject = sparse["values"] else {
                throw fail(path.isEmpty ? path : String(path.dropLast()), "sparse accessor needs 'indices' and 'values'")
            }
            guard let iv = try int("bufferView", in: indicesObject, path + "indices.") else { throw fail(path + "indices.bufferView", "missing bufferView") }
            guard let componentType = try int("componentType", in: indicesObject, path + "indices."), [5121, 5123, 5125].contains(componentType) else {
                throw fail(path + "indices.componentType", "sparse indices must be UNSIGNED_BYTE, UNSIGNED_SHORT or UNSIGNED_INT")
            }
            let (ib, _) = try viewBytes(iv, path + "indices.bufferView")
            let indexInfo = AccessorInfo(bufferView: iv, byteOffset: try int("byteOffset", in: indicesObject, path + "indices.") ?? 0,
                                         componentType: componentType, normalized: false, count: count, components: 1,
                                         elementSize: componentType == 5125 ? 4 : (componentType == 5123 ? 2 : 1), sparse: nil, path: path + "indices")
            let targets = try decodeElements(ib, stride: nil, info: indexInfo)
            guard let vv = try int("bufferView", in: valuesObject, path + "values.") else { throw fail(path + "values.bufferView", "missing bufferView") }
            let (vb, _) = try viewBytes(vv, path + "values.bufferView")
            var valueInfo = info
            valueInfo.count = count
            valueInfo.byteOffset = try int("byteOffset", in: valuesObject, path + "values.") ?? 0
            valueInfo.path = path + "values"
            let values = try decodeElements(vb, stride: nil, info: valueInfo)
            let comps = info.components
            for (k, t) in targets.enumerated() {
                let target = Int(t)
                guard target < info.count else { throw fail(path + "indices", "sparse index \(target) is out of range (count \(info.count))") }
                for c in 0..<comps { out[target * comps + c] = values[k * comps + c] }
            }
        }

        /// Where a tightly packed FLOAT accessor (or, for `indices`, an UNSIGNED_INT scalar one) lies in a buffer, when
        /// borrowing and it is large enough to be worth it; nil means read it as usual (which also reports any error).
        mutating func borrowable(_ index: Int, _ refPath: String, indices: Bool) throws(FormatError) -> (pointer: UnsafeRawPointer, count: Int, components: Int)? {
            guard borrowing else { return nil }
            let info = try accessorInfo(index, refPath)
            guard info.sparse == nil, let view = info.bufferView, info.count > 0, info.components <= 4,
                  info.count * info.components * 4 >= minimumBorrowedBytes,
                  indices ? (info.componentType == 5125 && info.components == 1) : (info.componentType == 5126 && info.elementSize == info.components * 4),
                  view >= 0, view < viewList.count, viewList[view]["extensions"]?["EXT_meshopt_compression"] == nil else { return nil }
            let (bytes, stride) = try viewBytes(view, info.path + ".bufferView")
            let length = info.count * info.components * 4
            guard stride == nil || stride == info.components * 4, let base = bytes.baseAddress,
                  info.byteOffset >= 0, info.byteOffset <= bytes.count, length <= bytes.count - info.byteOffset else { return nil }
            let pointer = UnsafeRawPointer(base + info.byteOffset)
            guard Int(bitPattern: pointer) % 4 == 0 else { return nil }
            return (pointer, info.count, info.components)
        }

        mutating func readIndices(_ index: Int, _ refPath: String) throws(FormatError) -> [UInt32] {
            let info = try accessorInfo(index, refPath)
            guard info.components == 1, [5121, 5123, 5125].contains(info.componentType) else {
                throw fail(info.path, "index accessor must be SCALAR of UNSIGNED_BYTE, UNSIGNED_SHORT or UNSIGNED_INT")
            }
            guard let view = info.bufferView else {
                guard info.sparse != nil else { throw fail(info.path + ".bufferView", "index accessor has no bufferView") }
                return try readFloats(index, refPath).data.map { UInt32($0) }
            }
            let (bytes, stride) = try viewBytes(view, info.path + ".bufferView")
            let size = info.elementSize
            let count = info.count
            let step = stride ?? size
            guard count == 0 || (info.byteOffset + step * (count - 1) + size <= bytes.count) else {
                throw fail(info.path + ".count", "\(count) indices from byte \(info.byteOffset) overrun the bufferView of \(bytes.count) bytes")
            }
            if info.sparse != nil { return try readFloats(index, refPath).data.map { UInt32($0) } }
            if step == size, size == 4 {
                return [UInt32](unsafeUninitializedCapacity: count) { dst, initialized in
                    pf_copy(dst.baseAddress, bytes.baseAddress!.advanced(by: info.byteOffset), count * 4)
                    initialized = count
                }
            }
            var out = [UInt32](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer { dst in
                let src = bytes.baseAddress!.advanced(by: info.byteOffset)
                if step == size, size == 2, Int(bitPattern: src) % 2 == 0 {
                    pf_widen_indices_u16(dst.baseAddress, src.assumingMemoryBound(to: UInt16.self), count)
                } else if step == size, size == 1 {
                    pf_widen_indices_u8(dst.baseAddress, src.assumingMemoryBound(to: UInt8.self), count)
                } else {
                    let r = UnsafeRawBufferPointer(start: src, count: bytes.count - info.byteOffset)
                    for i in 0..<count {
                        dst[i] = size == 4 ? r.loadLE(i * step, as: UInt32.self) : (size == 2 ? UInt32(r.loadLE(i * step, as: UInt16.self)) : UInt32(r[i * step]))
                    }
                }
            }
            return out
        }

        // MARK: Meshes

        mutating func readMeshes(materialCount: Int) throws(FormatError) -> [Mesh] {
            var meshes: [Mesh] = []
            for (m, meshJSON) in try objects("meshes").enumerated() {
                let path = "meshes[\(m)]."
                var mesh = Mesh(name: try string("name", in: meshJSON, path))
                mesh.weights = try numberList(meshJSON["weights"], path + "weights")
                mesh.extensions = meshJSON["extensions"]
                mesh.extras = meshJSON["extras"]
                let targetNames = meshJSON["extras"]?["targetNames"]?.arrayValue?.compactMap { $0.stringValue }
                let primitives = try array("primitives", in: meshJSON, path)
                for (p, primitiveJSON) in primitives.enumerated() {
                    let ppath = path + "primitives[\(p)]."
                    guard primitiveJSON.objectValue != nil else { throw fail(ppath, "expected an object") }
                    pendingBorrows = []
                    if var primitive = try readPrimitive(primitiveJSON, ppath, materialCount: materialCount) {
                        if let targetNames, targetNames.count == primitive.targets.count {
                            for t in primitive.targets.indices { primitive.targets[t].name = targetNames[t] }
                        }
                        for var e in pendingBorrows {
                            e.mesh = m
                            e.primitive = mesh.primitives.count
                            borrowed.append(e)
                        }
                        mesh.primitives.append(primitive)
                    }
                }
                meshes.append(mesh)
            }
            return meshes
        }

        func numberList(_ value: JSONValue?, _ path: String) throws(FormatError) -> [Float]? {
            guard let value else { return nil }
            guard let a = value.arrayValue else { throw fail(path, "expected an array of numbers") }
            var out: [Float] = []
            for (i, v) in a.enumerated() {
                guard let d = v.doubleValue else { throw fail(path + "[\(i)]", "expected a number") }
                out.append(Float(d))
            }
            return out
        }

        mutating func readPrimitive(_ json: JSONValue, _ path: String, materialCount: Int) throws(FormatError) -> Primitive? {
            guard let attributes = json["attributes"]?.objectValue else { throw fail(path + "attributes", "missing attributes object") }
            let mode = try int("mode", in: json, path) ?? 4
            guard (0...6).contains(mode) else { throw fail(path + "mode", "unknown primitive mode \(mode)") }
            var primitive = Primitive()
            primitive.material = try index("material", in: json, path, count: materialCount, what: "material")
            primitive.extensions = json["extensions"]
            primitive.extras = json["extras"]

            var vertexCount: Int? = nil
            if let draco = json["extensions"]?["KHR_draco_mesh_compression"] {
                let decoded = try decodeDraco(draco, attributes: attributes, path: path)
                primitive.streams = decoded.streams
                primitive.indices = decoded.indices
                vertexCount = decoded.vertexCount
                primitive.extensions = primitive.extensions.map { removeMember($0, "KHR_draco_mesh_compression") } ?? nil
            } else {
                for (name, value) in attributes {
                    guard let accessor = value.intValue else { throw fail(path + "attributes.\(name)", "expected an accessor index") }
                    let components: Int, data: [Float], count: Int
                    if let b = try borrowable(accessor, path + "attributes.\(name)", indices: false) {
                        (components, data, count) = (b.components, [], b.count)
                        pendingBorrows.append(BorrowedGeometry.Entry(mesh: 0, primitive: 0, semantic: Semantic(gltfName: name), pointer: b.pointer,
                                                                     count: b.count, components: b.components))
                    } else {
                        (components, data) = try readFloats(accessor, path + "attributes.\(name)")
                        count = components > 0 ? data.count / components : 0
                    }
                    if let vc = vertexCount, vc != count {
                        throw fail(path + "attributes.\(name)", "has \(count) elements but other attributes have \(vc)")
                    }
                    vertexCount = count
                    primitive.streams.append(VertexStream(Semantic(gltfName: name), components: components, data: data))
                }
            }
            guard let vertexCount, primitive.stream(.position) != nil else {
                warnings.append("\(path.dropLast()): primitive without POSITION skipped")
                return nil
            }
            guard primitive.stream(.position)!.components == 3 else { throw fail(path + "attributes.POSITION", "POSITION must be VEC3") }

            if json["extensions"]?["KHR_draco_mesh_compression"] == nil {
                if let indicesAccessor = try int("indices", in: json, path) {
                    if mode == 4, let b = try borrowable(indicesAccessor, path + "indices", indices: true), b.count % 3 == 0 {
                        let borrowedIndices = UnsafeBufferPointer(start: b.pointer.assumingMemoryBound(to: UInt32.self), count: b.count)
                        let bad = pf_find_index_out_of_range(borrowedIndices.baseAddress, b.count, UInt32(clamping: vertexCount))
                        if bad < b.count {
                            throw fail(path + "indices", "index \(borrowedIndices[bad]) at position \(bad) is out of range (\(vertexCount) vertices)")
                        }
                        pendingBorrows.append(BorrowedGeometry.Entry(mesh: 0, primitive: 0, semantic: nil, pointer: b.pointer, count: b.count, components: 1))
                    } else {
                        primitive.indices = try readIndices(indicesAccessor, path + "indices")
                    }
                } else {
                    primitive.indices = (0..<UInt32(vertexCount)).map { $0 }
                }
            }
            let bad = primitive.indices.withUnsafeBufferPointer { pf_find_index_out_of_range($0.baseAddress, $0.count, UInt32(clamping: vertexCount)) }
            if bad < primitive.indices.count {
                throw fail(path + "indices", "index \(primitive.indices[bad]) at position \(bad) is out of range (\(vertexCount) vertices)")
            }

            for (t, target) in try array("targets", in: json, path).enumerated() {
                guard let members = target.objectValue else { throw fail(path + "targets[\(t)]", "expected an object") }
                var streams: [VertexStream] = []
                for (name, value) in members {
                    guard let accessor = value.intValue else { throw fail(path + "targets[\(t)].\(name)", "expected an accessor index") }
                    let (components, data) = try readFloats(accessor, path + "targets[\(t)].\(name)")
                    guard data.count == vertexCount * components else {
                        throw fail(path + "targets[\(t)].\(name)", "morph target has \(data.count / max(components, 1)) elements, the primitive \(vertexCount)")
                    }
                    streams.append(VertexStream(Semantic(gltfName: name), components: components, data: data))
                }
                primitive.targets.append(MorphTarget(streams: streams))
            }

            switch mode {
            case 4: primitive.mode = .triangles
            case 5, 6: primitive.mode = .triangles; primitive.indices = Self.triangulate(primitive.indices, fan: mode == 6)
            case 0: primitive.mode = .points
            case 1: primitive.mode = .lines
            default: primitive.mode = .lines; primitive.indices = Self.lineList(primitive.indices, loop: mode == 2)
            }
            if primitive.mode == .triangles, primitive.indices.count % 3 != 0 {
                warnings.append("\(path.dropLast()): \(primitive.indices.count % 3) trailing indices that form no triangle were dropped")
                primitive.indices.removeLast(primitive.indices.count % 3)
            }
            return primitive
        }

        func removeMember(_ value: JSONValue, _ key: String) -> JSONValue? {
            let v = value.setting(key, nil)
            return v.objectValue?.isEmpty == true ? nil : v
        }

        static func triangulate(_ idx: [UInt32], fan: Bool) -> [UInt32] {
            guard idx.count >= 3 else { return [] }
            var out: [UInt32] = []
            out.reserveCapacity((idx.count - 2) * 3)
            for i in 0..<(idx.count - 2) {
                if fan {
                    out += [idx[0], idx[i + 1], idx[i + 2]]
                } else if i % 2 == 0 {
                    out += [idx[i], idx[i + 1], idx[i + 2]]
                } else {
                    out += [idx[i + 1], idx[i], idx[i + 2]]
                }
            }
            return out
        }

        static func lineList(_ idx: [UInt32], loop: Bool) -> [UInt32] {
            guard idx.count >= 2 else { return [] }
            var out: [UInt32] = []
            for i in 0..<(idx.count - 1) { out += [idx[i], idx[i + 1]] }
            if loop { out += [idx[idx.count - 1], idx[0]] }
            return out
        }

        mutating func decodeDraco(_ ext: JSONValue, attributes: [(String, JSONValue)], path: String) throws(FormatError) -> (streams: [VertexStream], indices: [UInt32], vertexCount: Int) {
            let epath = path + "extensions.KHR_draco_mesh_compression."
            guard let view = try int("bufferView", in: ext, epath) else { throw fail(epath + "bufferView", "missing bufferView") }
            let (bytes, _) = try viewBytes(view, epath + "bufferView")
            guard let ids = ext["attributes"]?.objectValue else { throw fail(epath + "attributes", "missing attributes") }
            var request: [(name: String, uniqueID: Int, normalized: Bool)] = []
            for (name, value) in ids {
                guard let id = value.intValue else { throw fail(epath + "attributes.\(name)", "expected an integer attribute id") }
                var normalized = false
                if let accessor = attributes.first(where: { $0.0 == name })?.1.intValue {
                    normalized = try accessorInfo(accessor, path + "attributes.\(name)").normalized
                }
                request.append((name, id, normalized))
            }
            let mesh = try DracoDecoder.decode(bytes, attributes: request, fileName: fileName, path: String(epath.dropLast()))
            var streams: [VertexStream] = []
            for (name, _, _) in request {
                guard let s = mesh.streams[name] else { continue }
                streams.append(VertexStream(Semantic(gltfName: name), components: s.components, data: s.data))
            }
            // Attributes listed in the primitive but not in the Draco stream stay plain accessors.
            for (name, value) in attributes where ids.first(where: { $0.0 == name }) == nil {
                guard let accessor = value.intValue else { continue }
                let (components, data) = try readFloats(accessor, path + "attributes.\(name)")
                guard data.count == mesh.vertexCount * components else {
                    throw fail(path + "attributes.\(name)", "has \(data.count / max(components, 1)) elements but the Draco mesh has \(mesh.vertexCount) points")
                }
                streams.append(VertexStream(Semantic(gltfName: name), components: components, data: data))
            }
            return (streams, mesh.indices, mesh.vertexCount)
        }

        // MARK: Materials, textures, images

        func readSamplers() throws(FormatError) -> [Sampler] {
            var out: [Sampler] = []
            for (i, s) in try objects("samplers").enumerated() {
                let path = "samplers[\(i)]."
                var sampler = Sampler(magFilter: try int("magFilter", in: s, path), minFilter: try int("minFilter", in: s, path),
                                      wrapS: try int("wrapS", in: s, path) ?? 10497, wrapT: try int("wrapT", in: s, path) ?? 10497)
                sampler.name = try string("name", in: s, path)
                sampler.extras = s["extras"]
                out.append(sampler)
            }
            return out
        }

        mutating func readImages() throws(FormatError) -> [Image] {
            var out: [Image] = []
            for (i, imageJSON) in try objects("images").enumerated() {
                let path = "images[\(i)]."
                var data: [UInt8]
                var original: String? = nil
                if let uri = try string("uri", in: imageJSON, path) {
                    if uri.hasPrefix("data:") {
                        data = try decodeDataURI(uri, path + "uri")
                    } else {
                        data = try resources.load(uri, file: fileName, location: .jsonPath(path + "uri"))
                        sideFiles.append((uri, data.count))
                        original = FileSystem.fileName(of: ResourceLoader.percentDecoded(uri))
                    }
                } else if let view = try int("bufferView", in: imageJSON, path) {
                    data = Array(try viewBytes(view, path + "bufferView").bytes)
                } else {
                    throw fail(path.isEmpty ? path : String(path.dropLast()), "image has neither uri nor bufferView")
                }
                let declared = try string("mimeType", in: imageJSON, path)
                let mime = Image.sniffMimeType(data) ?? declared ?? "application/octet-stream"
                var image = Image(name: try string("name", in: imageJSON, path), mimeType: mime, data: data, originalFileName: original)
                image.extras = imageJSON["extras"]
                out.append(image)
            }
            return out
        }

        func readTextures(imageCount: Int, samplerCount: Int) throws(FormatError) -> [Texture] {
            var out: [Texture] = []
            for (i, t) in try objects("textures").enumerated() {
                let path = "textures[\(i)]."
                var texture = Texture(name: try string("name", in: t, path),
                                      source: try index("source", in: t, path, count: imageCount, what: "image"),
                                      sampler: try index("sampler", in: t, path, count: samplerCount, what: "sampler"))
                texture.extensions = t["extensions"]
                texture.extras = t["extras"]
                out.append(texture)
            }
            return out
        }

        func textureReference(_ key: String, in object: JSONValue, _ path: String, textureCount: Int, scaleKey: String? = nil) throws(FormatError) -> TextureReference? {
            guard let ref = object[key] else { return nil }
            guard ref.objectValue != nil else { throw fail(path + key, "expected a texture info object") }
            guard let t = try index("index", in: ref, path + key + ".", count: textureCount, what: "texture") else {
                throw fail(path + key + ".index", "missing texture index")
            }
            var r = TextureReference(texture: t, texCoord: try int("texCoord", in: ref, path + key + ".") ?? 0)
            if let scaleKey { r.scale = try float(scaleKey, in: ref, path + key + ".", default: 1) }
            r.extensions = ref["extensions"]
            r.extras = ref["extras"]
            return r
        }

        func readMaterials(textureCount: Int) throws(FormatError) -> [Material] {
            var out: [Material] = []
            for (i, m) in try objects("materials").enumerated() {
                let path = "materials[\(i)]."
                var material = Material(name: try string("name", in: m, path))
                if let pbr = m["pbrMetallicRoughness"] {
                    let p = path + "pbrMetallicRoughness."
                    material.baseColorFactor = try floats("baseColorFactor", in: pbr, p, count: 4) ?? [1, 1, 1, 1]
                    material.baseColorTexture = try textureReference("baseColorTexture", in: pbr, p, textureCount: textureCount)
                    material.metallicFactor = try float("metallicFactor", in: pbr, p, default: 1)
                    material.roughnessFactor = try float("roughnessFactor", in: pbr, p, default: 1)
                    material.metallicRoughnessTexture = try textureReference("metallicRoughnessTexture", in: pbr, p, textureCount: textureCount)
                    material.pbrExtensions = pbr["extensions"]
                    material.pbrExtras = pbr["extras"]
                }
                material.normalTexture = try textureReference("normalTexture", in: m, path, textureCount: textureCount, scaleKey: "scale")
                material.occlusionTexture = try textureReference("occlusionTexture", in: m, path, textureCount: textureCount, scaleKey: "strength")
                material.emissiveTexture = try textureReference("emissiveTexture", in: m, path, textureCount: textureCount)
                material.emissiveFactor = try floats("emissiveFactor", in: m, path, count: 3) ?? [0, 0, 0]
                if let mode = try string("alphaMode", in: m, path) {
                    guard let a = AlphaMode(rawValue: mode) else { throw fail(path + "alphaMode", "unknown alphaMode '\(mode)'") }
                    material.alphaMode = a
                }
                material.alphaCutoff = try float("alphaCutoff", in: m, path, default: 0.5)
                material.doubleSided = m["doubleSided"]?.boolValue ?? false
                material.extensions = m["extensions"]
                material.extras = m["extras"]
                out.append(material)
            }
            return out
        }

        // MARK: Nodes, skins, animations

        func readNodes(meshCount: Int, skinCount: Int, cameraCount: Int) throws(FormatError) -> [Node] {
            let list = try objects("nodes")
            var out: [Node] = []
            var parent = [Int](repeating: -1, count: list.count)
            for (i, n) in list.enumerated() {
                let path = "nodes[\(i)]."
                var node = Node(name: try string("name", in: n, path), mesh: try index("mesh", in: n, path, count: meshCount, what: "mesh"))
                node.skin = try index("skin", in: n, path, count: skinCount, what: "skin")
                node.camera = try index("camera", in: n, path, count: cameraCount, what: "camera")
                for (c, child) in try array("children", in: n, path).enumerated() {
                    guard let ci = child.intValue, ci >= 0, ci < list.count else {
                        throw fail(path + "children[\(c)]", "child is not a valid node index (\(list.count) nodes)")
                    }
                    guard parent[ci] == -1 else { throw fail(path + "children[\(c)]", "node \(ci) already has parent node \(parent[ci])") }
                    guard ci != i else { throw fail(path + "children[\(c)]", "node lists itself as its child") }
                    parent[ci] = i
                    node.children.append(ci)
                }
                if let matrix = try floats("matrix", in: n, path, count: 16) { node.matrix = matrix }
                node.translation = try floats("translation", in: n, path, count: 3) ?? [0, 0, 0]
                node.rotation = try floats("rotation", in: n, path, count: 4) ?? [0, 0, 0, 1]
                node.scale = try floats("scale", in: n, path, count: 3) ?? [1, 1, 1]
                node.weights = try numberList(n["weights"], path + "weights")
                node.extensions = n["extensions"]
                node.extras = n["extras"]
                out.append(node)
            }
            // With one parent per node, a cycle is a chain of parents that never reaches a root.
            for start in 0..<list.count {
                var steps = 0
                var p = parent[start]
                while p != -1 {
                    steps += 1
                    if steps > list.count { throw fail("nodes[\(start)]", "node hierarchy contains a cycle") }
                    p = parent[p]
                }
            }
            return out
        }

        func readRootNodes(nodeCount: Int, nodes: [Node]) throws(FormatError) -> [Int] {
            let scenes = try objects("scenes")
            let chosen = try index("scene", in: json, "", count: scenes.count, what: "scene") ?? (scenes.isEmpty ? nil : 0)
            guard let chosen else {
                // No scene: every node without a parent is a root.
                var hasParent = [Bool](repeating: false, count: nodeCount)
                for n in nodes { for c in n.children { hasParent[c] = true } }
                return (0..<nodeCount).filter { !hasParent[$0] }
            }
            var roots: [Int] = []
            for (i, r) in try array("nodes", in: scenes[chosen], "scenes[\(chosen)].").enumerated() {
                guard let ri = r.intValue, ri >= 0, ri < nodeCount else { throw fail("scenes[\(chosen)].nodes[\(i)]", "not a valid node index") }
                roots.append(ri)
            }
            return roots
        }

        mutating func readSkins(nodeCount: Int) throws(FormatError) -> [Skin] {
            var out: [Skin] = []
            for (i, s) in try objects("skins").enumerated() {
                let path = "skins[\(i)]."
                var joints: [Int] = []
                for (j, v) in try array("joints", in: s, path).enumerated() {
                    guard let ji = v.intValue, ji >= 0, ji < nodeCount else { throw fail(path + "joints[\(j)]", "not a valid node index") }
                    joints.append(ji)
                }
                var ibm: [Float] = []
                if let accessor = try int("inverseBindMatrices", in: s, path) {
                    let (components, data) = try readFloats(accessor, path + "inverseBindMatrices")
                    guard components == 16, data.count == joints.count * 16 else {
                        throw fail(path + "inverseBindMatrices", "expected \(joints.count) MAT4 elements")
                    }
                    ibm = data
                }
                var skin = Skin(name: try string("name", in: s, path), joints: joints,
                                skeleton: try index("skeleton", in: s, path, count: nodeCount, what: "node"), inverseBindMatrices: ibm)
                skin.extras = s["extras"]
                out.append(skin)
            }
            return out
        }

        mutating func readAnimations(nodeCount: Int) throws(FormatError) -> [Animation] {
            var out: [Animation] = []
            for (a, animationJSON) in try objects("animations").enumerated() {
                let path = "animations[\(a)]."
                var samplers: [Animation.Sampler] = []
                for (s, samplerJSON) in try array("samplers", in: animationJSON, path).enumerated() {
                    let spath = path + "samplers[\(s)]."
                    guard let input = try int("input", in: samplerJSON, spath), let output = try int("output", in: samplerJSON, spath) else {
                        throw fail(spath.isEmpty ? spath : String(spath.dropLast()), "animation sampler needs input and output")
                    }
                    let times = try readFloats(input, spath + "input")
                    let values = try readFloats(output, spath + "output")
                    let interpolation = try string("interpolation", in: samplerJSON, spath) ?? "LINEAR"
                    samplers.append(Animation.Sampler(input: times.data, output: values.data, outputComponents: values.components, interpolation: interpolation))
                }
                var channels: [Animation.Channel] = []
                for (c, channelJSON) in try array("channels", in: animationJSON, path).enumerated() {
                    let cpath = path + "channels[\(c)]."
                    guard let sampler = try index("sampler", in: channelJSON, cpath, count: samplers.count, what: "sampler") else {
                        throw fail(cpath + "sampler", "missing sampler")
                    }
                    guard let target = channelJSON["target"] else { throw fail(cpath + "target", "missing target") }
                    guard let pathName = try string("path", in: target, cpath + "target."), let p = Animation.Path(rawValue: pathName) else {
                        throw fail(cpath + "target.path", "missing or unknown animation path")
                    }
                    var channel = Animation.Channel(sampler: sampler, node: try index("node", in: target, cpath + "target.", count: nodeCount, what: "node"), path: p)
                    channel.extensions = target["extensions"]
                    channels.append(channel)
                }
                var animation = Animation(name: try string("name", in: animationJSON, path), channels: channels, samplers: samplers)
                animation.extras = animationJSON["extras"]
                out.append(animation)
            }
            return out
        }
    }
}

/// Owns decoded bytes while readers hold raw views into them.
final class ByteBox {
    let storage: UnsafeMutableRawBufferPointer
    init(_ bytes: [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        count = bytes.count
    }
    let count: Int
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.baseAddress, count: count) }
    deinit { storage.deallocate() }
}

