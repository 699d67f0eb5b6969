import PolyforgeFormats
import PolyforgeMesh

struct StepIntent: Sendable {
    var path: String
    var body: JSONValue
    var time: Double
}

struct StepRecord: Sendable {
    var intent: StepIntent?
    var handle: GenTaskHandle?
    var snapshots: [JSONValue] = []
}

struct SavedDownload: Sendable {
    var role: String
    var path: String
    var bytes: Int64
    var sha256: String
    var url: String
    var format: String
    var refreshed: Bool

    var json: JSONValue {
        .object([("role", .string(role)), ("path", .string(FileSystem.fileName(of: path))), ("format", .string(format)),
                 ("bytes", .number(Double(bytes))), ("sha256", .string(sha256)), ("url", .string(url)), ("url_refreshed", .bool(refreshed))])
    }
}

/// What the journal says about one job.
struct JobRecord: Sendable {
    var name: String
    var request: GenRequest
    var createdAt: Double
    var steps: [Int: StepRecord] = [:]
    var downloads: [String: SavedDownload] = [:]
    var done: JobResult?
}

/// The journal folded into per-job state (the last word wins; a job that ended stays ended).
struct JournalState: Sendable {
    var jobs: [String: JobRecord] = [:]
    var order: [String] = []
    var allTaskIDs: Set<String> = []

    init(_ records: [JSONValue]) {
        for r in records {
            guard let event = r["event"]?.stringValue, let name = r["job"]?.stringValue else { continue }
            let step = r["step"]?.intValue ?? 0
            if event == "job" {
                if jobs[name] == nil {
                    jobs[name] = JobRecord(name: name, request: GenRequest(json: r["request"] ?? .null), createdAt: r["t"]?.doubleValue ?? 0)
                    order.append(name)
                }
                continue
            }
            guard var job = jobs[name] else { continue }
            var s = job.steps[step] ?? StepRecord()
            switch event {
            case "intent":
                s.intent = StepIntent(path: r["path"]?.stringValue ?? "", body: r["body"] ?? .null, time: r["t"]?.doubleValue ?? 0)
            case "not_sent":
                s.intent = nil   // refused or never sent: safe to send again
            case "submitted":
                if let id = r["task_id"]?.stringValue {
                    s.handle = GenTaskHandle(provider: "", taskID: id, endpoint: r["endpoint"]?.stringValue, submitTraceID: r["trace_id"]?.stringValue)
                    allTaskIDs.insert(id)
                }
            case "snapshot":
                s.snapshots.append(r)
            case "downloaded":
                if let role = r["role"]?.stringValue, let path = r["path"]?.stringValue, let sha = r["sha256"]?.stringValue {
                    job.downloads[role] = SavedDownload(role: role, path: path, bytes: Int64(r["bytes"]?.doubleValue ?? 0), sha256: sha,
                                                        url: r["url"]?.stringValue ?? "", format: r["format"]?.stringValue ?? "",
                                                        refreshed: r["refreshed"]?.boolValue ?? false)
                }
            case "done":
                let outcome = JobOutcome(rawValue: r["state"]?.stringValue ?? "") ?? .failed
                let error = r["error"].flatMap { e -> GenError? in
                    guard let kind = e["kind"]?.stringValue.flatMap(GenErrorKind.init(rawValue:)) else { return nil }
                    return GenError(kind, e["message"]?.stringValue ?? "")
                }
                job.done = JobResult(name: name, outcome: outcome, taskIDs: (r["task_ids"]?.arrayValue ?? []).compactMap(\.stringValue),
                                     files: (r["files"]?.arrayValue ?? []).compactMap(\.stringValue), error: error,
                                     artifactErrors: (r["artifact_errors"]?.arrayValue ?? []).compactMap(\.stringValue))
            default: break
            }
            job.steps[step] = s
            jobs[name] = job
        }
    }
}

/// The live state of a job in this process: the journal's record plus what happened since.
final class JobContext: @unchecked Sendable {
    let record: JobRecord
    var name: String { record.name }
    private let lock = Lock()
    private var steps: [Int: StepRecord]
    private var wires: [Int: (String, JSONValue, Double)] = [:]
    private(set) var downloads: [SavedDownload] = []
    private var artifactErrors: [(String, GenError)] = []
    private var lastSeen: [Int: (GenState, Int?, String)] = [:]
    private var firstSeen: [Int: [GenState: Double]] = [:]

    init(record: JobRecord) {
        self.record = record
        steps = record.steps
        for (step, s) in record.steps {
            if let i = s.intent { wires[step] = (i.path, i.body, i.time) }
            if let last = s.snapshots.last {
                lastSeen[step] = (GenState(rawValue: last["state"]?.stringValue ?? "") ?? .unknown, last["progress"]?.intValue,
                                  last["provider_status"]?.stringValue ?? "")
            }
        }
    }

