import PolyforgeMesh

/// The provider-neutral life of a generation task (see ../shared/docs/generation-apis.md §5).
public enum GenState: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed, canceled, expired, unknown
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .canceled || self == .expired }
}

/// One downloadable output of a task. `role` is the neutral name ("model", "pbr_model", "base_model", "preview", "texture.base_color"…).
public struct GenArtifact: Sendable, Equatable {
    public var role: String
    public var url: String
    public var format: String?
    public init(role: String, url: String, format: String? = nil) { self.role = role; self.url = url; self.format = format }

    /// The format from the explicit field or the URL path's extension.
    public var resolvedFormat: String {
        if let format { return format.lowercased() }
        var path = url
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") { return path[path.index(after: dot)...].lowercased() }
        return role.contains("preview") || role.contains("image") || role.hasPrefix("texture") ? "png" : "glb"
    }
}

/// Identifies a task at its provider. Meshy needs the endpoint family (ids are not self-describing).
public struct GenTaskHandle: Sendable, Equatable {
    public var provider: String
    public var taskID: String
    public var endpoint: String?
    /// The trace id of the submit reply (Tripo's X-Tripo-Trace-ID), for support requests.
    public var submitTraceID: String?
    public init(provider: String, taskID: String, endpoint: String? = nil, submitTraceID: String? = nil) {
        self.provider = provider; self.taskID = taskID; self.endpoint = endpoint; self.submitTraceID = submitTraceID
    }
}

/// What one status read said, in neutral terms, with the provider's raw reply kept for the metadata.
public struct GenTaskSnapshot: Sendable {
    public var handle: GenTaskHandle
    public var state: GenState
    public var providerStatus: String
    public var progress: Int?
    public var queuePosition: Int?
    public var etaSeconds: Double?
    public var artifacts: [GenArtifact]
    public var error: GenError?
    public var creditsUsed: Double?
    public var traceID: String?
    public var raw: JSONValue

    public init(handle: GenTaskHandle, state: GenState, providerStatus: String, progress: Int? = nil, queuePosition: Int? = nil,
                etaSeconds: Double? = nil, artifacts: [GenArtifact] = [], error: GenError? = nil, creditsUsed: Double? = nil,
                traceID: String? = nil, raw: JSONValue = .null) {
        self.handle = handle; self.state = state; self.providerStatus = providerStatus; self.progress = progress
        self.queuePosition = queuePosition; self.etaSeconds = etaSeconds; self.artifacts = artifacts; self.error = error
        self.creditsUsed = creditsUsed; self.traceID = traceID; self.raw = raw
    }
}

/// Error classes that decide what happens next (retry, wait, give up, ask a person).
public enum GenErrorKind: String, Sendable {
    case rateLimited = "rate_limited"
    case concurrencyFull = "concurrency_full"
    case transient
    case auth
    case insufficientCredits = "insufficient_credits"
    case invalidRequest = "invalid_request"
    case contentRejected = "content_rejected"
    case notFound = "not_found"
    case urlExpired = "url_expired"
    case taskFailed = "task_failed"
    /// A submit whose reply was lost: the task may or may not exist. Never resent blindly.
    case outcomeUnknown = "outcome_unknown"
    case tls
    case invalidArtifact = "invalid_artifact"
    case circuitOpen = "circuit_open"
    case local
}

public struct GenError: Error, Sendable, CustomStringConvertible {
    public var kind: GenErrorKind
    public var message: String
    public var httpStatus: Int?
    public var providerCode: String?
    public var retryAfter: Double?
    public var traceID: String?

    public init(_ kind: GenErrorKind, _ message: String, httpStatus: Int? = nil, providerCode: String? = nil,
                retryAfter: Double? = nil, traceID: String? = nil) {
        self.kind = kind; self.message = message; self.httpStatus = httpStatus; self.providerCode = providerCode
        self.retryAfter = retryAfter; self.traceID = traceID
    }

    /// Classes worth another attempt after a wait (for reads; submits have their own, stricter rule).
    public var isRetryable: Bool { kind == .rateLimited || kind == .concurrencyFull || kind == .transient || kind == .circuitOpen }

