import PolyforgeMesh

/// 3D AI Studio (`api.3daistudio.com`): one POST per model family, one status route for every task, and a default
/// limit of 3 requests per minute that polls share — so every request of the provider goes through one rate limiter.
public struct AIStudioProvider: GenerationProvider {
    public static let defaultBaseURL = "https://api.3daistudio.com"
    public let name = "3daistudio"
    public let session: ProviderSession
    public let limits: ProviderLimits

    // 3 requests per minute, kept a little under so scheduling jitter never puts a 4th request in one window.
    public static let documentedLimits = ProviderLimits(requestsPerSecond: 3.0 / 63, concurrency: ["default": 10],
                                                        pollInitial: 20, pollMax: 60, pollGrowth: 1.5, sharedPoller: true)

    public init(session: ProviderSession, limits: ProviderLimits = AIStudioProvider.documentedLimits) {
        self.session = session; self.limits = limits
    }

    public func concurrencyGroup(for request: GenRequest) -> String { "default" }

    public static let routes = ["hunyuan-pro", "hunyuan-rapid", "trellis2", "tripo", "tripo-3.1", "tripo-p1", "convert"]

    public func wireRequest(for request: GenRequest) async throws(GenError) -> (path: String, body: JSONValue) {
        let route = request.route ?? (request.taskType == "convert_model" ? "convert" : request.imagePath != nil ? "trellis2" : "hunyuan-pro")
        let image = try request.imagePath.map { path throws(GenError) in try dataURI(forImageAt: path).uri }
        if request.prompt == nil && image == nil && route != "convert" { throw GenError(.invalidRequest, "3D AI Studio needs a prompt or an image") }
        var path: String
        var fields: [(String, JSONValue?)]
        switch route {
        case "hunyuan-pro", "hunyuan-rapid":
            path = route == "hunyuan-pro" ? "/v1/3d-models/tencent/generate/pro/" : "/v1/3d-models/tencent/generate/rapid/"
            fields = [("model", route == "hunyuan-pro" ? .string(request.modelVersion ?? "3.1") : nil), ("prompt", image == nil ? request.prompt.json : nil),
                      ("image", image.json), ("enable_pbr", request.pbr.json), ("face_count", route == "hunyuan-pro" ? request.faceLimit.json : nil)]
        case "trellis2":
            guard let image else { throw GenError(.invalidRequest, "TRELLIS.2 on 3D AI Studio needs --image") }
            path = "/v1/3d-models/trellis2/generate/"
            fields = [("image", .string(image)), ("textures", request.texture.json), ("decimation_target", request.faceLimit.json)]
        case "tripo", "tripo-3.1", "tripo-p1":
            let kind = image == nil ? "text-to-3d" : "image-to-3d"
            path = "/v1/3d-models/tripo/\(kind)/" + (route == "tripo-3.1" ? "3.1/" : route == "tripo-p1" ? "p1/" : "")
            fields = [("prompt", request.prompt.json), ("image", image.json), ("texture", request.texture.json),
                      ("pbr", request.pbr.json), ("face_limit", request.faceLimit.json)]
        case "convert":
            // The model to convert: --source URL (or --param model_url=…); the format: --param output_format=… (default glb).
            path = "/v1/tools/convert/"
            guard let url = request.sourceTaskID ?? request.extra.first(where: { $0.0 == "model_url" })?.1.stringValue, url.hasPrefix("http") else {
                throw GenError(.invalidRequest, "3D AI Studio convert needs the model's URL: --source https://… or --param model_url=https://…")
            }
            fields = [("model_url", .string(url)), ("output_format", .string("glb"))]
        default:
            throw GenError(.invalidRequest, "unknown 3D AI Studio route \"\(route)\" (one of \(AIStudioProvider.routes.joined(separator: ", ")))")
        }
        var body = jsonObject(fields)
        for (k, v) in request.extra { body = body.setting(k, v) }
        return (path, body)
    }

