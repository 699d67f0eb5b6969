import PolyforgeMesh

/// What a fired fault does to a request. Some replace the handler (the request is not processed at all),
/// others let it run and then spoil its reply. Download and stream faults act inside their handlers.
enum FaultEffects {
    /// The reply that replaces the handler, for faults that stop the request before it is processed.
    static func replyInstead(_ context: RequestContext) -> HTTPReply? {
        guard let (fault, kind) = context.fault else { return nil }
        // Error bodies take the shape of the API the route belongs to; downloads answer like storage.
        let shape = context.route.provider
        switch kind {
        case .httpError:
            let status = Int(min(max(fault.param("status", default: 500), 400), 599))
            return .response(fault.html ? ProviderErrors.htmlErrorPage(status: status) : ProviderErrors.serverError(shape, status: status))
        case .rateLimited:
            return .response(ProviderErrors.rateLimited(shape, retryAfter: fault.params["retry_after"].map { Int(min(max($0, 0), 1e12)) }))
        case .concurrencyFull:
            return .response(ProviderErrors.concurrencyFull(shape, retryAfter: Int(min(max(fault.param("retry_after", default: 1), 0), 1e12))))
        case .insufficientCredits:
            return .response(ProviderErrors.insufficientCredits(shape))
        case .reset:
            return .reset
        default:
            return nil
        }
    }

    /// The handler's reply, spoilt by the fault (a no-op for faults that do not act here).
    static func transform(_ reply: HTTPReply, _ context: RequestContext) -> HTTPReply {
        guard let (fault, kind) = context.fault else { return reply }
        switch kind {
        case .commitNoReply:
            // The handler has already created the task; the client just never hears about it.
            return .hangThenClose(seconds: fault.param("hang_seconds", default: 30))
        case .slowFirstByte:
            return .delayed(seconds: fault.param("delay_ms", default: 2000) / 1000, reply)
        case .malformedJSON:
            guard case .response(var response) = reply else { return reply }
            response.body = Array(response.body.prefix(response.body.count / 2))
            return .response(response)
        case .missingData:
            guard case .response(var response) = reply else { return reply }
            response.status = 200
            response.body = JSONWriter.bytes(.object([("code", .number(0))]))
            response.setHeader("Content-Type", "application/json")
            return .response(response)
        default:
            return reply
        }
    }
}
