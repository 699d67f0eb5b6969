/// A loopback emulator of the Tripo v2, Meshy and 3D AI Studio HTTP APIs on 127.0.0.1, with a virtual clock
/// and scripted faults, so clients can be tested (and batches dry-run) without spending credits.
///
/// All three providers share one base URL (`baseURL`): Tripo under `/v2/openapi/…`, Meshy under `/openapi/…`,
/// 3D AI Studio under `/v1/…` and `/user/wallet/`; artifacts under `/_files/…`, admin under `/_emu/…`.
/// docs/emulator.md describes the routes, the scenario format and the magic prompt tags.
/// Thread-safe: every method may be called from any thread while requests are being served.
public final class Emulator: @unchecked Sendable {
    private let state: EmulatorState
    private let server: HTTPServer

    /// Binds 127.0.0.1:`port` (0 picks a free port) and starts serving before returning.
    public init(scenario: EmulatorScenario = EmulatorScenario(), port: UInt16 = 0) throws {
        // Meshes, previews and textures are built once per process, before the first request can wait on them.
        ArtifactStore.shared.warm()
        let state = EmulatorState(scenario: scenario)
        self.state = state
        server = try HTTPServer(port: port) { request in state.handle(request) }
        let base = "http://127.0.0.1:\(server.port)"
        state.lock.withLock { state.baseURL = base }
        server.start()
    }

    deinit { server.stop() }

    public var port: UInt16 { server.port }

    /// "http://127.0.0.1:PORT": the base URL for every provider.
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Stops listening, cuts open connections (hangs and streams included) and waits for their threads.
    public func stop() { server.stop() }

    /// A snapshot of the counters (the same content as GET /_emu/counters).
    public func counters() -> EmulatorCounters { state.lock.withLock { state.counters } }

    public func requestLog() -> [EmulatorLogEntry] { state.lock.withLock { state.log } }

    /// Moves virtual time forward: tasks progress, and signed URLs expire, as if that much time had passed.
    public func advanceClock(seconds: Double) { state.lock.withLock { state.clock.advance(seconds: seconds) } }

    /// Virtual Unix time now.
    public var virtualNow: Double { state.lock.withLock { state.clock.now() } }

    /// Swaps the scenario at run time; tasks already created keep their timing, fault counting starts afresh.
    public func replaceScenario(_ s: EmulatorScenario) { state.lock.withLock { state.replaceScenario(s) } }

    public var scenario: EmulatorScenario { state.lock.withLock { state.scenario } }

    /// Forgets every task, upload, counter and log entry (as POST /_emu/reset); keeps the scenario and the clock.
    public func reset() { state.lock.withLock { state.reset() } }
}
