import PolyforgeMesh

/// Tripo v2 (`/v2/openapi`): one generic `POST /task`, `GET /task/{id}`, `GET /user/balance`, `POST /upload`.
/// Replies are `{"code":0,"data":…}` or `{"code":N,"message","suggestion"}`; the router adds X-Tripo-Trace-ID.
enum TripoRoutes {
    static let prefix = "/v2/openapi"

    enum Action: Sendable {
        case submit
        case status(taskID: String)
        case balance
        case upload
    }

    static func match(method: String, path: String) -> (RouteClass, Action)? {
        let rest = path.dropFirst(prefix.count)
        switch (method, rest) {
        case ("POST", "/task"): return (.submit, .submit)
        case ("GET", "/user/balance"): return (.balance, .balance)
        case ("POST", "/upload"): return (.upload, .upload)
        default: break
        }
        if method == "GET", rest.hasPrefix("/task/") {
            let id = rest.dropFirst("/task/".count)
            if !id.isEmpty, !id.contains("/") { return (.status, .status(taskID: String(id))) }
        }
        return nil
    }

    static func handle(_ action: Action, _ context: RequestContext, _ state: EmulatorState) -> HTTPResponse {
        guard let key = context.request.bearerToken, key.hasPrefix("tsk_"), !key.contains("invalid") else {
            return ProviderErrors.unauthorized(.tripo)
        }
        let account = state.account(forKey: key)
        switch action {
        case .submit: return submit(context, key: key, account: account, state)
        case .status(let id):
            guard let task = state.task(id, ofAccount: account, provider: .tripo) else { return ProviderErrors.notFound(.tripo) }
            return success(taskObject(task, context, state))
        case .balance:
            let (held, spent) = state.ledger(ofAccount: account, now: context.now)
            let balance = state.credits(ofAccount: account) - held - spent
            return success(.object([("balance", .number(Double(balance))), ("frozen", .number(Double(held)))]))
        case .upload:
            return upload(context, state)
        }
    }

    static func success(_ data: JSONValue) -> HTTPResponse {
        .json(200, .object([("code", .number(0)), ("data", data)]))
    }

    static func invalid(_ message: String, code: Int = 1004) -> HTTPResponse {
        ProviderErrors.tripo(400, code: code, message, suggestion: "Check the request parameters against the API reference")
    }

    static let modelTypes: Set<String> = ["text_to_model", "image_to_model", "multiview_to_model"]

    /// Types that build on an earlier task, and the field naming it.
    static let chainedTypes: [String: String] = [
        "refine_model": "draft_model_task_id",
        "texture_model": "original_model_task_id", "convert_model": "original_model_task_id",
        "animate_prerigcheck": "original_model_task_id", "animate_rig": "original_model_task_id",
        "animate_retarget": "original_model_task_id", "stylize_model": "original_model_task_id",
        "mesh_segmentation": "original_model_task_id", "mesh_completion": "original_model_task_id",
        "highpoly_to_lowpoly": "original_model_task_id",
    ]

    static let imageTypes: Set<String> = ["text_to_image", "generate_image", "generate_multiview_image", "edit_multiview_image"]
    static let otherTypes: Set<String> = imageTypes.union(["import_model"])

    /// Concurrency group and its limit (queued + running tasks per account).
    static func concurrencyGroup(type: String, modelVersion: String?) -> (name: String, limit: Int) {
        if modelTypes.contains(type) {
            return (modelVersion?.hasPrefix("P1") == true) ? ("p1-generation", 5) : ("generation", 10)
        }
        if type == "refine_model" { return ("refine_model", 5) }
        if type.hasPrefix("animate_") { return ("animate", 10) }
        if type == "generate_multiview_image" { return ("generate_multiview_image", 1) }
        return (type, 10)
    }

    static func cost(type: String) -> Int {
        switch type {
        case "text_to_model", "image_to_model": return 20
        case "multiview_to_model": return 30
        default: return 10
        }
    }

