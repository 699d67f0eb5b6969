import Testing
import PolyforgeEmulator
import PolyforgeMesh

@Suite struct ThroughputTests {
    /// The client benchmark runs 1,000 zero-latency tasks against the emulator: per-request work must stay small and
    /// must not grow with the number of tasks (limits and balances only look at unfinished tasks).
    @Test func thousandZeroLatencyTasksOnOneKeepAliveConnection() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 0, run: 0))
        defer { emulator.stop() }
        let connection = RawConnection(port: emulator.port)
        let start = monotonicNow()
        var succeeded = 0
        for i in 0..<1000 {
            connection.sendRequest("POST", "/v2/openapi/task", headers: [("Authorization", "Bearer tsk_bench")],
                                   body: JSONWriter.bytes(["type": "text_to_model", "prompt": .string("crate \(i)")]), keepAlive: true)
            let id = connection.readResponse().json?["data"]?["task_id"]?.stringValue ?? ""
            connection.sendRequest("GET", "/v2/openapi/task/\(id)", headers: [("Authorization", "Bearer tsk_bench")], keepAlive: true)
            if connection.readResponse().json?["data"]?["status"]?.stringValue == "success" { succeeded += 1 }
        }
        let elapsed = monotonicNow() - start
        #expect(succeeded == 1000)
        #expect(emulator.counters().tasksCreated == 1000)
        print("2,000 requests in \(elapsed) s (\(elapsed / 2000 * 1e6) µs per request, debug build)")
        #expect(elapsed < 8)
    }
}
