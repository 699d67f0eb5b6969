import Glibc
import PolyforgeMesh

/// The append-only record of a run: one JSON object per line, each write fsynced before the step it records goes on.
/// The intent line is written before every submit and the task id right after it, so a crash at any point leaves
/// enough to resume without paying twice: a saved id is polled again, an intent without an id is reconciled.
/// A torn last line (the process killed mid-write) is skipped on load and reported.
public final class TaskJournal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = Lock()
    /// Group commit: one fsync covers every line written before it, so concurrent jobs share fsyncs.
    private let syncLock = Lock()
    private var linesWritten = 0
    private var linesSynced = 0
    private let redactor: Redactor
    /// Records that are cheap to lose (progress snapshots) skip fsync; the next synced record carries them to disk.
    public private(set) var syncCount = 0

    public init(path: String, redactor: Redactor) throws(GenError) {
        self.path = path; self.redactor = redactor
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw GenError(.local, "cannot open journal \(path): \(String(cString: strerror(errno)))") }
        // One process per output folder: two runners on one journal could each submit the same job.
        // A holder that is just finishing (its last reference dropped on another thread) gets a second to let go.
        var locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<50 where !locked {
            usleep(20_000)
            locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        if !locked {
            throw GenError(.local, "\(path) is in use by another polyforge generate (a run or --resume on the same folder); wait for it to end")
        }
        // A torn line from a killed run must not glue itself to the next record.
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0, let last = TaskJournal.lastByte(path), last != 10 { _ = Glibc.write(fd, "\n", 1) }
    }

    deinit { close(fd) }

    public func append(_ record: JSONValue, sync: Bool = true) throws(GenError) {
        let bytes = Array((redactor.redact(JSONWriter.string(record)) + "\n").utf8)
        let (failed, line): (Int32, Int) = lock.withLock {
            // One write call per line: O_APPEND keeps concurrent lines whole.
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n != bytes.count { return (errno == 0 ? EIO : errno, 0) }
            linesWritten += 1
            return (0, linesWritten)
        }
        if failed != 0 { throw GenError(.local, "cannot write journal \(path): \(String(cString: strerror(failed)))") }
        if sync { try syncThrough(line) }
    }

    /// Returns once line `line` is on disk: by this caller's fsync or by one another caller made after it was written.
    private func syncThrough(_ line: Int) throws(GenError) {
        let failed: Int32 = syncLock.withLock {
            if lock.withLock({ linesSynced >= line }) { return 0 }
            let target = lock.withLock { linesWritten }
            if fsync(fd) != 0 { return errno }
            lock.withLock { linesSynced = max(linesSynced, target); syncCount += 1 }
            return 0
        }
        if failed != 0 { throw GenError(.local, "cannot sync journal \(path): \(String(cString: strerror(failed)))") }
    }

    public func sync() throws(GenError) { try syncThrough(lock.withLock { linesWritten }) }

    /// Every whole record, in order, and a warning per unreadable line (with its line number).
    public static func load(_ path: String) -> (records: [JSONValue], warnings: [String]) {
        guard let bytes = readWholeFile(path) else { return ([], []) }
        var records: [JSONValue] = []
        var warnings: [String] = []
        var lineNumber = 0
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            do { records.append(try JSONParser.parse(Array(line))) } catch {
                warnings.append("\(path):\(lineNumber): skipped a torn or corrupt journal line (\(error))")
            }
        }
        return (records, warnings)
    }

    static func lastByte(_ path: String) -> UInt8? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var b: UInt8 = 0
        guard lseek(fd, -1, SEEK_END) >= 0, read(fd, &b, 1) == 1 else { return nil }
        return b
    }
}
