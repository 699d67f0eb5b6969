import PolyforgeMesh
import Glibc

/// Where progress and alert lines go. Every line passes through the redactor first.
public final class GenerationLog: @unchecked Sendable {
    public let redactor: Redactor
    private let lock = Lock()
    private let sink: @Sendable (String) -> Void
    private var fileDescriptor: Int32 = -1
    public var verbose: Bool

    /// `sink` receives the redacted line (stderr by default). `filePath` also appends every line to a log file.
    public init(redactor: Redactor, verbose: Bool = false, filePath: String? = nil,
                sink: @escaping @Sendable (String) -> Void = GenerationLog.standardError) {
        self.redactor = redactor; self.verbose = verbose; self.sink = sink
        if let filePath { fileDescriptor = open(filePath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    deinit { if fileDescriptor >= 0 { close(fileDescriptor) } }

    public func info(_ line: String) { emit(line, toSink: true) }
    public func debug(_ line: String) { emit(line, toSink: verbose) }

    private func emit(_ line: String, toSink: Bool) {
        let clean = redactor.redact(line)
        lock.withLock {
            if fileDescriptor >= 0 {
                let bytes = Array((clean + "\n").utf8)
                _ = bytes.withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress, $0.count) }
            }
        }
        if toSink { sink(clean) }
    }
}
