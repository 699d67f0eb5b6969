import PolyforgeMesh

/// Reads binary and ASCII STL into one primitive of unwelded triangles (3 vertices each, indices 0..<3n).
///
/// Binary when 84 + 50·n equals the file size, even if the header starts with "solid" (many binary writers
/// put it there); otherwise ASCII when the file starts with "solid". Facet normals are not kept: writers
/// often leave them zero or wrong, and the triangle's winding already says which way it faces.
public enum STLReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Scene {
        let binaryCount = bytes.count >= 84 ? Int(bytes.loadLE(80, as: UInt32.self)) : -1
        var primitive: Primitive
        var warnings: [String] = []
        if binaryCount >= 0, 84 + 50 * binaryCount == bytes.count {
            primitive = readBinary(bytes, triangles: binaryCount)
        } else if startsWithSolid(bytes), !containsNUL(bytes) {
            primitive = try readASCII(bytes, fileName: fileName)
        } else if bytes.count < 84 {
            throw FormatError(file: fileName, .byteOffset(bytes.count), "file is too short for binary STL (\(bytes.count) bytes, the header alone is 84) and does not start with 'solid'")
        } else if 84 + 50 * binaryCount > bytes.count {
            throw FormatError(file: fileName, .byteOffset(bytes.count), "binary STL is truncated: the header announces \(binaryCount) triangles (\(84 + 50 * binaryCount) bytes) but the file has \(bytes.count) bytes")
        } else {
            warnings.append("\(fileName): \(bytes.count - 84 - 50 * binaryCount) bytes after the last STL triangle ignored")
            primitive = readBinary(bytes, triangles: binaryCount)
        }
        var scene = Scene(mesh: Mesh(name: FileSystem.stem(of: fileName), primitives: [primitive]))
        scene.warnings = warnings
        return scene
    }

    private static func startsWithSolid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        let solid: [UInt8] = Array("solid".utf8)
        guard bytes.count - i >= solid.count else { return false }
        for k in 0..<solid.count where bytes[i + k] | 0x20 != solid[k] { return false }
        return true
    }

    /// Text never holds NUL bytes; a binary file whose size is off (truncated) always does in its counts or floats.
    private static func containsNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = min(bytes.count, 4096)
        return n > 0 && memchr(bytes.baseAddress!, 0, n) != nil
    }

    /// Copies the 36 vertex bytes of each 50-byte record; on little-endian hosts they are already Float layout.
    private static func readBinary(_ bytes: UnsafeRawBufferPointer, triangles: Int) -> Primitive {
        let positions = [Float](unsafeUninitializedCapacity: triangles * 9) { out, n in
            let src = bytes.baseAddress! + 84
            let dst = UnsafeMutableRawPointer(out.baseAddress)
            #if _endian(little)
            for t in 0..<triangles { (dst! + 36 * t).copyMemory(from: src + 50 * t + 12, byteCount: 36) }
            #else
            for t in 0..<triangles { for k in 0..<9 { out[9 * t + k] = bytes.loadFloatLE(84 + 50 * t + 12 + 4 * k) } }
            #endif
            n = triangles * 9
        }
        return Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: sequentialIndices(triangles * 3))
    }

    static func sequentialIndices(_ count: Int) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count { out[i] = UInt32(truncatingIfNeeded: i) }
            n = count
        }
    }

    /// `solid … facet normal … outer loop vertex x y z … endloop endfacet … endsolid`. Loops of more than
    /// three vertices (rare, but seen) are fanned; several solids are merged.
    private static func readASCII(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Primitive {
        var c = TextCursor(bytes)
        var positions: [Float] = []
        positions.reserveCapacity(min(bytes.count / 20, 1 << 26))
        var loop: [Float] = []
        var inLoop = false
        var loopLine = 0
        func error(_ line: Int, _ reason: String) -> FormatError { FormatError(file: fileName, .line(line), reason) }
        func closeLoop() throws(FormatError) {
            let n = loop.count / 3
            guard n >= 3 else { throw error(loopLine, "facet has \(n) vertices; a triangle needs 3") }
            for i in 1..<(n - 1) {
                positions.append(contentsOf: loop[0..<3])
                positions.append(contentsOf: loop[(3 * i)..<(3 * i + 3)])
                positions.append(contentsOf: loop[(3 * i + 3)..<(3 * i + 6)])
            }
            loop.removeAll(keepingCapacity: true)
        }
        while true {
            c.skipWhitespaceAndComments()
            if c.atEnd { break }
            let line = c.line
            if c.hasWord("vertex") {
                c.p += 6
                guard let x = c.float(), let y = c.float(), let z = c.float() else { throw error(line, "cannot parse 'vertex x y z'") }
                if !inLoop { throw error(line, "'vertex' outside 'outer loop'") }
                loop.append(x); loop.append(y); loop.append(z)
            } else if c.hasWord("outer") {
                inLoop = true
                loopLine = line
                c.nextLine()
            } else if c.hasWord("endloop") {
                guard inLoop else { throw error(line, "'endloop' without 'outer loop'") }
                try closeLoop()
                inLoop = false
                c.nextLine()
            } else if c.hasWord("solid") || c.hasWord("endsolid") || c.hasWord("facet") || c.hasWord("endfacet") {
                // Names and facet normals are not kept.
                c.nextLine()
            } else {
                let word = c.tokenString()
                throw error(line, "unexpected '\(word.prefix(40))' in ASCII STL")
            }
        }
        if inLoop { throw error(c.line, "ASCII STL ends inside a facet ('endloop' missing)") }
        return Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: sequentialIndices(positions.count / 3))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
