import PolyforgeFormats
import PolyforgeMesh

/// API keys that share one balance (and, for Meshy and 3D AI Studio, one queue limit and one rate window).
public struct EmulatorAccount: Sendable, Equatable {
    public var keys: [String]
    public var credits: Int

    public init(keys: [String], credits: Int = EmulatorScenario.defaultCredits) {
        self.keys = keys
        self.credits = credits
    }
}

/// One fault rule: which requests it matches (provider, route), which of them it hits (skip, then times or
/// probability) and what it does (kind plus parameters). See docs/emulator.md for every kind.
public struct EmulatorFault: Sendable, Equatable {
    public var kind: String
    /// "tripo", "meshy" or "3daistudio"; nil matches every provider.
    public var provider: String?
    /// "submit", "status", "list", "stream", "cancel", "download", "balance", "upload" or "any".
    public var route: String
    /// Matching requests let through before the fault starts firing.
    public var skip: Int
    /// How many matching requests (after `skip`) it fires on; ignored when `probability` is set.
    public var times: Int
    /// Fires on each matching request (after `skip`) with this chance, drawn from the scenario's seeded generator.
    public var probability: Double?
    /// Numeric parameters: status, retry_after, hang_seconds, delay_ms, fraction, bytes_per_second.
    public var params: [String: Double]
    /// For `task_outcome`: failed, banned, expired, cancelled, unknown or no_artifact.
    public var outcome: String?
    /// For `http_error`: answer with an HTML error page instead of the provider's JSON.
    public var html: Bool

    public init(kind: String, provider: String? = nil, route: String = "any", skip: Int = 0, times: Int = 1,
                probability: Double? = nil, params: [String: Double] = [:], outcome: String? = nil, html: Bool = false) {
        self.kind = kind
        self.provider = provider
        self.route = route
        self.skip = skip
        self.times = times
        self.probability = probability
        self.params = params
        self.outcome = outcome
        self.html = html
    }

    func param(_ name: String, default fallback: Double) -> Double { params[name] ?? fallback }

    static let kinds: Set<String> = Set(FaultKind.allCases.map(\.rawValue))
    static let providers: Set<String> = ["tripo", "meshy", "3daistudio"]
    static let routes: Set<String> = ["submit", "status", "list", "stream", "cancel", "download", "balance", "upload", "any"]
    static let outcomes: Set<String> = ["failed", "banned", "expired", "cancelled", "unknown", "no_artifact"]
    static let numericParams: Set<String> = ["status", "retry_after", "hang_seconds", "delay_ms", "fraction", "bytes_per_second"]
}

/// How the emulator behaves: timing, limits, accounts and faults. Every field has the default the wire
/// contract gives, so `EmulatorScenario()` is a well-behaved provider with a 2 s queue and an 8 s run.
public struct EmulatorScenario: Sendable {
    public static let defaultCredits = 1_000_000

    /// Seeds the generator behind probabilistic faults.
    public var seed: UInt64 = 1
    /// Virtual seconds per real second (0 freezes the clock; it then moves only through `advanceClock`).
    public var timeScale: Double = 1
    public var queueSeconds: Double = 2
    public var runSeconds: Double = 8
    /// Lifetime of signed artifact URLs, in virtual seconds.
    public var urlTTLSeconds: Double = 300
    /// When false, every status read repeats the URLs (and expiry) of the first read that carried them.
    public var refreshURLs = true
    /// Retry-After seconds on Tripo's concurrency 429. Setting it also adds Retry-After to the Meshy queue-limit
    /// and 3D AI Studio rate-limit 429s, which carry none by default.
    public var retryAfter: Int = 1 { didSet { retryAfterIsExplicit = true } }
    public var meshyQueueLimit = 10
    /// Requests per account in a sliding real-time 60 s window; 0 or less means unlimited.
    public var aistudioRequestsPerMinute = 3
    public var accounts: [EmulatorAccount] = []
    public var faults: [EmulatorFault] = []

    /// Whether `retryAfter` was set (in JSON or in code) rather than left at its default.
    var retryAfterIsExplicit = false

    public init() {}

    static let topLevelKeys = ["description", "seed", "time_scale", "queue_seconds", "run_seconds", "url_ttl_seconds",
                               "refresh_urls", "retry_after", "meshy_queue_limit", "aistudio_requests_per_minute",
                               "accounts", "faults"]

