import PolyforgeImage

/// An RGBA8 image, row-major, top row first, straight alpha, sRGB.
public struct RenderedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgba: [UInt8]

    public init(width: Int, height: Int, rgba: [UInt8]) {
        precondition(rgba.count == width * height * 4)
        self.width = width
        self.height = height
        self.rgba = rgba
    }

    /// An image filled with one color.
    public init(width: Int, height: Int, fill: [UInt8]) {
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for i in 0..<width * height { for k in 0..<4 { pixels[4 * i + k] = fill[k] } }
        rgba = pixels
    }

    /// The four channels of pixel (x, y).
    public func pixel(_ x: Int, _ y: Int) -> [UInt8] {
        let i = 4 * (y * width + x)
        return Array(rgba[i..<i + 4])
    }

    /// Pixels with non-zero alpha.
    public var coveredPixelCount: Int {
        var n = 0
        for i in 0..<width * height where rgba[4 * i + 3] != 0 { n += 1 }
        return n
    }

    public func pngData() throws(ImageError) -> [UInt8] {
        try PNGCodec.encode(rgba: rgba, width: width, height: height, fast: true)
    }

    /// Copies `image` with its top-left corner at (x, y), alpha-blending it over what is there.
    public mutating func draw(_ image: RenderedImage, atX x: Int, y: Int) {
        for row in 0..<image.height {
            let ty = y + row
            guard ty >= 0, ty < height else { continue }
            for column in 0..<image.width {
                let tx = x + column
                guard tx >= 0, tx < width else { continue }
                let s = 4 * (row * image.width + column), d = 4 * (ty * width + tx)
                let a = Int(image.rgba[s + 3])
                if a == 255 {
                    for k in 0..<4 { rgba[d + k] = image.rgba[s + k] }
                } else if a > 0 {
                    let da = Int(rgba[d + 3]) * (255 - a) / 255
                    let oa = a + da
                    for k in 0..<3 {
                        rgba[d + k] = UInt8((Int(image.rgba[s + k]) * a + Int(rgba[d + k]) * da) / max(oa, 1))
                    }
                    rgba[d + 3] = UInt8(oa)
                }
            }
        }
    }
}
