import PolyforgeMesh

/// 3D AI Studio: per-model create endpoints under `/v1/…/` (the trailing slash is part of the path: without it,
/// 404), `GET /v1/generation-request/<id>/status/`, and the wallet at `/user/wallet/` or `/account/user/wallet/`.
/// Every request of an account counts against a sliding one-minute window (default 3).
enum AIStudioRoutes {
    /// What a create endpoint needs in its body.
    enum Input: Sendable, Equatable {
        case promptOrImage
        case image
        case prompt
        case conversion
    }

    struct Endpoint: Sendable, Equatable {
        let name: String
        let path: String
        let input: Input
        let cost: Int
        /// Tencent Pro also needs `model` "3.0" or "3.1".
        var needsModelVersion = false
    }

    static let endpoints: [Endpoint] = [
        Endpoint(name: "tencent-pro", path: "/v1/3d-models/tencent/generate/pro/", input: .promptOrImage, cost: 60, needsModelVersion: true),
        Endpoint(name: "tencent-rapid", path: "/v1/3d-models/tencent/generate/rapid/", input: .promptOrImage, cost: 35),
        Endpoint(name: "trellis2", path: "/v1/3d-models/trellis2/generate/", input: .image, cost: 30),
        Endpoint(name: "tripo-text-to-3d", path: "/v1/3d-models/tripo/text-to-3d/", input: .prompt, cost: 30),
        Endpoint(name: "tripo-text-to-3d-3.1", path: "/v1/3d-models/tripo/text-to-3d/3.1/", input: .prompt, cost: 30),
        Endpoint(name: "tripo-text-to-3d-p1", path: "/v1/3d-models/tripo/text-to-3d/p1/", input: .prompt, cost: 60),
        Endpoint(name: "tripo-image-to-3d", path: "/v1/3d-models/tripo/image-to-3d/", input: .image, cost: 30),
        Endpoint(name: "tripo-image-to-3d-3.1", path: "/v1/3d-models/tripo/image-to-3d/3.1/", input: .image, cost: 30),
        Endpoint(name: "tripo-image-to-3d-p1", path: "/v1/3d-models/tripo/image-to-3d/p1/", input: .image, cost: 60),
        Endpoint(name: "convert", path: "/v1/tools/convert/", input: .conversion, cost: 10),
    ]

    static let walletPaths: Set<String> = ["/user/wallet/", "/account/user/wallet/"]
    static let outputFormats: Set<String> = ["glb", "obj", "obj_zip", "stl", "ply", "fbx", "fbx_zip", "usdz", "3mf"]

    enum Action: Sendable {
        case create(Endpoint)
        case status(taskID: String)
        case wallet
    }

    /// Paths under these prefixes belong to 3D AI Studio (and get its 404 shape when no route matches).
    static func ownsPath(_ path: String) -> Bool {
        path.hasPrefix("/v1/") || path.hasPrefix("/user/") || path.hasPrefix("/account/")
    }

    static func match(method: String, path: String) -> (RouteClass, Action)? {
        if method == "POST", let endpoint = endpoints.first(where: { $0.path == path }) { return (.submit, .create(endpoint)) }
        if method == "GET", walletPaths.contains(path) { return (.balance, .wallet) }
        let statusPrefix = "/v1/generation-request/"
        if method == "GET", path.hasPrefix(statusPrefix), path.hasSuffix("/status/") {
            let id = path.dropFirst(statusPrefix.count).dropLast("/status/".count)
            if !id.isEmpty, !id.contains("/") { return (.status, .status(taskID: String(id))) }
        }
        return nil
    }

    static func handle(_ action: Action, _ context: RequestContext, _ state: EmulatorState) -> HTTPResponse {
        guard let key = context.request.bearerToken, !key.contains("invalid") else { return ProviderErrors.unauthorized(.aistudio) }
        let account = state.account(forKey: key)
        guard state.admitRequest(account: account, realNow: context.realNow, perMinute: state.scenario.aistudioRequestsPerMinute) else {
            let retryAfter = state.scenario.retryAfterIsExplicit ? state.scenario.retryAfter : nil
            return ProviderErrors.aistudio(429, "rate_limited",
                                           "Rate limit exceeded: \(state.scenario.aistudioRequestsPerMinute) requests per minute",
                                           headers: ProviderErrors.retryAfterHeader(retryAfter))
        }
        switch action {
        case .create(let endpoint):
            return create(endpoint, context, key: key, account: account, state)
        case .status(let id):
            guard let task = state.task(id, ofAccount: account, provider: .aistudio) else { return ProviderErrors.notFound(.aistudio) }
            return .json(200, statusObject(task, now: context.now, oddStatus: context.faultIs(.oddStatus), state))
        case .wallet:
            let balance = state.available(ofAccount: account, now: context.now)
            return .json(200, .object([("balance", .string(formatCredits(balance)))]))
        }
    }

    /// "150.00": the wallet reports credits as a string with two decimals.
    static func formatCredits(_ credits: Int) -> String {
        (credits < 0 ? "-" : "") + "\(abs(credits)).00"
    }

    private static func validationFailed(_ message: String) -> HTTPResponse {
        ProviderErrors.aistudio(400, "validation_failed", message)
    }

