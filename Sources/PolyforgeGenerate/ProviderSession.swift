import CCurl
import PolyforgeMesh

/// What the runner journals around each submit attempt: the intent right before the request goes out, and a
/// "not sent" line when the provider plainly refused it and a retry is coming (so a kill while waiting to retry is
/// not "outcome unknown"; a refusal that ends the call is journaled by the runner).
public struct SubmitHooks: Sendable {
    public var beforeSend: @Sendable () async throws(GenError) -> Void
    public var refused: @Sendable (GenError) async -> Void
    public init(beforeSend: @escaping @Sendable () async throws(GenError) -> Void = {}, refused: @escaping @Sendable (GenError) async -> Void = { _ in }) {
        self.beforeSend = beforeSend; self.refused = refused
    }
}

/// How a call may be retried. Reads are idempotent; a submit must never be resent once the server may have acted on it.
public enum CallKind: Sendable { case read, submit }

/// Everything a provider shares across its calls: the HTTP client, the key (only ever placed in the Authorization
/// header), the request-rate limiter, the circuit breaker, the backoff policy and the log.
public final class ProviderSession: @unchecked Sendable {
    public let provider: String
    public let baseURL: String
    public let http: HTTPClient
    public let rateLimiter: RateLimiter
    public let breaker: CircuitBreaker
    public let backoff: Backoff
    public let log: GenerationLog
    private let apiKey: String

    public init(provider: String, baseURL: String, apiKey: String, http: HTTPClient, requestsPerSecond: Double,
                backoff: Backoff, breakerThreshold: Int = 5, breakerCooldown: Double = 30, log: GenerationLog) {
        self.provider = provider
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey; self.http = http; self.backoff = backoff; self.log = log
        log.redactor.add(apiKey)
        rateLimiter = RateLimiter(requestsPerSecond: requestsPerSecond, burst: requestsPerSecond >= 1 ? Int(requestsPerSecond) : 1)
        breaker = CircuitBreaker(provider: provider, failureThreshold: breakerThreshold, cooldown: breakerCooldown, log: { log.info($0) })
    }

    public var authorization: (String, String) { ("Authorization", "Bearer \(apiKey)") }

