import PolyforgeMesh

/// Reads PLY (ascii, binary_little_endian, binary_big_endian) into one primitive.
///
/// Vertex x y z → POSITION, nx ny nz → NORMAL, u v / s t / texture_u texture_v → TEXCOORD_0 (v flipped to
/// glTF's top-left origin), red green blue [alpha] → COLOR_0 (integers normalised), any other scalar vertex
/// property → a custom stream. Face `vertex_indices` (or `vertex_index`) lists are triangulated; other
/// properties and elements are skipped. Without faces the vertices are read as points. A MeshLab
/// `comment TextureFile name` becomes the base colour texture.
public enum PLYReader {
    /// The texture named by `comment TextureFile` is loaded through `resources` (none when parsing bare bytes).
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader = .none) throws(FormatError) -> LoadedScene {
        var reader = PLYParser(bytes: bytes, fileName: fileName)
        try reader.readHeader()
        try reader.readBody()
        var sideFiles: [(reference: String, bytes: Int)] = []
        let scene = reader.buildScene(resources: resources, sideFiles: &sideFiles)
        return LoadedScene(scene: scene, format: .ply, fileSize: bytes.count, sideFiles: sideFiles)
    }
}

enum PLYScalar {
    case int8, uint8, int16, uint16, int32, uint32, float32, float64

    init?(_ name: String) {
        switch name {
        case "char", "int8": self = .int8
        case "uchar", "uint8": self = .uint8
        case "short", "int16": self = .int16
        case "ushort", "uint16": self = .uint16
        case "int", "int32": self = .int32
        case "uint", "uint32": self = .uint32
        case "float", "float32": self = .float32
        case "double", "float64": self = .float64
        default: return nil
        }
    }

    var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64: return 8
        }
    }

    var isInteger: Bool { self != .float32 && self != .float64 }

    /// Full-scale value of unsigned integer colour channels (divided, not multiplied by 1/255, so 51 gives 0.2).
    var colorDivisor: Float {
        switch self {
        case .uint8: return 255
        case .uint16: return 65535
        default: return 1
        }
    }

    @inline(__always)
    func load(_ p: UnsafeRawPointer, bigEndian: Bool) -> Double {
        switch self {
        case .int8: return Double(p.load(as: Int8.self))
        case .uint8: return Double(p.load(as: UInt8.self))
        case .int16: let v = p.loadUnaligned(as: Int16.self); return Double(bigEndian ? Int16(bigEndian: v) : Int16(littleEndian: v))
        case .uint16: let v = p.loadUnaligned(as: UInt16.self); return Double(bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v))
        case .int32: let v = p.loadUnaligned(as: Int32.self); return Double(bigEndian ? Int32(bigEndian: v) : Int32(littleEndian: v))
        case .uint32: let v = p.loadUnaligned(as: UInt32.self); return Double(bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v))
        case .float32:
            let v = p.loadUnaligned(as: UInt32.self)
            return Double(Float(bitPattern: bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)))
        case .float64:
            let v = p.loadUnaligned(as: UInt64.self)
            return Double(bitPattern: bigEndian ? UInt64(bigEndian: v) : UInt64(littleEndian: v))
        }
    }

    @inline(__always)
    func loadFloat(_ p: UnsafeRawPointer, bigEndian: Bool) -> Float {
        if self == .float32 {
            let v = p.loadUnaligned(as: UInt32.self)
            return Float(bitPattern: bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v))
        }
        return Float(load(p, bigEndian: bigEndian))
    }

    /// Integer value (list counts and indices); floats are truncated, which the caller's range checks catch.
    @inline(__always)
    func loadInt(_ p: UnsafeRawPointer, bigEndian: Bool) -> Int {
        switch self {
        case .uint8: return Int(p.load(as: UInt8.self))
        case .int32: let v = p.loadUnaligned(as: Int32.self); return Int(bigEndian ? Int32(bigEndian: v) : Int32(littleEndian: v))
        case .uint32: let v = p.loadUnaligned(as: UInt32.self); return Int(bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v))
        default:
            let d = load(p, bigEndian: bigEndian)
            return d.isFinite && abs(d) < 1e15 ? Int(d) : -1
        }
    }
}