    private static func create(_ endpoint: Endpoint, _ context: RequestContext, key: String, account: String, _ state: EmulatorState) -> HTTPResponse {
        guard let body = try? JSONParser.parse(context.request.body), body.objectValue != nil else {
            return validationFailed("The request body must be a JSON object")
        }
        func present(_ field: String) -> Bool { (body[field]?.stringValue ?? "").isEmpty == false }
        if endpoint.needsModelVersion, !["3.0", "3.1"].contains(body["model"]?.stringValue ?? "") {
            return validationFailed("model is required and must be \"3.0\" or \"3.1\"")
        }
        var basis: EmulatedTask? = nil
        var outputFormat = "glb"
        switch endpoint.input {
        case .promptOrImage:
            if !present("prompt") && !present("image") { return validationFailed("prompt or image is required") }
        case .image:
            if !present("image") && !present("image_url") { return validationFailed("image or image_url is required") }
        case .prompt:
            if !present("prompt") { return validationFailed("prompt is required") }
        case .conversion:
            guard present("model_url") else { return validationFailed("model_url is required") }
            guard let format = body["output_format"]?.stringValue?.lowercased(), outputFormats.contains(format) else {
                return validationFailed("output_format must be one of \(outputFormats.sorted().joined(separator: ", "))")
            }
            outputFormat = format
            basis = emulatorTask(fromURL: body["model_url"]?.stringValue ?? "", state)
        }
        if let prompt = body["prompt"]?.stringValue, prompt.count > 1024 { return validationFailed("prompt must be at most 1024 characters") }
        let submitted = SubmittedRequest(body: body)
        if submitted.asksForPolicyRejection { return ProviderErrors.contentRejected(.aistudio) }

        var cost = endpoint.cost
        if endpoint.name == "tencent-pro" && body["enable_pbr"]?.boolValue == true { cost += 20 }
        if state.available(ofAccount: account, now: context.now) < cost { return ProviderErrors.insufficientCredits(.aistudio) }

        let outcome = state.outcomeForNewTask(provider: .aistudio, request: submitted)
        let task = EmulatedTask(
            id: Identifiers.uuid(), provider: .aistudio, family: endpoint.name, typeName: endpoint.name, account: account, key: key,
            input: body, prompt: submitted.prompt, meshKind: basis?.meshKind ?? submitted.meshKind, outcome: outcome,
            createdAt: context.now, queueSeconds: state.scenario.queueSeconds, runSeconds: state.scenario.runSeconds,
            cost: cost, concurrencyGroup: "none", files: files(outputFormat: outputFormat, outcome: outcome))
        state.register(task, duplicateKey: submitted.duplicateKey(path: context.request.path))
        return .json(200, .object([("task_id", .string(task.id)), ("created_at", .string(Identifiers.iso8601(epochSeconds: context.now)))]))
    }

    /// A conversion of one of our own artifact URLs keeps that task's mesh.
    private static func emulatorTask(fromURL url: String, _ state: EmulatorState) -> EmulatedTask? {
        let marker = "/_files/"
        let parts = url.split(separator: "/", omittingEmptySubsequences: false)
        guard url.contains(marker), let at = parts.firstIndex(of: "_files"), at + 1 < parts.count else { return nil }
        return state.tasks[String(parts[at + 1])]
    }

    static func files(outputFormat: String, outcome: TaskOutcome) -> [ArtifactFile] {
        var files: [ArtifactFile] = []
        if outcome != .noArtifact {
            switch outputFormat {
            case "glb": files.append(ArtifactFile(name: "model.glb", content: .model))
            case "stl": files.append(ArtifactFile(name: "model.stl", content: .stl))
            default:
                let name = outputFormat.hasSuffix("_zip") ? "model.zip" : "model.\(outputFormat)"
                files.append(ArtifactFile(name: name, content: .placeholder(outputFormat)))
            }
        }
        files.append(ArtifactFile(name: "preview.png", content: .preview))
        return files
    }

    static func status(_ snapshot: EmulatedTask.Snapshot) -> String {
        switch snapshot.stage {
        case .queued: return "PENDING"
        case .running: return "IN_PROGRESS"
        case .finished(let outcome):
            switch outcome {
            case .success, .noArtifact, .unknown: return "FINISHED"
            case .failed, .banned, .expired, .cancelled: return "FAILED"
            }
        }
    }

    static func statusObject(_ task: EmulatedTask, now: Double, oddStatus: Bool, _ state: EmulatorState) -> JSONValue {
        let snapshot = task.snapshot(at: now)
        var results: [JSONValue] = []
        if snapshot.succeeded {
            let urls = state.signedURLs(forTask: task.id, now: now)
            let thumbnail = urls["preview.png"].map { JSONValue.string($0) } ?? .null
            for file in task.files where file.content != .preview {
                guard let url = urls[file.name] else { continue }
                results.append(.object([("asset_url", .string(url)), ("asset_type", .string("3D_MODEL")), ("thumbnail", thumbnail)]))
            }
        }
        let failureReason: JSONValue
        switch snapshot.stage {
        case .finished(.failed): failureReason = .string("Generation failed on the provider; credits were refunded")
        case .finished(.banned): failureReason = .string("The request was rejected by the content policy; credits were refunded")
        case .finished(.expired): failureReason = .string("The generation request expired; credits were refunded")
        case .finished(.cancelled): failureReason = .string("The generation request was cancelled; credits were refunded")
        default: failureReason = .null
        }
        return .object([
            ("status", .string(oddStatus ? "weird_state" : status(snapshot))),
            ("progress", oddStatus ? .string("42") : .number(Double(snapshot.progress))),
            ("results", .array(results)),
            ("failure_reason", failureReason),
        ])
    }
}
