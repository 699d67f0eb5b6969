import Testing
import PolyforgeEmulator
import PolyforgeMesh

@Suite struct AIStudioEmulatorTests {
    static let key = "ais_test_key"

    @Test func trailingSlashIsPartOfThePathAndTheDefaultRateLimitIsThreePerMinute() throws {
        let emulator = try Emulator(scenario: EmulatorScenario())
        defer { emulator.stop() }

        let noSlash = http(emulator, "POST", "/v1/3d-models/tripo/text-to-3d", key: Self.key, json: ["prompt": "a crate"])
        #expect(noSlash.status == 404)
        #expect(noSlash.json?["error"]?.stringValue == "not_found")

        let created = http(emulator, "POST", "/v1/3d-models/tripo/text-to-3d/", key: Self.key, json: ["prompt": "a crate"])
        #expect(created.status == 200)
        let id = try #require(created.json?["task_id"]?.stringValue)
        #expect(created.json?["created_at"]?.stringValue?.hasSuffix("Z") == true)

        #expect(http(emulator, "GET", "/v1/generation-request/\(id)/status", key: Self.key).status == 404)
        #expect(http(emulator, "GET", "/v1/generation-request/\(id)/status/", key: Self.key).status == 200)
        let wallet = http(emulator, "GET", "/user/wallet/", key: Self.key)
        #expect(wallet.json?["balance"]?.stringValue == "999970.00")

        let limited = http(emulator, "GET", "/account/user/wallet/", key: Self.key)
        #expect(limited.status == 429)
        #expect(limited.json?["error"]?.stringValue == "rate_limited")
        #expect(limited.header("Retry-After") == nil)
        // Another account has its own window; the limit is per account.
        #expect(http(emulator, "GET", "/account/user/wallet/", key: "ais_other").status == 200)
    }

    @Test func lifecycleResultsAndRefundOnFailure() throws {
        let emulator = try Emulator(scenario: frozenScenario(queue: 1, run: 4))
        defer { emulator.stop() }

        #expect(http(emulator, "POST", "/v1/3d-models/tencent/generate/pro/", key: Self.key, json: ["prompt": "a ball"]).json?["error"]?.stringValue
                == "validation_failed", "Hunyuan Pro needs a model version")
        #expect(http(emulator, "GET", "/user/wallet/", key: "bad_invalid_key").json?["error"]?.stringValue == "invalid_api_key")
        let policy = http(emulator, "POST", "/v1/3d-models/trellis2/generate/", key: Self.key,
                          json: ["image_url": "https://example.com/a.png", "note": "#policy"])
        #expect(policy.status == 400)
        #expect(policy.json?["error"]?.stringValue == "content_rejected")

        let ok = try #require(http(emulator, "POST", "/v1/3d-models/tencent/generate/pro/", key: Self.key,
                                   json: ["model": "3.1", "prompt": "a ball"]).json?["task_id"]?.stringValue)
        let bad = try #require(http(emulator, "POST", "/v1/3d-models/tencent/generate/rapid/", key: Self.key,
                                    json: ["prompt": "a ball #fail"]).json?["task_id"]?.stringValue)
        #expect(http(emulator, "GET", "/user/wallet/", key: Self.key).json?["balance"]?.stringValue == "\(1_000_000 - 60 - 35).00")

        let pending = http(emulator, "GET", "/v1/generation-request/\(ok)/status/", key: Self.key).json
        #expect(pending?["status"]?.stringValue == "PENDING")
        #expect(pending?["results"]?.arrayValue?.isEmpty == true)
        emulator.advanceClock(seconds: 2)
        #expect(http(emulator, "GET", "/v1/generation-request/\(ok)/status/", key: Self.key).json?["status"]?.stringValue == "IN_PROGRESS")
        emulator.advanceClock(seconds: 4)
        let finished = http(emulator, "GET", "/v1/generation-request/\(ok)/status/", key: Self.key).json
        #expect(finished?["status"]?.stringValue == "FINISHED")
        #expect(finished?["failure_reason"] == .null)
        let result = try #require(finished?["results"]?[0])
        #expect(result["asset_type"]?.stringValue == "3D_MODEL")
        let asset = http(emulator, "GET", pathOf(result["asset_url"]?.stringValue ?? "", emulator))
        #expect(Array(asset.body.prefix(4)) == Array("glTF".utf8))
        #expect(result["thumbnail"]?.stringValue?.contains("preview.png") == true)

        let failed = http(emulator, "GET", "/v1/generation-request/\(bad)/status/", key: Self.key).json
        #expect(failed?["status"]?.stringValue == "FAILED")
        #expect(failed?["failure_reason"]?.stringValue != nil)
        #expect(http(emulator, "GET", "/user/wallet/", key: Self.key).json?["balance"]?.stringValue == "\(1_000_000 - 60).00",
                "the failed task was refunded")
    }
}
