import PolyforgeMesh

/// Meshy (`/openapi/v1|v2/<family>`): 202 `{result}` on create, flat task objects, SSE status stream, list endpoints.
/// Task ids do not say which family made them, so the handle carries the family as its endpoint.
public struct MeshyProvider: GenerationProvider {
    public static let defaultBaseURL = "https://api.meshy.ai"
    public let name = "meshy"
    public let session: ProviderSession
    public let limits: ProviderLimits

    /// 20 requests/s per account; 10 queued-or-running tasks (Pro).
    public static let documentedLimits = ProviderLimits(requestsPerSecond: 20, concurrency: ["queue": 10, "default": 10],
                                                        pollInitial: 5, pollMax: 30, pollGrowth: 1.5)

    public init(session: ProviderSession, limits: ProviderLimits = MeshyProvider.documentedLimits) {
        self.session = session; self.limits = limits
    }

    public func concurrencyGroup(for request: GenRequest) -> String { "queue" }

    static func family(for taskType: String) -> String {
        switch taskType {
        case "text_to_model", "text-to-3d", "preview", "refine", "text-to-3d-refine": return "v2/text-to-3d"
        case "image_to_model", "image-to-3d": return "v1/image-to-3d"
        case "multiview_to_model", "multi-image-to-3d": return "v1/multi-image-to-3d"
        case "remesh": return "v1/remesh"
        case "retexture", "texture_model": return "v1/retexture"
        case "rigging", "animate_rig": return "v1/rigging"
        case "animation", "animate_retarget": return "v1/animations"
        default: return "v2/text-to-3d"
        }
    }

    public func wireRequest(for request: GenRequest) async throws(GenError) -> (path: String, body: JSONValue) {
        let family = MeshyProvider.family(for: request.taskType)
        var fields: [(String, JSONValue?)] = []
        switch family {
        case "v2/text-to-3d":
            if request.taskType == "refine" || request.taskType == "text-to-3d-refine" {
                guard let preview = request.sourceTaskID else { throw GenError(.invalidRequest, "Meshy refine needs the preview task id") }
                fields = [("mode", "refine"), ("preview_task_id", .string(preview)), ("enable_pbr", request.pbr.json)]
            } else {
                guard let prompt = request.prompt, !prompt.isEmpty else { throw GenError(.invalidRequest, "Meshy text-to-3d needs a prompt") }
                guard prompt.count <= 600 else { throw GenError(.invalidRequest, "Meshy prompts are at most 600 characters (this one has \(prompt.count))") }
                fields = [("mode", "preview"), ("prompt", .string(prompt)), ("target_polycount", request.faceLimit.json),
                          ("should_remesh", request.faceLimit == nil ? nil : .bool(true))]
            }
            fields.append(("ai_model", request.modelVersion.json))
        case "v1/image-to-3d":
            guard let image = request.imagePath else { throw GenError(.invalidRequest, "Meshy image-to-3d needs --image") }
            fields = [("image_url", .string(try dataURI(forImageAt: image).uri)), ("should_texture", request.texture.json),
                      ("enable_pbr", request.pbr.json), ("target_polycount", request.faceLimit.json), ("ai_model", request.modelVersion.json)]
        case "v1/retexture":
            fields = [("input_task_id", request.sourceTaskID.json), ("text_style_prompt", request.prompt.json),
                      ("enable_pbr", request.pbr.json), ("ai_model", request.modelVersion.json)]
        default:
            fields = [("input_task_id", request.sourceTaskID.json), ("target_polycount", request.faceLimit.json),
                      ("enable_pbr", request.pbr.json), ("ai_model", request.modelVersion.json)]
        }
        var body = jsonObject(fields)
        for (k, v) in request.extra { body = body.setting(k, v) }
        return ("/openapi/\(family)", body)
    }

    /// The text-to-3d preview is untextured: a textured result is a second, refine task on the preview.
    public func followUp(after snapshot: GenTaskSnapshot, original: GenRequest, step: Int) -> GenRequest? {
        guard step == 0, original.taskType == "text_to_model", original.texture == true || original.pbr == true else { return nil }
        return GenRequest(taskType: "refine", pbr: original.pbr, modelVersion: original.modelVersion, sourceTaskID: snapshot.handle.taskID)
    }

    public func submit(path: String, body: JSONValue, hooks: SubmitHooks) async throws(GenError) -> GenTaskHandle {
        let json = try await session.call("submit", session.request("POST", path, json: body), kind: .submit, hooks: hooks, decode: decodeReply)
        guard let id = json["result"]?.nonEmptyString else { throw GenError(.outcomeUnknown, "Meshy accepted the task but sent no result id") }
        return GenTaskHandle(provider: name, taskID: id, endpoint: String(path.dropFirst("/openapi/".count)))
    }

