import PolyforgeMesh

/// Exponential backoff with jitter. The wait before attempt n (0-based) is base·2ⁿ capped at `maxDelay`, then
/// scaled by a random factor in [0.5, 1] ("equal jitter") so that many clients hit by one outage do not retry in step.
public struct Backoff: Sendable {
    public var baseDelay: Double
    public var maxDelay: Double
    public var maxAttempts: Int
    /// A Retry-After longer than this is not slept through inside a batch: the job pauses for `--resume` instead.
    public var longestRetryAfter: Double
    /// "Too many tasks at once" clears as our own earlier tasks finish (some perhaps from a killed run the client
    /// no longer counts), so it is waited out for this long rather than for `maxAttempts` tries.
    public var longestConcurrencyWait: Double

    public init(baseDelay: Double = 1, maxDelay: Double = 30, maxAttempts: Int = 6, longestRetryAfter: Double = 300,
                longestConcurrencyWait: Double = 600) {
        self.baseDelay = baseDelay; self.maxDelay = maxDelay; self.maxAttempts = maxAttempts; self.longestRetryAfter = longestRetryAfter
        self.longestConcurrencyWait = longestConcurrencyWait
    }

    public func delay(attempt: Int, retryAfter: Double? = nil) -> Double {
        // A server that says when to come back is believed (plus a little jitter so callers spread out).
        if let retryAfter, retryAfter >= 0 { return retryAfter + Double.random(in: 0...min(0.25, baseDelay)) }
        let exponential = min(maxDelay, baseDelay * Double(1 << min(attempt, 30)))
        return exponential * Double.random(in: 0.5...1.0)
    }
}

/// Parses `Retry-After` given in seconds (the form every provider here uses); anything else is ignored.
func parseRetryAfter(_ value: String?) -> Double? {
    guard let value = value?.trimming(" "), let seconds = Double(value), seconds.isFinite else { return nil }
    return max(0, seconds)
}