    public var description: String {
        var parts = ["\(kind.rawValue): \(message)"]
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let providerCode { parts.append("code \(providerCode)") }
        if let traceID { parts.append("trace \(traceID)") }
        return parts.joined(separator: ", ")
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("message", .string(message))]
        if let httpStatus { fields.append(("http_status", .number(Double(httpStatus)))) }
        if let providerCode { fields.append(("provider_code", .string(providerCode))) }
        if let traceID { fields.append(("trace_id", .string(traceID))) }
        return .object(fields)
    }
}

/// What a user asks for, in neutral terms. Provider-specific parameters go in `extra` and are sent as they are.
public struct GenRequest: Sendable {
    /// Neutral or provider task type: "text_to_model", "image_to_model", "refine_model", "remesh", "convert_model"…
    public var taskType: String
    public var prompt: String?
    public var imagePath: String?
    public var texture: Bool?
    public var pbr: Bool?
    public var faceLimit: Int?
    public var modelVersion: String?
    /// For 3D AI Studio: which model family ("hunyuan-pro", "hunyuan-rapid", "trellis2", "tripo", "tripo-3.1", "tripo-p1", "convert").
    public var route: String?
    /// Chained tasks: the task this one builds on.
    public var sourceTaskID: String?
    public var extra: [(String, JSONValue)]

    public init(taskType: String = "text_to_model", prompt: String? = nil, imagePath: String? = nil, texture: Bool? = nil,
                pbr: Bool? = nil, faceLimit: Int? = nil, modelVersion: String? = nil, route: String? = nil,
                sourceTaskID: String? = nil, extra: [(String, JSONValue)] = []) {
        self.taskType = taskType; self.prompt = prompt; self.imagePath = imagePath; self.texture = texture; self.pbr = pbr
        self.faceLimit = faceLimit; self.modelVersion = modelVersion; self.route = route; self.sourceTaskID = sourceTaskID; self.extra = extra
    }

    public var json: JSONValue {
        var f: [(String, JSONValue)] = [("task_type", .string(taskType))]
        if let prompt { f.append(("prompt", .string(prompt))) }
        if let imagePath { f.append(("image", .string(imagePath))) }
        if let texture { f.append(("texture", .bool(texture))) }
        if let pbr { f.append(("pbr", .bool(pbr))) }
        if let faceLimit { f.append(("face_limit", .number(Double(faceLimit)))) }
        if let modelVersion { f.append(("model_version", .string(modelVersion))) }
        if let route { f.append(("route", .string(route))) }
        if let sourceTaskID { f.append(("source_task_id", .string(sourceTaskID))) }
        if !extra.isEmpty { f.append(("extra", .object(extra))) }
        return .object(f)
    }

    public init(json: JSONValue) {
        self.init(taskType: json["task_type"]?.stringValue ?? "text_to_model", prompt: json["prompt"]?.stringValue,
                  imagePath: json["image"]?.stringValue, texture: json["texture"]?.boolValue, pbr: json["pbr"]?.boolValue,
                  faceLimit: json["face_limit"]?.intValue, modelVersion: json["model_version"]?.stringValue,
                  route: json["route"]?.stringValue, sourceTaskID: json["source_task_id"]?.stringValue,
                  extra: json["extra"]?.objectValue ?? [])
    }
}

/// Documented limits a client keeps to on its own side.
public struct ProviderLimits: Sendable {
    /// Requests per second across every route of the provider (per account).
    public var requestsPerSecond: Double
    /// Concurrency groups: tasks queued or running at once, by group name.
    public var concurrency: [String: Int]
    /// Poll cadence when the provider gives no hint.
    public var pollInitial: Double
    public var pollMax: Double
    public var pollGrowth: Double
    /// Providers whose rate limit is so low that one poller must serve every task.
    public var sharedPoller: Bool

    public init(requestsPerSecond: Double, concurrency: [String: Int], pollInitial: Double, pollMax: Double, pollGrowth: Double = 1.5, sharedPoller: Bool = false) {
        self.requestsPerSecond = requestsPerSecond; self.concurrency = concurrency; self.pollInitial = pollInitial
        self.pollMax = pollMax; self.pollGrowth = pollGrowth; self.sharedPoller = sharedPoller
    }
}
