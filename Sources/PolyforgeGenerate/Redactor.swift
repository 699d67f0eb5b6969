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

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        guard t.count <= u.count, let first = t.first else { return nil }
        var i = u.startIndex
        while i != u.endIndex {
            if u[i] == first {
                var j = i, k = 0
                while k < t.count, j != u.endIndex, u[j] == t[k] { j = u.index(after: j); k += 1 }
                if k == t.count { return i..<j }
            }
            i = u.index(after: i)
        }
        return nil
    }
}