    /// Reads a scenario from JSON. Unknown keys are errors (a misspelt fault would otherwise silently do nothing);
    /// the error names the JSON path.
    public static func decode(json bytes: [UInt8]) throws -> EmulatorScenario {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw EmulatorError("scenario is not valid JSON: \(error)")
        }
        return try decode(root)
    }

    public static func load(path: String) throws -> EmulatorScenario {
        let bytes: [UInt8]
        do {
            bytes = try MappedFile.readAll(path)
        } catch {
            throw EmulatorError("cannot read scenario \(path): \(error)")
        }
        do {
            return try decode(json: bytes)
        } catch let error as EmulatorError {
            throw EmulatorError("\(path): \(error.message)")
        }
    }

    static func decode(_ root: JSONValue) throws(EmulatorError) -> EmulatorScenario {
        guard let members = root.objectValue else { throw EmulatorError("scenario must be a JSON object") }
        var scenario = EmulatorScenario()
        for (key, value) in members {
            let reader = FieldReader(path: key, value: value)
            switch key {
            case "description": _ = try reader.string()
            case "seed": scenario.seed = UInt64(try reader.integer(in: 0...Int.max))
            case "time_scale": scenario.timeScale = try reader.number(in: 0...1_000_000)
            case "queue_seconds": scenario.queueSeconds = try reader.number(in: 0...1e9)
            case "run_seconds": scenario.runSeconds = try reader.number(in: 0...1e9)
            case "url_ttl_seconds": scenario.urlTTLSeconds = try reader.number(in: 0...1e12)
            case "refresh_urls": scenario.refreshURLs = try reader.bool()
            case "retry_after": scenario.retryAfter = try reader.integer(in: 0...86_400)
            case "meshy_queue_limit": scenario.meshyQueueLimit = try reader.integer(in: 0...1_000_000)
            case "aistudio_requests_per_minute": scenario.aistudioRequestsPerMinute = try reader.integer(in: -1...1_000_000)
            case "accounts":
                scenario.accounts = try reader.array().enumerated().map { (i, item) throws(EmulatorError) in
                    try decodeAccount(FieldReader(path: "accounts[\(i)]", value: item))
                }
            case "faults":
                scenario.faults = try reader.array().enumerated().map { (i, item) throws(EmulatorError) in
                    try decodeFault(FieldReader(path: "faults[\(i)]", value: item))
                }
            default:
                throw EmulatorError("at \(key): unknown scenario key (known: \(topLevelKeys.joined(separator: ", ")))")
            }
        }
        return scenario
    }

    private static func decodeAccount(_ reader: FieldReader) throws(EmulatorError) -> EmulatorAccount {
        var account = EmulatorAccount(keys: [])
        var sawKeys = false
        for (key, value) in try reader.object() {
            let field = reader.child(key, value)
            switch key {
            case "keys":
                sawKeys = true
                account.keys = try field.array().enumerated().map { (i, item) throws(EmulatorError) in
                    try field.child("[\(i)]", item).string()
                }
            case "credits": account.credits = try field.integer(in: 0...Int(1e15))
            default: throw EmulatorError("at \(field.path): unknown account key (known: keys, credits)")
            }
        }
        guard sawKeys, !account.keys.isEmpty else { throw EmulatorError("at \(reader.path): an account needs a non-empty \"keys\" array") }
        return account
    }

    private static func decodeFault(_ reader: FieldReader) throws(EmulatorError) -> EmulatorFault {
        var fault = EmulatorFault(kind: "")
        for (key, value) in try reader.object() {
            let field = reader.child(key, value)
            switch key {
            case "kind": fault.kind = try field.string(oneOf: EmulatorFault.kinds)
            case "provider": fault.provider = try field.string(oneOf: EmulatorFault.providers)
            case "route": fault.route = try field.string(oneOf: EmulatorFault.routes)
            case "skip": fault.skip = try field.integer(in: 0...Int.max)
            case "times": fault.times = try field.integer(in: 0...Int.max)
            case "probability": fault.probability = try field.number(in: 0...1)
            case "outcome": fault.outcome = try field.string(oneOf: EmulatorFault.outcomes)
            case "html": fault.html = try field.bool()
            default:
                guard EmulatorFault.numericParams.contains(key) else {
                    let known = ["kind", "provider", "route", "skip", "times", "probability", "outcome", "html"]
                        + EmulatorFault.numericParams.sorted()
                    throw EmulatorError("at \(field.path): unknown fault key (known: \(known.joined(separator: ", ")))")
                }
                fault.params[key] = try field.number(in: 0...1e12)
            }
        }
        guard !fault.kind.isEmpty else { throw EmulatorError("at \(reader.path): a fault needs a \"kind\"") }
        if fault.kind == FaultKind.taskOutcome.rawValue && fault.outcome == nil {
            throw EmulatorError("at \(reader.path): a task_outcome fault needs an \"outcome\"")
        }
        if fault.kind == FaultKind.httpError.rawValue, let status = fault.params["status"], !(400...599).contains(status) {
            throw EmulatorError("at \(reader.path).status: must be an HTTP error status (400–599)")
        }
        return fault
    }

    /// The scenario as JSON, in the same format `decode` reads (GET /_emu/scenario answers with it).
    public func encodeJSON() -> [UInt8] {
        var members: [(String, JSONValue)] = [
            ("seed", .number(Double(seed))), ("time_scale", .number(timeScale)), ("queue_seconds", .number(queueSeconds)),
            ("run_seconds", .number(runSeconds)), ("url_ttl_seconds", .number(urlTTLSeconds)), ("refresh_urls", .bool(refreshURLs)),
            ("meshy_queue_limit", .number(Double(meshyQueueLimit))),
            ("aistudio_requests_per_minute", .number(Double(aistudioRequestsPerMinute))),
        ]
        // Left out unless set, because setting it also turns on Retry-After for Meshy and 3D AI Studio.
        if retryAfterIsExplicit { members.append(("retry_after", .number(Double(retryAfter)))) }
        members.append(("accounts", .array(accounts.map { account in
            .object([("keys", .array(account.keys.map { .string($0) })), ("credits", .number(Double(account.credits)))])
        })))
        members.append(("faults", .array(faults.map { fault in
            var object: [(String, JSONValue)] = [("kind", .string(fault.kind))]
            if let provider = fault.provider { object.append(("provider", .string(provider))) }
            object.append(("route", .string(fault.route)))
            object.append(("skip", .number(Double(fault.skip))))
            if let probability = fault.probability {
                object.append(("probability", .number(probability)))
            } else {
                object.append(("times", .number(Double(fault.times))))
            }
            if let outcome = fault.outcome { object.append(("outcome", .string(outcome))) }
            if fault.html { object.append(("html", .bool(true))) }
            for name in fault.params.keys.sorted() { object.append((name, .number(fault.params[name]!))) }
            return .object(object)
        })))
        return JSONWriter.bytes(.object(members), indent: 2)
    }
}

