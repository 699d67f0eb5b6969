import PolyforgeMesh
/// One poller for every task of a provider whose rate limit is tiny (3D AI Studio: 3 requests per minute).
/// Tasks register and wait; a single loop reads one status at a time, the task that has waited longest first, so
/// polls never pile up in the rate limiter ahead of new submits, and N tasks cost one request per interval, not N.
final class SharedPoller: @unchecked Sendable {
    private struct Waiter {
        var handle: GenTaskHandle
        var onSnapshot: @Sendable (GenTaskSnapshot) -> Void
        var continuation: CheckedContinuation<Result<GenTaskSnapshot, GenError>, Never>
        var due: Double
        var unknownReads = 0
    }

    private let provider: any GenerationProvider
    private let interval: Double
    private let maxUnknownPolls: Int
    private let lock = Lock()
    private var waiters: [String: Waiter] = [:]
    private var running = false

    init(provider: any GenerationProvider, interval: Double, maxUnknownPolls: Int) {
        self.provider = provider; self.interval = interval; self.maxUnknownPolls = maxUnknownPolls
    }

    /// Returns the terminal snapshot of `handle` (every snapshot read on the way goes to `onSnapshot`).
    func wait(_ handle: GenTaskHandle, onSnapshot: @escaping @Sendable (GenTaskSnapshot) -> Void) async throws(GenError) -> GenTaskSnapshot {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<GenTaskSnapshot, GenError>, Never>) in
            let start = lock.withLock { () -> Bool in
                waiters[handle.taskID] = Waiter(handle: handle, onSnapshot: onSnapshot, continuation: continuation,
                                                due: monotonicSeconds() + interval)
                if running { return false }
                running = true
                return true
            }
            if start { Task.detached { await self.loop() } }
        }
        return try result.get()
    }

    private func loop() async {
        while true {
            // The waiter due first; the loop ends when nobody waits.
            let next: Waiter? = lock.withLock {
                guard let first = waiters.values.min(by: { $0.due < $1.due }) else { running = false; return nil }
                return first
            }
            guard var waiter = next else { return }
            let wait = waiter.due - monotonicSeconds()
            if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(min(wait, 3600) * 1e9)) }
            var outcome: Result<GenTaskSnapshot, GenError>?
            do {
                let snap = try await provider.status(waiter.handle)
                waiter.onSnapshot(snap)
                if snap.state.isTerminal { outcome = .success(snap) }
                else if snap.state == .unknown {
                    waiter.unknownReads += 1
                    if waiter.unknownReads >= maxUnknownPolls {
                        outcome = .failure(GenError(.taskFailed, "status stayed unknown (\"\(snap.providerStatus)\") for \(waiter.unknownReads) reads"))
                    }
                } else { waiter.unknownReads = 0 }
            } catch {
                outcome = .failure(error.kind == .notFound
                    ? GenError(.notFound, "task \(waiter.handle.taskID) is no longer known to \(provider.name) (expired or deleted): \(error.message)")
                    : error)
            }
            let id = waiter.handle.taskID
            lock.withLock {
                if let outcome {
                    waiters[id] = nil
                    waiter.continuation.resume(returning: outcome)
                } else {
                    waiter.due = monotonicSeconds() + interval
                    waiters[id] = waiter
                }
            }
        }
    }
}
