import PolyforgeMesh

/// Reads Wavefront OBJ with its MTL libraries and textures.
///
/// Each `o`/`g` group becomes a named node and mesh; within a group each `usemtl` material becomes a primitive.
/// Vertices are the unique (v, vt, vn) triples a primitive uses, in first-use order; a file with positions only
/// and one primitive keeps its `v` lines 1:1. Texture v is flipped to glTF's top-left origin (v = 1 - vt.v).
/// A missing .mtl or texture is a warning, as in Blender and assimp.
public enum OBJReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader) throws(FormatError) -> LoadedScene {
        var parser = OBJParser(fileName: fileName)
        try parser.parse(bytes)
        var library = MTLLibrary(objFileName: fileName, resources: resources)
        for line in parser.materialLibraries {
            library.load(line.reference, line: line.line)
        }
        var scene = parser.buildScene(materials: &library)
        scene.warnings = parser.warnings + library.warnings + scene.warnings
        return LoadedScene(scene: scene, format: .obj, fileSize: bytes.count, sideFiles: library.sideFiles)
    }
}

/// Faces of one (group, material) pair as triangle corners: (v, vt, vn) 0-based, -1 when absent.
struct OBJBatch {
    var group: Int
    var material: String?
    var corners: [Int32] = []
    var hasTexcoord = false
    var hasNormal = false
}

struct OBJParser {
    let fileName: String
    var positions: [Float] = []
    /// RGBA per `v` line, filled only once a coloured `v` line appears.
    var colors: [Float] = []
    var colorComponents = 0
    var texcoords: [Float] = []
    var normals: [Float] = []
    var groupNames: [String?] = []
    var groupByName: [String: Int] = [:]
    var batches: [OBJBatch] = []
    var batchByKey: [BatchKey: Int] = [:]
    var materialLibraries: [(reference: String, line: Int)] = []
    var warnings: [String] = []

    struct BatchKey: Hashable {
        var group: Int
        var material: String?
    }

    private var currentGroupName: String? = nil
    private var currentMaterial: String? = nil
    private var currentBatch = -1
    // The largest index each face refers to and its line: checked once the whole file has been read,
    // because a face may refer to a vertex defined after it.
    private var maxPosition = -1, maxPositionLine = 0
    private var maxTexcoord = -1, maxTexcoordLine = 0
    private var maxNormal = -1, maxNormalLine = 0
    private var skippedFaces = 0, skippedElements = 0
    private var polygon: [Int32] = []
    private var triangleCorners: [Int] = []
    private var triangulator = PolygonTriangulator()

    init(fileName: String) { self.fileName = fileName }

    private func error(_ line: Int, _ reason: String) -> FormatError { FormatError(file: fileName, .line(line), reason) }

    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(FormatError) {
        // About 30 bytes per `v` line in typical files; reserving avoids most regrowth.
        positions.reserveCapacity(min(bytes.count / 10, 1 << 26))
        var c = TextCursor(bytes)
        while !c.atEnd {
            c.skipBlanks()
            if c.atEnd { break }
            let first = c.p.pointee
            let second: UInt8 = c.p + 1 < c.end ? (c.p + 1).pointee : 0x0A
            if first == 0x76 /* v */ {
                if TextCursor.isDelimiter(second) {
                    c.p += 1
                    try parsePosition(&c)
                } else if second == 0x74 /* t */, c.hasWord("vt") {
                    c.p += 2
                    try parseTexcoord(&c)
                } else if second == 0x6E /* n */, c.hasWord("vn") {
                    c.p += 2
                    try parseNormal(&c)
                }
            } else if first == 0x66 /* f */, TextCursor.isDelimiter(second) {
                c.p += 1
                try parseFace(&c)
            } else if first == 0x23 /* # */ || first == 0x0A {
                // comment or empty line
            } else {
                try parseStatement(&c)
            }
            c.nextLine()
        }
        try checkIndexRanges()
        if skippedFaces > 0 { warnings.append("\(fileName): \(skippedFaces) face(s) with fewer than 3 corners skipped") }
        if skippedElements > 0 { warnings.append("\(fileName): \(skippedElements) point/line element(s) skipped (only faces are read)") }
    }

