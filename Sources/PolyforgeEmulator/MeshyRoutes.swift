import PolyforgeMesh

/// Meshy (`/openapi/v1|v2/…`): per-family create (202 `{"result":id}`), retrieve, list, SSE stream and DELETE,
/// plus `GET /openapi/v1/balance`. Task ids are per family: a text-to-3d id is not found under image-to-3d.
enum MeshyRoutes {
    struct Family: Sendable, Equatable {
        let name: String
        let path: String
        let cost: Int
    }

    static let families: [Family] = [
        Family(name: "text-to-3d", path: "/openapi/v2/text-to-3d", cost: 20),
        Family(name: "image-to-3d", path: "/openapi/v1/image-to-3d", cost: 20),
        Family(name: "multi-image-to-3d", path: "/openapi/v1/multi-image-to-3d", cost: 20),
        Family(name: "remesh", path: "/openapi/v1/remesh", cost: 5),
        Family(name: "retexture", path: "/openapi/v1/retexture", cost: 10),
    ]

    /// Meshy's documented test key: every create returns one canned, already SUCCEEDED sample task.
    static let testModeKey = "msy_dummy_api_key_for_test_mode_12345678"

    static let extraFormats = ["fbx", "obj", "usdz", "stl", "3mf"]

    enum Action: Sendable {
        case create(Family)
        case retrieve(Family, taskID: String)
        case list(Family)
        case stream(Family, taskID: String)
        case delete(Family, taskID: String)
        case balance
    }

    static func match(method: String, path: String) -> (RouteClass, Action)? {
        if method == "GET" && path == "/openapi/v1/balance" { return (.balance, .balance) }
        for family in families where path.hasPrefix(family.path) {
            let rest = path.dropFirst(family.path.count)
            if rest.isEmpty {
                if method == "POST" { return (.submit, .create(family)) }
                if method == "GET" { return (.list, .list(family)) }
                return nil
            }
            guard rest.hasPrefix("/") else { continue }
            let segments = rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            guard let id = segments.first, !id.isEmpty else { return nil }
            if segments.count == 1 {
                if method == "GET" { return (.status, .retrieve(family, taskID: String(id))) }
                if method == "DELETE" { return (.cancel, .delete(family, taskID: String(id))) }
            } else if segments.count == 2, segments[1] == "stream", method == "GET" {
                return (.stream, .stream(family, taskID: String(id)))
            }
            return nil
        }
        return nil
    }

    static func handle(_ action: Action, _ context: RequestContext, _ state: EmulatorState) -> HTTPReply {
        guard let key = context.request.bearerToken, key.hasPrefix("msy_"), !key.contains("invalid") else {
            return .response(ProviderErrors.unauthorized(.meshy))
        }
        let account = state.account(forKey: key)
        switch action {
        case .create(let family):
            return .response(create(family, context, key: key, account: account, state))
        case .retrieve(let family, let id):
            guard let task = lookup(id, family: family, account: account, state) else { return .response(ProviderErrors.notFound(.meshy)) }
            return .response(.json(200, taskObject(task, now: context.now, oddStatus: context.faultIs(.oddStatus), state)))
        case .list(let family):
            return .response(list(family, context, account: account, state))
        case .stream(let family, let id):
            guard lookup(id, family: family, account: account, state) != nil else { return .response(ProviderErrors.notFound(.meshy)) }
            return MeshyEventStream.reply(taskID: id, state: state, disconnectAfterFirstEvent: context.faultIs(.sseDisconnect))
        case .delete(let family, let id):
            guard let task = lookup(id, family: family, account: account, state) else { return .response(ProviderErrors.notFound(.meshy)) }
            // DELETE cancels a task that is still pending or running, and deletes one that has finished.
            if task.snapshot(at: context.now).isTerminal {
                state.tasks[id]?.deleted = true
            } else {
                state.tasks[id]?.cancelledAt = context.now
            }
            return .response(.json(200, .object([])))
        case .balance:
            return .response(.json(200, .object([("balance", .number(Double(state.available(ofAccount: account, now: context.now))))])))
        }
    }

    static func lookup(_ id: String, family: Family, account: String, _ state: EmulatorState) -> EmulatedTask? {
        guard let task = state.task(id, ofAccount: account, provider: .meshy), task.family == family.name else { return nil }
        return task
    }

