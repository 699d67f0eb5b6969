import PolyforgeMesh

/// Writes the scene model as glTF 2.0: a self-contained .glb, or .gltf with a .bin and image files beside it.
///
/// Geometry is written as float accessors (quantized or compressed inputs come out plain unless meshopt
/// compression is asked for); hierarchy, materials, textures, skins, animations, cameras and every kept
/// extension object go out as they came in.
public enum GLTFWriter {
    public static func writeGLB(_ scene: Scene, to path: String, options: WriteOptions) throws(FormatError) {
        try AtomicFile.write(glbBytes(scene, options: options), to: path)
    }

    /// The bytes `writeGLB` would put in a file, built in memory (images embedded), for callers that serve or hash them.
    public static func glbBytes(_ scene: Scene, options: WriteOptions = WriteOptions()) throws(FormatError) -> [UInt8] {
        var builder = Builder(scene: scene, embedImages: true, options: options)
        let json = try builder.build(binaryURI: nil, imageURIs: [])
        return encodeGLB(json: json, binary: builder.binary)
    }

    public static func writeGLTF(_ scene: Scene, to path: String, options: WriteOptions) throws(FormatError) {
        let directory = FileSystem.directory(of: path)
        let stem = FileSystem.stem(of: path)
        let imageNames = sideFileNames(for: scene.images, stem: stem)
        var builder = Builder(scene: scene, embedImages: false, options: options)
        let binName = stem + ".bin"
        let json = try builder.build(binaryURI: binName, imageURIs: imageNames)
        for (image, name) in zip(scene.images, imageNames) {
            try AtomicFile.write(image.data, to: FileSystem.join(directory, name))
        }
        if !builder.binary.isEmpty { try AtomicFile.write(builder.binary, to: FileSystem.join(directory, binName)) }
        try AtomicFile.write(JSONWriter.bytes(json, indent: 2), to: path)
    }

    /// GLB container: 12-byte header, JSON chunk padded with spaces, BIN chunk padded with zeros.
    public static func encodeGLB(json: JSONValue, binary: [UInt8]) -> [UInt8] {
        var jsonBytes = JSONWriter.bytes(json)
        jsonBytes.pad(toMultipleOf: 4, with: 0x20)
        var bin = binary
        bin.pad(toMultipleOf: 4)
        let total = 12 + 8 + jsonBytes.count + (bin.isEmpty ? 0 : 8 + bin.count)
        var out: [UInt8] = []
        out.reserveCapacity(total)
        out.appendLE(UInt32(0x4654_6C67))
        out.appendLE(UInt32(2))
        out.appendLE(UInt32(total))
        out.appendLE(UInt32(jsonBytes.count))
        out.appendLE(UInt32(0x4E4F_534A))
        out += jsonBytes
        if !bin.isEmpty {
            out.appendLE(UInt32(bin.count))
            out.appendLE(UInt32(0x004E_4942))
            out += bin
        }
        return out
    }

