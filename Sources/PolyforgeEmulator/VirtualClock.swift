import PolyforgeMesh
/// The emulator's notion of now: virtual = offset + real elapsed × scale, in Unix epoch seconds.
///
/// It starts at the wall clock, so timestamps (create_time, created_at, Expires) look real. Changing the scale
/// rebases first, so virtual time never jumps when a scenario is replaced.
struct VirtualClock {
    private var baseVirtual: Double
    private var baseReal: Double
    private(set) var scale: Double

    init(scale: Double, startEpoch: Double = wallClockSeconds(), realNow: Double = monotonicSeconds()) {
        baseVirtual = startEpoch
        baseReal = realNow
        self.scale = scale
    }

    func now(realNow: Double = monotonicSeconds()) -> Double {
        baseVirtual + (realNow - baseReal) * scale
    }

    /// Moves virtual time forward (negative values are ignored: tasks never go back to an earlier state).
    mutating func advance(seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        baseVirtual += seconds
    }

    mutating func setScale(_ newScale: Double, realNow: Double = monotonicSeconds()) {
        baseVirtual = now(realNow: realNow)
        baseReal = realNow
        scale = newScale
    }
}
