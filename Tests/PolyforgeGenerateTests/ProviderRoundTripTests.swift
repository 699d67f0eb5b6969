import Foundation
import Testing
import PolyforgeEmulator
import PolyforgeFormats
import PolyforgeGenerate
import PolyforgeImage
import PolyforgeMesh

/// Each provider end to end over real HTTP: submit, follow, download, check, metadata.
@Suite struct ProviderRoundTripTests {
    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func textPromptEndsWithAValidModelAndMetadata(provider: String) async throws {
        let h = try GenerateHarness()
        let results = try await h.run(provider, [job("crate", "a wooden crate")])
        #expect(results.count == 1)
        let r = try #require(results.first)
        #expect(r.outcome == .succeeded, "\(String(describing: r.error))")
        let model = h.out + "/crate.glb"
        #expect(try parsedTriangles(model) > 0)
        #expect(FileManager.default.fileExists(atPath: h.out + "/crate.preview.png"))
        let meta = try h.metadata("crate")
        #expect(meta["provider"]?.stringValue == provider)
        #expect(meta["state"]?.stringValue == "succeeded")
        let step = try #require(meta["steps"]?[0])
        #expect(step["task_id"]?.stringValue == r.taskIDs.first)
        #expect((step["snapshots"]?.arrayValue?.count ?? 0) >= 1)
        #expect(step["http_request"]?["body"]?.objectValue != nil)
        // The checksum in the metadata is the file's.
        let artifact = try #require(meta["artifacts"]?.arrayValue?.first { $0["role"]?.stringValue != "preview" })
        #expect(artifact["sha256"]?.stringValue == SHA256.hex(Array(try Data(contentsOf: URL(fileURLWithPath: model)))))
        #expect(artifact["bytes"]?.intValue == (try FileManager.default.attributesOfItem(atPath: model)[.size] as? Int))
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test func tripoRepliesCarryTraceIDsIntoTheMetadata() async throws {
        let h = try GenerateHarness()
        _ = try await h.run("tripo", [job("orb", "a glass orb")])
        let traces = try h.metadata("orb")["trace_ids"]?.arrayValue ?? []
        #expect(!traces.isEmpty)
        #expect(traces.allSatisfy { ($0.stringValue ?? "").count == 36 })
    }

    @Test func tripoPBRRequestDownloadsThePBRModel() async throws {
        let h = try GenerateHarness()
        let r = try await h.run("tripo", [job("ball", "a rubber ball", pbr: true)])
        #expect(r.first?.outcome == .succeeded)
        let meta = try h.metadata("ball")
        #expect(meta["artifacts"]?.arrayValue?.contains { $0["role"]?.stringValue == "pbr_model" } == true)
        #expect(meta["steps"]?[0]?["http_request"]?["body"]?["pbr"]?.boolValue == true)
    }

    @Test func tripoImageToModelUploadsTheImageFirst() async throws {
        let h = try GenerateHarness()
        let png = try PNGCodec.encode(rgba: [UInt8](repeating: 200, count: 16 * 16 * 4), width: 16, height: 16)
        let imagePath = h.out + "/input.png"
        FileManager.default.createFile(atPath: imagePath, contents: Data(png))
        let r = try await h.run("tripo", [job("from-image", "", type: "image_to_model", image: imagePath)])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        let body = try h.metadata("from-image")["steps"]?[0]?["http_request"]?["body"]
        #expect(body?["file"]?["file_token"]?.stringValue?.isEmpty == false)
        #expect(body?["file"]?["type"]?.stringValue == "png")
        #expect(h.emulator.counters().requestsByRoute["tripo.upload"] == 1)
    }

    @Test func meshyTexturedTextToModelRunsPreviewThenRefineOverTheStream() async throws {
        let h = try GenerateHarness()
        let r = try await h.run("meshy", [job("statue", "a stone statue", texture: true)])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(r.first?.taskIDs.count == 2)
        let steps = try h.metadata("statue")["steps"]?.arrayValue ?? []
        #expect(steps.count == 2)
        #expect(steps[1]["http_request"]?["body"]?["mode"]?.stringValue == "refine")
        #expect(steps[1]["http_request"]?["body"]?["preview_task_id"]?.stringValue == r.first?.taskIDs.first)
        #expect((h.emulator.counters().requestsByRoute["meshy.stream"] ?? 0) >= 2)
        #expect(try parsedTriangles(h.out + "/statue.glb") > 0)
    }

    @Test func aiStudioRoutesPickTheirEndpoints() async throws {
        let h = try GenerateHarness()
        let r = try await h.run("3daistudio", [job("rapid", "a teapot", route: "hunyuan-rapid"), job("tripo31", "a donut", route: "tripo-3.1")])
        #expect(r.allSatisfy { $0.outcome == .succeeded }, "\(r.map { String(describing: $0.error) })")
        #expect(try h.metadata("rapid")["steps"]?[0]?["http_request"]?["path"]?.stringValue == "/v1/3d-models/tencent/generate/rapid/")
        #expect(try h.metadata("tripo31")["steps"]?[0]?["http_request"]?["path"]?.stringValue == "/v1/3d-models/tripo/text-to-3d/3.1/")
    }

    @Test func aiStudioTasksShareOnePollerThatReadsOneStatusAtATime() async throws {
        // Every status reply takes 100 ms: five tasks polled on their own would overlap; one poller reads them in turn.
        let h = try GenerateHarness(GenerateHarness.fastScenario(faults: [
            EmulatorFault(kind: "slow_first_byte", provider: "3daistudio", route: "status", times: 10_000, params: ["delay_ms": 100])]))
        let jobs = (1...5).map { job("pot-\($0)", "a clay pot \($0)") }
        let results = try await h.run("3daistudio", jobs)
        #expect(results.allSatisfy { $0.outcome == .succeeded })
        let statuses = h.emulator.requestLog().filter { $0.route == "3daistudio.status" }
        #expect(statuses.count >= 5)
        let gaps = zip(statuses.dropFirst(), statuses).map { $0.time - $1.time }
        #expect(gaps.allSatisfy { $0 >= 0.095 }, "status reads overlapped: gaps \(gaps)")
        #expect(Set(statuses.map(\.path)).count == 5)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func balanceIsReadAsANumber(provider: String) async throws {
        let h = try GenerateHarness()
        let balance = try await h.provider(provider).balance()
        #expect(balance > 0)
    }

    @Test func aBatchRespectsTheConcurrencyGroupAndFinishesEveryJob() async throws {
        let h = try GenerateHarness()
        let jobs = (1...12).map { job("item-\($0)", "a box number \($0)") }
        let p = try h.provider("tripo")
        var options = RunnerOptions()
        options.pollInitial = 0.02; options.pollMax = 0.1
        let limited = try ProviderFactory.make("tripo", baseURL: h.emulator.baseURL, apiKey: GenerateHarness.key("tripo"),
                                               http: p.session.http, log: h.log, overrides: {
                                                   var o = ProviderFactory.Overrides(); o.requestsPerSecond = 500; o.concurrency = 3
                                                   o.backoff = Backoff(baseDelay: 0.02, maxDelay: 0.2); return o }())
        let runner = try GenerationRunner(provider: limited, outputDirectory: h.out, options: options)
        let results = try await runner.run(jobs)
        #expect(results.count == 12)
        #expect(results.allSatisfy { $0.outcome == .succeeded })
        #expect(h.emulator.counters().tasksCreated == 12)
        // With at most 3 in flight the emulator never had to refuse a task for concurrency.
        #expect(h.emulator.counters().faultsFired.isEmpty)
    }
}
