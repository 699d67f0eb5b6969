import Glibc
import PolyforgeFormats
import PolyforgeMesh

/// One asset to generate: a name (used for the output files) and what to ask for.
public struct GenerationJob: Sendable {
    public var name: String
    public var request: GenRequest
    public init(name: String, request: GenRequest) { self.name = name; self.request = request }
}

public struct RunnerOptions: Sendable {
    /// Jobs in flight at once (provider concurrency groups limit further).
    public var maxInFlight = 32
    /// Poll cadence overrides (nil: the provider's documented cadence).
    public var pollInitial: Double?
    public var pollMax: Double?
    /// Consecutive status reads with an unknown state before the job is given up.
    public var maxUnknownPolls = 40
    /// Follow Meshy's SSE stream instead of polling where the provider has one.
    public var useStream = true
    /// Also download every other artifact (textures, extra formats), not only the model and preview.
    public var allArtifacts = false
    /// After a lost submit reply, wait this long before asking the provider's list endpoint (the task may appear late).
    public var reconcileDelay = 1.0
    public init() {}
}

public enum JobOutcome: String, Sendable {
    case succeeded
    case failed
    /// The submit may or may not have created a task and the provider cannot be asked: a person must look.
    case outcomeUnknown = "outcome_unknown"
    /// Stopped before an end (provider unreachable, circuit open): `--resume` continues it.
    case interrupted
}

public struct JobResult: Sendable {
    public var name: String
    public var outcome: JobOutcome
    public var taskIDs: [String]
    public var files: [String]
    public var error: GenError?
    public var artifactErrors: [String]
    public var json: JSONValue {
        jsonObject([("name", .string(name)), ("state", .string(outcome.rawValue)),
                    ("task_ids", .array(taskIDs.map { .string($0) })), ("files", .array(files.map { .string($0) })),
                    ("error", error?.json), ("artifact_errors", artifactErrors.isEmpty ? nil : .array(artifactErrors.map { .string($0) }))])
    }
}

/// Drives jobs through submit → poll/stream → download → metadata, journaling each step so a crash or kill at any
/// point can be resumed (`resume`) without submitting anything twice.
public final class GenerationRunner: @unchecked Sendable {
    public let provider: any GenerationProvider
    public let outputDirectory: String
    public let options: RunnerOptions
    public let journal: TaskJournal
    public let log: GenerationLog
    let downloader: ArtifactDownloader
    let limiter: ConcurrencyLimiter
    let runInfo: JSONValue
    /// Set for providers whose rate limit calls for one poller serving every task (3D AI Studio).
    let sharedPoller: SharedPoller?
    private let lock = Lock()
    /// Task ids some job of this folder owns: reconciliation never hands one to a second job.
    private var claimedTaskIDs: Set<String> = []
    /// Submits of this process whose reply has not come back yet, by request body: a reconciliation waits for
    /// identical ones to settle first, so it cannot take a task another job is about to be told is its own.
    private var submitsInFlight: [String: Int] = [:]
    private var finishedCount = 0
    private var totalCount = 0
    /// Called after every job ends (progress display).
    public var onJobFinished: (@Sendable (JobResult, Int, Int) -> Void)?

    public init(provider: any GenerationProvider, outputDirectory: String, options: RunnerOptions = RunnerOptions(),
                runInfo: JSONValue = .object([])) throws(GenError) {
        self.provider = provider; self.outputDirectory = outputDirectory; self.options = options; self.runInfo = runInfo
        log = provider.session.log
        do { try FileSystem.makeDirectories(outputDirectory) } catch { throw GenError(.local, "\(error)") }
        journal = try TaskJournal(path: FileSystem.join(outputDirectory, "journal.jsonl"), redactor: log.redactor)
        downloader = ArtifactDownloader(http: provider.session.http, backoff: provider.session.backoff, log: log)
        limiter = ConcurrencyLimiter(limits: provider.limits.concurrency)
        sharedPoller = provider.limits.sharedPoller
            ? SharedPoller(provider: provider, interval: options.pollInitial ?? provider.limits.pollInitial, maxUnknownPolls: options.maxUnknownPolls)
            : nil
    }

    // MARK: - Entry points

