import PolyforgeMesh

/// How much a failing check matters. `--fail-on warn` fails an asset on warnings and errors, `--fail-on error` on errors.
public enum QCSeverity: String, Sendable, Comparable, CaseIterable {
    case info, warning, error

    public static func < (a: QCSeverity, b: QCSeverity) -> Bool { a.rank < b.rank }
    private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }

    /// Accepts `info`, `warn`/`warning`, `error`.
    public init?(name: String) {
        switch name.lowercased() {
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }
}

/// Outcome of one check on one asset. `skipped` is the auditor's "not tested": the profile does not ask for it,
/// or the asset has nothing it applies to (no textures, no UVs).
public enum QCStatus: String, Sendable {
    case pass, fail, skipped
}

/// One check's verdict: a stable id, what was measured, the limit it was held to, and a sentence for people.
public struct QCCheckResult: Sendable, Equatable {
    public var id: String
    public var status: QCStatus
    public var severity: QCSeverity
    /// The measured value (a count, a fraction, metres, kilobytes...), when the check measures one.
    public var value: Double?
    /// The limit as written, e.g. "<= 100000" or "required".
    public var limit: String?
    public var message: String

    public init(id: String, status: QCStatus, severity: QCSeverity, value: Double? = nil, limit: String? = nil, message: String) {
        self.id = id
        self.status = status
        self.severity = severity
        self.value = value
        self.limit = limit
        self.message = message
    }

    public var json: JSONValue {
        var j: JSONValue = ["id": .string(id), "status": .string(status.rawValue), "severity": .string(severity.rawValue)]
        if let value { j = j.setting("value", value.isFinite ? .number(value) : .string(String(value))) }
        if let limit { j = j.setting("limit", .string(limit)) }
        return j.setting("message", .string(message))
    }
}

/// Everything QC says about one file. `error` is set when the file could not be read at all; the asset then fails.
public struct QCAssetReport: Sendable {
    public var path: String
    public var format: String?
    public var bytes: Int
    public var triangles: Int
    public var checks: [QCCheckResult]
    public var error: String?
    public var seconds: Double
    /// Relative path of a thumbnail image beside the HTML report, once a renderer provides one.
    public var thumbnail: String?

    public init(path: String, format: String? = nil, bytes: Int = 0, triangles: Int = 0, checks: [QCCheckResult] = [],
                error: String? = nil, seconds: Double = 0, thumbnail: String? = nil) {
        self.path = path
        self.format = format
        self.bytes = bytes
        self.triangles = triangles
        self.checks = checks
        self.error = error
        self.seconds = seconds
        self.thumbnail = thumbnail
    }

    /// Failed checks at or above `level`.
    public func failures(atLeast level: QCSeverity) -> [QCCheckResult] {
        checks.filter { $0.status == .fail && $0.severity >= level }
    }

    /// True when the file was unreadable or a check at or above `level` failed.
    public func fails(at level: QCSeverity) -> Bool { error != nil || !failures(atLeast: level).isEmpty }

    /// The worst severity among failed checks ("error" for an unreadable file), or nil when all passed.
    public var worst: QCSeverity? {
        if error != nil { return .error }
        return checks.filter { $0.status == .fail }.map(\.severity).max()
    }

    public var json: JSONValue {
        var j: JSONValue = ["file": .string(path)]
        if let format { j = j.setting("format", .string(format)) }
        j = j.setting("bytes", .number(Double(bytes))).setting("triangles", .number(Double(triangles)))
        j = j.setting("result", .string(worst.map { $0 == .info ? "pass" : $0 == .warning ? "warn" : "fail" } ?? "pass"))
        if let error { j = j.setting("error", .string(error)) }
        j = j.setting("seconds", .number((seconds * 1e4).rounded() / 1e4))
        if let thumbnail { j = j.setting("thumbnail", .string(thumbnail)) }
        return j.setting("checks", .array(checks.map(\.json)))
    }
}
