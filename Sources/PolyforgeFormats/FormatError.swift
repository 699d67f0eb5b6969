/// A reader or writer failure that names the file, the place and the reason, as one sentence.
public struct FormatError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Location: Sendable, Equatable {
        case byteOffset(Int)
        case line(Int)
        /// A JSON path such as `accessors[3].bufferView`.
        case jsonPath(String)
        case none
    }

    public var file: String
    public var location: Location
    public var reason: String

    public init(file: String, _ location: Location = .none, _ reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String {
        switch location {
        case .byteOffset(let o): return "\(file): at byte \(o): \(reason)"
        case .line(let l): return "\(file):\(l): \(reason)"
        case .jsonPath(let p): return "\(file): at \(p): \(reason)"
        case .none: return "\(file): \(reason)"
        }
    }
}
