public struct Skin: Sendable {
    public var name: String?
    public var joints: [Int]
    public var skeleton: Int?
    /// 16 floats (column-major) per joint, or empty when the source gave none (identity).
    public var inverseBindMatrices: [Float]
    public var extras: JSONValue? = nil

    public init(name: String? = nil, joints: [Int], skeleton: Int? = nil, inverseBindMatrices: [Float] = []) {
        self.name = name
        self.joints = joints
        self.skeleton = skeleton
        self.inverseBindMatrices = inverseBindMatrices
    }
}

public struct Animation: Sendable {
    public enum Path: String, Sendable {
        case translation, rotation, scale, weights
    }

    public struct Channel: Sendable {
        public var sampler: Int
        public var node: Int?
        public var path: Path
        /// Target extensions (e.g. KHR_animation_pointer), verbatim.
        public var extensions: JSONValue? = nil

        public init(sampler: Int, node: Int?, path: Path) {
            self.sampler = sampler
            self.node = node
            self.path = path
        }
    }

    public struct Sampler: Sendable {
        /// Key times in seconds.
        public var input: [Float]
        /// Key values, `outputComponents` floats per key (3× for CUBICSPLINE: in-tangent, value, out-tangent).
        public var output: [Float]
        public var outputComponents: Int
        public var interpolation: String

        public init(input: [Float], output: [Float], outputComponents: Int, interpolation: String = "LINEAR") {
            self.input = input
            self.output = output
            self.outputComponents = outputComponents
            self.interpolation = interpolation
        }
    }

    public var name: String?
    public var channels: [Channel]
    public var samplers: [Sampler]
    public var extras: JSONValue? = nil

    public init(name: String? = nil, channels: [Channel], samplers: [Sampler]) {
        self.name = name
        self.channels = channels
        self.samplers = samplers
    }

    /// Length in seconds (the largest key time).
    public var duration: Float { samplers.map { $0.input.max() ?? 0 }.max() ?? 0 }
}
