import PolyforgeMesh

/// Tripo v2 task API (`/v2/openapi`): one generic `POST /task`, `GET /task/{id}`, `{code, data}` envelopes.
public struct TripoProvider: GenerationProvider {
    public static let defaultBaseURL = "https://api.tripo3d.ai"
    public let name = "tripo"
    public let session: ProviderSession
    public let limits: ProviderLimits

    public static let documentedLimits = ProviderLimits(
        requestsPerSecond: 10,
        concurrency: ["p1": 5, "generation": 10, "refine": 5, "animate": 10, "multiview_image": 1, "edit_multiview_image": 1, "default": 10],
        pollInitial: 2, pollMax: 30, pollGrowth: 2)

    public init(session: ProviderSession, limits: ProviderLimits = TripoProvider.documentedLimits) {
        self.session = session; self.limits = limits
    }

    /// The SDK refuses keys without the `tsk_` prefix; so do we, before any request.
    public static func validateKey(_ key: String) throws(GenError) {
        guard key.hasPrefix("tsk_") else { throw GenError(.auth, "Tripo API keys start with \"tsk_\"; the key given does not") }
    }

    public func concurrencyGroup(for request: GenRequest) -> String {
        let type = tripoType(request.taskType)
        switch type {
        case "text_to_model", "image_to_model", "multiview_to_model":
            return (request.modelVersion ?? "").hasPrefix("P1") ? "p1" : "generation"
        case "refine_model": return "refine"
        case "generate_multiview_image": return "multiview_image"
        case "edit_multiview_image": return "edit_multiview_image"
        default: return type.hasPrefix("animate_") ? "animate" : "default"
        }
    }

    func tripoType(_ neutral: String) -> String { neutral }

    public func wireRequest(for request: GenRequest) async throws(GenError) -> (path: String, body: JSONValue) {
        let type = tripoType(request.taskType)
        var fields: [(String, JSONValue?)] = [("type", .string(type))]
        switch type {
        case "text_to_model":
            guard let prompt = request.prompt, !prompt.isEmpty else { throw GenError(.invalidRequest, "text_to_model needs a prompt") }
            guard prompt.count <= 1024 else { throw GenError(.invalidRequest, "Tripo prompts are at most 1024 characters (this one has \(prompt.count))") }
            fields.append(("prompt", .string(prompt)))
        case "image_to_model":
            guard let image = request.imagePath else { throw GenError(.invalidRequest, "image_to_model needs --image") }
            let token = try await upload(imagePath: image)
            fields.append(("file", .object([("type", .string(token.type)), ("file_token", .string(token.token))])))
        case "refine_model":
            guard let source = request.sourceTaskID else { throw GenError(.invalidRequest, "refine_model needs the draft task id") }
            fields.append(("draft_model_task_id", .string(source)))
        default:
            if let source = request.sourceTaskID { fields.append(("original_model_task_id", .string(source))) }
            if let prompt = request.prompt, type != "text_to_model" { fields.append(("prompt", .string(prompt))) }
        }
        // Only what the caller set is sent, as the SDK does; the server's defaults apply otherwise.
        fields += [("model_version", request.modelVersion.json), ("face_limit", request.faceLimit.json),
                   ("texture", request.texture.json), ("pbr", request.pbr.json)]
        var body = jsonObject(fields)
        for (k, v) in request.extra { body = body.setting(k, v) }
        return ("/v2/openapi/task", body)
    }

    /// Direct multipart upload; returns the token to reference the image in a task body.
    public func upload(imagePath: String) async throws(GenError) -> (token: String, type: String) {
        let image = try dataURI(forImageAt: imagePath)
        let type = image.mime == "image/png" ? "png" : image.mime == "image/webp" ? "webp" : "jpg"
        guard image.bytes.count <= 20 << 20 else { throw GenError(.invalidRequest, "\(imagePath): Tripo takes images up to 20 MB") }
        var request = session.request("POST", "/v2/openapi/upload")
        request.multipart = [MultipartPart(name: "file", fileName: "image.\(type)", contentType: image.mime, data: image.bytes)]
        let data = try await session.call("upload", request, kind: .read, decode: decodeEnvelope)
        guard let token = data["image_token"]?.nonEmptyString ?? data["file_token"]?.nonEmptyString else {
            throw GenError(.transient, "Tripo upload reply has no image_token")
        }
        return (token, type)
    }

    public func submit(path: String, body: JSONValue, hooks: SubmitHooks) async throws(GenError) -> GenTaskHandle {
        let (data, trace) = try await session.call("submit", session.request("POST", path, json: body), kind: .submit, hooks: hooks) { response in
            decodeEnvelope(response).map { ($0, response.header("x-tripo-trace-id")) }
        }
        guard let id = data["task_id"]?.nonEmptyString else { throw GenError(.outcomeUnknown, "Tripo accepted the task but sent no task_id", traceID: trace) }
        return GenTaskHandle(provider: name, taskID: id, submitTraceID: trace)
    }