    private static func create(_ family: Family, _ context: RequestContext, key: String, account: String, _ state: EmulatorState) -> HTTPResponse {
        guard let body = try? JSONParser.parse(context.request.body), body.objectValue != nil else {
            return ProviderErrors.meshy(400, "Invalid JSON body")
        }
        let checked: (typeName: String, basis: EmulatedTask?)
        switch validate(family, body, account: account, now: context.now, state) {
        case .failure(let problem): return ProviderErrors.meshy(400, problem.message)
        case .success(let value): checked = value
        }
        let submitted = SubmittedRequest(body: body)
        if submitted.asksForPolicyRejection { return ProviderErrors.contentRejected(.meshy) }

        if key == testModeKey { return .json(202, .object([("result", .string(sampleTask(family, account: account, key: key, state)))])) }

        let active = state.activeTaskCount(ofAccount: account, now: context.now) { $0.provider == .meshy }
        if active >= state.scenario.meshyQueueLimit {
            let retryAfter = state.scenario.retryAfterIsExplicit ? state.scenario.retryAfter : nil
            return ProviderErrors.meshy(429, "Too many pending tasks", headers: ProviderErrors.retryAfterHeader(retryAfter))
        }
        if state.available(ofAccount: account, now: context.now) < family.cost { return ProviderErrors.insufficientCredits(.meshy) }

        let outcome = state.outcomeForNewTask(provider: .meshy, request: submitted)
        let prompt = family.name == "text-to-3d" ? (submitted.prompt ?? checked.basis?.prompt ?? "") : nil
        let task = EmulatedTask(
            id: Identifiers.uuid(), provider: .meshy, family: family.name, typeName: checked.typeName, account: account, key: key,
            input: body, prompt: prompt, meshKind: checked.basis?.meshKind ?? submitted.meshKind, outcome: outcome,
            createdAt: context.now, queueSeconds: state.scenario.queueSeconds, runSeconds: state.scenario.runSeconds,
            cost: family.cost, concurrencyGroup: "queue", files: files(body: body, outcome: outcome))
        state.register(task, duplicateKey: submitted.duplicateKey(path: context.request.path))
        return .json(202, .object([("result", .string(task.id))]))
    }

    struct Problem: Error { let message: String }

