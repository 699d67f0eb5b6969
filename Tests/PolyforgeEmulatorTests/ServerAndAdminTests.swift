import Testing
import PolyforgeEmulator
import PolyforgeMesh

@Suite struct HTTPServerTests {
    @Test func keepAliveChunkedBodiesAndExpectContinue() throws {
        let emulator = try Emulator(scenario: frozenScenario())
        defer { emulator.stop() }
        let connection = RawConnection(port: emulator.port)

        connection.sendRequest("GET", "/_emu/health", keepAlive: true)
        let first = connection.readResponse()
        #expect(first.status == 200)
        #expect(first.header("Connection") == "keep-alive")

        // Chunked request body, on the same connection.
        let body = Array("{\"type\":\"text_to_model\",\"prompt\":\"a chunked box\"}".utf8)
        var chunked = "POST /v2/openapi/task HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tsk_http\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunked += String(10, radix: 16) + "\r\n" + String(decoding: body[0..<10], as: UTF8.self) + "\r\n"
        chunked += String(body.count - 10, radix: 16) + ";ext=1\r\n" + String(decoding: body[10...], as: UTF8.self) + "\r\n0\r\n\r\n"
        connection.send(chunked)
        let second = connection.readResponse()
        #expect(second.status == 200)
        #expect(second.json?["data"]?["task_id"]?.stringValue != nil)

        // Expect: 100-continue gets an interim 100 before the body is even sent.
        connection.send("POST /v2/openapi/task HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tsk_http\r\nExpect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n")
        #expect(connection.readStatusLine() == 100)
        connection.send(body)
        let third = connection.readResponse()
        #expect(third.status == 200)
        #expect(emulator.counters().tasksCreated == 2)
    }

    @Test func malformedRequestsGet400AndTheServerKeepsServing() throws {
        let emulator = try Emulator(scenario: frozenScenario())
        defer { emulator.stop() }
        for garbage in ["GARBAGE\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET nopath HTTP/1.1\r\n\r\n",
                        "POST /v2/openapi/task HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                        "GET / HTTP/1.1\r\nbad header line\r\n\r\n",
                        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            let connection = RawConnection(port: emulator.port)
            connection.send(garbage)
            let reply = connection.readResponse()
            #expect((400...505).contains(reply.status), "\(garbage.debugDescription) → \(reply.status)")
            #expect(connection.isClosedByPeer())
        }
        let connection = RawConnection(port: emulator.port)
        connection.send([0x00, 0xFF, 0xFE, 0x0D, 0x0A, 0x0D, 0x0A])
        #expect(connection.readResponse().status == 400)
        // A client that vanishes mid-request does no harm either.
        RawConnection(port: emulator.port).send("POST /v2/openapi/task HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        #expect(http(emulator, "GET", "/_emu/health").status == 200)
    }

    @Test func stopWakesHangingConnections() throws {
        var scenario = frozenScenario()
        scenario.faults = [EmulatorFault(kind: "commit_no_reply", params: ["hang_seconds": 30])]
        let emulator = try Emulator(scenario: scenario)
        let connection = RawConnection(port: emulator.port, timeout: 10)
        connection.sendRequest("POST", "/v2/openapi/task", headers: [("Authorization", "Bearer tsk_x")],
                               body: JSONWriter.bytes(["type": "text_to_model", "prompt": "hang"]))
        // Wait until the request has been handled, then stop: it must not wait out the 30-second hang.
        for _ in 0..<200 where emulator.counters().tasksCreated == 0 { usleepSeconds(0.005) }
        let start = monotonicNow()
        emulator.stop()
        #expect(monotonicNow() - start < 2)
        #expect(connection.readResponse().status == 0)
    }
}

@Suite struct AdminTests {
    @Test func countersLogClockResetAndScenarioOverHTTP() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 5, run: 5))
        defer { emulator.stop() }
        let id = try #require(http(emulator, "POST", "/v2/openapi/task", key: "tsk_admin",
                                   json: ["type": "text_to_model", "prompt": "a cube"]).json?["data"]?["task_id"]?.stringValue)

        let counters = try #require(http(emulator, "GET", "/_emu/counters").json)
        #expect(counters.keys == ["tasks_created", "tasks_created_by_key", "tasks_created_by_prompt", "duplicate_submits",
                                  "requests", "requests_by_route", "downloads", "faults_fired"])
        #expect(counters["tasks_created"]?.intValue == 1)
        #expect(counters["tasks_created_by_key"]?["tsk_admin"]?.intValue == 1)
        #expect(counters["tasks_created_by_prompt"]?["a cube"]?.intValue == 1)
        #expect(counters["requests_by_route"]?["tripo.submit"]?.intValue == 1)
        #expect(counters["requests_by_route"]?["admin"]?.intValue == 1)

        let clock = http(emulator, "POST", "/_emu/clock", json: ["advance": 11])
        #expect(clock.status == 200)
        #expect(http(emulator, "GET", "/v2/openapi/task/\(id)", key: "tsk_admin").json?["data"]?["status"]?.stringValue == "success")
        #expect(http(emulator, "POST", "/_emu/clock", json: ["advance": "soon"]).status == 400)

        let log = try #require(http(emulator, "GET", "/_emu/log").json?.arrayValue)
        let submitEntry = try #require(log.first)
        #expect(submitEntry["method"]?.stringValue == "POST")
        #expect(submitEntry["path"]?.stringValue == "/v2/openapi/task")
        #expect(submitEntry["route"]?.stringValue == "tripo.submit")
        #expect(submitEntry["status"]?.intValue == 200)
        #expect(submitEntry["trace_id"]?.stringValue?.count == 36)
        #expect(submitEntry["t"]?.doubleValue != nil)

        let rejected = http(emulator, "POST", "/_emu/scenario", body: Array("{\"time_scael\": 2}".utf8))
        #expect(rejected.status == 400)
        #expect(rejected.json?["error"]?.stringValue?.contains("time_scael") == true)
        #expect(http(emulator, "POST", "/_emu/scenario",
                     body: Array("{\"time_scale\": 0, \"faults\": [{\"kind\": \"http_error\", \"route\": \"balance\"}]}".utf8)).status == 200)
        #expect(http(emulator, "GET", "/v2/openapi/user/balance", key: "tsk_admin").status == 500)

        #expect(http(emulator, "POST", "/_emu/reset").status == 200)
        #expect(emulator.counters().tasksCreated == 0)
        #expect(http(emulator, "GET", "/v2/openapi/task/\(id)", key: "tsk_admin").status == 404)
        #expect(emulator.counters() == {
            var expected = EmulatorCounters()
            expected.requests = 1
            expected.requestsByRoute = ["tripo.status": 1]
            return expected
        }())
    }
}

