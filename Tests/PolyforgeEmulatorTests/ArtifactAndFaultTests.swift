import Testing
import PolyforgeEmulator
import PolyforgeMesh

/// Submits a Tripo text task and returns its id.
private func submit(_ emulator: Emulator, _ prompt: String, key: String = "tsk_faults") -> String? {
    http(emulator, "POST", "/v2/openapi/task", key: key, json: ["type": "text_to_model", "prompt": .string(prompt)]).json?["data"]?["task_id"]?.stringValue
}

private func taskData(_ emulator: Emulator, _ id: String, key: String = "tsk_faults") -> JSONValue? {
    http(emulator, "GET", "/v2/openapi/task/\(id)", key: key).json?["data"]
}

@Suite struct SignedURLTests {
    @Test func expiredURLGives403AndARereadGivesAFreshOne() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.urlTTLSeconds = 60
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }
        let id = try #require(submit(emulator, "a crate"))
        let first = try #require(taskData(emulator, id)?["output"]?["model"]?.stringValue)
        #expect(http(emulator, "GET", pathOf(first, emulator)).status == 200)

        emulator.advanceClock(seconds: 61)
        let expired = http(emulator, "GET", pathOf(first, emulator))
        #expect(expired.status == 403)
        #expect(expired.header("Content-Type") == "application/xml")
        #expect(expired.text == "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")

        let fresh = try #require(taskData(emulator, id)?["output"]?["model"]?.stringValue)
        #expect(fresh != first)
        #expect(http(emulator, "GET", pathOf(fresh, emulator)).status == 200)

        // A tampered expiry or signature is refused; an unknown file is not found.
        let tampered = pathOf(fresh, emulator).replacingExpires(with: "99999999999")
        #expect(http(emulator, "GET", tampered).status == 403)
        #expect(http(emulator, "GET", "/_files/\(id)/model.glb").status == 403)
        #expect(http(emulator, "GET", "/_files/\(id)/other.glb?Expires=1&sig=00").status == 404)
        #expect(http(emulator, "GET", "/_files/no-such-task/model.glb").status == 404)
    }

    @Test func withoutRefreshTheFirstURLsAreRepeated() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.urlTTLSeconds = 30
        scenario.refreshURLs = false
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }
        let id = try #require(submit(emulator, "a crate"))
        let first = taskData(emulator, id)?["output"]?["model"]?.stringValue
        emulator.advanceClock(seconds: 31)
        let again = taskData(emulator, id)?["output"]?["model"]?.stringValue
        #expect(first != nil && first == again)
        #expect(http(emulator, "GET", pathOf(again ?? "", emulator)).status == 403)
    }

    @Test func rangeRequestGets206() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 0, run: 0))
        defer { emulator.stop() }
        let id = try #require(submit(emulator, "a torus"))
        let url = pathOf(try #require(taskData(emulator, id)?["output"]?["model"]?.stringValue), emulator)
        let whole = http(emulator, "GET", url)
        let part = http(emulator, "GET", url, headers: [("Range", "bytes=100-")])
        #expect(part.status == 206)
        #expect(part.header("Content-Range") == "bytes 100-\(whole.body.count - 1)/\(whole.body.count)")
        #expect(part.body == Array(whole.body[100...]))
        #expect(http(emulator, "GET", url, headers: [("Range", "bytes=\(whole.body.count)-")]).status == 416)
        #expect(http(emulator, "HEAD", url).header("Content-Length") == String(whole.body.count))
    }
}

