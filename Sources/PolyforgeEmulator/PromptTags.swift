import PolyforgeMesh

/// Reads what a create request says about the task it wants: magic outcome tags, the words that pick the
/// mesh, and the key under which duplicate submits are counted.
struct SubmittedRequest {
    let body: JSONValue
    /// Every string value in the body, at any depth, except data URIs and URLs (a base64 image must not
    /// spell a tag or a mesh word by chance).
    let texts: [String]

    init(body: JSONValue) {
        self.body = body
        var texts: [String] = []
        Self.collect(body, into: &texts)
        self.texts = texts
    }

    private static func collect(_ value: JSONValue, into texts: inout [String]) {
        switch value {
        case .string(let s):
            if !s.hasPrefix("data:") && !s.hasPrefix("http://") && !s.hasPrefix("https://") { texts.append(s) }
        case .array(let items): for item in items { collect(item, into: &texts) }
        case .object(let members): for (_, item) in members { collect(item, into: &texts) }
        default: break
        }
    }

    var prompt: String? { body["prompt"]?.stringValue }

    /// `#policy` anywhere: the provider rejects the request at submit.
    var asksForPolicyRejection: Bool { texts.contains { Self.contains(tag: "#policy", in: $0) } }

    /// The outcome the first magic tag found asks for, or nil for a plain success.
    var taggedOutcome: TaskOutcome? {
        for text in texts where text.contains("#") {
            for (tag, outcome) in TaskOutcome.tags where Self.contains(tag: tag, in: text) { return outcome }
        }
        return nil
    }

    /// The prompt when there is one, else every other string (e.g. `texture_prompt` of an image task).
    var meshKind: MeshKind { MeshKind.choose(for: prompt ?? texts.joined(separator: " ")) }

    /// What "the same request" means for duplicate counting: the prompt, or else the canonical body (sorted keys,
    /// compact), shortened with a hash when long (image data URIs).
    func duplicateKey(path: String) -> String {
        if let prompt { return prompt }
        let canonical = JSONWriter.string(Self.canonical(body))
        if canonical.utf8.count <= 200 { return "\(path) \(canonical)" }
        return "\(path) \(canonical.prefix(120))… #\(Self.hash(canonical))"
    }

    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, canonical($0.1)) })
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }

    /// True when `tag` occurs in `text` not followed by another tag character ("#fail" is not in "#failure").
    static func contains(tag: String, in text: String) -> Bool {
        let haystack = Array(text.lowercased().utf8), needle = Array(tag.utf8)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            guard haystack[start..<(start + needle.count)].elementsEqual(needle) else { continue }
            let next = start + needle.count
            if next == haystack.count { return true }
            let c = haystack[next]
            let continuesTag = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
            if !continuesTag { return true }
        }
        return false
    }

    private static func hash(_ text: String) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(h, radix: 16)
    }
}
