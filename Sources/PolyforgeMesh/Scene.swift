/// The one currency every Polyforge stage passes on: a glTF-shaped scene.
///
/// Readers of every format produce it, writers consume it. Geometry lives in flat `[Float]` and `[UInt32]`
/// arrays so C kernels can work on them without copying. What Polyforge does not interpret (extension
/// objects, extras, cameras) is kept verbatim as `JSONValue`, so a round trip does not drop it.
public struct Scene: Sendable {
    public var nodes: [Node] = []
    /// Nodes at the top of the hierarchy of the default scene.
    public var rootNodes: [Int] = []
    public var meshes: [Mesh] = []
    public var materials: [Material] = []
    public var textures: [Texture] = []
    public var images: [Image] = []
    public var samplers: [Sampler] = []
    public var skins: [Skin] = []
    public var animations: [Animation] = []
    /// glTF camera objects, verbatim.
    public var cameras: [JSONValue] = []
    public var extensionsUsed: [String] = []
    public var extensionsRequired: [String] = []
    /// Root-level `extensions` (e.g. KHR_lights_punctual, KHR_materials_variants), verbatim.
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil
    /// `asset.generator`, `asset.copyright` of the source, when it had them.
    public var generator: String? = nil
    public var copyright: String? = nil
    /// Non-fatal findings of the reader (skipped primitives, repaired values), one sentence each.
    public var warnings: [String] = []

    public init() {}

    /// A scene of one node holding one mesh: what OBJ, STL, PLY and OFF readers produce.
    public init(mesh: Mesh, materials: [Material] = [], textures: [Texture] = [], images: [Image] = [], samplers: [Sampler] = []) {
        self.meshes = [mesh]
        self.nodes = [Node(name: mesh.name, mesh: 0)]
        self.rootNodes = [0]
        self.materials = materials
        self.textures = textures
        self.images = images
        self.samplers = samplers
    }
}

public struct Node: Sendable {
    public var name: String?
    public var children: [Int] = []
    /// Local transform. When `matrix` is set it wins over translation/rotation/scale (as in glTF).
    public var translation: [Float] = [0, 0, 0]
    /// Quaternion x, y, z, w.
    public var rotation: [Float] = [0, 0, 0, 1]
    public var scale: [Float] = [1, 1, 1]
    /// Column-major 4×4, when the source gave a matrix.
    public var matrix: [Float]? = nil
    public var mesh: Int? = nil
    public var skin: Int? = nil
    public var camera: Int? = nil
    /// Morph target weights for this instance.
    public var weights: [Float]? = nil
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(name: String? = nil, mesh: Int? = nil, children: [Int] = []) {
        self.name = name
        self.mesh = mesh
        self.children = children
    }

    public var localMatrix: Matrix4 {
        if let matrix, matrix.count == 16 { return Matrix4(columnMajor: matrix) }
        return Matrix4(translation: translation, rotation: rotation, scale: scale)
    }

    public var hasIdentityTransform: Bool { localMatrix.isIdentity }
}