struct PLYProperty {
    var name: String
    var type: PLYScalar
    /// Count type of a list property; nil for scalars.
    var listCount: PLYScalar?
}

struct PLYElement {
    var name: String
    var count: Int
    var properties: [PLYProperty] = []
    var headerLine: Int

    /// Bytes of one record when it has no list property.
    var fixedSize: Int? {
        properties.contains { $0.listCount != nil } ? nil : properties.reduce(0) { $0 + $1.type.size }
    }

    /// The smallest a binary record can be (every list empty).
    var minimumBinarySize: Int { properties.reduce(0) { $0 + ($1.listCount?.size ?? $1.type.size) } }
}

struct PLYParser {
    enum Encoding { case ascii, binaryLittleEndian, binaryBigEndian }

    let bytes: UnsafeRawBufferPointer
    let fileName: String
    var encoding = Encoding.ascii
    var elements: [PLYElement] = []
    var textureFile: String? = nil
    var bodyOffset = 0
    var bodyLine = 1

    var positions: [Float] = []
    var normals: [Float]? = nil
    var texcoords: [Float]? = nil
    var colors: [Float]? = nil
    var colorComponents = 0
    var custom: [(name: String, data: [Float])] = []
    var indices: [UInt32] = []
    var vertexCount = 0
    var sawFaces = false
    var warnings: [String] = []
    private var triangulator = PolygonTriangulator()