    private static func submit(_ context: RequestContext, key: String, account: String, _ state: EmulatorState) -> HTTPResponse {
        guard let body = try? JSONParser.parse(context.request.body), body.objectValue != nil else {
            return invalid("Malformed request body: expected a JSON object", code: 1003)
        }
        guard let type = body["type"]?.stringValue else { return invalid("Missing required parameter: type") }
        guard modelTypes.contains(type) || chainedTypes[type] != nil || otherTypes.contains(type) else {
            return invalid("Unsupported task type: \(type)", code: 2002)
        }
        if let problem = validate(type: type, body) { return invalid(problem) }

        var inherited: EmulatedTask? = nil
        if let field = chainedTypes[type] {
            guard let originalID = body[field]?.stringValue, !originalID.isEmpty else {
                return invalid("Missing required parameter: \(field)")
            }
            guard let original = state.task(originalID, ofAccount: account, provider: .tripo) else {
                return invalid("The original task \(originalID) does not exist", code: 2006)
            }
            guard original.snapshot(at: context.now).stage == .finished(.success) else {
                return invalid("The original task \(originalID) has not succeeded", code: 2007)
            }
            inherited = original
        }
        let submitted = SubmittedRequest(body: body)
        if submitted.asksForPolicyRejection { return ProviderErrors.contentRejected(.tripo) }

        let modelVersion = body["model_version"]?.stringValue
        let group = concurrencyGroup(type: type, modelVersion: modelVersion)
        let active = state.activeTaskCount(ofAccount: account, now: context.now) { $0.provider == .tripo && $0.concurrencyGroup == group.name }
        if active >= group.limit {
            return ProviderErrors.concurrencyFull(.tripo, retryAfter: state.scenario.retryAfter)
        }
        let cost = cost(type: type)
        if state.available(ofAccount: account, now: context.now) < cost { return ProviderErrors.insufficientCredits(.tripo) }

        let outcome = state.outcomeForNewTask(provider: .tripo, request: submitted)
        let task = EmulatedTask(
            id: Identifiers.uuid(), provider: .tripo, family: type, typeName: type, account: account, key: key,
            input: body, prompt: submitted.prompt, meshKind: inherited?.meshKind ?? submitted.meshKind, outcome: outcome,
            createdAt: context.now, queueSeconds: state.scenario.queueSeconds, runSeconds: state.scenario.runSeconds,
            cost: cost, concurrencyGroup: group.name, files: files(type: type, body: body, outcome: outcome))
        state.register(task, duplicateKey: submitted.duplicateKey(path: context.request.path))
        return success(.object([("task_id", .string(task.id))]))
    }

    /// The first missing or invalid parameter, as a sentence; nil when the body is acceptable.
    static func validate(type: String, _ body: JSONValue) -> String? {
        switch type {
        case "text_to_model":
            guard let prompt = body["prompt"]?.stringValue, !prompt.isEmpty else { return "Missing required parameter: prompt" }
            if prompt.count > 1024 { return "prompt must be at most 1024 characters" }
        case "image_to_model", "import_model":
            guard let file = body["file"], isFileReference(file) else {
                return "file must be an object with a file_token, url or object"
            }
        case "multiview_to_model":
            guard let files = body["files"]?.arrayValue, files.count == 4 else { return "files must list exactly 4 views (front, left, back, right)" }
            guard isFileReference(files[0]) else { return "files[0] (front) must have a file_token, url or object" }
        default:
            break
        }
        if let version = body["model_version"]?.stringValue, version.hasPrefix("P1"), let limit = body["face_limit"] {
            guard let faces = limit.intValue, (48...20_000).contains(faces) else { return "face_limit must be between 48 and 20000 for P1 models" }
        }
        return nil
    }

    private static func isFileReference(_ value: JSONValue) -> Bool {
        if let token = value["file_token"]?.stringValue, !token.isEmpty { return true }
        if let url = value["url"]?.stringValue, !url.isEmpty { return true }
        return value["object"]?.objectValue != nil
    }

