import Foundation
import Testing
import PolyforgeEmulator
import PolyforgeFormats
@testable import PolyforgeGenerate
import PolyforgeMesh

@Suite struct JournalResumeTests {
    @Test func interruptedByAnUnreachableProviderResumesWithoutResubmitting() async throws {
        // The status route fails long enough to exhaust retries and trip the breaker: the job pauses, not fails.
        let h = try GenerateHarness(GenerateHarness.fastScenario(faults: [
            EmulatorFault(kind: "http_error", provider: "tripo", route: "status", times: 1000, params: ["status": 503])]))
        let first = try await h.run("tripo", [job("a", "a chest"), job("b", "a sphere")]) { _ in }
        #expect(first.allSatisfy { $0.outcome == .interrupted }, "\(first.map(\.outcome))")
        #expect(h.emulator.counters().tasksCreated == 2)
        // The outage ends; a new runner (a new process, as far as the journal knows) resumes.
        h.emulator.replaceScenario(GenerateHarness.fastScenario())
        let second = try await h.runner(try h.provider("tripo")).resume()
        #expect(second.allSatisfy { $0.outcome == .succeeded }, "\(second.map { String(describing: $0.error) })")
        #expect(h.emulator.counters().tasksCreated == 2)
        #expect(Set(second.flatMap(\.taskIDs)) == Set(first.flatMap(\.taskIDs)))
    }

    @Test func finishedJobsAreNotRedoneAndATornLastLineIsSkipped() async throws {
        let h = try GenerateHarness()
        let first = try await h.run("meshy", [job("a", "a lantern")])
        #expect(first.first?.outcome == .succeeded)
        // Simulate a kill in the middle of a write.
        let journal = h.out + "/journal.jsonl"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        handle.seekToEndOfFile(); handle.write(Data("{\"event\":\"snapsh".utf8)); handle.closeFile()
        let again = try await h.run("meshy", [job("a", "a lantern"), job("b", "a candle")])
        #expect(again.map(\.outcome) == [.succeeded, .succeeded])
        #expect(h.emulator.counters().tasksCreated == 2)
        #expect(h.lines.contains("skipped a torn or corrupt journal line"))
        #expect(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: journal))).split(separator: 10).last.map(Array.init) ?? [])["event"]?.stringValue == "done")
    }

    @Test func killedBetweenTheLastByteAndTheRenameKeepsTheResult() async throws {
        let h = try GenerateHarness()
        let first = try await h.run("tripo", [job("a", "a lantern")])
        #expect(first.first?.outcome == .succeeded)
        // Put the state back to "whole file downloaded into .part, not yet renamed or journaled".
        try FileManager.default.moveItem(atPath: h.out + "/a.glb", toPath: h.out + "/.a.glb.part")
        let journal = h.out + "/journal.jsonl"
        let kept = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
            .filter { !$0.contains("\"event\":\"done\"") && !$0.contains("\"event\":\"downloaded\"") }
        try (kept.joined(separator: "\n") + "\n").write(toFile: journal, atomically: true, encoding: .utf8)
        let again = try await h.runner(try h.provider("tripo")).resume()
        #expect(again.first?.outcome == .succeeded, "\(String(describing: again.first?.error))")
        #expect(try parsedTriangles(h.out + "/a.glb") > 0)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test func aSecondRunnerOnTheSameFolderIsRefused() throws {
        let h = try GenerateHarness()
        let first = try h.runner(try h.provider("tripo"))
        #expect(throws: GenError.self) { _ = try h.runner(try h.provider("tripo")) }
        withExtendedLifetime(first) {}
    }

    @Test func intentWithoutTaskIDIsReconciledOnResume() async throws {
        // A journal left by a process killed right after its intent line: Meshy's list finds the task it created.
        let h = try GenerateHarness()
        let p = try h.provider("meshy")
        let wire = try await p.wireRequest(for: GenRequest(prompt: "an iron anvil"))
        let before = Date().timeIntervalSince1970 - 1
        _ = try await p.submit(path: wire.path, body: wire.body, hooks: SubmitHooks())   // the server created it; the reply "was lost"
        let lines = [
            #"{"event":"job","job":"anvil","t":\#(before),"request":{"task_type":"text_to_model","prompt":"an iron anvil"}}"#,
            #"{"event":"intent","job":"anvil","step":0,"t":\#(before),"path":"\#(wire.path)","body":\#(JSONWriter.string(wire.body))}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: h.out + "/journal.jsonl", atomically: true, encoding: .utf8)
        let results = try await h.runner(p).resume()
        #expect(results.first?.outcome == .succeeded, "\(String(describing: results.first?.error))")
        #expect(h.emulator.counters().tasksCreated == 1)
    }
}

@Suite struct SecretRedactionTests {
    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func theKeyAppearsInNoLogMetadataJournalOrError(provider: String) async throws {
        let h = try GenerateHarness(GenerateHarness.fastScenario(faults: [
            EmulatorFault(kind: "http_error", route: "status", times: 2, params: ["status": 500]),
            EmulatorFault(kind: "rate_limited", route: "submit", times: 1, params: ["retry_after": 0])]))
        let key = GenerateHarness.key(provider)
        let results = try await h.run(provider, [job("ok", "a table"), job("bad", "a chair #fail")])
        #expect(results.count == 2)
        let everything = try h.everythingWritten() + results.map { String(describing: $0.error) + JSONWriter.string($0.json) }.joined()
        #expect(!everything.isEmpty)
        #expect(!everything.contains(key))
        #expect(!everything.contains("TESTSECRET"))
    }

