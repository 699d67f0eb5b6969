import Testing
import PolyforgeEmulator
import PolyforgeFormats
import PolyforgeMesh

@Suite struct TripoEmulatorTests {
    static let key = "tsk_test_key"

    @Test func submitProgressesWithTheVirtualClockAndServesAValidGLB() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 2, run: 8))
        defer { emulator.stop() }

        let submit = http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                          json: ["type": "text_to_model", "prompt": "a red sphere"])
        #expect(submit.status == 200)
        #expect(submit.json?["code"]?.intValue == 0)
        let id = try #require(submit.json?["data"]?["task_id"]?.stringValue)
        #expect(id.count == 36)

        func poll() throws -> JSONValue {
            let reply = http(emulator, "GET", "/v2/openapi/task/\(id)", key: Self.key)
            #expect(reply.status == 200)
            #expect(reply.header("X-Tripo-Trace-ID")?.count == 36)
            return try #require(reply.json?["data"])
        }

        let queued = try poll()
        #expect(queued["status"]?.stringValue == "queued")
        #expect(queued["progress"]?.intValue == 0)
        #expect((queued["queuing_num"]?.intValue ?? -1) >= 0)
        #expect(queued["running_left_time"]?.intValue == -1)
        #expect(queued["input"]?["prompt"]?.stringValue == "a red sphere")
        #expect(queued["output"]?.objectValue?.isEmpty == true)

        let held = http(emulator, "GET", "/v2/openapi/user/balance", key: Self.key).json?["data"]
        #expect(held?["frozen"]?.intValue == 20)
        #expect(held?["balance"]?.intValue == 1_000_000 - 20)

        emulator.advanceClock(seconds: 3)
        let running = try poll()
        #expect(running["status"]?.stringValue == "running")
        let progress = try #require(running["progress"]?.intValue)
        #expect((1...94).contains(progress))
        #expect(running["queuing_num"]?.intValue == -1)
        #expect(running["running_left_time"]?.intValue == 7)

        emulator.advanceClock(seconds: 5.5)
        let late = try poll()
        #expect(late["status"]?.stringValue == "running")
        #expect((95...99).contains(late["progress"]?.intValue ?? 0))
        #expect((late["progress"]?.intValue ?? 0) > progress)

        emulator.advanceClock(seconds: 2)
        let done = try poll()
        #expect(done["status"]?.stringValue == "success")
        #expect(done["progress"]?.intValue == 100)
        #expect(done["consumed_credit"]?.intValue == 20)
        let modelURL = try #require(done["output"]?["model"]?.stringValue)
        let imageURL = try #require(done["output"]?["rendered_image"]?.stringValue)
        #expect(modelURL.hasPrefix(emulator.baseURL + "/_files/\(id)/model.glb?Expires="))

        let glb = http(emulator, "GET", pathOf(modelURL, emulator))
        #expect(glb.status == 200)
        #expect(glb.header("Content-Type") == "model/gltf-binary")
        #expect(Array(glb.body.prefix(4)) == Array("glTF".utf8))
        let loaded = try glb.body.withUnsafeBytes { try GLTFReader.parse($0, fileName: "model.glb", resources: .none) }
        #expect(loaded.scene.meshes.count == 1)
        #expect(loaded.scene.images.count == 1, "every generated model is textured")
        #expect(loaded.scene.materials.first?.baseColorTexture != nil)

        let png = http(emulator, "GET", pathOf(imageURL, emulator))
        #expect(png.status == 200)
        #expect(png.header("Content-Type") == "image/png")
        #expect(Array(png.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])

        let charged = http(emulator, "GET", "/v2/openapi/user/balance", key: Self.key).json?["data"]
        #expect(charged?["frozen"]?.intValue == 0)
        #expect(charged?["balance"]?.intValue == 1_000_000 - 20)
        #expect(emulator.counters().downloads == 2)
    }

    @Test func everyReplyCarriesATraceIDAndErrorsUseTripoCodes() throws {
        var scenario = frozenScenario(queue: 0, run: 0)
        scenario.accounts = [EmulatorAccount(keys: ["tsk_poor"], credits: 10)]
        let emulator = try Emulator(scenario: scenario)
        defer { emulator.stop() }

        func expectError(_ reply: RawResponse, status: Int, code: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.status == status, sourceLocation: sourceLocation)
            #expect(reply.json?["code"]?.intValue == code, sourceLocation: sourceLocation)
            #expect(reply.json?["message"]?.stringValue != nil, sourceLocation: sourceLocation)
            #expect(reply.json?["suggestion"]?.stringValue != nil, sourceLocation: sourceLocation)
            #expect(reply.header("X-Tripo-Trace-ID") != nil, sourceLocation: sourceLocation)
        }
        expectError(http(emulator, "GET", "/v2/openapi/user/balance"), status: 401, code: 1002)
        expectError(http(emulator, "GET", "/v2/openapi/user/balance", key: "msy_wrong_provider"), status: 401, code: 1002)
        expectError(http(emulator, "GET", "/v2/openapi/user/balance", key: "tsk_invalid_key"), status: 401, code: 1002)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key, body: Array("{\"type\":".utf8)), status: 400, code: 1003)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key, json: ["type": "make_magic"]), status: 400, code: 2002)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key, json: ["type": "text_to_model"]), status: 400, code: 1004)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                         json: ["type": "text_to_model", "prompt": "x", "model_version": "P1-20260311", "face_limit": 30]),
                    status: 400, code: 1004)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                         json: ["type": "refine_model", "draft_model_task_id": "nope"]), status: 400, code: 2006)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                         json: ["type": "text_to_model", "prompt": "a statue #policy"]), status: 400, code: 2008)
        expectError(http(emulator, "GET", "/v2/openapi/task/unknown-id", key: Self.key), status: 404, code: 2001)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: "tsk_poor",
                         json: ["type": "text_to_model", "prompt": "a box"]), status: 403, code: 2010)
        let unknownRoute = http(emulator, "GET", "/v2/openapi/nowhere", key: Self.key)
        #expect(unknownRoute.status == 404)
        #expect(unknownRoute.header("X-Tripo-Trace-ID") != nil)

        // A task of another account is not found; a failed original cannot be chained (2007).
        let failed = http(emulator, "POST", "/v2/openapi/task", key: Self.key, json: ["type": "text_to_model", "prompt": "a vase #fail"])
        let failedID = try #require(failed.json?["data"]?["task_id"]?.stringValue)
        expectError(http(emulator, "GET", "/v2/openapi/task/\(failedID)", key: "tsk_someone_else"), status: 404, code: 2001)
        let failedTask = http(emulator, "GET", "/v2/openapi/task/\(failedID)", key: Self.key).json?["data"]
        #expect(failedTask?["status"]?.stringValue == "failed")
        #expect(failedTask?["error_code"]?.intValue == 1001)
        expectError(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                         json: ["type": "texture_model", "original_model_task_id": .string(failedID)]), status: 400, code: 2007)

        let log = emulator.requestLog().filter { $0.route.hasPrefix("tripo.") }
        #expect(!log.isEmpty)
        #expect(log.allSatisfy { $0.traceID != nil })
        #expect(Set(log.compactMap(\.traceID)).count == log.count, "a fresh trace id per reply")
    }

    @Test func concurrencyGroupLimitAnswers429WithRetryAfter() throws {
        let emulator = try Emulator(scenario: frozenScenario())
        defer { emulator.stop() }
        for i in 0..<5 {
            let reply = http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                             json: ["type": "text_to_model", "prompt": .string("p1 task \(i)"), "model_version": "P1-20260311"])
            #expect(reply.status == 200)
        }
        let over = http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                        json: ["type": "text_to_model", "prompt": "one too many", "model_version": "P1-20260311"])
        #expect(over.status == 429)
        #expect(over.json?["code"]?.intValue == 2000)
        #expect(over.json?["message"]?.stringValue == "You have exceeded the limit of generation")
        #expect(over.header("Retry-After") == "1")
        // Another group is not affected; the same group frees up when tasks finish.
        #expect(http(emulator, "POST", "/v2/openapi/task", key: Self.key, json: ["type": "text_to_model", "prompt": "v2.5 task"]).status == 200)
        emulator.advanceClock(seconds: 10)
        #expect(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                     json: ["type": "text_to_model", "prompt": "later", "model_version": "P1-20260311"]).status == 200)
    }

    @Test func outputKeysFollowPbrAndTextureAndMagicTags() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 0, run: 0))
        defer { emulator.stop() }
        func run(_ body: JSONValue) throws -> JSONValue {
            let id = try #require(http(emulator, "POST", "/v2/openapi/task", key: Self.key, json: body).json?["data"]?["task_id"]?.stringValue)
            return try #require(http(emulator, "GET", "/v2/openapi/task/\(id)", key: Self.key).json?["data"])
        }
        #expect(try run(["type": "text_to_model", "prompt": "an orb", "pbr": true])["output"]?["pbr_model"] != nil)
        #expect(try run(["type": "text_to_model", "prompt": "an orb", "texture": false])["output"]?["base_model"] != nil)
        let noModel = try run(["type": "text_to_model", "prompt": "a ring #no-model"])
        #expect(noModel["status"]?.stringValue == "success")
        #expect(noModel["output"]?["model"] == nil)
        #expect(noModel["output"]?["rendered_image"] != nil)
        #expect(try run(["type": "text_to_model", "prompt": "x #banned"])["status"]?.stringValue == "banned")
        #expect(try run(["type": "text_to_model", "prompt": "x #expire"])["status"]?.stringValue == "expired")
        #expect(try run(["type": "text_to_model", "prompt": "x #cancel"])["status"]?.stringValue == "cancelled")

        // Different prompt words pick different meshes.
        let sphere = try run(["type": "text_to_model", "prompt": "a planet"])["output"]?["model"]?.stringValue ?? ""
        let torus = try run(["type": "text_to_model", "prompt": "a donut"])["output"]?["model"]?.stringValue ?? ""
        let sphereBytes = http(emulator, "GET", pathOf(sphere, emulator)).body
        let torusBytes = http(emulator, "GET", pathOf(torus, emulator)).body
        #expect(!sphereBytes.isEmpty && !torusBytes.isEmpty && sphereBytes != torusBytes)
    }

    @Test func unknownStatusResolvesToSuccess() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 0, run: 10))
        defer { emulator.stop() }
        let id = try #require(http(emulator, "POST", "/v2/openapi/task", key: Self.key,
                                   json: ["type": "text_to_model", "prompt": "a lamp #unknown"]).json?["data"]?["task_id"]?.stringValue)
        emulator.advanceClock(seconds: 2)
        #expect(http(emulator, "GET", "/v2/openapi/task/\(id)", key: Self.key).json?["data"]?["status"]?.stringValue == "unknown")
        emulator.advanceClock(seconds: 4)
        #expect(http(emulator, "GET", "/v2/openapi/task/\(id)", key: Self.key).json?["data"]?["status"]?.stringValue == "running")
        emulator.advanceClock(seconds: 5)
        #expect(http(emulator, "GET", "/v2/openapi/task/\(id)", key: Self.key).json?["data"]?["status"]?.stringValue == "success")
    }

    @Test func uploadReturnsAnImageTokenAndRejectsMissingOrHugeFiles() throws {
        let emulator = try Emulator(scenario: frozenScenario())
        defer { emulator.stop() }
        func multipart(_ field: String, size: Int) -> (headers: [(String, String)], body: [UInt8]) {
            let boundary = "XyZBoundary42"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body += [UInt8](repeating: 0x2D, count: size)
            body += Array("\r\n--\(boundary)--\r\n".utf8)
            return ([("Content-Type", "multipart/form-data; boundary=\(boundary)")], body)
        }
        let small = multipart("file", size: 1000)
        let ok = http(emulator, "POST", "/v2/openapi/upload", key: Self.key, body: small.body, headers: small.headers)
        #expect(ok.status == 200)
        #expect(ok.json?["data"]?["image_token"]?.stringValue?.count == 36)

        let wrongField = multipart("picture", size: 10)
        let missing = http(emulator, "POST", "/v2/openapi/upload", key: Self.key, body: wrongField.body, headers: wrongField.headers)
        #expect(missing.status == 400)
        #expect(missing.json?["code"]?.intValue == 1004)

        let huge = multipart("file", size: 20 * 1024 * 1024 + 1)
        let tooBig = http(emulator, "POST", "/v2/openapi/upload", key: Self.key, body: huge.body, headers: huge.headers, timeout: 20)
        #expect(tooBig.status == 400)
        #expect(tooBig.json?["code"]?.intValue == 2022)
    }
}
