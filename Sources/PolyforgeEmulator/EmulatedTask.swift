import PolyforgeMesh

enum Provider: String, Sendable, CaseIterable {
    case tripo
    case meshy
    case aistudio = "3daistudio"
}

/// How a task ends, chosen at submit from the prompt's magic tags or a `task_outcome` fault.
enum TaskOutcome: String, Sendable {
    case success
    case failed
    case banned
    case expired
    case cancelled
    /// Tripo reports `unknown` for the first half of the run, then succeeds.
    case unknown
    /// Succeeds without the main model file.
    case noArtifact = "no_artifact"

    /// `#fail`, `#banned`, `#expire`, `#cancel`, `#unknown`, `#no-model` (`#policy` is handled at submit).
    static let tags: [(tag: String, outcome: TaskOutcome)] = [
        ("#fail", .failed), ("#banned", .banned), ("#expire", .expired), ("#cancel", .cancelled),
        ("#unknown", .unknown), ("#no-model", .noArtifact),
    ]
}

/// Where a task stands at one virtual instant.
enum TaskStage: Equatable {
    case queued
    case running
    /// Terminal; `unknown` has already resolved to `success` here.
    case finished(TaskOutcome)
}

/// One emulated generation task. Its state is not stored but derived from the virtual clock (`snapshot(at:)`),
/// so advancing the clock moves every task at once and a status read costs a few multiplications.
struct EmulatedTask {
    let id: String
    let provider: Provider
    /// Tripo `type`, Meshy endpoint family ("text-to-3d", "image-to-3d", …) or 3D AI Studio endpoint name.
    let family: String
    /// The type the provider reports (Tripo `type`, Meshy "text-to-3d-preview", …).
    let typeName: String
    let account: String
    let key: String
    /// The request body, echoed by Tripo as `input`.
    let input: JSONValue
    let prompt: String?
    let meshKind: MeshKind
    let outcome: TaskOutcome
    let createdAt: Double
    let queueSeconds: Double
    let runSeconds: Double
    let cost: Int
    /// Tripo concurrency group (queued + running tasks of one account count against its limit).
    let concurrencyGroup: String
    /// Files served under /_files/<id>/ once the task succeeded.
    var files: [ArtifactFile]
    /// Set by Meshy DELETE on a running task.
    var cancelledAt: Double? = nil
    /// Set by Meshy DELETE on a finished task: GET answers 404 from then on.
    var deleted = false
    /// With `refresh_urls: false`, the expiry of the first URLs handed out, repeated on every read.
    var pinnedExpiry: Int? = nil
    /// The Meshy test-mode sample: never counted, never charged.
    var isSample = false

    var startsAt: Double { createdAt + queueSeconds }
    var endsAt: Double { createdAt + queueSeconds + runSeconds }

    struct Snapshot {
        var stage: TaskStage
        /// 0 while queued, rising to 95–99 in the last 20 % of the run, 100 on success.
        var progress: Int
        /// Counts down to 0 while queued; −1 otherwise.
        var queuePosition: Int
        /// Whole virtual seconds until the end of the run while running; −1 otherwise.
        var secondsLeft: Int
        var startedAt: Double?
        var finishedAt: Double?
        /// Tripo's transient `unknown` status (first half of the run of an `unknown`-outcome task).
        var reportsUnknown: Bool

        var isTerminal: Bool { if case .finished = stage { return true } else { return false } }

        var succeeded: Bool { stage == .finished(.success) || stage == .finished(.noArtifact) }

        /// Terminal without success: the credits go back to the account.
        var refunded: Bool { isTerminal && !succeeded }
    }

    func snapshot(at now: Double) -> Snapshot {
        if let cancelledAt, cancelledAt < endsAt, now >= cancelledAt {
            var frozen = naturalSnapshot(at: cancelledAt)
            frozen.stage = .finished(.cancelled)
            frozen.queuePosition = -1
            frozen.secondsLeft = -1
            frozen.finishedAt = cancelledAt
            frozen.reportsUnknown = false
            return frozen
        }
        return naturalSnapshot(at: now)
    }

    /// The state the clock alone gives, ignoring a cancellation.
    private func naturalSnapshot(at now: Double) -> Snapshot {
        if now < startsAt {
            let remaining = startsAt - now
            let position = max(0, min(Self.initialQueuePosition, Int((remaining / queueSeconds * Double(Self.initialQueuePosition + 1)).rounded(.up)) - 1))
            return Snapshot(stage: .queued, progress: 0, queuePosition: position, secondsLeft: -1,
                            startedAt: nil, finishedAt: nil, reportsUnknown: false)
        }
        if now < endsAt {
            let fraction = (now - startsAt) / runSeconds
            return Snapshot(stage: .running, progress: Self.progress(fraction), queuePosition: -1,
                            secondsLeft: Int((endsAt - now).rounded(.up)), startedAt: startsAt, finishedAt: nil,
                            reportsUnknown: outcome == .unknown && fraction < 0.5)
        }
        let final: TaskOutcome = outcome == .unknown ? .success : outcome
        return Snapshot(stage: .finished(final), progress: final == .success || final == .noArtifact ? 100 : Self.progress(0.999),
                        queuePosition: -1, secondsLeft: -1, startedAt: startsAt, finishedAt: endsAt, reportsUnknown: false)
    }

    /// The queue position a task starts at (it then counts down to 0 over `queue_seconds`).
    static let initialQueuePosition = 4

    /// Monotonic in `fraction` (0 ≤ fraction < 1): 1…94 over the first 80 % of the run, then the 95–99
    /// "finalization" plateau that real providers show.
    static func progress(_ fraction: Double) -> Int {
        let f = min(max(fraction, 0), 0.999_999)
        if f < 0.8 { return 1 + Int(f / 0.8 * 94) }
        return min(99, 95 + Int((f - 0.8) / 0.2 * 5))
    }
}
