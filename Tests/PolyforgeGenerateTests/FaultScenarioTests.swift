import Foundation
import Testing
import PolyforgeEmulator
import PolyforgeFormats
import PolyforgeGenerate
import PolyforgeMesh

/// Every fault the emulator can inject, met by the real client over real HTTP.
@Suite struct FaultScenarioTests {
    func harness(_ faults: [EmulatorFault], configure: (inout EmulatorScenario) -> Void = { _ in }) throws -> GenerateHarness {
        var s = GenerateHarness.fastScenario(faults: faults)
        configure(&s)
        return try GenerateHarness(s)
    }

    @Test func rateLimitedSubmitWaitsForRetryAfter() async throws {
        let h = try harness([EmulatorFault(kind: "rate_limited", provider: "tripo", route: "submit", times: 1, params: ["retry_after": 1])])
        let r = try await h.run("tripo", [job("a", "a chair")])
        #expect(r.first?.outcome == .succeeded)
        let submits = h.emulator.requestLog().filter { $0.route == "tripo.submit" }
        #expect(submits.count == 2)
        #expect(submits[0].status == 429)
        #expect(submits[1].time - submits[0].time >= 0.95, "the retry came \(submits[1].time - submits[0].time) s after a Retry-After of 1 s")
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test func tripoConcurrencyCode2000IsRetried() async throws {
        let h = try harness([EmulatorFault(kind: "concurrency_full", provider: "tripo", route: "submit", times: 2, params: ["retry_after": 0])])
        let r = try await h.run("tripo", [job("a", "a lamp")])
        #expect(r.first?.outcome == .succeeded)
        #expect(h.emulator.counters().faultsFired["concurrency_full"] == 2)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    /// A full queue clears as earlier tasks finish (perhaps a killed run's, which this client does not count):
    /// it is waited out by time, not given up after the few attempts other errors get.
    @Test func concurrencyFullIsWaitedOutBeyondTheAttemptLimit() async throws {
        let h = try harness([EmulatorFault(kind: "concurrency_full", provider: "meshy", route: "submit", times: 12)])
        let p = try h.provider("meshy", maxAttempts: 3)
        let r = try await h.runner(p).run([job("a", "a lamp")])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(h.emulator.counters().faultsFired["concurrency_full"] == 12)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func flakyServerErrorsOnStatusAreRetried(provider: String) async throws {
        let h = try harness([EmulatorFault(kind: "http_error", route: "status", times: 3, params: ["status": 503]),
                             EmulatorFault(kind: "http_error", route: "status", times: 1, params: ["status": 502], html: true)]) { $0.timeScale = 5 }
        let r = try await h.run(provider, [job("a", "a vase")]) { $0.useStream = false }
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(h.emulator.counters().faultsFired["http_error"] == 4)
    }

    @Test func circuitBreakerOpensThenClosesAfterAProbe() async throws {
        let h = try harness([EmulatorFault(kind: "http_error", provider: "tripo", route: "status", times: 4, params: ["status": 500])])
        let p = try h.provider("tripo", breakerThreshold: 3, breakerCooldown: 0.3, maxAttempts: 8)
        let results = try await h.runner(p).run([job("a", "a stool")])
        #expect(results.first?.outcome == .succeeded, "\(String(describing: results.first?.error))")
        #expect(h.lines.contains("ALERT circuit open for tripo"))
        #expect(h.lines.contains("ALERT circuit half-open for tripo"))
        #expect(h.lines.contains("ALERT circuit closed for tripo"))
        #expect(p.session.breaker.currentState == .closed)
        #expect(p.session.breaker.timesOpened >= 1)
    }

    @Test func connectionResetsOnReadsAreRetried() async throws {
        let h = try harness([EmulatorFault(kind: "reset", provider: "tripo", route: "status", times: 2)])
        let r = try await h.run("tripo", [job("a", "a bench")])
        #expect(r.first?.outcome == .succeeded)
        #expect(h.emulator.counters().faultsFired["reset"] == 2)
    }

    @Test func lostMeshySubmitReplyIsReconciledFromTheTaskList() async throws {
        let h = try harness([EmulatorFault(kind: "commit_no_reply", provider: "meshy", route: "submit", times: 1, params: ["hang_seconds": 3])])
        let r = try await h.run("meshy", [job("a", "a brass key")], timeout: 0.5)
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        let c = h.emulator.counters()
        #expect(c.tasksCreated == 1, "the submit must not be resent")
        #expect(c.duplicateSubmits.isEmpty)
        #expect((c.requestsByRoute["meshy.list"] ?? 0) >= 1)
        #expect(h.lines.contains("reconciled the lost submit"))
    }

    @Test(arguments: ["tripo", "3daistudio"])
    func lostSubmitReplyWithoutATaskListIsOutcomeUnknownNotResent(provider: String) async throws {
        let h = try harness([EmulatorFault(kind: "commit_no_reply", provider: provider, route: "submit", times: 1, params: ["hang_seconds": 3])])
        let r = try await h.run(provider, [job("a", "a copper pot")], timeout: 0.5)
        #expect(r.first?.outcome == .outcomeUnknown)
        #expect(r.first?.error?.message.contains("Not resubmitted") == true)
        #expect(h.emulator.counters().tasksCreated == 1)
        #expect(h.emulator.counters().requestsByRoute["\(provider).submit"] == 1)
        #expect(try h.metadata("a")["state"]?.stringValue == "outcome_unknown")
    }

    @Test func gatewayErrorOnSubmitIsNotBlindlyResent() async throws {
        let h = try harness([EmulatorFault(kind: "http_error", provider: "tripo", route: "submit", times: 1, params: ["status": 502], html: true)])
        let r = try await h.run("tripo", [job("a", "a tin can")])
        #expect(r.first?.outcome == .outcomeUnknown)
        #expect(h.emulator.counters().requestsByRoute["tripo.submit"] == 1)
    }

    @Test func providerJSON500OnSubmitIsRetried() async throws {
        let h = try harness([EmulatorFault(kind: "http_error", provider: "tripo", route: "submit", times: 1, params: ["status": 500])])
        let r = try await h.run("tripo", [job("a", "a tin can")])
        #expect(r.first?.outcome == .succeeded)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func truncatedDownloadIsResumedWithRange(provider: String) async throws {
        let h = try harness([EmulatorFault(kind: "truncate", route: "download", times: 2, params: ["fraction": 0.4])])
        let r = try await h.run(provider, [job("a", "a donut")])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(try parsedTriangles(h.out + "/a.glb") > 0)
        #expect(h.emulator.counters().faultsFired["truncate"] == 2)
        #expect(!FileManager.default.fileExists(atPath: h.out + "/.a.glb.part"))
    }

    @Test func serverIgnoringRangeStillGivesAWholeFile() async throws {
        let h = try harness([EmulatorFault(kind: "truncate", route: "download", times: 1, params: ["fraction": 0.5]),
                             EmulatorFault(kind: "ignore_range", route: "download", times: 5)])
        let r = try await h.run("tripo", [job("a", "a planet")])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(try parsedTriangles(h.out + "/a.glb") > 0)
    }

    @Test func downloadThatKeepsBreakingPausesTheJobAndResumeFinishesIt() async throws {
        let h = try harness([EmulatorFault(kind: "truncate", route: "download", times: 100, params: ["fraction": 0.3]),
                             EmulatorFault(kind: "ignore_range", route: "download", times: 100)])
        let r = try await h.run("tripo", [job("a", "a crate")])
        // A storage outage must not turn a paid result into a final failure.
        #expect(r.first?.outcome == .interrupted, "\(String(describing: r.first?.error))")
        #expect(!FileManager.default.fileExists(atPath: h.out + "/a.glb"))
        h.emulator.replaceScenario(GenerateHarness.fastScenario())
        let again = try await h.runner(try h.provider("tripo")).resume()
        #expect(again.first?.outcome == .succeeded)
        #expect(try parsedTriangles(h.out + "/a.glb") > 0)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test func hugeRetryAfterPausesInsteadOfSleepingOrCrashing() async throws {
        let h = try harness([EmulatorFault(kind: "rate_limited", provider: "tripo", route: "submit", times: 1, params: ["retry_after": 1e12])])
        let r = try await h.run("tripo", [job("a", "a crate")])
        #expect(r.first?.outcome == .interrupted)
        #expect(h.emulator.counters().tasksCreated == 0)
        // Nothing was created, so the resumed run may submit it (once).
        let again = try await h.runner(try h.provider("tripo")).resume()
        #expect(again.first?.outcome == .succeeded, "\(String(describing: again.first?.error))")
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test(arguments: [20.0, 1.0])
    func lostReplyToAMeshyRefineIsReconciledToo(timeScale: Double) async throws {
        let h = try harness([EmulatorFault(kind: "commit_no_reply", provider: "meshy", route: "submit", skip: 1, times: 1, params: ["hang_seconds": 3])]) {
            $0.timeScale = timeScale; $0.queueSeconds = 0.2; $0.runSeconds = 0.5
        }
        let r = try await h.run("meshy", [job("a", "a brass lamp", texture: true)], timeout: 0.5)
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        #expect(r.first?.taskIDs.count == 2)
        #expect(h.emulator.counters().tasksCreated == 2)
        #expect(h.emulator.counters().faultsFired["commit_no_reply"] == 1)
    }

    @Test func twoJobsWithOnePromptNeverShareATask() async throws {
        let h = try harness([EmulatorFault(kind: "commit_no_reply", provider: "meshy", route: "submit", times: 1, params: ["hang_seconds": 3])])
        let r = try await h.run("meshy", [job("a", "a crate"), job("b", "a crate")], timeout: 0.5)
        let ids = r.filter { $0.outcome == .succeeded }.flatMap(\.taskIDs)
        #expect(Set(ids).count == ids.count, "\(r.map { ($0.name, $0.outcome, $0.taskIDs) })")
        #expect(h.emulator.counters().tasksCreated == 2)
    }

    @Test func unreachableProviderPausesAJobThatWasNeverSent() async throws {
        let h = try harness([])
        var overrides = ProviderFactory.Overrides()
        overrides.backoff = Backoff(baseDelay: 0.01, maxDelay: 0.05, maxAttempts: 3)
        let log = h.log
        let dead = try ProviderFactory.make("tripo", baseURL: "http://127.0.0.1:1", apiKey: GenerateHarness.key("tripo"),
                                            http: HTTPClient(connectTimeout: 1), log: log, overrides: overrides)
        let first = try await h.runner(dead).run([job("a", "a crate")])
        #expect(first.first?.outcome == .interrupted, "\(String(describing: first.first?.error))")
        let again = try await h.runner(try h.provider("tripo")).resume()
        #expect(again.first?.outcome == .succeeded)
        #expect(h.emulator.counters().tasksCreated == 1)
    }

    @Test func expiredURLIsRefreshedOnce() async throws {
        let h = try harness([EmulatorFault(kind: "expired_url", route: "download", times: 1)])
        let r = try await h.run("tripo", [job("a", "a cube")])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
        let model = try h.metadata("a")["artifacts"]?.arrayValue?.first { $0["role"]?.stringValue == "model" }
        #expect(model?["url_refreshed"]?.boolValue == true)
    }

    @Test func urlStillExpiredAfterRefreshIsAURLExpiredError() async throws {
        let h = try harness([EmulatorFault(kind: "expired_url", route: "download", times: 10)]) { $0.refreshURLs = false }
        let r = try await h.run("meshy", [job("a", "a cube")]) { $0.useStream = false }
        #expect(r.first?.outcome == .failed)
        #expect(r.first?.error?.kind == .urlExpired)
    }

    @Test(arguments: ["malformed_json", "odd_status"])
    func malformedStatusRepliesAreSurvived(kind: String) async throws {
        let h = try harness([EmulatorFault(kind: kind, route: "status", times: 2)])
        let r = try await h.run("tripo", [job("a", "a mug")])
        #expect(r.first?.outcome == .succeeded, "\(String(describing: r.first?.error))")
    }

    @Test func tripoReplyWithoutDataIsRetried() async throws {
        let h = try harness([EmulatorFault(kind: "missing_data", provider: "tripo", route: "status", times: 2)])
        let r = try await h.run("tripo", [job("a", "a mug")])
        #expect(r.first?.outcome == .succeeded)
    }

    @Test func meshyStreamDisconnectFallsBackToPolling() async throws {
        // Slow enough that the first event cannot already be the last one.
        let h = try harness([EmulatorFault(kind: "sse_disconnect", provider: "meshy", route: "stream", times: 1)]) { $0.timeScale = 2 }
        let r = try await h.run("meshy", [job("a", "a torus")])
        #expect(r.first?.outcome == .succeeded)
        #expect((h.emulator.counters().requestsByRoute["meshy.status"] ?? 0) >= 1, "\(h.emulator.counters())")
    }

    @Test func slowDownloadCompletes() async throws {
        let h = try harness([EmulatorFault(kind: "slow_download", route: "download", times: 1, params: ["bytes_per_second": 400_000])])
        let r = try await h.run("tripo", [job("a", "a ring")])
        #expect(r.first?.outcome == .succeeded)
    }

    @Test func wrongContentTypeIsJudgedByTheBytes() async throws {
        let h = try harness([EmulatorFault(kind: "wrong_content_type", route: "download", times: 3)])
        let r = try await h.run("tripo", [job("a", "a ring")])
        #expect(r.first?.outcome == .succeeded)
    }

    // MARK: - Terminal outcomes and refusals

    @Test(arguments: [("tripo", "#fail", "1001"), ("meshy", "#fail", "busy"), ("3daistudio", "#fail", "refunded"),
                      ("tripo", "#banned", "banned"), ("tripo", "#expire", "expired"), ("meshy", "#cancel", "CANCELED")])
    func failedTasksEndWithTheProvidersReason(provider: String, tag: String, reason: String) async throws {
        let h = try harness([])
        let r = try await h.run(provider, [job("a", "a statue \(tag)")])
        #expect(r.first?.outcome == .failed)
        let message = r.first?.error?.description ?? ""
        #expect(message.contains(reason), "\(message)")
        #expect(try h.metadata("a")["error"]?["message"]?.stringValue?.isEmpty == false)
        #expect(!FileManager.default.fileExists(atPath: h.out + "/a.glb"))
    }

    @Test func bannedIsContentRejected() async throws {
        let h = try harness([])
        let r = try await h.run("tripo", [job("a", "a thing #banned")])
        #expect(r.first?.error?.kind == .contentRejected)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func successWithoutAModelIsAnError(provider: String) async throws {
        let h = try harness([])
        let r = try await h.run(provider, [job("a", "a ghost #no-model")])
        #expect(r.first?.outcome == .failed)
        #expect(r.first?.error?.kind == .invalidArtifact)
        #expect(r.first?.error?.message.contains("no model artifact") == true)
    }

    @Test func unknownStatusThatResolvesIsFollowedToTheEnd() async throws {
        let h = try harness([]) { $0.timeScale = 2 }
        let r = try await h.run("tripo", [job("a", "a box #unknown")])
        #expect(r.first?.outcome == .succeeded)
        #expect(try h.metadata("a")["steps"]?[0]?["snapshots"]?.arrayValue?.contains { $0["provider_status"]?.stringValue == "unknown" } == true)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func contentPolicyAtSubmitIsFinal(provider: String) async throws {
        let h = try harness([])
        let r = try await h.run(provider, [job("a", "something #policy")])
        #expect(r.first?.outcome == .failed)
        #expect(r.first?.error?.kind == .contentRejected)
        #expect(h.emulator.counters().requestsByRoute["\(provider).submit"] == 1)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func insufficientCreditsIsFinal(provider: String) async throws {
        let h = try harness([EmulatorFault(kind: "insufficient_credits", provider: provider, route: "submit", times: 1)])
        let r = try await h.run(provider, [job("a", "a barrel")])
        #expect(r.first?.error?.kind == .insufficientCredits)
        #expect(h.emulator.counters().tasksCreated == 0)
    }

    @Test(arguments: ["tripo", "meshy", "3daistudio"])
    func badKeyIsAnAuthError(provider: String) async throws {
        let h = try harness([])
        let key = provider == "tripo" ? "tsk_invalid_key_123" : provider == "meshy" ? "msy_invalid_key_123" : "invalid_key_123"
        let r = try await h.run(provider, [job("a", "a barrel")], key: key)
        #expect(r.first?.error?.kind == .auth)
    }

    @Test func tripoKeyWithoutPrefixIsRefusedBeforeAnyRequest() throws {
        let h = try harness([])
        #expect(throws: GenError.self) { _ = try h.provider("tripo", key: "sk_wrong_prefix") }
        #expect(h.emulator.counters().requests == 0)
    }

    @Test func aiStudioRateLimitWithoutRetryAfterBacksOff() async throws {
        let h = try harness([EmulatorFault(kind: "rate_limited", provider: "3daistudio", route: "status", times: 3)])
        let r = try await h.run("3daistudio", [job("a", "a kettle")])
        #expect(r.first?.outcome == .succeeded)
        #expect(h.emulator.counters().faultsFired["rate_limited"] == 3)
    }
}