/// Typed reads of one scenario value that fail with its JSON path.
private struct FieldReader {
    let path: String
    let value: JSONValue

    func child(_ key: String, _ value: JSONValue) -> FieldReader {
        FieldReader(path: key.hasPrefix("[") ? path + key : path + "." + key, value: value)
    }

    func fail(_ expected: String) -> EmulatorError { EmulatorError("at \(path): expected \(expected)") }

    func string() throws(EmulatorError) -> String {
        guard let s = value.stringValue else { throw fail("a string") }
        return s
    }

    func string(oneOf allowed: Set<String>) throws(EmulatorError) -> String {
        let s = try string()
        guard allowed.contains(s) else { throw fail("one of \(allowed.sorted().joined(separator: ", ")), not \"\(s)\"") }
        return s
    }

    func bool() throws(EmulatorError) -> Bool {
        guard let b = value.boolValue else { throw fail("true or false") }
        return b
    }

    func number(in range: ClosedRange<Double>) throws(EmulatorError) -> Double {
        guard let d = value.doubleValue, range.contains(d) else {
            throw fail("a number in \(JSONWriter.formatNumber(range.lowerBound))…\(JSONWriter.formatNumber(range.upperBound))")
        }
        return d
    }

    func integer(in range: ClosedRange<Int>) throws(EmulatorError) -> Int {
        guard let i = value.intValue, range.contains(i) else { throw fail("an integer in \(range.lowerBound)…\(range.upperBound)") }
        return i
    }

    func array() throws(EmulatorError) -> [JSONValue] {
        guard let a = value.arrayValue else { throw fail("an array") }
        return a
    }

    func object() throws(EmulatorError) -> [(String, JSONValue)] {
        guard let o = value.objectValue else { throw fail("an object") }
        return o
    }
}
