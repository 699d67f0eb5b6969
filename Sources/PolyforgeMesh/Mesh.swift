public struct Mesh: Sendable {
    public var name: String?
    public var primitives: [Primitive] = []
    /// Default morph target weights.
    public var weights: [Float]? = nil
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(name: String? = nil, primitives: [Primitive] = []) {
        self.name = name
        self.primitives = primitives
    }
}

/// How a primitive's indices are read. Strips, fans and loops are converted to these on read.
public enum PrimitiveMode: Int, Sendable {
    case points = 0
    case lines = 1
    case triangles = 4
}

/// A vertex attribute's meaning, named as glTF names it.
public enum Semantic: Hashable, Sendable, CustomStringConvertible {
    case position, normal, tangent
    case texcoord(Int), color(Int), joints(Int), weights(Int)
    /// Application-specific attributes (glTF `_NAME`, PLY extra properties) kept as they are.
    case custom(String)

    public init(gltfName: String) {
        func set(_ prefix: String) -> Int? {
            guard gltfName.hasPrefix(prefix), let n = Int(gltfName.dropFirst(prefix.count)), n >= 0, n < 64 else { return nil }
            return n
        }
        switch gltfName {
        case "POSITION": self = .position
        case "NORMAL": self = .normal
        case "TANGENT": self = .tangent
        default:
            if let n = set("TEXCOORD_") { self = .texcoord(n) }
            else if let n = set("COLOR_") { self = .color(n) }
            else if let n = set("JOINTS_") { self = .joints(n) }
            else if let n = set("WEIGHTS_") { self = .weights(n) }
            else { self = .custom(gltfName) }
        }
    }

    public var gltfName: String {
        switch self {
        case .position: return "POSITION"
        case .normal: return "NORMAL"
        case .tangent: return "TANGENT"
        case .texcoord(let n): return "TEXCOORD_\(n)"
        case .color(let n): return "COLOR_\(n)"
        case .joints(let n): return "JOINTS_\(n)"
        case .weights(let n): return "WEIGHTS_\(n)"
        case .custom(let s): return s
        }
    }

    public var description: String { gltfName }
}

/// One vertex attribute as a flat float array: `components` floats per vertex.
///
/// Every attribute is stored as float whatever its encoding in the file: normalized and quantized integers
/// are decoded to their float values, and JOINTS hold joint indices as integral floats.
public struct VertexStream: Sendable {
    public var semantic: Semantic
    public var components: Int
    public var data: [Float]

    public init(_ semantic: Semantic, components: Int, data: [Float]) {
        self.semantic = semantic
        self.components = components
        self.data = data
    }

    public var count: Int { components > 0 ? data.count / components : 0 }
}

public struct MorphTarget: Sendable {
    /// Displacements (POSITION, NORMAL, TANGENT deltas), same vertex count as the primitive.
    public var streams: [VertexStream]
    public var name: String?

    public init(streams: [VertexStream], name: String? = nil) {
        self.streams = streams
        self.name = name
    }
}

public struct Primitive: Sendable {
    public var mode: PrimitiveMode = .triangles
    public var streams: [VertexStream] = []
    /// Always present: readers of non-indexed data generate 0..<vertexCount.
    public var indices: [UInt32] = []
    public var material: Int? = nil
    public var targets: [MorphTarget] = []
    /// Primitive-level extensions (e.g. KHR_materials_variants mappings), verbatim.
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(mode: PrimitiveMode = .triangles, streams: [VertexStream] = [], indices: [UInt32] = [], material: Int? = nil) {
        self.mode = mode
        self.streams = streams
        self.indices = indices
        self.material = material
    }

    public func stream(_ semantic: Semantic) -> VertexStream? { streams.first { $0.semantic == semantic } }

    public func streamIndex(_ semantic: Semantic) -> Int? { streams.firstIndex { $0.semantic == semantic } }

    /// Replaces the stream with the same semantic, or appends it.
    public mutating func setStream(_ stream: VertexStream) {
        if let i = streamIndex(stream.semantic) { streams[i] = stream } else { streams.append(stream) }
    }

    public mutating func removeStream(_ semantic: Semantic) { streams.removeAll { $0.semantic == semantic } }

    public var positions: [Float] { stream(.position)?.data ?? [] }
    public var vertexCount: Int { stream(.position)?.count ?? 0 }
    public var triangleCount: Int { mode == .triangles ? indices.count / 3 : 0 }
}