    init(bytes: UnsafeRawBufferPointer, fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    private func error(_ location: FormatError.Location, _ reason: String) -> FormatError {
        FormatError(file: fileName, location, reason)
    }

    var bigEndian: Bool { encoding == .binaryBigEndian }

    mutating func readHeader() throws(FormatError) {
        var c = TextCursor(bytes)
        guard c.hasWord("ply") else { throw error(.byteOffset(0), "not a PLY file (it must start with 'ply')") }
        c.nextLine()
        var sawFormat = false
        while true {
            guard !c.atEnd else { throw error(.line(c.line), "PLY header ends without 'end_header'") }
            let line = c.line
            let keyword = c.tokenString()
            switch keyword {
            case "format":
                switch c.tokenString() {
                case "ascii": encoding = .ascii
                case "binary_little_endian": encoding = .binaryLittleEndian
                case "binary_big_endian": encoding = .binaryBigEndian
                case let other: throw error(.line(line), "unknown PLY format '\(other.prefix(40))'")
                }
                sawFormat = true
            case "element":
                let name = c.tokenString()
                guard let count = c.integer(), count >= 0 else { throw error(.line(line), "element '\(name)' has no valid count") }
                elements.append(PLYElement(name: name, count: count, headerLine: line))
            case "property":
                guard !elements.isEmpty else { throw error(.line(line), "property before any element") }
                let typeName = c.tokenString()
                if typeName == "list" {
                    let countName = c.tokenString(), itemName = c.tokenString(), name = c.tokenString()
                    guard let countType = PLYScalar(countName), countType.isInteger else { throw error(.line(line), "list count type '\(countName)' is not an integer type") }
                    guard let itemType = PLYScalar(itemName) else { throw error(.line(line), "unknown property type '\(itemName)'") }
                    elements[elements.count - 1].properties.append(PLYProperty(name: name, type: itemType, listCount: countType))
                } else {
                    guard let type = PLYScalar(typeName) else { throw error(.line(line), "unknown property type '\(typeName.prefix(40))'") }
                    elements[elements.count - 1].properties.append(PLYProperty(name: c.tokenString(), type: type, listCount: nil))
                }
            case "comment":
                let text = c.restOfLine()
                // MeshLab names the texture in a comment.
                for prefix in ["TextureFile ", "texturefile ", "TextureFile\t"] where text.hasPrefix(prefix) {
                    let name = String(text.dropFirst(prefix.count)).trimmingBlanks()
                    if !name.isEmpty { textureFile = name }
                }
            case "end_header":
                c.nextLine()
                bodyOffset = c.offset
                bodyLine = c.line
                guard sawFormat else { throw error(.line(line), "PLY header has no 'format' line") }
                try checkElementSizes()
                return
            case "obj_info", "":
                break
            default:
                throw error(.line(line), "unexpected '\(keyword.prefix(40))' in PLY header")
            }
            c.nextLine()
        }
    }

    /// Rejects counts the remaining bytes cannot hold, before anything is allocated for them.
    private func checkElementSizes() throws(FormatError) {
        let available = bytes.count - bodyOffset
        var needed = 0
        for element in elements where !element.properties.isEmpty {
            let perRecord = encoding == .ascii ? 2 * element.properties.count : element.minimumBinarySize
            let (total, overflow) = element.count.multipliedReportingOverflow(by: perRecord)
            let (sum, overflow2) = needed.addingReportingOverflow(total)
            guard !overflow, !overflow2, sum <= available + 1 else {
                throw error(.line(element.headerLine), "element '\(element.name)' declares \(element.count) records, more than the \(available) bytes after the header can hold")
            }
            needed = sum
        }
    }

    mutating func readBody() throws(FormatError) {
        vertexCount = elements.first { $0.name == "vertex" }?.count ?? 0
        var offset = bodyOffset
        var cursor = TextCursor(bytes)
        cursor.p = cursor.start + bodyOffset
        cursor.line = bodyLine
        for element in elements {
            if element.properties.isEmpty { continue }
            if element.name == "vertex" {
                try readVertices(element, &offset, &cursor)
            } else if element.name == "face" {
                sawFaces = true
                try readFaces(element, &offset, &cursor)
            } else {
                try skip(element, &offset, &cursor)
            }
        }
    }

    // MARK: vertices

    /// Where one vertex property goes: `components` floats per vertex, this one at `component`.
    private enum Destination { case position, normal, texcoord, color, custom(Int), none }

    private mutating func readVertices(_ element: PLYElement, _ offset: inout Int, _ cursor: inout TextCursor) throws(FormatError) {
        let n = element.count
        let names = element.properties.map(\.name)
        func has(_ list: [String]) -> Bool { list.allSatisfy { names.contains($0) } }
        let uvNames = [["u", "v"], ["s", "t"], ["texture_u", "texture_v"], ["texture_s", "texture_t"]].first(where: has)
        let colorNames = [["red", "green", "blue"], ["diffuse_red", "diffuse_green", "diffuse_blue"]].first(where: has)
        let alphaName = colorNames?[0] == "red" ? "alpha" : "diffuse_alpha"
        guard has(["x", "y", "z"]) else { throw error(.line(element.headerLine), "vertex element has no x, y and z properties") }
        let hasNormals = has(["nx", "ny", "nz"])
        colorComponents = colorNames == nil ? 0 : (names.contains(alphaName) ? 4 : 3)

        // (destination array, components, component, divisor) per property.
        var columns: [(Destination, Int, Int, Float)] = []
        for property in element.properties {
            let name = property.name
            if property.listCount != nil { columns.append((.none, 0, 0, 1)); continue }
            if let k = ["x", "y", "z"].firstIndex(of: name) { columns.append((.position, 3, k, 1)) }
            else if hasNormals, let k = ["nx", "ny", "nz"].firstIndex(of: name) { columns.append((.normal, 3, k, 1)) }
            else if let uv = uvNames, let k = uv.firstIndex(of: name) { columns.append((.texcoord, 2, k, 1)) }
            else if let rgb = colorNames, let k = (rgb + [alphaName]).firstIndex(of: name) { columns.append((.color, colorComponents, k, property.type.colorDivisor)) }
            else {
                custom.append((name, []))
                columns.append((.custom(custom.count - 1), 1, 0, 1))
            }
        }
        // Raw pointers to every destination, so the per-value loop is a store, not an array lookup.
        var targets: [(UnsafeMutablePointer<Float>, Int, Float)] = []
        var owned: [UnsafeMutableBufferPointer<Float>] = []
        func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
            owned.append(b)
            return b
        }
        let positionBuffer = buffer(3 * n), normalBuffer = buffer(hasNormals ? 3 * n : 0), texcoordBuffer = buffer(uvNames != nil ? 2 * n : 0)
        let colorBuffer = buffer(colorComponents * n)
        let customBuffers = custom.map { _ in buffer(n) }
        defer { for b in owned { b.deallocate() } }
        positionBuffer.initialize(repeating: 0); normalBuffer.initialize(repeating: 0); texcoordBuffer.initialize(repeating: 0)
        colorBuffer.initialize(repeating: 1)
        for b in customBuffers { b.initialize(repeating: 0) }
        for (destination, components, component, scale) in columns {
            switch destination {
            case .position: targets.append((positionBuffer.baseAddress! + component, components, scale))
            case .normal: targets.append((normalBuffer.baseAddress! + component, components, scale))
            case .texcoord: targets.append((texcoordBuffer.baseAddress! + component, components, scale))
            case .color: targets.append((colorBuffer.baseAddress! + component, components, scale))
            case .custom(let k): targets.append((customBuffers[k].baseAddress!, 1, scale))
            case .none: targets.append((positionBuffer.baseAddress!, 0, 1))
            }
        }
        let properties = element.properties
        let scalarTypes = properties.map(\.type)
        let base = bytes.baseAddress
        switch encoding {
        case .ascii:
            for v in 0..<n {
                for (k, property) in properties.enumerated() {
                    if property.listCount != nil {
                        try skipASCIIList(&cursor, element, v)
                        continue
                    }
                    cursor.skipWhitespaceAndComments()
                    guard let value = cursor.float() else { throw error(.line(cursor.line), "cannot parse \(property.name) of vertex \(v)") }
                    let t = targets[k]
                    t.0[v * t.1] = value / t.2
                }
            }
        case .binaryLittleEndian, .binaryBigEndian:
            let big = bigEndian
            if let size = element.fixedSize {
                guard offset + size * n <= bytes.count else { throw truncated(element, offset) }
                var propertyOffsets: [Int] = []
                var o = 0
                for t in scalarTypes { propertyOffsets.append(o); o += t.size }
                let allFloatLE = !big && scalarTypes.allSatisfy { $0 == .float32 }
                var record = base! + offset
                for v in 0..<n {
                    if allFloatLE {
                        for k in 0..<targets.count {
                            let t = targets[k]
                            t.0[v * t.1] = Float(bitPattern: UInt32(littleEndian: (record + propertyOffsets[k]).loadUnaligned(as: UInt32.self))) / t.2
                        }
                    } else {
                        for k in 0..<targets.count {
                            let t = targets[k]
                            t.0[v * t.1] = scalarTypes[k].loadFloat(record + propertyOffsets[k], bigEndian: big) / t.2
                        }
                    }
                    record += size
                }
                offset += size * n
            } else {
                for v in 0..<n {
                    for (k, property) in properties.enumerated() {
                        if property.listCount != nil {
                            try skipBinaryList(property, element, &offset)
                            continue
                        }
                        guard offset + property.type.size <= bytes.count else { throw truncated(element, offset) }
                        let t = targets[k]
                        t.0[v * t.1] = property.type.loadFloat(base! + offset, bigEndian: big) / t.2
                        offset += property.type.size
                    }
                }
            }
        }
        positions = Array(positionBuffer.prefix(3 * n))
        if hasNormals { normals = Array(normalBuffer.prefix(3 * n)) }
        if uvNames != nil {
            // glTF's texture origin is top-left, PLY's (like OBJ's) bottom-left.
            for i in 0..<n { texcoordBuffer[2 * i + 1] = 1 - texcoordBuffer[2 * i + 1] }
            texcoords = Array(texcoordBuffer.prefix(2 * n))
        }
        if colorComponents > 0 { colors = Array(colorBuffer.prefix(colorComponents * n)) }
        for k in custom.indices { custom[k].data = Array(customBuffers[k].prefix(n)) }
    }