    func taskPath(_ handle: GenTaskHandle) -> String { "/openapi/\(handle.endpoint ?? "v2/text-to-3d")/\(handle.taskID)" }

    public func status(_ handle: GenTaskHandle) async throws(GenError) -> GenTaskSnapshot {
        try await session.call("status", session.request("GET", taskPath(handle)), kind: .read) { response in
            decodeReply(response).flatMap { json in
                guard json.objectValue != nil else { return .failure(GenError(.transient, "Meshy task reply is not an object")) }
                return .success(snapshot(handle, json))
            }
        }
    }

    /// Follows `GET …/{id}/stream` until a terminal event. Returns nil when the stream broke off first (the caller polls).
    public func stream(_ handle: GenTaskHandle, onSnapshot: @escaping @Sendable (GenTaskSnapshot) -> Void) async throws(GenError) -> GenTaskSnapshot? {
        await session.rateLimiter.acquire()
        var request = session.request("GET", taskPath(handle) + "/stream", headers: [("Accept", "text/event-stream")])
        request.headers.removeAll { $0.0 == "Accept" && $0.1 == "application/json" }
        let streamRequest = request
        let http = session.http
        let box = SnapshotBox()
        let result: Result<HTTPResponse, HTTPTransportError> = await http.offPool {
            var data = ""
            do {
                return .success(try http.streamLinesBlocking(streamRequest) { line in
                    if line.isEmpty {
                        // A blank line ends an event.
                        defer { data = "" }
                        guard !data.isEmpty, let json = try? JSONParser.parse(data), json.objectValue != nil else { return true }
                        let snap = self.snapshot(handle, json)
                        box.set(snap)
                        onSnapshot(snap)
                        return !snap.state.isTerminal
                    }
                    if line.hasPrefix(":") { return true }            // keep-alive comment
                    if line.hasPrefix("data:") { data += String(line.dropFirst(5)).trimming(" ") }
                    return true                                        // `event:`, `id:` and the rest are not needed
                })
            } catch let e as HTTPTransportError { return .failure(e) } catch { return .failure(HTTPTransportError(curlCode: -1, message: "\(error)", url: streamRequest.url)) }
        }
        switch result {
        case .failure(let e):
            session.log.debug("meshy stream for \(handle.taskID) broke off: \(e.message); polling instead")
        case .success(let response) where !(200..<300).contains(response.status):
            if case .failure(let e) = decodeReply(response), !e.isRetryable { throw e }
            session.log.debug("meshy stream for \(handle.taskID) answered \(response.status); polling instead")
        default: break
        }
        if let last = box.get(), last.state.isTerminal { return last }
        return nil
    }

    /// Looks for the task a lost submit may have created: same family and kind, same prompt where the kind has one,
    /// created after the intent was journaled and not owned by another job. More than one fit is no answer.
    public func reconcile(path: String, body: JSONValue, jobPrompt: String?, submittedAfter: Double, excluding: Set<String>) async throws(GenError) -> Reconciliation {
        let family = String(path.dropFirst("/openapi/".count))
        let isRefine = body["mode"]?.stringValue == "refine"
        let prompt = body["prompt"]?.stringValue ?? body["text_style_prompt"]?.stringValue ?? jobPrompt
        // Newest first, page by page, until the page reaches back past the intent: every task made since is seen.
        var recent: [JSONValue] = []
        var complete = false
        for page in 1...40 {
            let list = try await session.call("list", session.request("GET", path + "?page_num=\(page)&page_size=50&sort_by=-created_at"),
                                              kind: .read, decode: decodeReply)
            let tasks = list.arrayValue ?? []
            recent += tasks
            let oldest = tasks.map { ($0["created_at"]?.looseDouble ?? 0) / 1000 }.min() ?? 0
            if tasks.count < 50 || oldest < submittedAfter - 2 { complete = true; break }
        }
        let candidates = recent.filter { task in
            guard let id = task["id"]?.stringValue, !excluding.contains(id) else { return false }
            // Clocks differ by a little; the list is newest first and a task older than our intent is not ours.
            guard (task["created_at"]?.looseDouble ?? 0) / 1000 >= submittedAfter - 2 else { return false }
            let type = task["type"]?.stringValue ?? ""
            if family == "v2/text-to-3d" {
                if isRefine != (type == "text-to-3d-refine") { return false }
                // A refine task carries its preview's prompt: it must be this job's.
                if let theirs = task["prompt"]?.stringValue { if theirs != prompt { return false } } else if !isRefine { return false }
            } else if let prompt, let theirs = task["prompt"]?.stringValue ?? task["text_style_prompt"]?.stringValue, theirs != prompt {
                return false
            }
            return true
        }
        if candidates.count > 1 { return .cannotTell("\(candidates.count) tasks in Meshy's list could be the lost submit; not guessing") }
        if let id = candidates.first?["id"]?.stringValue { return .found(GenTaskHandle(provider: name, taskID: id, endpoint: family)) }
        return complete ? .absent : .cannotTell("Meshy's task list is too long to check back to the submit")
    }