    var taskIDs: [String] { lock.withLock { steps.keys.sorted().compactMap { steps[$0]?.handle?.taskID } } }

    func addWire(step: Int, path: String, body: JSONValue, at time: Double) { lock.withLock { wires[step] = (path, body, time) } }
    func clearWire(step: Int) { lock.withLock { wires[step] = nil } }
    func setHandle(step: Int, _ handle: GenTaskHandle) { lock.withLock { steps[step, default: StepRecord()].handle = handle } }
    func addDownload(_ d: SavedDownload) { lock.withLock { downloads.append(d) } }
    func addArtifactError(role: String, _ e: GenError) { lock.withLock { artifactErrors.append((role, e)) } }

    /// Keeps snapshots that change state, progress or provider status; true when this one was new.
    func addSnapshot(step: Int, _ snap: GenTaskSnapshot) -> Bool {
        lock.withLock {
            if let last = lastSeen[step], last.0 == snap.state, last.1 == snap.progress, last.2 == snap.providerStatus { return false }
            lastSeen[step] = (snap.state, snap.progress, snap.providerStatus)
            let now = wallClockSeconds()
            if firstSeen[step]?[snap.state] == nil { firstSeen[step, default: [:]][snap.state] = now }
            steps[step, default: StepRecord()].snapshots.append(jsonObject([
                ("t", .number(now)), ("state", .string(snap.state.rawValue)), ("provider_status", .string(snap.providerStatus)),
                ("progress", snap.progress.json), ("queue_position", snap.queuePosition.json), ("eta_seconds", snap.etaSeconds.map { .number($0) }),
                ("credits_used", snap.creditsUsed.map { .number($0) }), ("trace_id", snap.traceID.json), ("raw", snap.raw)]))
            return true
        }
    }

    /// The `NAME.task.json` content: enough to audit or replay the job.
    func metadata(provider: String, runInfo: JSONValue, outcome: JobOutcome, error: GenError?) -> JSONValue {
        lock.withLock {
            var stepList: [JSONValue] = []
            var traces: [String] = []
            var credits: Double?
            var firstSubmit: Double?
            var lastTime: Double?
            for step in Set(steps.keys).union(wires.keys).sorted() {
                let s = steps[step] ?? StepRecord()
                let wire = wires[step]
                if let t = s.handle?.submitTraceID, !traces.contains(t) { traces.append(t) }
                for snap in s.snapshots {
                    if let t = snap["trace_id"]?.stringValue, !traces.contains(t) { traces.append(t) }
                    if let c = snap["credits_used"]?.doubleValue ?? snap["raw"]?["consumed_credit"]?.doubleValue ?? snap["raw"]?["consumed_credits"]?.doubleValue { credits = c }
                    lastTime = snap["t"]?.doubleValue ?? lastTime
                }
                if firstSubmit == nil { firstSubmit = wire?.2 }
                let snapshotsOut = s.snapshots.map { snap -> JSONValue in
                    // Journal records carry bookkeeping keys; keep the snapshot fields only.
                    .object((snap.objectValue ?? []).filter { !["event", "job", "step"].contains($0.0) })
                }
                stepList.append(jsonObject([
                    ("step", .number(Double(step))), ("task_id", s.handle.map { .string($0.taskID) }), ("endpoint", s.handle?.endpoint.map { .string($0) }),
                    ("submit_trace_id", s.handle?.submitTraceID.map { .string($0) }),
                    ("http_request", wire.map { .object([("path", .string($0.0)), ("body", $0.1)]) }),
                    ("submitted_at", wire.map { .string(iso8601($0.2)) }), ("snapshots", .array(snapshotsOut))]))
            }
            let end = wallClockSeconds()
            let timings = jsonObject([("job_created", .string(iso8601(record.createdAt))), ("first_submit", firstSubmit.map { .string(iso8601($0)) }),
                                      ("last_status", lastTime.map { .string(iso8601($0)) }), ("finished", .string(iso8601(end))),
                                      ("seconds_from_submit", firstSubmit.map { .number((end - $0) * 1000 / 1000) })])
            return jsonObject([
                ("job", .string(name)), ("provider", .string(provider)), ("state", .string(outcome.rawValue)),
                ("error", error?.json), ("task_type", .string(record.request.taskType)), ("request", record.request.json),
                ("run", runInfo), ("steps", .array(stepList)), ("trace_ids", .array(traces.map { .string($0) })),
                ("credits_used", credits.map { .number($0) }), ("timings", timings),
                ("artifacts", .array(downloads.map(\.json))),
                ("artifact_errors", artifactErrors.isEmpty ? nil : .array(artifactErrors.map { .object([("role", .string($0.0)), ("error", $0.1.json)]) })),
                ("generator", .string("polyforge generate")),
            ])
        }
    }
}