    private func truncated(_ element: PLYElement, _ offset: Int) -> FormatError {
        error(.byteOffset(offset), "PLY data ends inside element '\(element.name)' (the header announces \(element.count) records)")
    }

    // MARK: faces

    private mutating func readFaces(_ element: PLYElement, _ offset: inout Int, _ cursor: inout TextCursor) throws(FormatError) {
        guard let listIndex = element.properties.firstIndex(where: { ($0.name == "vertex_indices" || $0.name == "vertex_index") && $0.listCount != nil }) else {
            warnings.append("\(fileName): face element has no vertex_indices list; faces skipped")
            try skip(element, &offset, &cursor)
            return
        }
        let n = element.count
        indices.reserveCapacity(3 * n)
        let properties = element.properties
        let big = bigEndian
        let base = bytes.baseAddress
        let vertexLimit = vertexCount
        var polygon: [Int] = []
        // The usual binary layout (`list uchar int|uint vertex_indices` alone, little-endian): triangles take a
        // tight loop; any other face falls back to the general path below.
        var first = 0
        if properties.count == 1, encoding == .binaryLittleEndian, properties[0].listCount == .uint8,
           properties[0].type == .int32 || properties[0].type == .uint32 {
            let limit = UInt32(truncatingIfNeeded: vertexLimit)
            while first < n, offset + 13 <= bytes.count, (base! + offset).load(as: UInt8.self) == 3 {
                let a = UInt32(littleEndian: (base! + offset + 1).loadUnaligned(as: UInt32.self))
                let b = UInt32(littleEndian: (base! + offset + 5).loadUnaligned(as: UInt32.self))
                let c = UInt32(littleEndian: (base! + offset + 9).loadUnaligned(as: UInt32.self))
                // Negative int32 indices are huge as UInt32, so one comparison covers both ends.
                guard a < limit, b < limit, c < limit else { break }
                indices.append(a); indices.append(b); indices.append(c)
                offset += 13
                first += 1
            }
        }
        for f in first..<n {
            polygon.removeAll(keepingCapacity: true)
            for (k, property) in properties.enumerated() {
                if k != listIndex {
                    if encoding == .ascii {
                        if property.listCount != nil { try skipASCIIList(&cursor, element, f) }
                        else {
                            cursor.skipWhitespaceAndComments()
                            guard cursor.float() != nil else { throw error(.line(cursor.line), "cannot parse \(property.name) of face \(f)") }
                        }
                    } else if property.listCount != nil {
                        try skipBinaryList(property, element, &offset)
                    } else {
                        offset += property.type.size
                        guard offset <= bytes.count else { throw truncated(element, offset) }
                    }
                    continue
                }
                let countType = property.listCount!
                if encoding == .ascii {
                    cursor.skipWhitespaceAndComments()
                    guard let count = cursor.integer(), count >= 0 else { throw error(.line(cursor.line), "cannot parse the vertex count of face \(f)") }
                    for _ in 0..<count {
                        cursor.skipWhitespaceAndComments()
                        guard let index = cursor.integer() else { throw error(.line(cursor.line), "cannot parse a vertex index of face \(f)") }
                        guard index >= 0, index < vertexLimit else { throw error(.line(cursor.line), "face \(f) refers to vertex \(index), but there are \(vertexLimit) vertices") }
                        polygon.append(index)
                    }
                } else {
                    guard offset + countType.size <= bytes.count else { throw truncated(element, offset) }
                    let count = countType.loadInt(base! + offset, bigEndian: big)
                    offset += countType.size
                    let itemSize = property.type.size
                    guard count >= 0, count <= (bytes.count - offset) / itemSize else {
                        throw error(.byteOffset(offset - countType.size), "face \(f) declares \(count) vertices, more than the file holds")
                    }
                    for _ in 0..<count {
                        let index = property.type.loadInt(base! + offset, bigEndian: big)
                        offset += itemSize
                        guard index >= 0, index < vertexLimit else {
                            throw error(.byteOffset(offset - itemSize), "face \(f) refers to vertex \(index), but there are \(vertexLimit) vertices")
                        }
                        polygon.append(index)
                    }
                }
            }
            appendPolygon(polygon)
        }
    }

