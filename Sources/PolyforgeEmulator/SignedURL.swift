/// Signs and checks artifact URLs the way S3-style storage does: `?Expires=<epoch>&sig=<hex>`, where the
/// signature is a keyed hash of the path and the expiry, so neither can be edited without a 403.
struct URLSigner: Sendable {
    /// Per emulator instance: URLs of one run are not valid against another.
    let secret: UInt64

    init(secret: UInt64 = UInt64.random(in: 1...UInt64.max)) { self.secret = secret }

    enum Verdict: Equatable { case valid, expired, badSignature }

    static func path(taskID: String, name: String) -> String { "/_files/\(taskID)/\(name)" }

    func url(base: String, taskID: String, name: String, expires: Int) -> String {
        let path = Self.path(taskID: taskID, name: name)
        return "\(base)\(path)?Expires=\(expires)&sig=\(signature(path: path, expires: expires))"
    }

    func verify(path: String, query: [String: String], virtualNow: Double) -> Verdict {
        guard let expiresText = query["Expires"], let expires = Int(expiresText), let sig = query["sig"],
              sig == signature(path: path, expires: expires) else { return .badSignature }
        return virtualNow <= Double(expires) ? .valid : .expired
    }

    /// FNV-1a over secret, path and expiry, finished with a SplitMix64 mix; 16 hex digits.
    func signature(path: String, expires: Int) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func feed(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        for shift in stride(from: 0, to: 64, by: 8) { feed(UInt8(truncatingIfNeeded: secret >> UInt64(shift))) }
        for byte in path.utf8 { feed(byte) }
        feed(0x0A)
        for byte in String(expires).utf8 { feed(byte) }
        var z = hash &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let hex = String(z, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
