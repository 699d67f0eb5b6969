/// A failure to start the emulator or to read a scenario, as one sentence (for a scenario: the JSON path and the reason).
public struct EmulatorError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