@Suite struct ScenarioTests {
    @Test func decodesEveryFieldAndKeepsDefaults() throws {
        let json = """
        {"description": "all fields", "seed": 9, "time_scale": 60, "queue_seconds": 1, "run_seconds": 3, "url_ttl_seconds": 120,
         "refresh_urls": false, "retry_after": 4, "meshy_queue_limit": 3, "aistudio_requests_per_minute": 0,
         "accounts": [{"keys": ["tsk_a", "tsk_b"], "credits": 50}],
         "faults": [{"kind": "http_error", "provider": "tripo", "route": "status", "skip": 2, "times": 3, "status": 503, "html": true},
                    {"kind": "task_outcome", "outcome": "banned", "probability": 0.25},
                    {"kind": "slow_download", "bytes_per_second": 1000}]}
        """
        let s = try EmulatorScenario.decode(json: Array(json.utf8))
        #expect(s.seed == 9 && s.timeScale == 60 && s.queueSeconds == 1 && s.runSeconds == 3 && s.urlTTLSeconds == 120)
        #expect(!s.refreshURLs && s.retryAfter == 4 && s.meshyQueueLimit == 3 && s.aistudioRequestsPerMinute == 0)
        #expect(s.accounts == [EmulatorAccount(keys: ["tsk_a", "tsk_b"], credits: 50)])
        #expect(s.faults[0] == EmulatorFault(kind: "http_error", provider: "tripo", route: "status", skip: 2, times: 3,
                                             params: ["status": 503], html: true))
        #expect(s.faults[1].probability == 0.25 && s.faults[1].outcome == "banned")
        #expect(s.faults[2].params == ["bytes_per_second": 1000])

        let defaults = try EmulatorScenario.decode(json: Array("{}".utf8))
        #expect(defaults.timeScale == 1 && defaults.queueSeconds == 2 && defaults.runSeconds == 8 && defaults.urlTTLSeconds == 300)
        #expect(defaults.refreshURLs && defaults.retryAfter == 1 && defaults.meshyQueueLimit == 10 && defaults.aistudioRequestsPerMinute == 3)

        // What encodeJSON writes, decode reads back.
        let again = try EmulatorScenario.decode(json: s.encodeJSON())
        #expect(again.faults == s.faults && again.accounts == s.accounts && again.retryAfter == 4)
    }

    @Test func rejectsUnknownKeysAndBadValuesWithTheirPath() {
        func message(_ json: String) -> String {
            do {
                _ = try EmulatorScenario.decode(json: Array(json.utf8))
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("{\"time_scael\": 1}").contains("time_scael"))
        #expect(message("{\"faults\": [{\"kind\": \"explode\"}]}").contains("faults[0].kind"))
        #expect(message("{\"faults\": [{\"kind\": \"reset\", \"rout\": \"status\"}]}").contains("faults[0].rout"))
        #expect(message("{\"faults\": [{\"kind\": \"task_outcome\"}]}").contains("outcome"))
        #expect(message("{\"queue_seconds\": -1}").contains("queue_seconds"))
        #expect(message("{\"accounts\": [{\"credits\": 5}]}").contains("accounts[0]"))
        #expect(message("[1]").contains("object"))
        #expect(message("{").contains("not valid JSON"))
    }

    @Test func bundledExampleScenariosLoad() throws {
        for name in ["flaky", "rate-limited", "zero-latency"] {
            let path = "\(packageRoot())/docs/scenarios/\(name).json"
            _ = try EmulatorScenario.load(path: path)
        }
    }
}

/// The package directory, from this file's path (Tests/PolyforgeEmulatorTests/<file>).
private func packageRoot(_ file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
