import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import PolyforgeFormats
import PolyforgeGenerate
import PolyforgeMesh

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate models with Tripo, Meshy or 3D AI Studio and download them, resumably.",
        discussion: """
            Submits text or image prompts, follows each task (polling, or Meshy's event stream), downloads the model \
            and its preview into --out, checks them (length, magic bytes, a full parse) and writes NAME.task.json beside \
            each: provider, request, every status snapshot, trace ids, timings, credits, URLs and checksums.

            Every step is journaled in OUT/journal.jsonl before it happens, so a crash, a kill or a network outage loses \
            nothing: `polyforge generate --resume OUT` polls saved task ids again and never resubmits a task that may \
            exist (a submit whose reply was lost is looked up in Meshy's task list, or reported as "outcome unknown").

            Keys: TRIPO_API_KEY, MESHY_API_KEY, THREEDAISTUDIO_API_KEY, or NAME=value lines in a credentials file \
            readable only by you (--credentials, $POLYFORGE_CREDENTIALS, ~/.config/polyforge/credentials). Keys are \
            redacted from every message, log and file.

            Try it without spending credits against the local emulator:
              polyforge emulator --port 8790 &
              TRIPO_API_KEY=tsk_test polyforge generate --provider tripo --prompt "a wooden crate" --base-url http://127.0.0.1:8790

            Exit codes: 0 every job downloaded, 2 some job failed or needs a person (see the summary), 1 setup error \
            (no key, unwritable folder), 64 bad usage.
            """)

    @Option(help: "Provider: tripo, meshy or 3daistudio.")
    var provider: String?

    @Option(help: "Text prompt for one model.")
    var prompt: String?

    @Option(help: "Image file (PNG/JPEG/WebP) for image-to-3D.")
    var image: String?

    @Option(help: "File with one prompt per line (blank lines and # comments skipped): a batch.")
    var prompts: String?

    @Option(help: "Output folder (journal, models, previews, NAME.task.json).")
    var out: String = "generated"

    @Option(help: "Base name of the output files for a single prompt (default: from the prompt).")
    var name: String?

    @Option(name: .customLong("task-type"), help: "Provider task type, e.g. text_to_model, image_to_model, refine_model, convert_model, remesh (default from --prompt/--image).")
    var taskType: String?

    @Option(help: "Source task id for chained tasks (refine, texture, convert, remesh…).")
    var source: String?

    @Option(help: "3D AI Studio model route: hunyuan-pro, hunyuan-rapid, trellis2, tripo, tripo-3.1, tripo-p1, convert.")
    var route: String?

    @Flag(inversion: .prefixedNo, help: "Ask for a textured model (Meshy: adds a refine step).")
    var texture: Bool?

    @Flag(help: "Ask for PBR materials.")
    var pbr: Bool = false

    @Option(name: .customLong("face-limit"), help: "Target face count.")
    var faceLimit: Int?

    @Option(name: .customLong("model-version"), help: "Provider model version (Tripo v2.5-20250123, Meshy meshy-6, Hunyuan 3.1…).")
    var modelVersion: String?

    @Option(name: .customLong("param"), help: "Extra provider field KEY=VALUE sent as is (VALUE parsed as JSON when it is JSON). Repeatable.")
    var params: [String] = []

    @Option(name: .customLong("base-url"), help: "API base URL (scheme and host), e.g. the emulator's http://127.0.0.1:PORT.")
    var baseURL: String?

    @Option(help: "Continue the run journaled in this folder.")
    var resume: String?

    @Option(help: "Credentials file of NAME=value lines (mode 600).")
    var credentials: String?

    @Option(help: "Jobs in flight at once (the provider's concurrency limits also apply).")
    var jobs: Int = 32

    @Option(name: .customLong("requests-per-second"), help: "Client-side request rate cap (default: the provider's documented limit; 3D AI Studio 0.05 = 3/min).")
    var requestsPerSecond: Double?

    @Option(help: "Tasks queued or running at once per concurrency group (default: the documented limits).")
    var concurrency: Int?

    @Option(name: .customLong("poll-interval"), help: "First poll interval in seconds (default: the provider's).")
    var pollInterval: Double?

    @Option(name: .customLong("max-poll-interval"), help: "Longest poll interval in seconds.")
    var maxPollInterval: Double?

    @Option(name: .customLong("retry-base"), help: "First retry delay in seconds (doubles per attempt, with jitter).")
    var retryBase: Double?

    @Option(help: "HTTP request timeout in seconds.")
    var timeout: Double = 60

    @Flag(name: .customLong("no-stream"), help: "Poll even where the provider offers an event stream.")
    var noStream = false

    @Flag(name: .customLong("all-artifacts"), help: "Download every artifact (textures, extra formats), not only the model and preview.")
    var allArtifacts = false

    @Flag(help: "Print one JSON record per job and a summary on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Log every request and status change.")
    var verbose = false

    func validate() throws {
        if resume == nil {
            guard let provider else { throw ValidationError("--provider is required (tripo, meshy or 3daistudio), or --resume DIR.") }
            guard ProviderFactory.names.contains(provider) else { throw ValidationError("--provider must be one of tripo, meshy, 3daistudio.") }
            let inputs = [prompt != nil, image != nil, prompts != nil].filter { $0 }.count
            if inputs == 0 && source == nil { throw ValidationError("Give --prompt TEXT, --image FILE or --prompts FILE.") }
            if prompts != nil && (prompt != nil || image != nil) { throw ValidationError("--prompts is a batch on its own; drop --prompt/--image.") }
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let r = requestsPerSecond, !(r > 0) { throw ValidationError("--requests-per-second must be > 0.") }
        if let c = concurrency, c < 1 { throw ValidationError("--concurrency must be at least 1.") }
        for p in params where !p.contains("=") { throw ValidationError("--param takes KEY=VALUE, got '\(p)'.") }
        if let baseURL, !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) || baseURL.contains(" ") {
            throw ValidationError("--base-url must be an http:// or https:// URL, e.g. http://127.0.0.1:8790.")
        }
    }

    func run() throws {
        let outDir = resume ?? out
        let runPath = FileSystem.join(outDir, "run.json")
        var saved: JSONValue = .object([])
        if resume != nil {
            guard let bytes = try? MappedFile.readAll(runPath), let json = try? JSONParser.parse(bytes) else {
                Output.error("\(runPath): no run to resume here (missing or unreadable run.json)")
                throw ExitCode(1)
            }
            saved = json
        }
        // A resumed run keeps the provider its tasks belong to.
        let providerName = resume != nil ? (saved["provider"]?.stringValue ?? "") : (provider ?? "")
        if resume != nil, let provider, provider != providerName {
            Output.warning("--provider \(provider) ignored: the run in \(outDir) belongs to \(providerName)")
        }
        guard ProviderFactory.names.contains(providerName) else { Output.error("\(runPath): unknown provider '\(providerName)'"); throw ExitCode(1) }
        let base = baseURL ?? saved["base_url"]?.stringValue
        let rps = requestsPerSecond ?? saved["requests_per_second"]?.doubleValue
        let conc = concurrency ?? saved["concurrency"]?.intValue
        let pollFirst = pollInterval ?? saved["poll_interval"]?.doubleValue
        let pollLast = maxPollInterval ?? saved["max_poll_interval"]?.doubleValue
        let retry = retryBase ?? saved["retry_base"]?.doubleValue

        let redactor = Redactor()
        let key: String
        do { key = try Credentials.key(for: providerName, file: credentials) } catch {
            Output.error(redactor.redact(error.message)); throw ExitCode(1)
        }
        redactor.add(key)
        do { try FileSystem.makeDirectories(outDir) } catch { Output.error("\(error)"); throw ExitCode(1) }
        let log = GenerationLog(redactor: redactor, verbose: verbose, filePath: FileSystem.join(outDir, "generate.log"))
        let http = HTTPClient(requestTimeout: timeout, userAgent: "polyforge/\(PolyforgeVersion.string)")
        var overrides = ProviderFactory.Overrides()
        overrides.requestsPerSecond = rps
        overrides.concurrency = conc
        if let retry { overrides.backoff = Backoff(baseDelay: retry, maxDelay: max(retry * 32, 1), maxAttempts: 6); overrides.breakerCooldown = max(retry * 20, 0.5) }
        let providerImpl: any GenerationProvider
        do {
            providerImpl = try ProviderFactory.make(providerName, baseURL: base, apiKey: key, http: http, log: log, overrides: overrides)
        } catch {
            Output.error(redactor.redact(error.message)); throw ExitCode(1)
        }

        let runInfo = jsonObject([("provider", .string(providerName)), ("base_url", base.map { .string($0) }),
                                  ("requests_per_second", rps.map { .number($0) }), ("concurrency", conc.map { .number(Double($0)) }),
                                  ("poll_interval", pollFirst.map { .number($0) }), ("max_poll_interval", pollLast.map { .number($0) }),
                                  ("retry_base", retry.map { .number($0) }), ("polyforge_version", .string(PolyforgeVersion.string))])
        if resume == nil {
            do { try AtomicFile.write(JSONWriter.bytes(runInfo, indent: 2), to: runPath) } catch { Output.error("\(error)"); throw ExitCode(1) }
        }

        var options = RunnerOptions()
        options.maxInFlight = jobs
        options.pollInitial = pollFirst
        options.pollMax = pollLast
        options.useStream = !noStream
        options.allArtifacts = allArtifacts
        if let retry { options.reconcileDelay = min(1, retry * 4) }
        let runner: GenerationRunner
        do throws(GenError) { runner = try GenerationRunner(provider: providerImpl, outputDirectory: outDir, options: options, runInfo: runInfo) } catch {
            Output.error(error.message); throw ExitCode(1)
        }
        let quiet = json
        runner.onJobFinished = { result, done, total in
            guard !quiet || Output.stderrIsTerminal else { return }
            let detail = result.outcome == .succeeded ? result.files.first.map { FileSystem.fileName(of: $0) } ?? "" : (result.error?.description ?? "")
            log.info("[\(done)/\(total)] \(result.name): \(result.outcome.rawValue)\(detail.isEmpty ? "" : " — \(detail)")")
        }

        let jobsToRun = resume == nil ? try makeJobs() : []
        if resume == nil { log.info("generate: \(jobsToRun.count) job(s) with \(providerName) → \(outDir)") }
        let outcome: Result<[JobResult], GenError> = blockingAsync {
            do throws(GenError) {
                return .success(resume == nil ? try await runner.run(jobsToRun) : try await runner.resume())
            } catch { return .failure(error) }
        }
        let results: [JobResult]
        switch outcome {
        case .success(let r): results = r
        case .failure(let e): Output.error(redactor.redact(e.description)); throw ExitCode(1)
        }
        var counts: [String: Int] = [:]
        for r in results { counts[r.outcome.rawValue, default: 0] += 1 }
        let summaryText = ["succeeded", "failed", "outcome_unknown", "interrupted"].compactMap { k in counts[k].map { "\($0) \(String(k.map { $0 == "_" ? " " : $0 }))" } }.joined(separator: ", ")
        log.info("generate: \(summaryText.isEmpty ? "nothing to do" : summaryText) → \(outDir)")
        if counts["interrupted"] != nil { log.info("generate: continue with: polyforge generate --resume \(outDir)") }
        if json {
            let summary = JSONValue.object(["succeeded", "failed", "outcome_unknown", "interrupted"].map { ($0, .number(Double(counts[$0] ?? 0))) })
            print(redactor.redact(JSONWriter.string(.object([("jobs", .array(results.map(\.json))), ("summary", summary), ("out", .string(outDir))]), indent: 2)))
        }
        if results.contains(where: { $0.outcome != .succeeded }) { throw ExitCode(2) }
    }

    func makeJobs() throws -> [GenerationJob] {
        var extra: [(String, JSONValue)] = []
        for p in params {
            let eq = p.firstIndex(of: "=")!
            let value = String(p[p.index(after: eq)...])
            extra.append((String(p[..<eq]), (try? JSONParser.parse(value)) ?? .string(value)))
        }
        func request(prompt: String?) -> GenRequest {
            GenRequest(taskType: taskType ?? (image != nil && prompt == nil ? "image_to_model" : source != nil ? "refine_model" : "text_to_model"),
                       prompt: prompt, imagePath: image, texture: texture, pbr: pbr ? true : nil, faceLimit: faceLimit,
                       modelVersion: modelVersion, route: route, sourceTaskID: source, extra: extra)
        }
        if let prompts {
            guard let bytes = try? MappedFile.readAll(prompts) else { Output.error("cannot read \(prompts)"); throw ExitCode(1) }
            var jobs: [GenerationJob] = []
            var used: Set<String> = []
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let text = String(line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
                if text.isEmpty || text.hasPrefix("#") { continue }
                jobs.append(GenerationJob(name: uniqueName(slug(text), &used, index: jobs.count + 1), request: request(prompt: text)))
            }
            if jobs.isEmpty { Output.error("\(prompts): no prompts (one per line)"); throw ExitCode(1) }
            return jobs
        }
        var used: Set<String> = []
        let base = name ?? slug(prompt ?? image.map { FileSystem.stem(of: $0) } ?? source ?? "model")
        return [GenerationJob(name: uniqueName(base, &used, index: 1), request: request(prompt: prompt))]
    }

    /// A file-name-safe stem from a prompt: lower-case words joined by '-', at most 48 characters.
    func slug(_ text: String) -> String {
        var out = ""
        for c in text.lowercased() {
            if c.isLetter && c.isASCII || c.isNumber && c.isASCII { out.append(c) } else if !out.hasSuffix("-") && !out.isEmpty { out.append("-") }
            if out.count >= 48 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "model" : out
    }

    func uniqueName(_ base: String, _ used: inout Set<String>, index: Int) -> String {
        var name = base
        var n = index
        while used.contains(name) { name = "\(base)-\(n)"; n += 1 }
        used.insert(name)
        return name
    }
}

/// Runs async work from the synchronous command and waits for it (the main thread is not one of the pool's threads).
func blockingAsync<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

final class ResultBox<T>: @unchecked Sendable { var value: T? }