    private mutating func parsePosition(_ c: inout TextCursor) throws(FormatError) {
        guard let x = c.float(), let y = c.float(), let z = c.float() else {
            throw error(c.line, "cannot parse vertex position (expected 'v x y z')")
        }
        positions.append(x); positions.append(y); positions.append(z)
        c.skipBlanks()
        if c.atLineEnd {
            if colorComponents > 0 { colors.append(1); colors.append(1); colors.append(1); colors.append(1) }
            return
        }
        // x y z w (rational weight, ignored) or x y z r g b [a] (vertex colours, a common extension).
        var extra: [Float] = []
        while !c.atLineEnd, extra.count < 4 {
            guard let v = c.float() else { throw error(c.line, "cannot parse vertex position (expected numbers after 'v')") }
            extra.append(v)
            c.skipBlanks()
        }
        guard extra.count >= 3 else {
            if colorComponents > 0 { colors.append(1); colors.append(1); colors.append(1); colors.append(1) }
            return
        }
        if colorComponents == 0 {
            colors = [Float](repeating: 1, count: (positions.count / 3 - 1) * 4)
            colors.reserveCapacity(positions.capacity / 3 * 4)
            colorComponents = 3
        }
        if extra.count == 4 { colorComponents = 4 }
        colors.append(extra[0]); colors.append(extra[1]); colors.append(extra[2]); colors.append(extra.count == 4 ? extra[3] : 1)
    }

    private mutating func parseTexcoord(_ c: inout TextCursor) throws(FormatError) {
        guard let u = c.float() else { throw error(c.line, "cannot parse texture coordinate (expected 'vt u v')") }
        c.skipBlanks()
        var v: Float = 0
        if !c.atLineEnd {
            guard let parsed = c.float() else { throw error(c.line, "cannot parse texture coordinate (expected 'vt u v')") }
            v = parsed
        }
        texcoords.append(u); texcoords.append(1 - v)
    }

    private mutating func parseNormal(_ c: inout TextCursor) throws(FormatError) {
        guard let x = c.float(), let y = c.float(), let z = c.float() else {
            throw error(c.line, "cannot parse normal (expected 'vn x y z')")
        }
        normals.append(x); normals.append(y); normals.append(z)
    }

    /// Resolves a 1-based or negative (relative) index to 0-based.
    @inline(__always)
    private func resolve(_ index: Int, count: Int, _ what: String, _ line: Int) throws(FormatError) -> Int {
        if index > 0 {
            // Forward references are checked against the final counts later; corners are stored as Int32.
            guard index <= Int(Int32.max) else { throw error(line, "\(what) index \(index) is too large") }
            return index - 1
        }
        if index < 0, count + index >= 0 { return count + index }
        if index == 0 { throw error(line, "\(what) index 0 is invalid (OBJ indices start at 1)") }
        throw error(line, "relative \(what) index \(index) points before the first \(what) (only \(count) defined so far)")
    }

    private mutating func parseFace(_ c: inout TextCursor) throws(FormatError) {
        let line = c.line
        polygon.removeAll(keepingCapacity: true)
        let positionCount = positions.count / 3, texcoordCount = texcoords.count / 2, normalCount = normals.count / 3
        var hasTexcoord = false, hasNormal = false
        c.skipBlanks()
        while !c.atLineEnd {
            guard let vi = DecimalParser.parseInt(&c.p, c.end) else { throw error(c.line, "cannot parse face corner (expected v, v/vt, v//vn or v/vt/vn)") }
            let v = try resolve(vi, count: positionCount, "vertex", line)
            if v > maxPosition { maxPosition = v; maxPositionLine = line }
            var t = -1, n = -1
            if c.p < c.end, c.p.pointee == 0x2F {
                c.p += 1
                if c.p < c.end, c.p.pointee != 0x2F, !TextCursor.isDelimiter(c.p.pointee) {
                    guard let ti = DecimalParser.parseInt(&c.p, c.end) else { throw error(c.line, "cannot parse texture coordinate index in face") }
                    t = try resolve(ti, count: texcoordCount, "texture coordinate", line)
                    if t > maxTexcoord { maxTexcoord = t; maxTexcoordLine = line }
                    hasTexcoord = true
                }
                if c.p < c.end, c.p.pointee == 0x2F {
                    c.p += 1
                    if c.p < c.end, !TextCursor.isDelimiter(c.p.pointee) {
                        guard let ni = DecimalParser.parseInt(&c.p, c.end) else { throw error(c.line, "cannot parse normal index in face") }
                        n = try resolve(ni, count: normalCount, "normal", line)
                        if n > maxNormal { maxNormal = n; maxNormalLine = line }
                        hasNormal = true
                    }
                }
            }
            guard c.p >= c.end || TextCursor.isDelimiter(c.p.pointee) || c.p.pointee == 0x5C else {
                throw error(c.line, "unexpected character in face corner")
            }
            polygon.append(Int32(v)); polygon.append(Int32(t)); polygon.append(Int32(n))
            c.skipBlanks()
        }
        let count = polygon.count / 3
        guard count >= 3 else { skippedFaces += 1; return }
        if currentBatch < 0 { selectBatch() }
        if hasTexcoord { batches[currentBatch].hasTexcoord = true }
        if hasNormal { batches[currentBatch].hasNormal = true }
        if count == 3 {
            batches[currentBatch].corners.append(contentsOf: polygon)
            return
        }
        triangleCorners.removeAll(keepingCapacity: true)
        let poly = polygon, pos = positions
        triangulator.triangulate(count: count, out: &triangleCorners) { i in
            let v = Int(poly[3 * i])
            guard v < pos.count / 3 else { return nil }
            return (pos[3 * v], pos[3 * v + 1], pos[3 * v + 2])
        }
        for k in triangleCorners {
            batches[currentBatch].corners.append(polygon[3 * k])
            batches[currentBatch].corners.append(polygon[3 * k + 1])
            batches[currentBatch].corners.append(polygon[3 * k + 2])
        }
    }

