/// Per-group counting semaphores matching a provider's documented concurrency (tasks queued or running at once).
/// A slot is held from submit until the task reaches a terminal state.
public actor ConcurrencyLimiter {
    private let limits: [String: Int]
    private var inUse: [String: Int] = [:]
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init(limits: [String: Int]) { self.limits = limits }

    public func acquire(_ group: String) async {
        let limit = limits[group] ?? limits["default"] ?? Int.max
        if inUse[group, default: 0] < limit { inUse[group, default: 0] += 1; return }
        await withCheckedContinuation { waiters[group, default: []].append($0) }
    }

    public func release(_ group: String) {
        if var queue = waiters[group], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[group] = queue
            next.resume()   // the slot passes straight to the next waiter
        } else {
            inUse[group] = max(0, inUse[group, default: 0] - 1)
        }
    }

    public func current(_ group: String) -> Int { inUse[group, default: 0] }
}