@Suite struct FaultTests {
    @Test func resetTruncateAndIgnoreRange() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.faults = [
            EmulatorFault(kind: "reset", provider: "tripo", route: "status"),
            EmulatorFault(kind: "truncate", params: ["fraction": 0.25]),
            EmulatorFault(kind: "ignore_range"),
            EmulatorFault(kind: "wrong_content_type"),
        ]
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }
        let id = try #require(submit(emulator, "a sphere"))

        let reset = http(emulator, "GET", "/v2/openapi/task/\(id)", key: "tsk_faults")
        #expect(reset.status == 0)
        #expect(reset.wasReset)

        let url = pathOf(try #require(taskData(emulator, id)?["output"]?["model"]?.stringValue), emulator)
        let truncated = http(emulator, "GET", url)
        #expect(truncated.status == 200)
        #expect(truncated.truncated)
        let promised = Int(truncated.header("Content-Length") ?? "") ?? 0
        #expect(truncated.body.count == promised / 4)

        let ignored = http(emulator, "GET", url, headers: [("Range", "bytes=10-")])
        #expect(ignored.status == 200)
        #expect(ignored.body.count == promised)
        #expect(http(emulator, "GET", url).header("Content-Type") == "text/html")
        #expect(http(emulator, "GET", url).header("Content-Type") == "model/gltf-binary", "each fault fires once by default")

        let fired = emulator.counters().faultsFired
        #expect(fired == ["reset": 1, "truncate": 1, "ignore_range": 1, "wrong_content_type": 1])
    }

    @Test func commitNoReplyCreatesTheTaskAndDuplicateSubmitsAreReported() throws {
        var scenario = frozenScenario()
        scenario.faults = [EmulatorFault(kind: "commit_no_reply", provider: "tripo", params: ["hang_seconds": 0.2])]
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }

        let start = monotonicNow()
        let hung = http(emulator, "POST", "/v2/openapi/task", key: "tsk_faults", json: ["type": "text_to_model", "prompt": "a lantern"])
        #expect(hung.status == 0)
        #expect(monotonicNow() - start >= 0.15)
        #expect(emulator.counters().tasksCreated == 1)

        // The naive client resubmits: the emulator counts a duplicate.
        #expect(submit(emulator, "a lantern") != nil)
        #expect(submit(emulator, "a different lantern") != nil)
        let counters = emulator.counters()
        #expect(counters.tasksCreated == 3)
        #expect(counters.tasksCreatedByKey == ["tsk_faults": 3])
        #expect(counters.tasksCreatedByPrompt["a lantern"] == 2)
        #expect(counters.duplicateSubmits == ["a lantern"])
        #expect(counters.requestsByRoute["tripo.submit"] == 3)
        #expect(counters.faultsFired == ["commit_no_reply": 1])
        #expect(emulator.requestLog().first?.status == 0)
    }

    @Test func malformedJSONRateLimitedHTMLErrorMissingDataAndOddStatus() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.faults = [
            EmulatorFault(kind: "malformed_json", provider: "tripo", route: "status"),
            EmulatorFault(kind: "rate_limited", provider: "tripo", route: "status", params: ["retry_after": 7]),
            EmulatorFault(kind: "http_error", route: "status", params: ["status": 502], html: true),
            EmulatorFault(kind: "missing_data", route: "status"),
            EmulatorFault(kind: "odd_status", route: "status"),
            EmulatorFault(kind: "http_error", provider: "meshy", route: "balance", params: ["status": 503]),
        ]
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }
        let id = try #require(submit(emulator, "a kettle"))
        let path = "/v2/openapi/task/\(id)"

        let malformed = http(emulator, "GET", path, key: "tsk_faults")
        #expect(malformed.status == 200)
        #expect(malformed.json == nil)
        #expect(!malformed.body.isEmpty)

        let limited = http(emulator, "GET", path, key: "tsk_faults")
        #expect(limited.status == 429)
        #expect(limited.json?["code"]?.intValue == 1007)
        #expect(limited.header("Retry-After") == "7")

        let html = http(emulator, "GET", path, key: "tsk_faults")
        #expect(html.status == 502)
        #expect(html.header("Content-Type") == "text/html")
        #expect(html.header("X-Tripo-Trace-ID") != nil)

        let missing = http(emulator, "GET", path, key: "tsk_faults")
        #expect(missing.status == 200)
        #expect(missing.json == ["code": 0])

        let odd = http(emulator, "GET", path, key: "tsk_faults").json?["data"]
        #expect(odd?["status"]?.stringValue == "weird_state")
        #expect(odd?["progress"]?.stringValue == "42")

        #expect(taskData(emulator, id)?["status"]?.stringValue == "success")

        let meshy = http(emulator, "GET", "/openapi/v1/balance", key: "msy_faults")
        #expect(meshy.status == 503)
        #expect(meshy.json?["message"] != nil)
    }

    @Test func skipTimesTaskOutcomeAndInsufficientCredits() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.faults = [
            EmulatorFault(kind: "task_outcome", provider: "tripo", skip: 1, times: 1, outcome: "failed"),
            EmulatorFault(kind: "insufficient_credits", provider: "meshy"),
            EmulatorFault(kind: "concurrency_full", provider: "3daistudio", params: ["retry_after": 3]),
        ]
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }
        let statuses = try (0..<3).map { i -> String in
            let id = try #require(submit(emulator, "vase \(i)"))
            return taskData(emulator, id)?["status"]?.stringValue ?? ""
        }
        #expect(statuses == ["success", "failed", "success"])

        let meshy = http(emulator, "POST", "/openapi/v1/image-to-3d", key: "msy_faults", json: ["image_url": "https://example.com/a.png"])
        #expect(meshy.status == 402)
        let studio = http(emulator, "POST", "/v1/3d-models/tripo/text-to-3d/", key: "ais_faults", json: ["prompt": "a box"])
        #expect(studio.status == 429)
        #expect(studio.header("Retry-After") == "3")
        #expect(emulator.counters().tasksCreated == 3)
    }

    @Test func probabilisticFaultsAreReproducibleFromTheSeed() throws {
        func pattern() throws -> [Int] {
            var scenario = frozenScenario()
            scenario.seed = 7
            scenario.faults = [EmulatorFault(kind: "http_error", route: "balance", probability: 0.5, params: ["status": 500])]
            let emulator = try Emulator(scenario: scenario)
            defer { emulator.stop() }
            return (0..<12).map { _ in http(emulator, "GET", "/v2/openapi/user/balance", key: "tsk_seed").status }
        }
        let a = try pattern(), b = try pattern()
        #expect(a == b)
        #expect(a.contains(500) && a.contains(200))
    }
}

extension String {
    /// The URL with its Expires value replaced (the signature left as it was).
    func replacingExpires(with value: String) -> String {
        guard let query = firstIndex(of: "?") else { return self }
        let parts = self[index(after: query)...].split(separator: "&").map { part in
            part.hasPrefix("Expires=") ? "Expires=\(value)" : String(part)
        }
        return String(self[..<query]) + "?" + parts.joined(separator: "&")
    }
}