    private mutating func selectBatch() {
        let group: Int
        if let existing = groupByName[currentGroupName ?? ""] {
            group = existing
        } else {
            group = groupNames.count
            groupNames.append(currentGroupName)
            groupByName[currentGroupName ?? ""] = group
        }
        let key = BatchKey(group: group, material: currentMaterial)
        if let existing = batchByKey[key] {
            currentBatch = existing
        } else {
            currentBatch = batches.count
            batches.append(OBJBatch(group: group, material: currentMaterial))
            batchByKey[key] = currentBatch
        }
    }

    /// Statements other than v/vt/vn/f: groups, materials, libraries; the rest is ignored.
    private mutating func parseStatement(_ c: inout TextCursor) throws(FormatError) {
        let keyword = c.token()
        func isKeyword(_ s: StaticString) -> Bool {
            keyword.count == s.utf8CodeUnitCount && memcmp(keyword.baseAddress!, s.utf8Start, keyword.count) == 0
        }
        if isKeyword("o") || isKeyword("g") {
            let name = c.restOfLine()
            currentGroupName = name.isEmpty ? nil : name
            currentBatch = -1
        } else if isKeyword("usemtl") {
            let name = c.restOfLine()
            currentMaterial = name.isEmpty ? nil : name
            currentBatch = -1
        } else if isKeyword("mtllib") {
            let reference = c.restOfLine()
            if !reference.isEmpty { materialLibraries.append((reference, c.line)) }
        } else if isKeyword("l") || isKeyword("p") {
            skippedElements += 1
        }
    }

    private func checkIndexRanges() throws(FormatError) {
        if maxPosition >= positions.count / 3 {
            throw error(maxPositionLine, "face refers to vertex \(maxPosition + 1), but the file defines only \(positions.count / 3)")
        }
        if maxTexcoord >= texcoords.count / 2 {
            throw error(maxTexcoordLine, "face refers to texture coordinate \(maxTexcoord + 1), but the file defines only \(texcoords.count / 2)")
        }
        if maxNormal >= normals.count / 3 {
            throw error(maxNormalLine, "face refers to normal \(maxNormal + 1), but the file defines only \(normals.count / 3)")
        }
    }

    // MARK: building the scene

    mutating func buildScene(materials library: inout MTLLibrary) -> Scene {
        var meshes: [Mesh] = groupNames.map { Mesh(name: $0) }
        let positionOnly = batches.count == 1 && !batches[0].hasTexcoord && !batches[0].hasNormal
        var vertexHead = positionOnly ? [] : [Int32](repeating: -1, count: positions.count / 3)
        for b in batches.indices {
            let batch = batches[b]
            var primitive = positionOnly ? buildPositionOnly(batch) : build(batch, &vertexHead)
            if let name = batch.material { primitive.material = library.materialIndex(named: name) }
            meshes[batch.group].primitives.append(primitive)
            batches[b].corners = []
        }
        meshes.removeAll { $0.primitives.isEmpty }
        if meshes.isEmpty { warnings.append("\(fileName): no faces") }
        var scene = Scene()
        if meshes.count == 1 {
            scene = Scene(mesh: meshes[0])
        } else {
            scene.meshes = meshes
            scene.nodes = meshes.indices.map { Node(name: meshes[$0].name, mesh: $0) }
            scene.rootNodes = Array(scene.nodes.indices)
        }
        scene.materials = library.materials
        scene.textures = library.textures
        scene.images = library.images
        return scene
    }

