import Testing
import PolyforgeEmulator
import PolyforgeMesh

@Suite struct MeshyEmulatorTests {
    static let key = "msy_test_key"

    @Test func createListAndStreamUntilTerminal() throws {
        var scenario = EmulatorScenario()
        scenario.queueSeconds = 0.15
        scenario.runSeconds = 0.45
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }

        let created = http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key,
                           json: ["mode": "preview", "prompt": "a wooden crate", "target_formats": ["glb", "fbx"]])
        #expect(created.status == 202)
        let id = try #require(created.json?["result"]?.stringValue)

        let list = http(emulator, "GET", "/openapi/v2/text-to-3d?page_num=1&page_size=10&sort_by=-created_at", key: Self.key)
        #expect(list.status == 200)
        #expect(list.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
        // Ids are per family.
        #expect(http(emulator, "GET", "/openapi/v1/image-to-3d/\(id)", key: Self.key).status == 404)

        let stream = http(emulator, "GET", "/openapi/v2/text-to-3d/\(id)/stream", key: Self.key,
                          headers: [("Accept", "text/event-stream")], timeout: 5)
        #expect(stream.status == 200)
        #expect(stream.header("Content-Type") == "text/event-stream")
        #expect(stream.header("Content-Length") == nil)
        let events = stream.text.split(separator: "\n\n").compactMap { block -> JSONValue? in
            guard block.hasPrefix("data: ") else { return nil }
            return try? JSONParser.parse(String(block.dropFirst(6)))
        }
        #expect(events.count >= 2)
        let progress = events.compactMap { $0["progress"]?.intValue }
        #expect(progress == progress.sorted(), "progress never goes back")
        let last = try #require(events.last)
        #expect(last["status"]?.stringValue == "SUCCEEDED")
        #expect(last["progress"]?.intValue == 100)
        #expect(last["type"]?.stringValue == "text-to-3d-preview")
        #expect(last["prompt"]?.stringValue == "a wooden crate")
        #expect(last["model_urls"]?["glb"]?.stringValue != nil)
        #expect(last["model_urls"]?["fbx"]?.stringValue != nil)
        #expect(last["model_urls"]?["usdz"] == nil, "formats not asked for are absent")
        #expect(last["texture_urls"]?[0]?["base_color"]?.stringValue != nil)
        #expect((last["finished_at"]?.doubleValue ?? 0) >= (last["started_at"]?.doubleValue ?? 1))
        #expect((last["started_at"]?.doubleValue ?? 0) >= (last["created_at"]?.doubleValue ?? 1))
        #expect(last["task_error"]?["message"]?.stringValue == "")
        #expect(events.first?["status"]?.stringValue != "SUCCEEDED" || events.count == 1)

        let glb = http(emulator, "GET", pathOf(last["model_urls"]?["glb"]?.stringValue ?? "", emulator))
        #expect(Array(glb.body.prefix(4)) == Array("glTF".utf8))

        // A refine needs a SUCCEEDED preview, and then is accepted.
        let refine = http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key, json: ["mode": "refine", "preview_task_id": .string(id)])
        #expect(refine.status == 202)
        #expect(http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key,
                     json: ["mode": "refine", "preview_task_id": "missing"]).status == 400)
    }

    @Test func validationAuthQueueLimitAndCancel() throws {
        var scenario = frozenScenario()
        scenario.meshyQueueLimit = 2
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }

        let unauthorized = http(emulator, "GET", "/openapi/v1/balance", key: "tsk_not_meshy")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.json?["message"]?.stringValue == "Invalid API key")
        #expect(http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key,
                     json: ["mode": "preview", "prompt": "x", "ai_model": "meshy-4"]).status == 400)
        #expect(http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key,
                     json: ["mode": "preview", "prompt": .string(String(repeating: "a", count: 601))]).status == 400)
        #expect(http(emulator, "POST", "/openapi/v1/image-to-3d", key: Self.key, json: ["prompt": "no image"]).status == 400)
        let policy = http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key, json: ["mode": "preview", "prompt": "bad #policy"])
        #expect(policy.status == 400)
        #expect(policy.json?["message"]?.stringValue?.contains("content policy") == true)

        let first = try #require(http(emulator, "POST", "/openapi/v1/image-to-3d", key: Self.key,
                                      json: ["image_url": "https://example.com/a.png"]).json?["result"]?.stringValue)
        #expect(http(emulator, "POST", "/openapi/v1/multi-image-to-3d", key: Self.key,
                     json: ["image_urls": ["https://example.com/a.png"]]).status == 202)
        let full = http(emulator, "POST", "/openapi/v1/remesh", key: Self.key, json: ["model_url": "https://example.com/a.glb"])
        #expect(full.status == 429)
        #expect(full.json?["message"]?.stringValue == "Too many pending tasks")
        #expect(full.header("Retry-After") == nil)

        let pending = http(emulator, "GET", "/openapi/v1/image-to-3d/\(first)", key: Self.key).json
        #expect(pending?["status"]?.stringValue == "PENDING")
        #expect(pending?["texture_urls"]?.objectValue != nil, "image-to-3d gives texture_urls as an object")
        #expect(pending?["finished_at"]?.intValue == 0)

        // DELETE cancels a pending task, then deletes the finished one.
        #expect(http(emulator, "DELETE", "/openapi/v1/image-to-3d/\(first)", key: Self.key).status == 200)
        #expect(http(emulator, "GET", "/openapi/v1/image-to-3d/\(first)", key: Self.key).json?["status"]?.stringValue == "CANCELED")
        #expect(http(emulator, "POST", "/openapi/v1/remesh", key: Self.key, json: ["model_url": "https://example.com/a.glb"]).status == 202)
        #expect(http(emulator, "DELETE", "/openapi/v1/image-to-3d/\(first)", key: Self.key).status == 200)
        #expect(http(emulator, "GET", "/openapi/v1/image-to-3d/\(first)", key: Self.key).status == 404)

        let balance = http(emulator, "GET", "/openapi/v1/balance", key: Self.key)
        #expect(balance.json?["balance"]?.intValue == 1_000_000 - 20 - 5, "the cancelled task was refunded")
    }

    @Test func testModeKeyReturnsTheCannedSampleWithoutCountingIt() throws {
        let emulator = try Emulator(scenario: frozenScenario())
        defer { emulator.stop() }
        let key = "msy_dummy_api_key_for_test_mode_12345678"
        let a = http(emulator, "POST", "/openapi/v2/text-to-3d", key: key, json: ["mode": "preview", "prompt": "a cat"]).json?["result"]?.stringValue
        let b = http(emulator, "POST", "/openapi/v2/text-to-3d", key: key, json: ["mode": "preview", "prompt": "a dog"]).json?["result"]?.stringValue
        #expect(a != nil && a == b)
        let task = http(emulator, "GET", "/openapi/v2/text-to-3d/\(a ?? "")", key: key).json
        #expect(task?["status"]?.stringValue == "SUCCEEDED")
        #expect(emulator.counters().tasksCreated == 0)
    }

    @Test func magicTagsMapToMeshyStatuses() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 0, run: 0))
        defer { emulator.stop() }
        func status(_ prompt: String) -> JSONValue? {
            let id = http(emulator, "POST", "/openapi/v2/text-to-3d", key: Self.key,
                          json: ["mode": "preview", "prompt": .string(prompt)]).json?["result"]?.stringValue ?? ""
            return http(emulator, "GET", "/openapi/v2/text-to-3d/\(id)", key: Self.key).json
        }
        let failed = status("a chair #fail")
        #expect(failed?["status"]?.stringValue == "FAILED")
        #expect(failed?["task_error"]?["message"]?.stringValue == "The server is busy. Please try again later.")
        #expect(status("a chair #expire")?["status"]?.stringValue == "EXPIRED")
        #expect(status("a chair #cancel")?["status"]?.stringValue == "CANCELED")
        let noModel = status("a chair #no-model")
        #expect(noModel?["status"]?.stringValue == "SUCCEEDED")
        #expect(noModel?["model_urls"]?["glb"] == nil)
    }
}