    /// Unique, file-system-safe names for images written beside a .gltf (or .obj).
    public static func sideFileNames(for images: [Image], stem: String) -> [String] {
        var used: Set<String> = []
        var out: [String] = []
        for (i, image) in images.enumerated() {
            var name = image.originalFileName ?? ""
            let safe = !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && name.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x5C }
            if !safe || used.contains(name) { name = "\(stem)_image\(i).\(image.fileExtension)" }
            used.insert(name)
            out.append(name)
        }
        return out
    }

    struct Builder {
        let scene: Scene
        let embedImages: Bool
        let options: WriteOptions
        var binary: [UInt8] = []
        var accessors: [JSONValue] = []
        var bufferViews: [JSONValue] = []
        var usesMeshopt = false

        init(scene: Scene, embedImages: Bool, options: WriteOptions) {
            self.scene = scene
            self.embedImages = embedImages
            self.options = options
        }

        /// Appends a buffer view. With meshopt compression on and `compress` given, the compressed bytes go into
        /// buffer 0 and the view itself points into buffer 1, the data-less fallback buffer the extension decodes into.
        mutating func addView(_ bytes: [UInt8], target: Int?, byteStride: Int?,
                              compress: (count: Int, byteStride: Int, mode: String, encode: () -> [UInt8])? = nil) -> Int {
            binary.pad(toMultipleOf: 4)
            var view: JSONValue
            if let compress, options.meshoptCompression, compress.count > 0 {
                let encoded = compress.encode()
                let ext: JSONValue = ["buffer": 0, "byteOffset": .number(Double(binary.count)), "byteLength": .number(Double(encoded.count)),
                                      "byteStride": .number(Double(compress.byteStride)), "count": .number(Double(compress.count)),
                                      "mode": .string(compress.mode)]
                binary += encoded
                view = ["buffer": 1, "byteOffset": .number(Double(fallbackLength)), "byteLength": .number(Double(bytes.count))]
                fallbackLength = (fallbackLength + bytes.count + 3) & ~3
                if let byteStride { view = view.setting("byteStride", .number(Double(byteStride))) }
                if let target { view = view.setting("target", .number(Double(target))) }
                view = view.setting("extensions", ["EXT_meshopt_compression": ext])
                usesMeshopt = true
            } else {
                view = ["buffer": 0, "byteOffset": .number(Double(binary.count)), "byteLength": .number(Double(bytes.count))]
                if let byteStride { view = view.setting("byteStride", .number(Double(byteStride))) }
                if let target { view = view.setting("target", .number(Double(target))) }
                binary += bytes
            }
            bufferViews.append(view)
            return bufferViews.count - 1
        }

        /// Bytes of the data-less fallback buffer (meshopt compression only).
        var fallbackLength = 0

        static func typeName(_ components: Int) -> String {
            switch components {
            case 1: return "SCALAR"
            case 2: return "VEC2"
            case 3: return "VEC3"
            case 4: return "VEC4"
            case 16: return "MAT4"
            case 9: return "MAT3"
            default: return "VEC4"
            }
        }

        mutating func addFloatAccessor(_ data: [Float], components: Int, target: Int?, minMax: Bool, attribute: Bool = true) -> Int {
            let count = components > 0 ? data.count / components : 0
            var bytes: [UInt8] = []
            bytes.reserveCapacity(data.count * 4)
            bytes.appendFloatsLE(data)
            let isVertexData = attribute && target == 34962
            let view = addView(bytes, target: target, byteStride: isVertexData ? components * 4 : nil,
                               compress: isVertexData ? (count, components * 4, "ATTRIBUTES", {
                                   bytes.withUnsafeBytes { MeshoptCodec.encodeAttributes($0, count: count, byteStride: components * 4) }
                               }) : nil)
            var accessor: JSONValue = ["bufferView": .number(Double(view)), "componentType": 5126, "count": .number(Double(count)),
                                       "type": .string(Self.typeName(components))]
            if minMax, count > 0 {
                var lo = [Float](repeating: .greatestFiniteMagnitude, count: components)
                var hi = [Float](repeating: -.greatestFiniteMagnitude, count: components)
                for i in 0..<count {
                    for c in 0..<components {
                        let v = data[i * components + c]
                        if v.isFinite { lo[c] = min(lo[c], v); hi[c] = max(hi[c], v) }
                    }
                }
                accessor = accessor.setting("min", .array(lo.map { .number(Double($0)) }))
                accessor = accessor.setting("max", .array(hi.map { .number(Double($0)) }))
            }
            accessors.append(accessor)
            return accessors.count - 1
        }

        mutating func addJointsAccessor(_ data: [Float], components: Int) -> Int {
            let count = data.count / max(components, 1)
            let maxJoint = data.max() ?? 0
            let small = maxJoint < 256
            var bytes: [UInt8] = []
            for v in data {
                if small { bytes.append(UInt8(clamping: Int(v))) } else { bytes.appendLE(UInt16(clamping: Int(v))) }
            }
            // Vertex attribute elements must be 4-byte aligned: VEC4 of bytes (4) or shorts (8) are.
            let view = addView(bytes, target: 34962, byteStride: components * (small ? 1 : 2))
            accessors.append(["bufferView": .number(Double(view)), "componentType": .number(small ? 5121 : 5123),
                              "count": .number(Double(count)), "type": .string(Self.typeName(components))])
            return accessors.count - 1
        }

        mutating func addIndexAccessor(_ indices: [UInt32], vertexCount: Int) -> Int {
            let short = vertexCount <= 65535
            var bytes: [UInt8] = []
            bytes.reserveCapacity(indices.count * (short ? 2 : 4))
            if short {
                for i in indices { bytes.appendLE(UInt16(truncatingIfNeeded: i)) }
            } else {
                indices.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
            let triangles = indices.count % 3 == 0
            let view = addView(bytes, target: 34963, byteStride: nil,
                               compress: triangles ? (indices.count, short ? 2 : 4, "TRIANGLES", {
                                   MeshoptCodec.encodeTriangles(indices: indices, vertexCount: vertexCount).bytes
                               }) : nil)
            accessors.append(["bufferView": .number(Double(view)), "componentType": .number(short ? 5123 : 5125),
                              "count": .number(Double(indices.count)), "type": "SCALAR"])
            return accessors.count - 1
        }

        mutating func build(binaryURI: String?, imageURIs: [String]) throws(FormatError) -> JSONValue {
            var root: [(String, JSONValue)] = []
            var asset: JSONValue = ["version": "2.0", "generator": "Polyforge"]
            if let copyright = scene.copyright { asset = asset.setting("copyright", .string(copyright)) }
            root.append(("asset", asset))

            // A primitive with no vertices left (a part simplified away) has nothing to draw, and glTF allows no
            // empty accessor: it is left out, and a mesh left with no primitive goes with its nodes' references.
            var meshes: [JSONValue] = []
            var meshIndex: [Int?] = []
            for mesh in scene.meshes {
                let drawn = mesh.primitives.filter { $0.vertexCount > 0 }
                guard !drawn.isEmpty else { meshIndex.append(nil); continue }
                meshIndex.append(meshes.count)
                var primitives: [JSONValue] = []
                for primitive in drawn {
                    primitives.append(addPrimitive(primitive))
                }
                var m: JSONValue = ["primitives": .array(primitives)]
                if let name = mesh.name { m = m.setting("name", .string(name)) }
                if let w = mesh.weights { m = m.setting("weights", .array(w.map { .number(Double($0)) })) }
                var extras = mesh.extras
                let names = drawn.first?.targets.compactMap { $0.name } ?? []
                if !names.isEmpty, names.count == drawn.first?.targets.count, extras?["targetNames"] == nil {
                    extras = (extras ?? .object([])).setting("targetNames", .array(names.map { .string($0) }))
                }
                if let e = mesh.extensions { m = m.setting("extensions", e) }
                if let extras { m = m.setting("extras", extras) }
                meshes.append(m)
            }

            var images: [JSONValue] = []
            for (i, image) in scene.images.enumerated() {
                var j: JSONValue = [:]
                if let name = image.name { j = j.setting("name", .string(name)) }
                if embedImages {
                    let view = addView(image.data, target: nil, byteStride: nil)
                    j = j.setting("bufferView", .number(Double(view))).setting("mimeType", .string(image.mimeType))
                } else {
                    j = j.setting("uri", .string(Self.uriEscaped(imageURIs[i])))
                    if image.mimeType.hasPrefix("image/") { j = j.setting("mimeType", .string(image.mimeType)) }
                }
                if let e = image.extras { j = j.setting("extras", e) }
                images.append(j)
            }

            var skins: [JSONValue] = []
            for skin in scene.skins {
                var s: JSONValue = ["joints": .array(skin.joints.map { .number(Double($0)) })]
                if let name = skin.name { s = s.setting("name", .string(name)) }
                if let sk = skin.skeleton { s = s.setting("skeleton", .number(Double(sk))) }
                if !skin.inverseBindMatrices.isEmpty {
                    s = s.setting("inverseBindMatrices", .number(Double(addFloatAccessor(skin.inverseBindMatrices, components: 16, target: nil, minMax: false, attribute: false))))
                }
                if let e = skin.extras { s = s.setting("extras", e) }
                skins.append(s)
            }

            var animations: [JSONValue] = []
            for animation in scene.animations {
                var samplers: [JSONValue] = []
                for sampler in animation.samplers {
                    let input = addFloatAccessor(sampler.input, components: 1, target: nil, minMax: true, attribute: false)
                    let output = addFloatAccessor(sampler.output, components: sampler.outputComponents, target: nil, minMax: false, attribute: false)
                    samplers.append(["input": .number(Double(input)), "output": .number(Double(output)), "interpolation": .string(sampler.interpolation)])
                }
                var channels: [JSONValue] = []
                for channel in animation.channels {
                    var target: JSONValue = ["path": .string(channel.path.rawValue)]
                    if let node = channel.node { target = ["node": .number(Double(node)), "path": .string(channel.path.rawValue)] }
                    if let e = channel.extensions { target = target.setting("extensions", e) }
                    channels.append(["sampler": .number(Double(channel.sampler)), "target": target])
                }
                var a: JSONValue = ["channels": .array(channels), "samplers": .array(samplers)]
                if let name = animation.name { a = a.setting("name", .string(name)) }
                if let e = animation.extras { a = a.setting("extras", e) }
                animations.append(a)
            }

            var buffers: [JSONValue] = []
            binary.pad(toMultipleOf: 4)
            if !binary.isEmpty || usesMeshopt {
                var b: JSONValue = ["byteLength": .number(Double(binary.count))]
                if let binaryURI { b = b.setting("uri", .string(Self.uriEscaped(binaryURI))) }
                buffers.append(b)
            }
            if usesMeshopt {
                buffers.append(["byteLength": .number(Double(fallbackLength)), "extensions": ["EXT_meshopt_compression": ["fallback": true]]])
            }

            var nodes: [JSONValue] = []
            for node in scene.nodes {
                var n: JSONValue = [:]
                if let name = node.name { n = n.setting("name", .string(name)) }
                if !node.children.isEmpty { n = n.setting("children", .array(node.children.map { .number(Double($0)) })) }
                if let m = node.matrix {
                    if !Matrix4(columnMajor: m).isIdentity { n = n.setting("matrix", .array(m.map { .number(Double($0)) })) }
                } else {
                    if node.translation != [0, 0, 0] { n = n.setting("translation", .array(node.translation.map { .number(Double($0)) })) }
                    if node.rotation != [0, 0, 0, 1] { n = n.setting("rotation", .array(node.rotation.map { .number(Double($0)) })) }
                    if node.scale != [1, 1, 1] { n = n.setting("scale", .array(node.scale.map { .number(Double($0)) })) }
                }
                if let mesh = node.mesh, mesh < meshIndex.count, let written = meshIndex[mesh] {
                    n = n.setting("mesh", .number(Double(written)))
                    if let skin = node.skin { n = n.setting("skin", .number(Double(skin))) }
                    if let w = node.weights { n = n.setting("weights", .array(w.map { .number(Double($0)) })) }
                }
                if let camera = node.camera { n = n.setting("camera", .number(Double(camera))) }
                if let e = node.extensions { n = n.setting("extensions", e) }
                if let e = node.extras { n = n.setting("extras", e) }
                nodes.append(n)
            }

            let used = extensionsUsed()
            if !used.isEmpty { root.append(("extensionsUsed", .array(used.map { .string($0) }))) }
            let dropped: Set<String> = ["KHR_draco_mesh_compression", "EXT_meshopt_compression", "KHR_mesh_quantization"]
            var required = scene.extensionsRequired.filter { !dropped.contains($0) && used.contains($0) }
            // The fallback buffer holds no data, so a reader without the extension cannot load the file at all.
            if usesMeshopt { required.append("EXT_meshopt_compression") }
            if !required.isEmpty { root.append(("extensionsRequired", .array(required.map { .string($0) }))) }
            if let e = scene.extensions { root.append(("extensions", e)) }
            if let e = scene.extras { root.append(("extras", e)) }
            if !accessors.isEmpty { root.append(("accessors", .array(accessors))) }
            if !animations.isEmpty { root.append(("animations", .array(animations))) }
            if !buffers.isEmpty { root.append(("buffers", .array(buffers))) }
            if !bufferViews.isEmpty { root.append(("bufferViews", .array(bufferViews))) }
            if !scene.cameras.isEmpty { root.append(("cameras", .array(scene.cameras))) }
            if !images.isEmpty { root.append(("images", .array(images))) }
            if !scene.materials.isEmpty { root.append(("materials", .array(scene.materials.map(Self.materialJSON)))) }
            if !meshes.isEmpty { root.append(("meshes", .array(meshes))) }
            if !nodes.isEmpty { root.append(("nodes", .array(nodes))) }
            if !scene.samplers.isEmpty { root.append(("samplers", .array(scene.samplers.map(Self.samplerJSON)))) }
            root.append(("scene", 0))
            root.append(("scenes", [["nodes": .array(scene.rootNodes.map { .number(Double($0)) })]]))
            if !skins.isEmpty { root.append(("skins", .array(skins))) }
            if !scene.textures.isEmpty { root.append(("textures", .array(scene.textures.map(Self.textureJSON)))) }
            return .object(root)
        }

        mutating func addPrimitive(_ primitive: Primitive) -> JSONValue {
            var attributes: [(String, JSONValue)] = []
            let vertexCount = primitive.vertexCount
            for stream in primitive.streams {
                var name = stream.semantic.gltfName
                if case .custom(let s) = stream.semantic, !s.hasPrefix("_") { name = "_" + s }
                let accessor: Int
                switch stream.semantic {
                case .joints: accessor = addJointsAccessor(stream.data, components: stream.components)
                default: accessor = addFloatAccessor(stream.data, components: stream.components, target: 34962, minMax: stream.semantic == .position)
                }
                attributes.append((name, .number(Double(accessor))))
            }
            var p: JSONValue = ["attributes": .object(attributes)]
            if !primitive.indices.isEmpty {
                p = p.setting("indices", .number(Double(addIndexAccessor(primitive.indices, vertexCount: vertexCount))))
            }
            if let m = primitive.material { p = p.setting("material", .number(Double(m))) }
            if primitive.mode != .triangles { p = p.setting("mode", .number(Double(primitive.mode.rawValue))) }
            if !primitive.targets.isEmpty {
                var targets: [JSONValue] = []
                for target in primitive.targets {
                    var t: [(String, JSONValue)] = []
                    for s in target.streams {
                        t.append((s.semantic.gltfName, .number(Double(addFloatAccessor(s.data, components: s.components, target: 34962, minMax: s.semantic == .position)))))
                    }
                    targets.append(.object(t))
                }
                p = p.setting("targets", .array(targets))
            }
            if let e = primitive.extensions { p = p.setting("extensions", e) }
            if let e = primitive.extras { p = p.setting("extras", e) }
            return p
        }

        /// Extensions actually present in what we write: kept objects plus those we add.
        func extensionsUsed() -> [String] {
            var names: [String] = []
            func add(_ value: JSONValue?) {
                for k in value?.keys ?? [] where !names.contains(k) { names.append(k) }
            }
            add(scene.extensions)
            for n in scene.nodes { add(n.extensions) }
            for m in scene.meshes {
                add(m.extensions)
                for p in m.primitives { add(p.extensions) }
            }
            for m in scene.materials {
                add(m.extensions)
                add(m.pbrExtensions)
                for (_, r) in m.textureReferences { add(r.extensions) }
            }
            for t in scene.textures { add(t.extensions) }
            for a in scene.animations { for c in a.channels { add(c.extensions) } }
            if usesMeshopt { names.append("EXT_meshopt_compression") }
            // Keep the source's declared order where it had them, then the rest.
            let declared = scene.extensionsUsed.filter { names.contains($0) }
            return declared + names.filter { !declared.contains($0) }
        }

        static func textureReferenceJSON(_ r: TextureReference, scaleKey: String?) -> JSONValue {
            var j: JSONValue = ["index": .number(Double(r.texture))]
            if r.texCoord != 0 { j = j.setting("texCoord", .number(Double(r.texCoord))) }
            if let scaleKey, r.scale != 1 { j = j.setting(scaleKey, .number(Double(r.scale))) }
            if let e = r.extensions { j = j.setting("extensions", e) }
            if let e = r.extras { j = j.setting("extras", e) }
            return j
        }

        static func materialJSON(_ m: Material) -> JSONValue {
            var j: JSONValue = [:]
            if let name = m.name { j = j.setting("name", .string(name)) }
            var pbr: JSONValue = [:]
            if m.baseColorFactor != [1, 1, 1, 1] { pbr = pbr.setting("baseColorFactor", .array(m.baseColorFactor.map { .number(Double($0)) })) }
            if let t = m.baseColorTexture { pbr = pbr.setting("baseColorTexture", textureReferenceJSON(t, scaleKey: nil)) }
            if m.metallicFactor != 1 { pbr = pbr.setting("metallicFactor", .number(Double(m.metallicFactor))) }
            if m.roughnessFactor != 1 { pbr = pbr.setting("roughnessFactor", .number(Double(m.roughnessFactor))) }
            if let t = m.metallicRoughnessTexture { pbr = pbr.setting("metallicRoughnessTexture", textureReferenceJSON(t, scaleKey: nil)) }
            if let e = m.pbrExtensions { pbr = pbr.setting("extensions", e) }
            if let e = m.pbrExtras { pbr = pbr.setting("extras", e) }
            j = j.setting("pbrMetallicRoughness", pbr)
            if let t = m.normalTexture { j = j.setting("normalTexture", textureReferenceJSON(t, scaleKey: "scale")) }
            if let t = m.occlusionTexture { j = j.setting("occlusionTexture", textureReferenceJSON(t, scaleKey: "strength")) }
            if let t = m.emissiveTexture { j = j.setting("emissiveTexture", textureReferenceJSON(t, scaleKey: nil)) }
            if m.emissiveFactor != [0, 0, 0] { j = j.setting("emissiveFactor", .array(m.emissiveFactor.map { .number(Double($0)) })) }
            if m.alphaMode != .opaque { j = j.setting("alphaMode", .string(m.alphaMode.rawValue)) }
            if m.alphaMode == .mask, m.alphaCutoff != 0.5 { j = j.setting("alphaCutoff", .number(Double(m.alphaCutoff))) }
            if m.doubleSided { j = j.setting("doubleSided", true) }
            if let e = m.extensions { j = j.setting("extensions", e) }
            if let e = m.extras { j = j.setting("extras", e) }
            return j
        }

        static func samplerJSON(_ s: Sampler) -> JSONValue {
            var j: JSONValue = [:]
            if let name = s.name { j = j.setting("name", .string(name)) }
            if let f = s.magFilter { j = j.setting("magFilter", .number(Double(f))) }
            if let f = s.minFilter { j = j.setting("minFilter", .number(Double(f))) }
            if s.wrapS != 10497 { j = j.setting("wrapS", .number(Double(s.wrapS))) }
            if s.wrapT != 10497 { j = j.setting("wrapT", .number(Double(s.wrapT))) }
            if let e = s.extras { j = j.setting("extras", e) }
            return j
        }

        static func textureJSON(_ t: Texture) -> JSONValue {
            var j: JSONValue = [:]
            if let name = t.name { j = j.setting("name", .string(name)) }
            if let s = t.source { j = j.setting("source", .number(Double(s))) }
            if let s = t.sampler { j = j.setting("sampler", .number(Double(s))) }
            if let e = t.extensions { j = j.setting("extensions", e) }
            if let e = t.extras { j = j.setting("extras", e) }
            return j
        }

        /// Escapes what a URI reference cannot hold as is (spaces, %, non-ASCII).
        static func uriEscaped(_ name: String) -> String {
            var out = ""
            for b in name.utf8 {
                let c = Character(UnicodeScalar(b))
                if b < 0x80, c.isLetter || c.isNumber || "-._~/".contains(c) { out.append(c) } else { out += String(format: b) }
            }
            return out
        }

        static func String(format b: UInt8) -> Swift.String {
            let hex = Swift.String(b, radix: 16, uppercase: true)
            return "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
}
