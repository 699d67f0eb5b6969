/// What a thumbnail looks like apart from its camera.
public struct RenderOptions: Sendable, Equatable {
    public var width = 512
    public var height = 512
    public var background: Background = .transparent
    /// Triangle edges drawn over the surface.
    public var wireframe = false
    /// A procedural checker from TEXCOORD_0 replaces base colors, to show UV stretching and seams.
    public var uvChecker = false
    /// Base color only, no lighting.
    public var unlit = false
    /// Coverage through the core's scalar loop instead of SSE2; the output must not change (tests).
    var scalarCoverage = false

    public init(width: Int = 512, height: Int = 512, background: Background = .transparent) {
        self.width = width
        self.height = height
        self.background = background
    }

    /// Largest accepted width or height (the C core's limit).
    public static let maxDimension = 8192
}

/// The color behind the asset: transparent, or an opaque sRGB color.
public enum Background: Sendable, Equatable, CustomStringConvertible {
    case transparent
    case color(red: UInt8, green: UInt8, blue: UInt8)

    /// Parses "transparent" or "#RRGGBB" (the # is optional); nil otherwise.
    public init?(parsing text: String) {
        if text.lowercased() == "transparent" { self = .transparent; return }
        let hex = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
        self = .color(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// sRGB RGBA in 0...1.
    public var rgba: [Float] {
        switch self {
        case .transparent: return [0, 0, 0, 0]
        case .color(let r, let g, let b): return [Float(r) / 255, Float(g) / 255, Float(b) / 255, 1]
        }
    }

    public var description: String {
        switch self {
        case .transparent: return "transparent"
        case .color(let r, let g, let b):
            let digits = Array("0123456789ABCDEF")
            return "#" + String([r, g, b].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
        }
    }
}
