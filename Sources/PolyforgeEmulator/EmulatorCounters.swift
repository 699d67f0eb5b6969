import PolyforgeMesh

/// What the emulator has seen since it started (or since the last reset): what tests assert on, e.g.
/// "the client created each task exactly once".
public struct EmulatorCounters: Sendable, Equatable {
    /// Tasks created (the Meshy test-key sample is not counted; tasks created by `commit_no_reply` are).
    public var tasksCreated = 0
    public var tasksCreatedByKey: [String: Int] = [:]
    /// Keyed by the prompt, or by the canonical request body for requests without one.
    public var tasksCreatedByPrompt: [String: Int] = [:]
    /// Prompts (or canonical bodies) that created more than one task for the same account, each listed once,
    /// in the order they became duplicates.
    public var duplicateSubmits: [String] = []
    /// Every request, admin requests included.
    public var requests = 0
    /// Keyed by route name: "tripo.submit", "meshy.stream", "3daistudio.status", "download", "admin", "unmatched", …
    public var requestsByRoute: [String: Int] = [:]
    /// Downloads answered with artifact bytes (200 or 206, cut short by a fault or not).
    public var downloads = 0
    /// Keyed by fault kind.
    public var faultsFired: [String: Int] = [:]

    public init() {}

    /// The JSON GET /_emu/counters answers with (keys sorted inside the maps, so output is stable).
    public var jsonValue: JSONValue {
        func map(_ dictionary: [String: Int]) -> JSONValue {
            .object(dictionary.keys.sorted().map { ($0, .number(Double(dictionary[$0]!))) })
        }
        return .object([
            ("tasks_created", .number(Double(tasksCreated))),
            ("tasks_created_by_key", map(tasksCreatedByKey)),
            ("tasks_created_by_prompt", map(tasksCreatedByPrompt)),
            ("duplicate_submits", .array(duplicateSubmits.map { .string($0) })),
            ("requests", .number(Double(requests))),
            ("requests_by_route", map(requestsByRoute)),
            ("downloads", .number(Double(downloads))),
            ("faults_fired", map(faultsFired)),
        ])
    }
}

/// One request as the emulator saw it.
public struct EmulatorLogEntry: Sendable, Equatable {
    /// Real seconds since the emulator started.
    public var time: Double
    public var method: String
    public var path: String
    public var route: String
    /// 0 when no status line was sent (reset, hang).
    public var status: Int
    /// The X-Tripo-Trace-ID of the reply (Tripo routes only).
    public var traceID: String?

    public init(time: Double, method: String, path: String, route: String, status: Int, traceID: String?) {
        self.time = time
        self.method = method
        self.path = path
        self.route = route
        self.status = status
        self.traceID = traceID
    }

    public var jsonValue: JSONValue {
        .object([("t", .number((time * 1e6).rounded() / 1e6)), ("method", .string(method)), ("path", .string(path)),
                 ("route", .string(route)), ("status", .number(Double(status))),
                 ("trace_id", traceID.map { .string($0) } ?? .null)])
    }
}