    private var triangleCorners: [Int] = []

    private mutating func appendPolygon(_ polygon: [Int]) {
        let count = polygon.count
        guard count >= 3 else { return }
        if count == 3 {
            indices.append(UInt32(polygon[0])); indices.append(UInt32(polygon[1])); indices.append(UInt32(polygon[2]))
            return
        }
        triangleCorners.removeAll(keepingCapacity: true)
        let pos = positions
        triangulator.triangulate(count: count, out: &triangleCorners) { i in
            let v = polygon[i]
            guard 3 * v + 2 < pos.count else { return nil }
            return (pos[3 * v], pos[3 * v + 1], pos[3 * v + 2])
        }
        for k in triangleCorners { indices.append(UInt32(polygon[k])) }
    }

    // MARK: skipping

    private mutating func skip(_ element: PLYElement, _ offset: inout Int, _ cursor: inout TextCursor) throws(FormatError) {
        switch encoding {
        case .ascii:
            for r in 0..<element.count {
                for property in element.properties {
                    if property.listCount != nil { try skipASCIIList(&cursor, element, r); continue }
                    cursor.skipWhitespaceAndComments()
                    guard cursor.float() != nil else { throw error(.line(cursor.line), "cannot parse \(property.name) of \(element.name) \(r)") }
                }
            }
        case .binaryLittleEndian, .binaryBigEndian:
            if let size = element.fixedSize {
                guard offset + size * element.count <= bytes.count else { throw truncated(element, offset) }
                offset += size * element.count
                return
            }
            for _ in 0..<element.count {
                for property in element.properties {
                    if property.listCount != nil { try skipBinaryList(property, element, &offset); continue }
                    offset += property.type.size
                    guard offset <= bytes.count else { throw truncated(element, offset) }
                }
            }
        }
    }

