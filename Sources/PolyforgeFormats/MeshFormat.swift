/// The file formats Polyforge reads and writes, chosen by extension or, for reading, by content.
public enum MeshFormat: String, Sendable, CaseIterable {
    case glb, gltf, obj, stl, ply, off

    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "glb": self = .glb
        case "gltf": self = .gltf
        case "obj": self = .obj
        case "stl": self = .stl
        case "ply": self = .ply
        case "off": self = .off
        default: return nil
        }
    }

    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(fileExtension: String(path[path.index(after: dot)...]))
    }

    public var canWrite: Bool { self != .off }

    /// Guesses the format from the first bytes, for files whose extension lies or is missing.
    public static func sniff(_ head: UnsafeRawBufferPointer) -> MeshFormat? {
        func starts(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return head.count >= u.count && zip(head, u).allSatisfy { $0 == $1 }
        }
        if starts("glTF") { return .glb }
        if starts("ply") { return .ply }
        if starts("OFF") || starts("COFF") || starts("NOFF") { return .off }
        var i = 0
        while i < head.count, head[i] == 0x20 || head[i] == 0x09 || head[i] == 0x0A || head[i] == 0x0D || head[i] == 0xEF || head[i] == 0xBB || head[i] == 0xBF { i += 1 }
        if i < head.count, head[i] == UInt8(ascii: "{") { return .gltf }
        if starts("solid") { return .stl }
        return nil
    }
}
