import PolyforgeFixtures

/// Every fault the scenario can ask for.
enum FaultKind: String, CaseIterable, Sendable {
    case httpError = "http_error"
    case rateLimited = "rate_limited"
    case concurrencyFull = "concurrency_full"
    case reset
    case commitNoReply = "commit_no_reply"
    case slowFirstByte = "slow_first_byte"
    case truncate
    case slowDownload = "slow_download"
    case ignoreRange = "ignore_range"
    case wrongContentType = "wrong_content_type"
    /// Not in the wire contract's list: a download answered 403 "Request has expired" although its URL is valid.
    case expiredURL = "expired_url"
    case malformedJSON = "malformed_json"
    case missingData = "missing_data"
    case oddStatus = "odd_status"
    case sseDisconnect = "sse_disconnect"
    case taskOutcome = "task_outcome"
    case insufficientCredits = "insufficient_credits"

    /// Whether the fault can act on this kind of request at all. A fault only counts (for `skip` and `times`)
    /// the requests it could act on, so `{"kind":"truncate"}` with route "any" waits for a download.
    func applies(to route: RouteClass, provider: Provider?) -> Bool {
        switch self {
        case .httpError, .rateLimited, .reset, .slowFirstByte:
            return route != .admin && route != .unmatched
        case .concurrencyFull, .commitNoReply, .insufficientCredits:
            return route == .submit
        case .truncate, .slowDownload, .ignoreRange, .wrongContentType, .expiredURL:
            return route == .download
        case .malformedJSON:
            return route != .admin && route != .unmatched && route != .download && route != .stream
        case .missingData:
            return provider == .tripo && route != .download
        case .oddStatus:
            return route == .status
        case .sseDisconnect:
            return route == .stream
        case .taskOutcome:
            return false
        }
    }
}

/// Decides which fault, if any, hits each request.
///
/// Faults are tried in scenario order; each one that matches the request (provider, route, applicable kind)
/// counts it. The first that decides to fire wins, and the faults after it do not see that request.
/// Probabilities come from a SplitMix64 seeded by the scenario, so a run is reproducible.
struct FaultInjector {
    private(set) var faults: [EmulatorFault]
    private var seen: [Int]
    private var fired: [Int]
    private var random: SplitMix64

    init(faults: [EmulatorFault], seed: UInt64) {
        self.faults = faults
        seen = Array(repeating: 0, count: faults.count)
        fired = Array(repeating: 0, count: faults.count)
        random = SplitMix64(seed: seed)
    }

    /// The fault that hits this request, if any.
    mutating func fire(provider: Provider?, route: RouteClass) -> (fault: EmulatorFault, kind: FaultKind)? {
        for (i, fault) in faults.enumerated() {
            guard let kind = FaultKind(rawValue: fault.kind), kind.applies(to: route, provider: provider),
                  matches(fault, provider: provider, route: route.rawValue) else { continue }
            if decide(i) { return (fault, kind) }
        }
        return nil
    }

    /// The outcome a `task_outcome` fault imposes on the task being created now, if any.
    mutating func fireOutcome(provider: Provider) -> TaskOutcome? {
        for (i, fault) in faults.enumerated() {
            guard fault.kind == FaultKind.taskOutcome.rawValue,
                  matches(fault, provider: provider, route: RouteClass.submit.rawValue),
                  let name = fault.outcome, let outcome = TaskOutcome(rawValue: name) else { continue }
            if decide(i) { return outcome }
        }
        return nil
    }

    private func matches(_ fault: EmulatorFault, provider: Provider?, route: String) -> Bool {
        if let wanted = fault.provider, wanted != provider?.rawValue { return false }
        return fault.route == "any" || fault.route == route
    }

    private mutating func decide(_ i: Int) -> Bool {
        seen[i] += 1
        guard seen[i] > faults[i].skip else { return false }
        let fires: Bool
        if let probability = faults[i].probability {
            fires = random.chance(probability)
        } else {
            fires = fired[i] < faults[i].times
        }
        if fires { fired[i] += 1 }
        return fires
    }
}
