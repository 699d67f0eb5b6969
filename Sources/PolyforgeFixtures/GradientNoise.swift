/// Seeded 3D gradient noise (Perlin's improved noise: quintic fade, 12 edge gradients) and its fractal sum.
///
/// Pure arithmetic on a permutation table drawn from the seed with SplitMix64, so the same seed gives
/// bit-identical values on every run. Values lie in about [−1, 1]; the lattice period is 256.
struct GradientNoise: Sendable {
    /// The permutation twice over, so lookups never wrap.
    private let permutation: [Int32]

    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var p = (0..<256).map { Int32($0) }
        for i in stride(from: 255, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            p.swapAt(i, j)
        }
        permutation = p + p
    }

    /// Runs `body` with a view of the table that evaluates without retain/release or bounds checks.
    func withSampler<R>(_ body: (Sampler) -> R) -> R {
        permutation.withUnsafeBufferPointer { body(Sampler(p: $0.baseAddress!)) }
    }

    struct Sampler {
        let p: UnsafePointer<Int32>

        @inline(__always)
        func callAsFunction(_ x: Float, _ y: Float, _ z: Float) -> Float {
            let fx = x.rounded(.down), fy = y.rounded(.down), fz = z.rounded(.down)
            let X = Int(Int32(fx) & 255), Y = Int(Int32(fy) & 255), Z = Int(Int32(fz) & 255)
            let x = x - fx, y = y - fy, z = z - fz
            let u = Self.fade(x), v = Self.fade(y), w = Self.fade(z)
            let A = Int(p[X]) + Y, AA = Int(p[A]) + Z, AB = Int(p[A + 1]) + Z
            let B = Int(p[X + 1]) + Y, BA = Int(p[B]) + Z, BB = Int(p[B + 1]) + Z
            let x1 = x - 1, y1 = y - 1, z1 = z - 1
            return Self.lerp(w,
                             Self.lerp(v, Self.lerp(u, Self.grad(p[AA], x, y, z), Self.grad(p[BA], x1, y, z)),
                                       Self.lerp(u, Self.grad(p[AB], x, y1, z), Self.grad(p[BB], x1, y1, z))),
                             Self.lerp(v, Self.lerp(u, Self.grad(p[AA + 1], x, y, z1), Self.grad(p[BA + 1], x1, y, z1)),
                                       Self.lerp(u, Self.grad(p[AB + 1], x, y1, z1), Self.grad(p[BB + 1], x1, y1, z1))))
        }

        @inline(__always) static func fade(_ t: Float) -> Float { t * t * t * (t * (t * 6 - 15) + 10) }
        @inline(__always) static func lerp(_ t: Float, _ a: Float, _ b: Float) -> Float { a + t * (b - a) }

        @inline(__always)
        static func grad(_ hash: Int32, _ x: Float, _ y: Float, _ z: Float) -> Float {
            let h = hash & 15
            let u = h < 8 ? x : y
            let v = h < 4 ? y : (h == 12 || h == 14 ? x : z)
            return ((h & 1) == 0 ? u : -u) + ((h & 2) == 0 ? v : -v)
        }
    }
}
