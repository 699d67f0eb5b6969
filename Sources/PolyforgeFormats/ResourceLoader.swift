/// Loads the side files a model refers to (.bin buffers, .mtl libraries, textures) relative to the model's folder.
public struct ResourceLoader: Sendable {
    /// Folder of the model file; nil when parsing bytes with no folder (fuzzing, memory), so every side file is missing.
    public var baseDirectory: String?

    public init(baseDirectory: String?) { self.baseDirectory = baseDirectory }

    public static let none = ResourceLoader(baseDirectory: nil)

    /// Path of a relative reference (URI-decoded), or nil when there is no folder to resolve it in.
    public func resolve(_ reference: String) -> String? {
        guard let baseDirectory else { return nil }
        return FileSystem.join(baseDirectory, Self.percentDecoded(reference))
    }

    /// Reads a side file. `file` and `location` name the model and the place that refers to it, for the error.
    public func load(_ reference: String, file: String, location: FormatError.Location) throws(FormatError) -> [UInt8] {
        guard let path = resolve(reference) else {
            throw FormatError(file: file, location, "external file '\(reference)' cannot be loaded without a folder")
        }
        guard FileSystem.exists(path) else {
            throw FormatError(file: file, location, "missing external file '\(reference)' (looked for \(path))")
        }
        do {
            return try MappedFile.readAll(path)
        } catch {
            throw FormatError(file: file, location, "cannot read external file '\(reference)': \(error.reason)")
        }
    }

    /// Decodes %XX escapes (glTF URIs are URI references); malformed escapes are left as they are.
    public static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var out: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(h)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
