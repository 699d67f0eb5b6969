/// Sebastiano Vigna's SplitMix64: a tiny, well-mixed, fully specified generator, so every generated mesh, injected
/// defect and test input is the same on every machine.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 bits (a Float's mantissa).
    public mutating func nextUnit() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// True with probability p.
    public mutating func chance(_ p: Double) -> Bool { nextDouble() < p }
}