    /// Positions only: vertices are the `v` lines themselves and indices are the `f` numbers.
    private func buildPositionOnly(_ batch: OBJBatch) -> Primitive {
        let triangles = batch.corners.count / 3
        let indices = [UInt32](unsafeUninitializedCapacity: triangles) { out, n in
            batch.corners.withUnsafeBufferPointer { corners in
                for i in 0..<triangles { out[i] = UInt32(corners[3 * i]) }
            }
            n = triangles
        }
        var primitive = Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: indices)
        addColors(&primitive, vertices: nil)
        return primitive
    }

    /// Welds the batch's corners into unique (v, vt, vn) vertices. `head[v]` starts a chain of the batch's
    /// vertices with position v (an array indexed by v is a perfect hash); it is reset before returning.
    private func build(_ batch: OBJBatch, _ head: inout [Int32]) -> Primitive {
        let cornerCount = batch.corners.count / 3
        var indices = [UInt32](repeating: 0, count: cornerCount)
        var vertexPosition: [Int32] = [], vertexTexcoord: [Int32] = [], vertexNormal: [Int32] = [], next: [Int32] = []
        let estimate = min(cornerCount, positions.count / 3 + 16)
        vertexPosition.reserveCapacity(estimate); vertexTexcoord.reserveCapacity(estimate)
        vertexNormal.reserveCapacity(estimate); next.reserveCapacity(estimate)
        batch.corners.withUnsafeBufferPointer { corners in
            head.withUnsafeMutableBufferPointer { head in
                indices.withUnsafeMutableBufferPointer { indices in
                    for i in 0..<cornerCount {
                        let v = corners[3 * i], t = corners[3 * i + 1], n = corners[3 * i + 2]
                        var local = head[Int(v)]
                        while local >= 0 {
                            if vertexTexcoord[Int(local)] == t && vertexNormal[Int(local)] == n { break }
                            local = next[Int(local)]
                        }
                        if local < 0 {
                            local = Int32(vertexPosition.count)
                            vertexPosition.append(v); vertexTexcoord.append(t); vertexNormal.append(n)
                            next.append(head[Int(v)])
                            head[Int(v)] = local
                        }
                        indices[i] = UInt32(local)
                    }
                }
                for v in vertexPosition { head[Int(v)] = -1 }
            }
        }
        let vertexCount = vertexPosition.count
        var streams = [VertexStream(.position, components: 3, data: gather(positions, vertexPosition, 3, fill: 0))]
        if batch.hasNormal { streams.append(VertexStream(.normal, components: 3, data: gather(normals, vertexNormal, 3, fill: 0))) }
        if batch.hasTexcoord { streams.append(VertexStream(.texcoord(0), components: 2, data: gather(texcoords, vertexTexcoord, 2, fill: 0))) }
        var primitive = Primitive(streams: streams, indices: indices)
        _ = vertexCount
        addColors(&primitive, vertices: vertexPosition)
        return primitive
    }

    private func addColors(_ primitive: inout Primitive, vertices: [Int32]?) {
        guard colorComponents > 0 else { return }
        let k = colorComponents
        let source = colors
        let count = vertices?.count ?? source.count / 4
        let data = [Float](unsafeUninitializedCapacity: count * k) { out, n in
            for i in 0..<count {
                let v = vertices.map { Int($0[i]) } ?? i
                for j in 0..<k { out[i * k + j] = source[v * 4 + j] }
            }
            n = count * k
        }
        primitive.streams.append(VertexStream(.color(0), components: k, data: data))
    }

    /// `components` floats per vertex from `source` at the given element indices (-1 gives `fill`).
    private func gather(_ source: [Float], _ elements: [Int32], _ components: Int, fill: Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: elements.count * components) { out, n in
            source.withUnsafeBufferPointer { src in
                for (i, e) in elements.enumerated() {
                    for j in 0..<components { out[i * components + j] = e >= 0 ? src[Int(e) * components + j] : fill }
                }
            }
            n = elements.count * components
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