    /// The files a successful task serves. The main model is `pbr_model` when `pbr` was true, `base_model` when
    /// `texture` was false, `model` otherwise (absent for #no-model).
    static func files(type: String, body: JSONValue, outcome: TaskOutcome) -> [ArtifactFile] {
        switch type {
        case "animate_prerigcheck":
            return []
        case _ where imageTypes.contains(type):
            return [ArtifactFile(name: "preview.png", content: .preview)]
        default:
            var files: [ArtifactFile] = []
            if outcome != .noArtifact {
                if type == "convert_model" {
                    let format = (body["format"]?.stringValue ?? "GLTF").lowercased()
                    switch format {
                    case "gltf", "glb": files.append(ArtifactFile(name: "model.glb", content: .model))
                    case "stl": files.append(ArtifactFile(name: "model.stl", content: .stl))
                    default: files.append(ArtifactFile(name: "model.\(format)", content: .placeholder(format)))
                    }
                } else {
                    files.append(ArtifactFile(name: "\(mainModelKey(body)).glb", content: .model))
                }
            }
            files.append(ArtifactFile(name: "preview.png", content: .preview))
            return files
        }
    }

    static func mainModelKey(_ body: JSONValue) -> String {
        if body["pbr"]?.boolValue == true { return "pbr_model" }
        if body["texture"]?.boolValue == false { return "base_model" }
        return "model"
    }

    static func status(_ snapshot: EmulatedTask.Snapshot) -> String {
        switch snapshot.stage {
        case .queued: return "queued"
        case .running: return snapshot.reportsUnknown ? "unknown" : "running"
        case .finished(let outcome):
            switch outcome {
            case .success, .noArtifact, .unknown: return "success"
            case .failed: return "failed"
            case .banned: return "banned"
            case .expired: return "expired"
            case .cancelled: return "cancelled"
            }
        }
    }

    static func taskObject(_ task: EmulatedTask, _ context: RequestContext, _ state: EmulatorState) -> JSONValue {
        let snapshot = task.snapshot(at: context.now)
        var output: [(String, JSONValue)] = []
        if snapshot.succeeded {
            let urls = state.signedURLs(forTask: task.id, now: context.now)
            for file in task.files {
                guard let url = urls[file.name] else { continue }
                if file.content != .preview {
                    // Key = file stem: model, pbr_model or base_model (convert_model serves any extension as `model`).
                    output.append((String(file.name.prefix(while: { $0 != "." })), .string(url)))
                } else if task.typeName.hasSuffix("multiview_image") {
                    let views = ["front_view_url", "left_view_url", "back_view_url", "right_view_url"]
                    output.append(("generate_multiview_image", .object(views.map { ($0, .string(url)) })))
                } else if imageTypes.contains(task.typeName) {
                    output.append(("generated_image", .string(url)))
                } else {
                    output.append(("rendered_image", .string(url)))
                }
            }
            if task.typeName == "animate_prerigcheck" {
                output.append(("riggable", .bool(true)))
                output.append(("rig_type", .string("biped")))
            }
        }
        let failed = snapshot.stage == .finished(.failed)
        let odd = context.faultIs(.oddStatus)
        return .object([
            ("task_id", .string(task.id)),
            ("type", .string(task.typeName)),
            ("status", .string(odd ? "weird_state" : status(snapshot))),
            ("input", task.input),
            ("output", .object(output)),
            ("progress", odd ? .string("42") : .number(Double(snapshot.progress))),
            ("create_time", .number(task.createdAt.rounded(.down))),
            ("running_left_time", .number(Double(snapshot.secondsLeft))),
            ("queuing_num", .number(Double(snapshot.queuePosition))),
            ("error_code", failed ? .number(1001) : .null),
            ("error_msg", failed ? .string("Fatal error on server side") : .null),
            ("consumed_credit", .number(snapshot.succeeded ? Double(task.cost) : 0)),
        ])
    }

    static let maximumUploadBytes = 20 * 1024 * 1024

    private static func upload(_ context: RequestContext, _ state: EmulatorState) -> HTTPResponse {
        guard let form = MultipartForm(contentType: context.request.header("Content-Type"), body: context.request.body),
              let file = form.part(named: "file") else {
            return invalid("Missing required parameter: file (multipart/form-data)")
        }
        if file.body.count > maximumUploadBytes { return invalid("The file is larger than 20 MB", code: 2022) }
        let token = Identifiers.uuid()
        state.uploadTokens.insert(token)
        return success(.object([("image_token", .string(token))]))
    }
}