    public func status(_ handle: GenTaskHandle) async throws(GenError) -> GenTaskSnapshot {
        let request = session.request("GET", "/v2/openapi/task/\(handle.taskID)")
        return try await session.call("status", request, kind: .read) { response in
            decodeEnvelope(response).flatMap { data in
                guard data.objectValue != nil else { return .failure(GenError(.transient, "Tripo task reply has no data object")) }
                return .success(snapshot(handle, data, trace: response.header("x-tripo-trace-id")))
            }
        }
    }

    public func balance() async throws(GenError) -> Double {
        let data = try await session.call("balance", session.request("GET", "/v2/openapi/user/balance"), kind: .read, decode: decodeEnvelope)
        return data["balance"]?.looseDouble ?? 0
    }

    /// Status strings in neutral terms (generation-apis.md §5); `unknown` and anything new are polled on, with a cap.
    static let states: [String: GenState] = ["queued": .queued, "running": .running, "success": .succeeded, "failed": .failed,
                                             "banned": .failed, "cancelled": .canceled, "expired": .expired]

    func snapshot(_ handle: GenTaskHandle, _ data: JSONValue, trace: String?) -> GenTaskSnapshot {
        let status = data["status"]?.stringValue ?? ""
        let state = TripoProvider.states[status] ?? .unknown
        var artifacts: [GenArtifact] = []
        if let output = data["output"]?.objectValue {
            for (key, value) in output {
                if let url = value.nonEmptyString, url.hasPrefix("http") {
                    artifacts.append(GenArtifact(role: key == "rendered_image" || key == "generated_image" || key == "image" ? (key == "rendered_image" ? "preview" : key) : key, url: url))
                } else if let nested = value.objectValue {
                    for (sub, v) in nested { if let url = v.nonEmptyString, url.hasPrefix("http") { artifacts.append(GenArtifact(role: "\(key).\(sub)", url: url)) } }
                }
            }
        }
        var error: GenError?
        if status == "banned" {
            error = GenError(.contentRejected, "Tripo rejected the content (status banned)", providerCode: data["error_code"]?.looseInt.map(String.init), traceID: trace)
        } else if state == .failed || state == .canceled || state == .expired {
            let code = data["error_code"]?.looseInt
            let message = data["error_msg"]?.nonEmptyString ?? "task \(status)"
            error = GenError(state == .expired ? .notFound : .taskFailed, "Tripo task \(status): \(message)", providerCode: code.map(String.init), traceID: trace)
        }
        let left = data["running_left_time"]?.looseDouble
        let queue = data["queuing_num"]?.looseInt ?? data["queue_position"]?.looseInt
        return GenTaskSnapshot(handle: handle, state: state, providerStatus: status, progress: data["progress"]?.looseInt,
                               queuePosition: queue.flatMap { $0 >= 0 ? $0 : nil }, etaSeconds: left.flatMap { $0 >= 0 ? $0 : nil },
                               artifacts: artifacts, error: error,
                               creditsUsed: data["consumed_credit"]?.looseDouble ?? data["consumed_credits"]?.looseDouble,
                               traceID: trace, raw: data)
    }

    /// `{code: 0, data}` → data; anything else → a classified error carrying the trace id.
    func decodeEnvelope(_ response: HTTPResponse) -> Result<JSONValue, GenError> {
        let trace = response.header("x-tripo-trace-id")
        let parsed = session.parseJSON(response, route: "reply")
        guard case .success(let json) = parsed else {
            if (400..<500).contains(response.status) { return .failure(TripoProvider.classify(status: response.status, code: nil, message: response.bodyText.prefix(120).description, trace: trace)) }
            return parsed
        }
        let code = json["code"]?.looseInt
        if code == 0 && (200..<300).contains(response.status) {
            guard let data = json["data"] else { return .failure(GenError(.transient, "Tripo reply has code 0 but no data", traceID: trace)) }
            return .success(data)
        }
        var message = json["message"]?.stringValue ?? "HTTP \(response.status)"
        if let suggestion = json["suggestion"]?.nonEmptyString { message += " (\(suggestion))" }
        return .failure(TripoProvider.classify(status: response.status, code: code, message: message, trace: trace))
    }

    static func classify(status: Int, code: Int?, message: String, trace: String?) -> GenError {
        let kind: GenErrorKind
        switch code {
        case 1000?, 1001?: kind = .transient
        case 1002?, 1005?: kind = .auth
        case 1003?, 1004?, 2002?, 2006?, 2007?, 2009?: kind = .invalidRequest
        case 1007?: kind = .rateLimited
        case 2000?: kind = .concurrencyFull
        case 2001?: kind = .notFound
        case 2008?: kind = .contentRejected
        case 2010?: kind = .insufficientCredits
        case let c? where (2015...2022).contains(c): kind = .invalidRequest
        default:
            switch status {
            case 429: kind = .rateLimited
            case 401, 403: kind = .auth
            case 402: kind = .insufficientCredits
            case 404: kind = .notFound
            case 500...599: kind = .transient
            case 200..<300: kind = .transient
            default: kind = .invalidRequest
            }
        }
        return GenError(kind, "Tripo: \(message)", httpStatus: status, providerCode: code.map(String.init), traceID: trace)
    }
}