    /// The task type to report and the earlier task this one builds on (refine, remesh, retexture), or the
    /// first problem with the body.
    static func validate(_ family: Family, _ body: JSONValue, account: String, now: Double, _ state: EmulatorState)
        -> Result<(typeName: String, basis: EmulatedTask?), Problem> {
        if let model = body["ai_model"]?.stringValue, model == "meshy-4" {
            return .failure(Problem(message: "ai_model meshy-4 is no longer supported; use meshy-5, meshy-6 or latest"))
        }
        if let formats = body["target_formats"], formats.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            return .failure(Problem(message: "target_formats must be an array of format names"))
        }
        func succeededTask(_ id: String) -> EmulatedTask? {
            guard let task = state.task(id, ofAccount: account, provider: .meshy), task.snapshot(at: now).succeeded else { return nil }
            return task
        }
        switch family.name {
        case "text-to-3d":
            switch body["mode"]?.stringValue {
            case "preview":
                guard let prompt = body["prompt"]?.stringValue, !prompt.isEmpty else { return .failure(Problem(message: "prompt is required")) }
                if prompt.count > 600 { return .failure(Problem(message: "prompt must be at most 600 characters")) }
                return .success(("text-to-3d-preview", nil))
            case "refine":
                guard let id = body["preview_task_id"]?.stringValue, let preview = succeededTask(id),
                      preview.typeName == "text-to-3d-preview" else {
                    return .failure(Problem(message: "preview_task_id must name a SUCCEEDED preview task"))
                }
                return .success(("text-to-3d-refine", preview))
            default:
                return .failure(Problem(message: "mode must be \"preview\" or \"refine\""))
            }
        case "image-to-3d":
            guard let url = body["image_url"]?.stringValue, !url.isEmpty else { return .failure(Problem(message: "image_url is required")) }
            return .success(("image-to-3d", nil))
        case "multi-image-to-3d":
            guard let urls = body["image_urls"]?.arrayValue, (1...4).contains(urls.count),
                  urls.allSatisfy({ ($0.stringValue ?? "").isEmpty == false }) else {
                return .failure(Problem(message: "image_urls must list 1 to 4 images"))
            }
            return .success(("multi-image-to-3d", nil))
        default:
            if let id = body["input_task_id"]?.stringValue {
                guard let input = succeededTask(id) else { return .failure(Problem(message: "input_task_id must name a SUCCEEDED task")) }
                return .success((family.name, input))
            }
            guard let url = body["model_url"]?.stringValue, !url.isEmpty else {
                return .failure(Problem(message: "input_task_id or model_url is required"))
            }
            return .success((family.name, nil))
        }
    }

    /// glb always (unless #no-model); fbx/obj/usdz/stl/3mf only when asked for in target_formats.
    static func files(body: JSONValue, outcome: TaskOutcome) -> [ArtifactFile] {
        var files: [ArtifactFile] = []
        if outcome != .noArtifact { files.append(ArtifactFile(name: "model.glb", content: .model)) }
        let asked = Set((body["target_formats"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
        for format in extraFormats where asked.contains(format) {
            files.append(ArtifactFile(name: "model.\(format)", content: format == "stl" ? .stl : .placeholder(format)))
        }
        files.append(ArtifactFile(name: "preview.png", content: .preview))
        files.append(ArtifactFile(name: "base_color.png", content: .baseColor))
        return files
    }

    /// The test key's canned task for this family: created once, already SUCCEEDED, never counted or charged.
    private static func sampleTask(_ family: Family, account: String, key: String, _ state: EmulatorState) -> String {
        let id = "018a210d-8ba4-705c-b111-1f1776f7f5" + String(78 + (families.firstIndex(of: family) ?? 0))
        if state.tasks[id] == nil {
            let sample = EmulatedTask(
                id: id, provider: .meshy, family: family.name,
                typeName: family.name == "text-to-3d" ? "text-to-3d-preview" : family.name, account: account, key: key,
                input: .object([]), prompt: family.name == "text-to-3d" ? "a monster mask" : nil, meshKind: .scan,
                outcome: .success, createdAt: state.clock.now(), queueSeconds: 0, runSeconds: 0, cost: 0,
                concurrencyGroup: "queue", files: files(body: .object([]), outcome: .success), isSample: true)
            state.register(sample, duplicateKey: "")
        }
        return id
    }

    static func status(_ snapshot: EmulatedTask.Snapshot) -> String {
        switch snapshot.stage {
        case .queued: return "PENDING"
        case .running: return "IN_PROGRESS"
        case .finished(let outcome):
            switch outcome {
            case .success, .noArtifact, .unknown: return "SUCCEEDED"
            case .failed, .banned: return "FAILED"
            case .expired: return "EXPIRED"
            case .cancelled: return "CANCELED"
            }
        }
    }

    static func taskObject(_ task: EmulatedTask, now: Double, oddStatus: Bool, _ state: EmulatorState) -> JSONValue {
        let snapshot = task.snapshot(at: now)
        var modelURLs: [(String, JSONValue)] = []
        var thumbnail = "", baseColor: String? = nil
        if snapshot.succeeded {
            let urls = state.signedURLs(forTask: task.id, now: now)
            for file in task.files {
                guard let url = urls[file.name] else { continue }
                switch file.content {
                case .preview: thumbnail = url
                case .baseColor: baseColor = url
                default: modelURLs.append((String(file.name.split(separator: ".").last ?? "glb"), .string(url)))
                }
            }
        }
        let textureEntry: JSONValue = baseColor.map { .object([("base_color", .string($0))]) } ?? .null
        // text-to-3d lists textures as an array of objects; the other families give one object.
        let textureURLs: JSONValue = task.family == "text-to-3d"
            ? .array(baseColor == nil ? [] : [textureEntry])
            : (baseColor == nil ? .object([]) : textureEntry)
        let message: String
        switch snapshot.stage {
        case .finished(.failed): message = "The server is busy. Please try again later."
        case .finished(.banned): message = "The request was rejected by our content moderation."
        default: message = ""
        }
        func milliseconds(_ seconds: Double?) -> JSONValue { .number(seconds.map { ($0 * 1000).rounded(.down) } ?? 0) }
        var members: [(String, JSONValue)] = [("id", .string(task.id)), ("type", .string(task.typeName))]
        if let prompt = task.prompt { members.append(("prompt", .string(prompt))) }
        members += [
            ("status", .string(oddStatus ? "weird_state" : status(snapshot))),
            ("progress", oddStatus ? .string("42") : .number(Double(snapshot.progress))),
            ("model_urls", .object(modelURLs)),
            ("thumbnail_url", .string(thumbnail)),
            ("texture_urls", textureURLs),
            ("created_at", milliseconds(task.createdAt)),
            ("started_at", milliseconds(snapshot.startedAt)),
            ("finished_at", milliseconds(snapshot.finishedAt)),
            ("preceding_tasks", .number(Double(max(0, snapshot.queuePosition)))),
            ("task_error", .object([("message", .string(message))])),
            ("consumed_credits", .number(snapshot.succeeded ? Double(task.cost) : 0)),
        ]
        return .object(members)
    }

    private static func list(_ family: Family, _ context: RequestContext, account: String, _ state: EmulatorState) -> HTTPResponse {
        let query = context.request.query
        guard let page = Int(query["page_num"] ?? "1"), page >= 1 else { return ProviderErrors.meshy(400, "page_num must be a positive integer") }
        guard let size = Int(query["page_size"] ?? "10"), (1...50).contains(size) else {
            return ProviderErrors.meshy(400, "page_size must be between 1 and 50")
        }
        // "+created_at" arrives as " created_at" when the client did not percent-encode the plus.
        let sort = (query["sort_by"] ?? "-created_at").trimming(" \t")
        guard ["-created_at", "+created_at", "created_at"].contains(sort) else {
            return ProviderErrors.meshy(400, "sort_by must be +created_at or -created_at")
        }
        var ids = (state.taskIDsByAccount[account] ?? []).filter {
            guard let task = state.tasks[$0] else { return false }
            return task.provider == .meshy && task.family == family.name && !task.deleted
        }
        if sort == "-created_at" { ids.reverse() }
        let start = (page - 1) * size
        let pageIDs = start < ids.count ? Array(ids[start..<min(ids.count, start + size)]) : []
        return .json(200, .array(pageIDs.compactMap { id in
            state.tasks[id].map { taskObject($0, now: context.now, oddStatus: false, state) }
        }))
    }
}
