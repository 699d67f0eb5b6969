/// Why an image could not be decoded or encoded, as one sentence (the caller adds the file name).
public struct ImageError: Error, Sendable, CustomStringConvertible, Equatable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
