import PolyforgeMesh
/// A circuit breaker per provider. After `failureThreshold` consecutive transient failures it opens: calls fail at
/// once for `cooldown` seconds instead of piling onto a sick service. Then one probe is let through (half-open); its
/// success closes the circuit, its failure opens it again. Every transition is logged as an alert line.
public final class CircuitBreaker: @unchecked Sendable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half-open" }

    public let provider: String
    public let failureThreshold: Int
    public let cooldown: Double
    private let lock = Lock()
    private var state = State.closed
    private var consecutiveFailures = 0
    private var openedAt = 0.0
    private var probeInFlight = false
    private let log: @Sendable (String) -> Void
    public private(set) var timesOpened = 0

    public init(provider: String, failureThreshold: Int = 5, cooldown: Double = 30, log: @escaping @Sendable (String) -> Void) {
        self.provider = provider; self.failureThreshold = failureThreshold; self.cooldown = cooldown; self.log = log
    }

    public var currentState: State { lock.withLock { state } }

    /// nil: go ahead. Otherwise the seconds until the circuit will let a probe through.
    public func permit() -> Double? {
        lock.withLock {
            switch state {
            case .closed: return nil
            case .open:
                let waited = monotonicSeconds() - openedAt
                if waited < cooldown { return cooldown - waited }
                state = .halfOpen
                probeInFlight = true
                log("ALERT circuit half-open for \(provider): sending one probe request")
                return nil
            case .halfOpen:
                if probeInFlight { return max(0.05, cooldown / 10) }
                probeInFlight = true
                return nil
            }
        }
    }

    public func recordSuccess() {
        lock.withLock {
            if state != .closed { log("ALERT circuit closed for \(provider): probe succeeded") }
            state = .closed; consecutiveFailures = 0; probeInFlight = false
        }
    }

    public func recordFailure(_ reason: String) {
        lock.withLock {
            consecutiveFailures += 1
            if state == .halfOpen || (state == .closed && consecutiveFailures >= failureThreshold) {
                state = .open; openedAt = monotonicSeconds(); probeInFlight = false; timesOpened += 1
                log("ALERT circuit open for \(provider) after \(consecutiveFailures) consecutive failures (last: \(reason)); pausing \(formatSeconds(cooldown))")
            }
        }
    }

    /// A reply that is not a server failure (4xx, rate limits) ends a half-open probe without judging the service.
    public func recordNeutral() {
        lock.withLock { if state == .halfOpen { probeInFlight = false } }
    }
}

func formatSeconds(_ s: Double) -> String {
    s < 10 ? "\(Double(Int(s * 100)) / 100) s" : "\(Int(s.rounded())) s"
}