    @Test func redactorMasksKeysInsideAnyText() {
        let r = Redactor(secrets: ["tsk_abcdef123456"])
        #expect(r.redact("Authorization: Bearer tsk_abcdef123456 failed") == "Authorization: Bearer tsk_[REDACTED] failed")
    }

    @Test func aKeyRejectedByTheServerIsNotEchoedInTheError() async throws {
        let h = try GenerateHarness()
        let key = "tsk_invalid_TESTSECRET_zz"
        let r = try await h.run("tripo", [job("a", "a lamp")], key: key)
        #expect(r.first?.error?.kind == .auth)
        #expect(!(try h.everythingWritten()).contains("TESTSECRET"))
    }

    @Test func credentialsFileReadableByOthersIsRefused() throws {
        let dir = NSTemporaryDirectory() + "polyforge-cred-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/credentials"
        try "TRIPO_API_KEY=tsk_fromfile_TESTSECRET\n".write(toFile: path, atomically: true, encoding: .utf8)
        unsetenv("TRIPO_API_KEY")
        chmod(path, 0o644)
        #expect(throws: GenError.self) { _ = try Credentials.key(for: "tripo", file: path) }
        do { _ = try Credentials.key(for: "tripo", file: path) } catch {
            #expect(error.message.contains("chmod 600"))
            #expect(!error.message.contains("TESTSECRET"))
        }
        chmod(path, 0o600)
        #expect(try Credentials.key(for: "tripo", file: path) == "tsk_fromfile_TESTSECRET")
    }
}

@Suite struct ClientPartsTests {
    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// Hostile or odd status bodies end in a snapshot or an error, never a trap: huge numbers, wrong types, deep junk.
    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func hostileStatusBodiesNeverTrap(provider: String) async throws {
        let h = try GenerateHarness()
        let p = try h.provider(provider)
        let bodies = [
            #"{"code":0,"data":{"status":"running","progress":1e300,"running_left_time":-1e308,"queuing_num":"9e99","output":{"model":7}}}"#,
            #"{"status":"IN_PROGRESS","progress":"1e300","preceding_tasks":1e300,"model_urls":[1,2],"texture_urls":"x","consumed_credits":"NaN"}"#,
            #"{"status":[],"progress":{},"results":[{"asset_url":5},{"asset":"http://x/y.glb","thumbnail":null}],"failure_reason":1}"#,
            #"{"code":1e300,"message":null}"#, "[]", "null", "7",
        ]
        var seed: UInt64 = 42
        var mutated: [[UInt8]] = bodies.map { Array($0.utf8) }
        for body in bodies {
            for _ in 0..<40 {
                var b = Array(body.utf8)
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let i = Int(seed >> 33) % b.count
                b[i] = UInt8(truncatingIfNeeded: seed >> 13)
                mutated.append(b)
            }
        }
        for bytes in mutated {
            let response = HTTPResponse(status: 200, headers: [], body: bytes)
            let handle = GenTaskHandle(provider: provider, taskID: "t", endpoint: "v2/text-to-3d")
            if let json = try? JSONParser.parse(bytes) {
                switch p {
                case let t as TripoProvider: _ = t.decodeEnvelope(response).map { t.snapshot(handle, $0, trace: nil) }
                case let m as MeshyProvider: _ = m.snapshot(handle, json)
                case let a as AIStudioProvider: _ = a.snapshot(handle, json)
                default: break
                }
            }
        }
    }

    @Test func backoffGrowsAndHonoursRetryAfter() {
        let b = Backoff(baseDelay: 1, maxDelay: 30)
        for attempt in 0..<8 {
            let d = b.delay(attempt: attempt)
            let ceiling = min(30, Double(1 << attempt))
            #expect(d >= ceiling * 0.5 && d <= ceiling)
        }
        #expect(b.delay(attempt: 3, retryAfter: 7) >= 7)
    }

    @Test func rateLimiterSpacesRequests() async {
        let limiter = RateLimiter(requestsPerSecond: 20)
        let start = monotonicSeconds()
        for _ in 0..<6 { await limiter.acquire() }
        #expect(monotonicSeconds() - start >= 0.24)   // 5 gaps of 50 ms after the first token
    }

    @Test func concurrencyLimiterHoldsTheGroupLimit() async {
        let limiter = ConcurrencyLimiter(limits: ["g": 2])
        let peak = PeakCounter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await limiter.acquire("g")
                    peak.enter()
                    try? await Task.sleep(nanoseconds: 10_000_000)
                    peak.leave()
                    await limiter.release("g")
                }
            }
        }
        #expect(peak.maximum == 2)
    }
}

final class PeakCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0
    func enter() { lock.lock(); current += 1; maximum = max(maximum, current); lock.unlock() }
    func leave() { lock.lock(); current -= 1; lock.unlock() }
}
