import PolyforgeMesh
/// Removes API keys from every line, metadata file and error message before it leaves the process.
public final class Redactor: @unchecked Sendable {
    private let lock = Lock()
    private var secrets: [String] = []

    public init(secrets: [String] = []) { for s in secrets { add(s) } }

    public func add(_ secret: String) {
        guard secret.count >= 4 else { return }
        lock.withLock { if !secrets.contains(secret) { secrets.append(secret); secrets.sort { $0.count > $1.count } } }
    }

    public func redact(_ text: String) -> String {
        let list = lock.withLock { secrets }
        var out = text
        for secret in list where out.contains(secret) {
            out = out.replacingAll(secret, with: Redactor.mask(secret))
        }
        return out
    }

    /// Keeps the vendor prefix so people can tell which key was meant, never the secret part.
    public static func mask(_ secret: String) -> String {
        if let underscore = secret.firstIndex(of: "_"), secret.distance(from: secret.startIndex, to: underscore) <= 4 {
            return String(secret[...underscore]) + "[REDACTED]"
        }
        return "[REDACTED]"
    }
}