    public func cancel(_ handle: GenTaskHandle) async throws(GenError) {
        _ = try await session.call("cancel", session.request("DELETE", taskPath(handle)), kind: .read) { response in
            (200..<300).contains(response.status) ? .success(()) : decodeReply(response).map { _ in () }
        }
    }

    public func balance() async throws(GenError) -> Double {
        try await session.call("balance", session.request("GET", "/openapi/v1/balance"), kind: .read, decode: decodeReply)["balance"]?.looseDouble ?? 0
    }

    /// Status strings in neutral terms (generation-apis.md §5); anything else is `unknown` and polled on.
    static let states: [String: GenState] = ["PENDING": .queued, "IN_PROGRESS": .running, "SUCCEEDED": .succeeded,
                                             "FAILED": .failed, "CANCELED": .canceled, "EXPIRED": .expired]

    func snapshot(_ handle: GenTaskHandle, _ json: JSONValue) -> GenTaskSnapshot {
        let status = json["status"]?.stringValue ?? ""
        let state = MeshyProvider.states[status] ?? .unknown
        var artifacts: [GenArtifact] = []
        for (format, value) in json["model_urls"]?.objectValue ?? [] {
            if let url = value.nonEmptyString { artifacts.append(GenArtifact(role: format == "glb" ? "model" : "model.\(format)", url: url, format: format)) }
        }
        for (key, value) in json["result"]?.objectValue ?? [] {
            if let url = value.nonEmptyString, url.hasPrefix("http") {
                artifacts.append(GenArtifact(role: key.hasSuffix("_glb_url") && artifacts.isEmpty ? "model" : key, url: url))
            }
        }
        if let thumb = json["thumbnail_url"]?.nonEmptyString { artifacts.append(GenArtifact(role: "preview", url: thumb)) }
        let textures = json["texture_urls"]?.arrayValue?.first ?? json["texture_urls"]
        for (key, value) in textures?.objectValue ?? [] {
            if let url = value.nonEmptyString { artifacts.append(GenArtifact(role: "texture.\(key)", url: url)) }
        }
        var error: GenError?
        if state == .failed || state == .canceled || state == .expired {
            let message = json["task_error"]?["message"]?.nonEmptyString ?? "task \(status)"
            let lower = message.lowercased()
            let kind: GenErrorKind = lower.contains("policy") || lower.contains("moderation") ? .contentRejected : state == .expired ? .notFound : .taskFailed
            error = GenError(kind, "Meshy task \(status): \(message)")
        }
        let preceding = json["preceding_tasks"]?.looseInt
        return GenTaskSnapshot(handle: handle, state: state, providerStatus: status, progress: json["progress"]?.looseInt,
                               queuePosition: state == .queued ? preceding : nil, artifacts: artifacts, error: error,
                               creditsUsed: json["consumed_credits"]?.looseDouble, raw: json)
    }

    func decodeReply(_ response: HTTPResponse) -> Result<JSONValue, GenError> {
        if (200..<300).contains(response.status) { return session.parseJSON(response, route: "reply") }
        let message = (try? JSONParser.parse(response.body))?["message"]?.stringValue ?? String(decoding: response.body.prefix(120), as: UTF8.self)
        let lower = message.lowercased()
        let kind: GenErrorKind
        switch response.status {
        case 400, 422: kind = lower.contains("policy") || lower.contains("moderation") ? .contentRejected : .invalidRequest
        case 401, 403: kind = .auth
        case 402: kind = .insufficientCredits
        case 404: kind = .notFound
        case 429: kind = lower.contains("pending") || lower.contains("queue") ? .concurrencyFull : .rateLimited
        case 500...599: kind = .transient
        default: kind = .invalidRequest
        }
        return .failure(GenError(kind, "Meshy: \(message)", httpStatus: response.status))
    }
}

/// Hands the last streamed snapshot from the transfer thread back to the caller.
final class SnapshotBox: @unchecked Sendable {
    private let lock = Lock()
    private var value: GenTaskSnapshot?
    func set(_ v: GenTaskSnapshot) { lock.withLock { value = v } }
    func get() -> GenTaskSnapshot? { lock.withLock { value } }
}
