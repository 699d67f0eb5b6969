import PolyforgeMesh

/// Error replies in each provider's own shape: Tripo `{code,message,suggestion}`, Meshy `{message}`,
/// 3D AI Studio `{error,message}`; artifact storage answers S3-style XML.
enum ProviderErrors {
    static func tripo(_ status: Int, code: Int, _ message: String, suggestion: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        .json(status, .object([("code", .number(Double(code))), ("message", .string(message)), ("suggestion", .string(suggestion))]),
              headers: headers)
    }

    static func meshy(_ status: Int, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        .json(status, .object([("message", .string(message))]), headers: headers)
    }

    static func aistudio(_ status: Int, _ error: String, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        .json(status, .object([("error", .string(error)), ("message", .string(message))]), headers: headers)
    }

    static func storage(_ status: Int, code: String, _ message: String) -> HTTPResponse {
        let body = "<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/xml")], body: Array(body.utf8))
    }

    static func retryAfterHeader(_ seconds: Int?) -> [(name: String, value: String)] {
        seconds.map { [("Retry-After", String($0))] } ?? []
    }

    static func unauthorized(_ provider: Provider) -> HTTPResponse {
        switch provider {
        case .tripo: return tripo(401, code: 1002, "Authentication failed",
                                  suggestion: "Check that the API key is correct, active and starts with tsk_")
        case .meshy: return meshy(401, "Invalid API key")
        case .aistudio: return aistudio(401, "invalid_api_key", "The API key is missing, invalid, expired or revoked")
        }
    }

    static func notFound(_ provider: Provider) -> HTTPResponse {
        switch provider {
        case .tripo: return tripo(404, code: 2001, "Task not found", suggestion: "Check the task id; tasks belong to the account that created them")
        case .meshy: return meshy(404, "Task not found")
        case .aistudio: return aistudio(404, "not_found", "Generation request not found")
        }
    }

    /// A path no route serves, answered in the shape of the provider its prefix belongs to.
    static func noRoute(_ provider: Provider?, path: String) -> HTTPResponse {
        switch provider {
        case .tripo: return tripo(404, code: 1004, "No such endpoint: \(path)", suggestion: "Check the API path")
        case .meshy: return meshy(404, "No such endpoint: \(path)")
        case .aistudio: return aistudio(404, "not_found", "No such endpoint: \(path) (3D AI Studio paths end with a slash)")
        case nil: return .json(404, .object([("message", .string("No such endpoint: \(path)"))]))
        }
    }

    static func serverError(_ provider: Provider?, status: Int) -> HTTPResponse {
        switch provider {
        case .tripo: return tripo(status, code: status == 500 ? 1000 : 1001, status == 500 ? "Unknown error on server side" : "Fatal error on server side",
                                  suggestion: "Retry later with backoff")
        case .meshy: return meshy(status, "Internal server error.")
        case .aistudio: return aistudio(status, "server_error", "Internal server error")
        case nil: return storage(status, code: "InternalError", "We encountered an internal error. Please try again.")
        }
    }

    /// The HTML page a proxy in front of the API shows for a 5xx.
    static func htmlErrorPage(status: Int) -> HTTPResponse {
        let title = "\(status) \(reasonPhrase(status))"
        let body = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return HTTPResponse(status: status, headers: [("Content-Type", "text/html")], body: Array(body.utf8))
    }

    /// Request-rate 429 (Tripo code 1007).
    static func rateLimited(_ provider: Provider?, retryAfter: Int?) -> HTTPResponse {
        let headers = retryAfterHeader(retryAfter)
        switch provider {
        case .tripo: return tripo(429, code: 1007, "Request rate limit exceeded", suggestion: "Slow down and retry later", headers: headers)
        case .meshy: return meshy(429, "Too many requests", headers: headers)
        case .aistudio: return aistudio(429, "rate_limited", "Too many requests, please slow down", headers: headers)
        case nil:
            var response = storage(429, code: "SlowDown", "Please reduce your request rate.")
            response.headers += headers
            return response
        }
    }

    /// Concurrency / queue limit 429 (Tripo code 2000).
    static func concurrencyFull(_ provider: Provider?, retryAfter: Int?) -> HTTPResponse {
        let headers = retryAfterHeader(retryAfter)
        switch provider {
        case .tripo, nil: return tripo(429, code: 2000, "You have exceeded the limit of generation",
                                       suggestion: "Try again later. You can also check `Retry-After` header.", headers: headers)
        case .meshy: return meshy(429, "Too many pending tasks", headers: headers)
        case .aistudio: return aistudio(429, "rate_limited", "Too many tasks in progress", headers: headers)
        }
    }

    static func insufficientCredits(_ provider: Provider?) -> HTTPResponse {
        switch provider {
        case .tripo, nil: return tripo(403, code: 2010, "You don't have enough credits to create this task",
                                       suggestion: "Top up your balance")
        case .meshy: return meshy(402, "Insufficient funds")
        case .aistudio: return aistudio(402, "insufficient_credits", "Not enough credits for this request")
        }
    }

    static func contentRejected(_ provider: Provider) -> HTTPResponse {
        switch provider {
        case .tripo: return tripo(400, code: 2008, "The request was rejected by the content policy", suggestion: "Change the prompt or image")
        case .meshy: return meshy(400, "The request was rejected by our content policy")
        case .aistudio: return aistudio(400, "content_rejected", "The request was rejected by the content policy")
        }
    }
}