    /// Starts new jobs (names must be unique in the output folder; jobs already in the journal are resumed, not redone).
    public func run(_ jobs: [GenerationJob]) async throws(GenError) -> [JobResult] {
        let state = JournalState(TaskJournal.load(journal.path).records)
        var added = 0
        for job in jobs where state.jobs[job.name] == nil {
            try journal.append(.object([("event", "job"), ("job", .string(job.name)), ("t", .number(wallClockSeconds())),
                                        ("request", job.request.json)]), sync: false)
            added += 1
        }
        if added > 0 { try journal.sync() }   // one fsync for the whole batch of job lines
        return try await resume()
    }

    /// Continues every job in the journal that has not ended.
    public func resume() async throws(GenError) -> [JobResult] {
        let loaded = TaskJournal.load(journal.path)
        for warning in loaded.warnings { log.info(warning) }
        let state = JournalState(loaded.records)
        lock.withLock { claimedTaskIDs.formUnion(state.allTaskIDs) }
        let names = state.order
        lock.withLock { totalCount = names.count; finishedCount = 0 }
        var results: [String: JobResult] = [:]
        await withTaskGroup(of: JobResult.self) { group in
            var next = 0
            func addNext() {
                guard next < names.count else { return }
                let name = names[next]; next += 1
                let record = state.jobs[name]!
                group.addTask { await self.runJob(record) }
            }
            for _ in 0..<min(options.maxInFlight, names.count) { addNext() }
            for await result in group {
                results[result.name] = result
                let (done, total) = lock.withLock { finishedCount += 1; return (finishedCount, totalCount) }
                onJobFinished?(result, done, total)
                addNext()
            }
        }
        return names.compactMap { results[$0] }
    }

    // MARK: - One job

    func runJob(_ record: JobRecord) async -> JobResult {
        if let done = record.done { return done }
        let context = JobContext(record: record)
        do {
            return try await drive(context)
        } catch {
            // Temporary trouble (provider down, storage 5xx, limits that outlast our retries) never ends a job: the
            // task exists or was never sent, and `--resume` picks it up where it stands.
            if GenerationRunner.pauses(error) { return interrupted(context, error) }
            return await finish(context, outcome: error.kind == .outcomeUnknown ? .outcomeUnknown : .failed, error: error)
        }
    }

    static func pauses(_ error: GenError) -> Bool {
        error.kind == .transient || error.kind == .circuitOpen || error.kind == .rateLimited || error.kind == .concurrencyFull
    }

    private func claimed() -> Set<String> { lock.withLock { claimedTaskIDs } }

    private func drive(_ context: JobContext) async throws(GenError) -> JobResult {
        var request = context.record.request
        var step = 0
        var final: GenTaskSnapshot?
        while true {
            let group = provider.concurrencyGroup(for: request)
            var handle = context.record.steps[step]?.handle
            await limiter.acquire(group)
            var terminal: GenTaskSnapshot
            do throws(GenError) {
                if handle == nil {
                    if let intent = context.record.steps[step]?.intent {
                        // Killed between the intent and the reply: never resend, find out instead.
                        handle = try await reconcile(context, step: step, intent: intent, reason: "the previous run stopped before the submit reply was saved")
                        if handle == nil { handle = try await submit(context, step: step, request: request) }
                    } else {
                        handle = try await submit(context, step: step, request: request)
                    }
                }
                guard let handle else { throw GenError(.local, "no task handle") }
                terminal = try await waitForEnd(context, step: step, handle: handle)
            } catch {
                await limiter.release(group)
                throw error
            }
            await limiter.release(group)
            guard terminal.state == .succeeded else {
                throw terminal.error ?? GenError(.taskFailed, "task ended \(terminal.state.rawValue) (\(terminal.providerStatus))")
            }
            if let next = provider.followUp(after: terminal, original: context.record.request, step: step) {
                request = next
                step += 1
                continue
            }
            final = terminal
            break
        }
        guard let final else { throw GenError(.local, "no final snapshot") }
        return try await collect(context, final)
    }

