import Dispatch
import PolyforgeFormats
import PolyforgeMesh
#if canImport(Glibc)
import Glibc
#endif

/// Finds model files under the given paths and checks them in parallel. Never stops on a bad file: a file that
/// cannot be read becomes a failed report with the reader's error.
public struct QCRunner: Sendable {
    public var profile: QCProfile
    public var product: QCProductInfo?
    public var jobs: Int
    /// Called with each readable asset's scene on the worker that loaded it; returns the thumbnail's path relative
    /// to the report (nil for none). The CLI renders here, so a scene is read once for checks and picture alike.
    public var thumbnailer: (@Sendable (_ path: String, _ scene: Scene) -> String?)?

    public init(profile: QCProfile, product: QCProductInfo? = nil, jobs: Int = 2,
                thumbnailer: (@Sendable (_ path: String, _ scene: Scene) -> String?)? = nil) {
        self.profile = profile
        self.product = product
        self.jobs = max(1, jobs)
        self.thumbnailer = thumbnailer
    }

    /// Model files among `paths`: files as given, folders walked recursively for known model extensions.
    public static func discover(_ paths: [String]) -> [String] { FileSystem.modelFiles(in: paths) }

    /// Checks one file.
    public func check(_ path: String) -> QCAssetReport {
        let start = Self.now()
        do {
            let loaded = try SceneIO.read(path, allowNonFinitePositions: true)
            let m = AssetMeasurements(loaded, profile: profile)
            let checks = QCRules.evaluate(m, profile: profile, product: product)
            let thumbnail = thumbnailer?(path, loaded.scene)
            return QCAssetReport(path: path, format: loaded.format.rawValue, bytes: m.fileBytes, triangles: m.triangles,
                                 checks: checks, seconds: Self.now() - start, thumbnail: thumbnail)
        } catch {
            return QCAssetReport(path: path, format: MeshFormat(path: path)?.rawValue, bytes: FileSystem.fileSize(path) ?? 0,
                                 error: error.description, seconds: Self.now() - start)
        }
    }

    /// Checks every file, `jobs` at a time; results keep the order of `files`. `progress` is called (serially)
    /// after each file with the number done.
    public func run(_ files: [String], progress: (@Sendable (Int, QCAssetReport) -> Void)? = nil) -> [QCAssetReport] {
        let results = ResultSlots(count: files.count)
        let next = Counter(), done = Counter()
        let workers = min(jobs, max(files.count, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.increment() - 1
                if i >= files.count { break }
                let report = check(files[i])
                results.set(i, report)
                let n = done.increment()
                progress?(n, report)
            }
        }
        return results.values
    }

    /// Monotonic seconds, for timing runs.
    public static func now() -> Double { monotonicSeconds() }
}

/// A lock-protected counter shared by the worker threads.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = Lock()
    func increment() -> Int { lock.withLock { value += 1; return value } }
}

final class ResultSlots: @unchecked Sendable {
    private var slots: [QCAssetReport?]
    private let lock = Lock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: QCAssetReport) { lock.withLock { slots[i] = r } }
    var values: [QCAssetReport] { slots.map { $0! } }
}

/// Totals over a run.
public struct QCSummary: Sendable {
    public var assets: Int
    public var failed: Int
    public var warned: Int
    public var unreadable: Int
    public var bytes: Int
    public var seconds: Double

    public init(_ reports: [QCAssetReport], failOn: QCSeverity, seconds: Double) {
        assets = reports.count
        failed = reports.filter { $0.fails(at: failOn) }.count
        warned = reports.filter { $0.worst == .warning }.count
        unreadable = reports.filter { $0.error != nil }.count
        bytes = reports.reduce(0) { $0 + $1.bytes }
        self.seconds = seconds
    }

    public var json: JSONValue {
        ["assets": .number(Double(assets)), "failed": .number(Double(failed)), "warned": .number(Double(warned)),
         "unreadable": .number(Double(unreadable)), "bytes": .number(Double(bytes)),
         "seconds": .number((seconds * 1000).rounded() / 1000),
         "assetsPerSecond": .number(seconds > 0 ? (Double(assets) / seconds * 10).rounded() / 10 : 0),
         "megabytesPerSecond": .number(seconds > 0 ? (Double(bytes) / 1e6 / seconds * 10).rounded() / 10 : 0)]
    }
}
