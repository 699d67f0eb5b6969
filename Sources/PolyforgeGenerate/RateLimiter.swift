import PolyforgeMesh

/// Spaces requests at most `rate` per second, first come first served. Callers reserve the next free slot under a
/// lock, then sleep until it outside the lock, so a burst of callers queues in order without holding anything.
public final class RateLimiter: @unchecked Sendable {
    public let requestsPerSecond: Double
    private let lock = Lock()
    private var nextSlot = 0.0
    /// Bursts up to this many requests pass without spacing (token-bucket capacity).
    private let burst: Double
    private var tokens: Double
    private var lastRefill: Double

    public init(requestsPerSecond: Double, burst: Int = 1) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = Double(max(1, burst))
        tokens = Double(max(1, burst))
        lastRefill = monotonicSeconds()
    }

    /// Seconds the caller must wait before its request may go out (already reserved).
    func reserve() -> Double {
        guard requestsPerSecond.isFinite, requestsPerSecond > 0 else { return 0 }
        return lock.withLock {
            let now = monotonicSeconds()
            tokens = min(burst, tokens + (now - lastRefill) * requestsPerSecond)
            lastRefill = now
            tokens -= 1
            if tokens >= 0 { return 0 }
            return -tokens / requestsPerSecond
        }
    }

    public func acquire() async {
        let wait = reserve()
        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
    }
}