    private func submit(_ context: JobContext, step: Int, request: GenRequest, again: Bool = false) async throws(GenError) -> GenTaskHandle {
        let wire = try await provider.wireRequest(for: request)
        // The intent is journaled right before each attempt leaves (after rate limits and waits), and a plain refusal
        // is journaled as "not sent", so a kill anywhere but mid-request never leaves an open question behind.
        let lastIntent = IntentClock()
        let name = context.name
        let hooks = SubmitHooks(beforeSend: { () async throws(GenError) -> Void in
            let t = wallClockSeconds()
            lastIntent.set(t)
            try await self.journalAppend(.object([("event", "intent"), ("job", .string(name)), ("step", .number(Double(step))),
                                                  ("t", .number(t)), ("path", .string(wire.path)), ("body", elideDataURIs(wire.body))]))
            context.addWire(step: step, path: wire.path, body: elideDataURIs(wire.body), at: t)
        }, refused: { error in
            try? await self.journalAppend(.object([("event", "not_sent"), ("job", .string(name)), ("step", .number(Double(step))),
                                                   ("t", .number(wallClockSeconds())), ("reason", error.json)]))
        })
        let bodyKey = wire.path + " " + JSONWriter.string(wire.body)
        lock.withLock { submitsInFlight[bodyKey, default: 0] += 1 }
        do {
            let sent: Result<GenTaskHandle, GenError>
            do throws(GenError) { sent = .success(try await provider.submit(path: wire.path, body: wire.body, hooks: hooks)) } catch { sent = .failure(error) }
            let handle = try sent.get()
            try await recordSubmitted(context, step: step, handle: handle, via: "submit")
            lock.withLock { submitsInFlight[bodyKey, default: 1] -= 1 }
            return handle
        } catch let error where error.kind == .outcomeUnknown {
            lock.withLock { submitsInFlight[bodyKey, default: 1] -= 1 }
            await waitForIdenticalSubmits(bodyKey)
            log.info("\(context.name): \(error.message); reconciling instead of resending")
            try await sleepSeconds(options.reconcileDelay)
            let intent = StepIntent(path: wire.path, body: elideDataURIs(wire.body), time: lastIntent.get())
            if let found = try await reconcile(context, step: step, intent: intent, reason: error.message) { return found }
            // The list proves the request created nothing: sending it again cannot pay twice. Once; then pause.
            if !again { return try await submit(context, step: step, request: request, again: true) }
            throw GenError(.transient, "two submits in a row lost their replies without creating a task; `--resume` tries again")
        } catch {
            lock.withLock { submitsInFlight[bodyKey, default: 1] -= 1 }
            // The provider refused, or nothing reached it: no task exists, so a later run may send this step again.
            try await journalAppend(.object([("event", "not_sent"), ("job", .string(context.name)), ("step", .number(Double(step))),
                                             ("t", .number(wallClockSeconds())), ("reason", error.json)]))
            context.clearWire(step: step)
            throw error
        }
    }

