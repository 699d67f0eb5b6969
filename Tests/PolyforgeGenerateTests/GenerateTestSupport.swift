import Foundation
import PolyforgeEmulator
import PolyforgeFormats
import PolyforgeGenerate
import PolyforgeMesh

/// A running emulator plus a client wired to it with test-speed timings (short polls and backoff) — real HTTP over
/// loopback through libcurl, no mocks.
final class GenerateHarness: @unchecked Sendable {
    let emulator: Emulator
    let out: String
    let lines = LineCollector()
    let redactor = Redactor()
    let log: GenerationLog

    init(_ scenario: EmulatorScenario = GenerateHarness.fastScenario()) throws {
        emulator = try Emulator(scenario: scenario, port: 0)
        out = NSTemporaryDirectory() + "polyforge-gen-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let collector = lines
        log = GenerationLog(redactor: redactor, verbose: true, filePath: out + "/generate.log", sink: { collector.append($0) })
    }

    deinit { emulator.stop() }

    /// Tasks run in a fraction of a second of real time.
    static func fastScenario(faults: [EmulatorFault] = []) -> EmulatorScenario {
        var s = EmulatorScenario()
        s.timeScale = 20
        s.queueSeconds = 1
        s.runSeconds = 3
        s.aistudioRequestsPerMinute = 100_000
        s.faults = faults
        return s
    }

    static func key(_ provider: String) -> String {
        switch provider {
        case "tripo": return "tsk_TESTSECRET_tripo_4f9a1c"
        case "meshy": return "msy_TESTSECRET_meshy_77b2e0"
        default: return "aistudio_TESTSECRET_3d_9d0c55"
        }
    }

    func provider(_ name: String, key: String? = nil, timeout: Double = 5, breakerThreshold: Int = 5, breakerCooldown: Double = 0.3,
                  maxAttempts: Int = 6) throws -> any GenerationProvider {
        var overrides = ProviderFactory.Overrides()
        overrides.requestsPerSecond = 500
        overrides.backoff = Backoff(baseDelay: 0.02, maxDelay: 0.2, maxAttempts: maxAttempts)
        overrides.breakerThreshold = breakerThreshold
        overrides.breakerCooldown = breakerCooldown
        let http = HTTPClient(connectTimeout: 2, requestTimeout: timeout, stallTimeout: 3)
        return try ProviderFactory.make(name, baseURL: emulator.baseURL, apiKey: key ?? GenerateHarness.key(name), http: http, log: log, overrides: overrides)
    }

    func runner(_ provider: any GenerationProvider, configure: (inout RunnerOptions) -> Void = { _ in }) throws -> GenerationRunner {
        var options = RunnerOptions()
        options.pollInitial = 0.02
        options.pollMax = 0.1
        options.reconcileDelay = 0.05
        configure(&options)
        return try GenerationRunner(provider: provider, outputDirectory: out, options: options)
    }

    func run(_ provider: String, _ jobs: [GenerationJob], key: String? = nil, timeout: Double = 5,
             configure: (inout RunnerOptions) -> Void = { _ in }) async throws -> [JobResult] {
        let r = try runner(try self.provider(provider, key: key, timeout: timeout), configure: configure)
        return try await r.run(jobs)
    }

    func metadata(_ name: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/\(name).task.json"))))
    }

    /// Every byte the run left on disk plus every log line, for the key-leak check.
    func everythingWritten() throws -> String {
        var text = lines.all.joined(separator: "\n")
        for name in try FileManager.default.contentsOfDirectory(atPath: out) {
            if let data = FileManager.default.contents(atPath: out + "/" + name) { text += String(decoding: data, as: UTF8.self) }
        }
        return text
    }
}

final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ l: String) { lock.lock(); lines.append(l); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    func contains(_ s: String) -> Bool { all.contains { $0.contains(s) } }
}

func job(_ name: String, _ prompt: String, type: String = "text_to_model", texture: Bool? = nil, pbr: Bool? = nil,
         route: String? = nil, image: String? = nil) -> GenerationJob {
    GenerationJob(name: name, request: GenRequest(taskType: type, prompt: prompt, imagePath: image, texture: texture, pbr: pbr, route: route))
}

/// A downloaded model must parse as a real scene with triangles.
func parsedTriangles(_ path: String) throws -> Int {
    let loaded = try SceneIO.read(path)
    var count = 0
    for mesh in loaded.scene.meshes { for p in mesh.primitives { count += p.indices.count / 3 } }
    return count
}