    public func request(_ method: String, _ path: String, json: JSONValue? = nil, headers: [(String, String)] = []) -> HTTPRequest {
        var all = [authorization, ("Accept", "application/json")] + headers
        var body: [UInt8]?
        if let json { body = JSONWriter.bytes(json); all.append(("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: path.hasPrefix("http") ? path : baseURL + path, headers: all, body: body)
    }

    /// Sends with rate limiting, the circuit breaker and retries. `decode` turns a reply into a value or an error.
    /// Reads retry every retryable class; submits retry only when the server plainly refused (rate limits, concurrency,
    /// a JSON 5xx error from the provider itself). A lost or unreadable reply to a submit becomes `outcomeUnknown`.
    public func call<T>(_ route: String, _ request: HTTPRequest, kind: CallKind, hooks: SubmitHooks? = nil,
                        decode: (HTTPResponse) -> Result<T, GenError>) async throws(GenError) -> T {
        var attempt = 0
        var concurrencyWaited = 0.0, concurrencyTries = 0
        while true {
            if let wait = breaker.permit() {
                if attempt >= backoff.maxAttempts { throw GenError(.circuitOpen, "\(provider) circuit open after repeated failures") }
                attempt += 1
                try await sleepSeconds(wait)
                continue
            }
            await rateLimiter.acquire()
            if let hooks { try await hooks.beforeSend() }
            let started = monotonicSeconds()
            let result: Result<HTTPResponse, HTTPTransportError> = await http.offPool {
                do { return .success(try self.http.sendBlocking(request)) } catch let e as HTTPTransportError { return .failure(e) } catch {
                    return .failure(HTTPTransportError(curlCode: -1, message: "\(error)", url: request.url))
                }
            }
            let elapsed = monotonicSeconds() - started
            var failure: GenError
            switch result {
            case .failure(let transport):
                if transport.isTLS {
                    breaker.recordNeutral()
                    let what = transport.curlCode == Int(CURLE_PEER_FAILED_VERIFICATION.rawValue)
                        ? "TLS certificate verification failed (verification stays on: fix the CA store or the proxy)"
                        : "TLS handshake failed (an https:// URL pointed at a plain-HTTP port?)"
                    throw GenError(.tls, "\(what) for \(HTTPClient.displayURL(request.url)): \(transport.message)")
                }
                failure = GenError(.transient, transport.description)
                breaker.recordFailure(transport.message)
                if kind == .submit && transport.requestMayHaveBeenSent {
                    throw GenError(.outcomeUnknown, "submit reply lost (\(transport.message)); the task may exist")
                }
            case .success(let response):
                let trace = response.header("x-tripo-trace-id") ?? response.header("x-request-id")
                log.debug("\(provider) \(request.method) \(HTTPClient.displayURL(request.url)) → \(response.status) in \(Int(elapsed * 1000)) ms\(trace.map { " trace \($0)" } ?? "")")
                var error: GenError
                switch decode(response) {
                case .success(let value): breaker.recordSuccess(); return value
                case .failure(let e): error = e
                }
                error.traceID = error.traceID ?? trace
                if kind == .submit && (200..<300).contains(response.status) && error.kind == .transient {
                    // The provider accepted the task but its reply cannot be read: same as a lost reply.
                    breaker.recordNeutral()
                    throw GenError(.outcomeUnknown, "submit accepted (HTTP \(response.status)) but the reply is unreadable: \(error.message)", httpStatus: response.status, traceID: error.traceID)
                }
                if error.retryAfter == nil { error.retryAfter = parseRetryAfter(response.header("retry-after")) }
                if error.kind == .transient { breaker.recordFailure(error.message) } else { breaker.recordNeutral() }
                if kind == .submit && error.kind == .transient && !ProviderSession.serverRefusedCleanly(response) {
                    // A gateway error or a non-JSON page: the request may have reached the provider behind it.
                    throw GenError(.outcomeUnknown, "submit answered \(response.status) by a gateway; the task may exist", httpStatus: response.status, traceID: error.traceID)
                }
                failure = error
            }
            if failure.kind == .concurrencyFull {
                guard concurrencyWaited < backoff.longestConcurrencyWait else { throw failure }
            } else {
                guard failure.isRetryable, attempt + 1 < backoff.maxAttempts else { throw failure }
            }
            if let after = failure.retryAfter, after > backoff.longestRetryAfter {
                failure.message += " (Retry-After \(Int(min(after, 1e9))) s is longer than \(Int(backoff.longestRetryAfter)) s: pausing this job)"
                throw failure
            }
            // A submit refused outright is about to wait for its retry ("may have been sent" cases threw above).
            // A failure that ends the call is journaled once, by the caller.
            if let hooks { await hooks.refused(failure) }
            let wait = backoff.delay(attempt: failure.kind == .concurrencyFull ? concurrencyTries : attempt, retryAfter: failure.retryAfter)
            log.debug("\(provider) \(route): \(failure); retry \(attempt + 1) in \(formatSeconds(wait))")
            if failure.kind == .concurrencyFull { concurrencyWaited += wait; concurrencyTries += 1 } else { attempt += 1 }
            try await sleepSeconds(wait)
        }
    }

    /// 500 and 503 with the provider's own JSON error body mean the provider answered and did not create the task.
    static func serverRefusedCleanly(_ response: HTTPResponse) -> Bool {
        guard response.status == 500 || response.status == 503 || response.status == 429 else { return false }
        return (try? JSONParser.parse(response.body))?.objectValue != nil
    }

    /// Parses a JSON body or says which route sent what (a transient error: proxies and overloaded servers send HTML).
    public func parseJSON(_ response: HTTPResponse, route: String) -> Result<JSONValue, GenError> {
        do { return .success(try JSONParser.parse(response.body)) } catch {
            let preview = String(decoding: response.body.prefix(60), as: UTF8.self).replacingAll("\n", with: " ")
            return .failure(GenError(.transient, "\(provider) \(route): HTTP \(response.status) reply is not JSON (\(error)); body starts \"\(preview)\"",
                                     httpStatus: response.status, traceID: response.header("x-tripo-trace-id")))
        }
    }
}

func sleepSeconds(_ seconds: Double) async throws(GenError) {
    guard seconds > 0 else { return }
    do { try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1e9)) } catch { throw GenError(.local, "cancelled") }
}