    private func waitForIdenticalSubmits(_ bodyKey: String) async {
        let deadline = monotonicSeconds() + 2 * provider.session.http.requestTimeout
        while lock.withLock({ (submitsInFlight[bodyKey] ?? 0) > 0 }) && monotonicSeconds() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// nil: the provider's list proves the submit created nothing (journaled as not sent, so it may be sent again).
    private func reconcile(_ context: JobContext, step: Int, intent: StepIntent, reason: String) async throws(GenError) -> GenTaskHandle? {
        let found: GenTaskHandle
        switch try await provider.reconcile(path: intent.path, body: intent.body, jobPrompt: context.record.request.prompt,
                                                submittedAfter: intent.time, excluding: claimed()) {
        case .found(let handle): found = handle
        case .absent:
            log.info("\(context.name): the lost submit created no task (checked the provider's list); it may be sent again")
            try await journalAppend(.object([("event", "not_sent"), ("job", .string(context.name)), ("step", .number(Double(step))),
                                             ("t", .number(wallClockSeconds())), ("reason", .string("absent from the provider's task list"))]))
            context.clearWire(step: step)
            return nil
        case .cannotTell(let note):
            try await journalAppend(.object([("event", "outcome_unknown"), ("job", .string(context.name)), ("step", .number(Double(step))),
                                             ("reason", .string(reason))]))
            throw GenError(.outcomeUnknown, "\(reason); \(note). Not resubmitted, to avoid paying twice: check the provider's dashboard, then rerun this job under a new name if it does not exist")
        }
        log.info("\(context.name): reconciled the lost submit to task \(found.taskID)")
        try await recordSubmitted(context, step: step, handle: found, via: "reconcile")
        return found
    }

    private func recordSubmitted(_ context: JobContext, step: Int, handle: GenTaskHandle, via: String) async throws(GenError) {
        lock.withLock { _ = claimedTaskIDs.insert(handle.taskID) }
        try await journalAppend(jsonObject([("event", "submitted"), ("job", .string(context.name)), ("step", .number(Double(step))),
                                       ("t", .number(wallClockSeconds())), ("task_id", .string(handle.taskID)),
                                       ("endpoint", handle.endpoint.json), ("trace_id", handle.submitTraceID.json), ("via", .string(via))]))
        context.setHandle(step: step, handle)
    }

    /// Streams or polls until a terminal state. Snapshots that change something are journaled (unsynced).
    private func waitForEnd(_ context: JobContext, step: Int, handle: GenTaskHandle) async throws(GenError) -> GenTaskSnapshot {
        let limits = provider.limits
        let pollInitial = options.pollInitial ?? limits.pollInitial
        let pollMax = max(pollInitial, options.pollMax ?? limits.pollMax)
        if options.useStream {
            let record: @Sendable (GenTaskSnapshot) -> Void = { snap in self.recordSnapshot(context, step: step, snap) }
            if let last = try await provider.stream(handle, onSnapshot: record) { return last }
        }
        if let sharedPoller {
            return try await sharedPoller.wait(handle) { snap in self.recordSnapshot(context, step: step, snap) }
        }
        var interval = pollInitial
        var unknownReads = 0
        while true {
            let snap: GenTaskSnapshot
            do {
                snap = try await provider.status(handle)
            } catch let error where error.kind == .notFound {
                throw GenError(.notFound, "task \(handle.taskID) is no longer known to \(provider.name) (expired or deleted): \(error.message)", traceID: error.traceID)
            }
            recordSnapshot(context, step: step, snap)
            if snap.state.isTerminal { return snap }
            if snap.state == .unknown {
                unknownReads += 1
                if unknownReads >= options.maxUnknownPolls {
                    throw GenError(.taskFailed, "status stayed unknown (\"\(snap.providerStatus)\") for \(unknownReads) reads")
                }
            } else { unknownReads = 0 }
            // The provider's own estimate (Tripo running_left_time) beats blind backoff.
            var wait = interval
            if let eta = snap.etaSeconds { wait = max(pollInitial, eta * 0.5) }
            wait = min(wait, pollMax)
            interval = min(pollMax, interval * limits.pollGrowth)
            try await sleepSeconds(wait)
        }
    }

    func recordSnapshot(_ context: JobContext, step: Int, _ snap: GenTaskSnapshot) {
        guard context.addSnapshot(step: step, snap) else { return }
        let record = jsonObject([("event", "snapshot"), ("job", .string(context.name)), ("step", .number(Double(step))),
                                 ("t", .number(wallClockSeconds())), ("state", .string(snap.state.rawValue)),
                                 ("provider_status", .string(snap.providerStatus)), ("progress", snap.progress.json),
                                 ("trace_id", snap.traceID.json), ("raw", snap.raw)])
        try? journal.append(record, sync: false)   // the done line that follows a terminal state is synced
        if snap.state != .queued || snap.progress != nil { log.debug("\(context.name): \(snap.state.rawValue)\(snap.progress.map { " \($0)%" } ?? "")") }
    }

    var http: HTTPClient { provider.session.http }

    /// Journal writes (and their fsyncs) run on the I/O queue, off Swift's cooperative pool.
    func journalAppend(_ record: JSONValue, sync: Bool = true) async throws(GenError) {
        let journal = self.journal
        let failure: GenError? = await http.offPool { () -> GenError? in
            do throws(GenError) { try journal.append(record, sync: sync); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    // MARK: - Results

    private func collect(_ context: JobContext, _ final: GenTaskSnapshot) async throws(GenError) -> JobResult {
        guard let primary = provider.primaryArtifact(in: final.artifacts) else {
            let roles = final.artifacts.map(\.role)
            throw GenError(.invalidArtifact, "the task succeeded but lists no model artifact (artifacts: \(roles.isEmpty ? "none" : roles.joined(separator: ", ")))")
        }
        var wanted = [primary]
        for a in final.artifacts where a.role != primary.role && (options.allArtifacts || a.role == "preview") { wanted.append(a) }
        var artifactErrors: [String] = []
        for artifact in wanted {
            let fileName = artifact.role == primary.role ? "\(context.name).\(artifact.resolvedFormat)" : "\(context.name).\(artifact.role).\(artifact.resolvedFormat)"
            let path = FileSystem.join(outputDirectory, fileName)
            let previous = context.record.downloads[artifact.role]
            let stillThere = await http.offPool { previous.map { FileSystem.exists($0.path) && SHA256.hex(fileAt: $0.path) == $0.sha256 } ?? false }
            if let done = previous, stillThere {
                context.addDownload(done)
                continue
            }
            let handle = final.handle
            let provider = self.provider
            do {
                let got = try await downloader.download(artifact, to: path) { () async throws(GenError) -> [GenArtifact] in
                    try await provider.refreshArtifacts(handle)
                }
                let saved = SavedDownload(role: artifact.role, path: path, bytes: got.bytes, sha256: got.sha256, url: got.artifact.url,
                                          format: artifact.resolvedFormat, refreshed: got.refreshedURL)
                try await journalAppend(.object([("event", "downloaded"), ("job", .string(context.name)), ("role", .string(artifact.role)),
                                            ("path", .string(path)), ("bytes", .number(Double(got.bytes))), ("sha256", .string(got.sha256)),
                                            ("url", .string(got.artifact.url)), ("format", .string(saved.format)), ("refreshed", .bool(got.refreshedURL))]),
                                   sync: false)   // the file was fsynced before its rename; the done line is synced
                context.addDownload(saved)
            } catch {
                if artifact.role == primary.role || GenerationRunner.pauses(error) { throw error }
                artifactErrors.append("\(artifact.role): \(error.description)")
                context.addArtifactError(role: artifact.role, error)
            }
        }
        return await finish(context, outcome: .succeeded, error: nil, artifactErrors: artifactErrors, final: final)
    }

    private func interrupted(_ context: JobContext, _ error: GenError) -> JobResult {
        log.info("\(context.name): paused (\(error.description)); `polyforge generate --resume \(outputDirectory)` continues it")
        return JobResult(name: context.name, outcome: .interrupted, taskIDs: context.taskIDs, files: [], error: error, artifactErrors: [])
    }

    private func finish(_ context: JobContext, outcome: JobOutcome, error: GenError?, artifactErrors: [String] = [],
                        final: GenTaskSnapshot? = nil) async -> JobResult {
        let metadataPath = FileSystem.join(outputDirectory, "\(context.name).task.json")
        let metadata = context.metadata(provider: provider.name, runInfo: runInfo, outcome: outcome, error: error)
        let text = log.redactor.redact(JSONWriter.string(metadata, indent: 2)) + "\n"
        var files = context.downloads.map(\.path)
        let written: String? = await http.offPool {
            do {
                try AtomicFile.write(Array(text.utf8), to: metadataPath)
                syncDirectory(of: metadataPath)   // the renames of the artifacts and the metadata, before "done" is journaled
                return nil
            } catch { return "\(error)" }
        }
        if let written { log.info("\(context.name): cannot write \(metadataPath): \(written)") } else { files.append(metadataPath) }
        let result = JobResult(name: context.name, outcome: outcome, taskIDs: context.taskIDs, files: files, error: error, artifactErrors: artifactErrors)
        do {
            try await journalAppend(jsonObject([("event", "done"), ("job", .string(context.name)), ("t", .number(wallClockSeconds())),
                                           ("state", .string(outcome.rawValue)), ("error", error?.json),
                                           ("task_ids", .array(context.taskIDs.map { .string($0) })), ("files", .array(files.map { .string($0) })),
                                           ("artifact_errors", artifactErrors.isEmpty ? nil : .array(artifactErrors.map { .string($0) }))]))
        } catch {
            log.info("\(context.name): \(error)")
        }
        return result
    }
}

final class IntentClock: @unchecked Sendable {
    private let lock = Lock()
    private var time = wallClockSeconds()
    func set(_ t: Double) { lock.withLock { time = t } }
    func get() -> Double { lock.withLock { time } }
}

/// Image data URIs are megabytes of base64: journals and metadata keep their digest and size instead.
func elideDataURIs(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let s) where s.hasPrefix("data:") && s.count > 256:
        let bytes = Array(s.utf8)
        return .string(String(s.prefix(40)) + "…(\(bytes.count) chars, sha256 \(SHA256.hex(bytes)))")
    case .array(let a): return .array(a.map(elideDataURIs))
    case .object(let o): return .object(o.map { ($0.0, elideDataURIs($0.1)) })
    default: return value
    }
}