    public func submit(path: String, body: JSONValue, hooks: SubmitHooks) async throws(GenError) -> GenTaskHandle {
        let json = try await session.call("submit", session.request("POST", path, json: body), kind: .submit, hooks: hooks, decode: decodeReply)
        guard let id = json["task_id"]?.nonEmptyString else { throw GenError(.outcomeUnknown, "3D AI Studio accepted the task but sent no task_id") }
        return GenTaskHandle(provider: name, taskID: id)
    }

    public func status(_ handle: GenTaskHandle) async throws(GenError) -> GenTaskSnapshot {
        try await session.call("status", session.request("GET", "/v1/generation-request/\(handle.taskID)/status/"), kind: .read) { response in
            decodeReply(response).flatMap { json in
                guard json.objectValue != nil else { return .failure(GenError(.transient, "3D AI Studio status reply is not an object")) }
                return .success(snapshot(handle, json))
            }
        }
    }

    public func balance() async throws(GenError) -> Double {
        do {
            return try await wallet("/user/wallet/")
        } catch let e where e.kind == .notFound {
            return try await wallet("/account/user/wallet/")   // the docs name both paths
        }
    }

    private func wallet(_ path: String) async throws(GenError) -> Double {
        try await session.call("balance", session.request("GET", path), kind: .read, decode: decodeReply)["balance"]?.looseDouble ?? 0
    }

    /// Status strings in neutral terms (generation-apis.md §5); anything else is `unknown` and polled on.
    static let states: [String: GenState] = ["PENDING": .queued, "IN_PROGRESS": .running, "FINISHED": .succeeded, "FAILED": .failed]

    func snapshot(_ handle: GenTaskHandle, _ json: JSONValue) -> GenTaskSnapshot {
        let status = json["status"]?.stringValue ?? ""
        let state = AIStudioProvider.states[status] ?? .unknown
        var artifacts: [GenArtifact] = []
        for result in json["results"]?.arrayValue ?? [] {
            let type = result["asset_type"]?.stringValue ?? "3D_MODEL"
            if let url = result["asset_url"]?.nonEmptyString ?? result["asset"]?.nonEmptyString {
                let role = type == "3D_MODEL" && !artifacts.contains { $0.role == "model" } ? "model" : type.lowercased()
                artifacts.append(GenArtifact(role: role, url: url))
            }
            if let thumb = result["thumbnail"]?.nonEmptyString, !artifacts.contains(where: { $0.role == "preview" }) {
                artifacts.append(GenArtifact(role: "preview", url: thumb))
            }
        }
        var error: GenError?
        if state == .failed {
            let reason = json["failure_reason"]?.nonEmptyString ?? "task FAILED"
            let lower = reason.lowercased()
            error = GenError(lower.contains("content") || lower.contains("policy") ? .contentRejected : .taskFailed, "3D AI Studio: \(reason) (credits are refunded)")
        }
        return GenTaskSnapshot(handle: handle, state: state, providerStatus: status, progress: json["progress"]?.looseInt,
                               artifacts: artifacts, error: error, raw: json)
    }

    func decodeReply(_ response: HTTPResponse) -> Result<JSONValue, GenError> {
        if (200..<300).contains(response.status) { return session.parseJSON(response, route: "reply") }
        let json = try? JSONParser.parse(response.body)
        let code = json?["error"]?.stringValue ?? json?["error"]?["code"]?.stringValue ?? json?["code"]?.stringValue
        let message = json?["message"]?.stringValue ?? json?["detail"]?.stringValue ?? json?["error"]?["message"]?.stringValue
            ?? String(decoding: response.body.prefix(120), as: UTF8.self)
        let kind: GenErrorKind
        switch (response.status, code) {
        case (_, "content_rejected"?): kind = .contentRejected
        case (401, _), (403, _): kind = .auth
        case (402, _), (_, "insufficient_credits"?): kind = .insufficientCredits
        case (404, _): kind = .notFound
        case (429, _): kind = .rateLimited
        case (500...599, _): kind = .transient
        default: kind = .invalidRequest
        }
        return .failure(GenError(kind, "3D AI Studio: \(code.map { "\($0): " } ?? "")\(message)", httpStatus: response.status, providerCode: code))
    }
}
