/// A reference from a material slot to a texture, with the slot's own parameters.
public struct TextureReference: Sendable {
    public var texture: Int
    public var texCoord: Int = 0
    /// normalTexture.scale or occlusionTexture.strength; 1 when absent.
    public var scale: Float = 1
    /// Slot extensions such as KHR_texture_transform, verbatim.
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(texture: Int, texCoord: Int = 0) {
        self.texture = texture
        self.texCoord = texCoord
    }

    /// KHR_texture_transform of this slot, if any.
    public var textureTransform: TextureTransform? {
        guard let t = extensions?["KHR_texture_transform"] else { return nil }
        return TextureTransform(json: t)
    }
}

/// KHR_texture_transform parameters: uv' = T * R * S * uv.
public struct TextureTransform: Sendable, Equatable {
    public var offset: [Float] = [0, 0]
    public var rotation: Float = 0
    public var scale: [Float] = [1, 1]
    public var texCoord: Int? = nil

    public init() {}

    public init(json: JSONValue) {
        if let o = json["offset"]?.arrayValue, o.count == 2, let x = o[0].doubleValue, let y = o[1].doubleValue { offset = [Float(x), Float(y)] }
        if let r = json["rotation"]?.doubleValue { rotation = Float(r) }
        if let s = json["scale"]?.arrayValue, s.count == 2, let x = s[0].doubleValue, let y = s[1].doubleValue { scale = [Float(x), Float(y)] }
        texCoord = json["texCoord"]?.intValue
    }

    /// Applies the transform to one UV coordinate.
    public func apply(_ u: Float, _ v: Float) -> (Float, Float) {
        let su = u * scale[0], sv = v * scale[1]
        let c = cosf(rotation), s = sinf(rotation)
        return (c * su + s * sv + offset[0], -s * su + c * sv + offset[1])
    }
}

public enum AlphaMode: String, Sendable {
    case opaque = "OPAQUE"
    case mask = "MASK"
    case blend = "BLEND"
}

/// glTF PBR metallic-roughness material. Other material models and extensions are kept verbatim in `extensions`.
public struct Material: Sendable {
    public var name: String?
    public var baseColorFactor: [Float] = [1, 1, 1, 1]
    public var baseColorTexture: TextureReference? = nil
    public var metallicFactor: Float = 1
    public var roughnessFactor: Float = 1
    public var metallicRoughnessTexture: TextureReference? = nil
    public var normalTexture: TextureReference? = nil
    public var occlusionTexture: TextureReference? = nil
    public var emissiveTexture: TextureReference? = nil
    public var emissiveFactor: [Float] = [0, 0, 0]
    public var alphaMode: AlphaMode = .opaque
    public var alphaCutoff: Float = 0.5
    public var doubleSided: Bool = false
    /// pbrMetallicRoughness.extensions / extras, verbatim.
    public var pbrExtensions: JSONValue? = nil
    public var pbrExtras: JSONValue? = nil
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(name: String? = nil) { self.name = name }

    /// Every texture slot of the core model, in a fixed order.
    public var textureReferences: [(slot: String, reference: TextureReference)] {
        var out: [(String, TextureReference)] = []
        if let t = baseColorTexture { out.append(("baseColor", t)) }
        if let t = metallicRoughnessTexture { out.append(("metallicRoughness", t)) }
        if let t = normalTexture { out.append(("normal", t)) }
        if let t = occlusionTexture { out.append(("occlusion", t)) }
        if let t = emissiveTexture { out.append(("emissive", t)) }
        return out
    }
}

public struct Texture: Sendable {
    public var name: String?
    public var source: Int?
    public var sampler: Int?
    /// e.g. KHR_texture_basisu, EXT_texture_webp, verbatim.
    public var extensions: JSONValue? = nil
    public var extras: JSONValue? = nil

    public init(name: String? = nil, source: Int?, sampler: Int? = nil) {
        self.name = name
        self.source = source
        self.sampler = sampler
    }
}

/// An image kept as its encoded bytes (PNG, JPEG, …); stages that need pixels decode it themselves.
public struct Image: Sendable {
    public var name: String?
    public var mimeType: String
    public var data: [UInt8]
    /// File name the image had in its source (external file), used by writers that emit side files.
    public var originalFileName: String?
    public var extras: JSONValue? = nil

    public init(name: String? = nil, mimeType: String, data: [UInt8], originalFileName: String? = nil) {
        self.name = name
        self.mimeType = mimeType
        self.data = data
        self.originalFileName = originalFileName
    }

    /// MIME type guessed from the first bytes, or nil when unknown.
    public static func sniffMimeType(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        if bytes.count >= 12, Array(bytes[4..<12]) == Array("ftypktx2".utf8) { return "image/ktx2" }
        if bytes.starts(with: [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30]) { return "image/ktx2" }
        return nil
    }

    /// File extension for the MIME type.
    public var fileExtension: String {
        switch mimeType {
        case "image/png": return "png"
        case "image/jpeg": return "jpg"
        case "image/webp": return "webp"
        case "image/ktx2": return "ktx2"
        default: return "bin"
        }
    }
}

public struct Sampler: Sendable {
    public var magFilter: Int?
    public var minFilter: Int?
    public var wrapS: Int = 10497
    public var wrapT: Int = 10497
    public var name: String? = nil
    public var extras: JSONValue? = nil

    public init(magFilter: Int? = nil, minFilter: Int? = nil, wrapS: Int = 10497, wrapT: Int = 10497) {
        self.magFilter = magFilter
        self.minFilter = minFilter
        self.wrapS = wrapS
        self.wrapT = wrapT
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
