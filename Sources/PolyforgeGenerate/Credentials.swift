import PolyforgeMesh
import Glibc

/// API keys come from the environment (`TRIPO_API_KEY`, `MESHY_API_KEY`, `THREEDAISTUDIO_API_KEY`) or from a
/// credentials file of `NAME=value` lines that only its owner may read. Keys are never printed.
public enum Credentials {
    public static func environmentVariable(for provider: String) -> String {
        switch provider {
        case "tripo": return "TRIPO_API_KEY"
        case "meshy": return "MESHY_API_KEY"
        default: return "THREEDAISTUDIO_API_KEY"
        }
    }

    /// The default file: `$POLYFORGE_CREDENTIALS`, else `~/.config/polyforge/credentials`.
    public static var defaultFile: String? {
        if let p = getenv("POLYFORGE_CREDENTIALS") { return String(cString: p) }
        if let home = getenv("HOME") { return String(cString: home) + "/.config/polyforge/credentials" }
        return nil
    }

    public static func key(for provider: String, file: String?) throws(GenError) -> String {
        let variable = environmentVariable(for: provider)
        if let value = getenv(variable).map({ String(cString: $0) }), !value.isEmpty { return value }
        let explicit = file != nil
        guard let path = file ?? defaultFile else { throw missing(variable, nil) }
        var st = stat()
        guard stat(path, &st) == 0 else {
            if explicit { throw GenError(.auth, "credentials file \(path): \(String(cString: strerror(errno)))") }
            throw missing(variable, path)
        }
        // Like ssh with private keys: a file others can read is refused, not used.
        guard st.st_mode & 0o077 == 0 else {
            throw GenError(.auth, "credentials file \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        guard st.st_uid == getuid() else { throw GenError(.auth, "credentials file \(path) belongs to another user") }
        guard let bytes = readWholeFile(path) else { throw GenError(.auth, "cannot read credentials file \(path)") }
        for (n, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw GenError(.auth, "\(path):\(n + 1): expected NAME=value") }
            let name = Substring(line[..<eq]).trimming(" \t")
            var value = Substring(line[line.index(after: eq)...]).trimming(" \t")
            if value.count >= 2, value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if name == variable && !value.isEmpty { return value }
        }
        throw missing(variable, path)
    }

    static func missing(_ variable: String, _ path: String?) -> GenError {
        GenError(.auth, "no API key: set \(variable)\(path.map { " or add \(variable)=… to \($0) (mode 600)" } ?? "")")
    }
}

/// Builds a provider by name with its documented limits, optionally overridden.
public enum ProviderFactory {
    public static let names = ["tripo", "meshy", "3daistudio"]

    public static func defaultBaseURL(_ provider: String) -> String {
        switch provider {
        case "tripo": return TripoProvider.defaultBaseURL
        case "meshy": return MeshyProvider.defaultBaseURL
        default: return AIStudioProvider.defaultBaseURL
        }
    }

    public static func documentedLimits(_ provider: String) -> ProviderLimits {
        switch provider {
        case "tripo": return TripoProvider.documentedLimits
        case "meshy": return MeshyProvider.documentedLimits
        default: return AIStudioProvider.documentedLimits
        }
    }

    public struct Overrides: Sendable {
        public var requestsPerSecond: Double?
        public var concurrency: Int?
        public var backoff = Backoff()
        public var breakerThreshold = 5
        public var breakerCooldown = 30.0
        public init() {}
    }

    public static func make(_ provider: String, baseURL: String?, apiKey: String, http: HTTPClient, log: GenerationLog,
                            overrides: Overrides = Overrides()) throws(GenError) -> any GenerationProvider {
        guard names.contains(provider) else { throw GenError(.invalidRequest, "unknown provider \"\(provider)\" (one of \(names.joined(separator: ", ")))") }
        if provider == "tripo" { try TripoProvider.validateKey(apiKey) }
        var limits = documentedLimits(provider)
        if let rps = overrides.requestsPerSecond { limits.requestsPerSecond = rps }
        if let c = overrides.concurrency { limits.concurrency = limits.concurrency.mapValues { _ in c } }
        let session = ProviderSession(provider: provider, baseURL: baseURL ?? defaultBaseURL(provider), apiKey: apiKey, http: http,
                                      requestsPerSecond: limits.requestsPerSecond, backoff: overrides.backoff,
                                      breakerThreshold: overrides.breakerThreshold, breakerCooldown: overrides.breakerCooldown, log: log)
        switch provider {
        case "tripo": return TripoProvider(session: session, limits: limits)
        case "meshy": return MeshyProvider(session: session, limits: limits)
        default: return AIStudioProvider(session: session, limits: limits)
        }
    }
}