    private func skipBinaryList(_ property: PLYProperty, _ element: PLYElement, _ offset: inout Int) throws(FormatError) {
        let countType = property.listCount!
        guard offset + countType.size <= bytes.count else { throw truncated(element, offset) }
        let count = countType.loadInt(bytes.baseAddress! + offset, bigEndian: bigEndian)
        offset += countType.size
        guard count >= 0, count <= (bytes.count - offset) / property.type.size else {
            throw error(.byteOffset(offset - countType.size), "list '\(property.name)' of element '\(element.name)' declares \(count) items, more than the file holds")
        }
        offset += count * property.type.size
    }

    private func skipASCIIList(_ cursor: inout TextCursor, _ element: PLYElement, _ record: Int) throws(FormatError) {
        cursor.skipWhitespaceAndComments()
        guard let count = cursor.integer(), count >= 0, count <= cursor.remaining else {
            throw error(.line(cursor.line), "cannot parse a list count in \(element.name) \(record)")
        }
        for _ in 0..<count {
            cursor.skipWhitespaceAndComments()
            guard cursor.float() != nil else { throw error(.line(cursor.line), "cannot parse a list item in \(element.name) \(record)") }
        }
    }

    // MARK: scene

    mutating func buildScene(resources: ResourceLoader, sideFiles: inout [(reference: String, bytes: Int)]) -> Scene {
        var streams = [VertexStream(.position, components: 3, data: positions)]
        if let normals { streams.append(VertexStream(.normal, components: 3, data: normals)) }
        if let texcoords { streams.append(VertexStream(.texcoord(0), components: 2, data: texcoords)) }
        if let colors { streams.append(VertexStream(.color(0), components: colorComponents, data: colors)) }
        for (name, data) in custom { streams.append(VertexStream(.custom(name), components: 1, data: data)) }
        var primitive = Primitive(streams: streams)
        if sawFaces {
            primitive.indices = indices
        } else {
            // A point cloud: no faces to triangulate.
            primitive.mode = .points
            primitive.indices = STLReader.sequentialIndices(vertexCount)
        }
        var materials: [Material] = [], textures: [Texture] = [], images: [Image] = []
        if let textureFile {
            do {
                let data = try resources.load(textureFile, file: fileName, location: .none)
                sideFiles.append((textureFile, data.count))
                if let mimeType = Image.sniffMimeType(data) {
                    let name = FileSystem.fileName(of: textureFile)
                    images.append(Image(name: FileSystem.stem(of: name), mimeType: mimeType, data: data, originalFileName: name))
                    textures.append(Texture(name: FileSystem.stem(of: name), source: 0))
                    var material = Material(name: FileSystem.stem(of: name))
                    material.metallicFactor = 0
                    material.baseColorTexture = TextureReference(texture: 0)
                    materials.append(material)
                    primitive.material = 0
                } else {
                    warnings.append("\(fileName): texture '\(textureFile)' is not PNG, JPEG, WebP or KTX2; ignored")
                }
            } catch {
                warnings.append("\(error.description); the mesh is read without its texture")
            }
        }
        var scene = Scene(mesh: Mesh(name: FileSystem.stem(of: fileName), primitives: [primitive]), materials: materials, textures: textures, images: images)
        scene.warnings = warnings
        return scene
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
