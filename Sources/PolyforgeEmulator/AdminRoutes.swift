import PolyforgeMesh

/// `/_emu/…`, no auth: counters, request log, clock, reset and scenario, for tests and for people watching a dry run.
enum AdminRoutes {
    enum Action: Sendable {
        case counters
        case log
        case readClock
        case advanceClock
        case reset
        case readScenario
        case replaceScenario
        case health
    }

    static func match(method: String, path: String) -> Action? {
        switch (method, path) {
        case ("GET", "/_emu/counters"): return .counters
        case ("GET", "/_emu/log"): return .log
        case ("GET", "/_emu/clock"): return .readClock
        case ("POST", "/_emu/clock"): return .advanceClock
        case ("POST", "/_emu/reset"): return .reset
        case ("GET", "/_emu/scenario"): return .readScenario
        case ("POST", "/_emu/scenario"): return .replaceScenario
        case ("GET", "/_emu/health"): return .health
        default: return nil
        }
    }

    static func handle(_ action: Action, _ context: RequestContext, _ state: EmulatorState) -> HTTPResponse {
        switch action {
        case .counters:
            return .json(200, state.counters.jsonValue)
        case .log:
            return .json(200, .array(state.log.map(\.jsonValue)))
        case .readClock:
            return .json(200, clockObject(state))
        case .advanceClock:
            guard let body = try? JSONParser.parse(context.request.body), let seconds = body["advance"]?.doubleValue,
                  seconds >= 0, seconds.isFinite else {
                return .json(400, .object([("error", .string("expected {\"advance\": seconds} with seconds ≥ 0"))]))
            }
            state.clock.advance(seconds: seconds)
            return .json(200, clockObject(state))
        case .reset:
            state.reset()
            return .json(200, .object([("ok", .bool(true))]))
        case .readScenario:
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: state.scenario.encodeJSON())
        case .replaceScenario:
            do {
                state.replaceScenario(try EmulatorScenario.decode(json: context.request.body))
                return .json(200, .object([("ok", .bool(true))]))
            } catch {
                return .json(400, .object([("error", .string("\(error)"))]))
            }
        case .health:
            return .json(200, .object([("ok", .bool(true)), ("tasks", .number(Double(state.tasks.count)))]))
        }
    }

    private static func clockObject(_ state: EmulatorState) -> JSONValue {
        .object([("virtual_now", .number(state.clock.now())), ("time_scale", .number(state.clock.scale))])
    }
}
