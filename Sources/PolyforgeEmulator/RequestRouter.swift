import PolyforgeMesh
/// The kind of request, as fault rules name it (`route` in a fault) and as counters name it after the provider.
enum RouteClass: String, Sendable {
    case submit, status, list, stream, cancel, balance, upload, download, admin, unmatched
}

enum RouteAction: Sendable {
    case tripo(TripoRoutes.Action)
    case meshy(MeshyRoutes.Action)
    case aistudio(AIStudioRoutes.Action)
    case download(taskID: String, name: String)
    case admin(AdminRoutes.Action)
    case unmatched(Provider?)
}

/// Which route a request hit: "tripo.submit", "meshy.stream", "3daistudio.status", "download", "admin", "unmatched".
struct Route: Sendable {
    let provider: Provider?
    let routeClass: RouteClass
    let action: RouteAction

    var name: String {
        switch action {
        case .download: return "download"
        case .admin: return "admin"
        case .unmatched: return "unmatched"
        default: return provider.map { "\($0.rawValue).\(routeClass.rawValue)" } ?? routeClass.rawValue
        }
    }
}

/// What a route handler gets besides the state: the request, the virtual and real time it arrived, and the
/// fault (if any) that was chosen for it.
struct RequestContext {
    let request: HTTPRequest
    let route: Route
    /// The provider the request belongs to (for a download: the provider of the task that owns the file).
    let provider: Provider?
    /// Virtual Unix time.
    let now: Double
    /// Monotonic real seconds.
    let realNow: Double
    let fault: (fault: EmulatorFault, kind: FaultKind)?

    func faultIs(_ kind: FaultKind) -> Bool { fault?.kind == kind }
}

/// Maps a request to its route, applies the fault chosen for it, runs the handler and logs the result.
enum RequestRouter {
    static func route(_ request: HTTPRequest) -> Route {
        let method = request.method, path = request.path
        if path == "/_emu" || path.hasPrefix("/_emu/") {
            if let action = AdminRoutes.match(method: method, path: path) {
                return Route(provider: nil, routeClass: .admin, action: .admin(action))
            }
            return Route(provider: nil, routeClass: .unmatched, action: .unmatched(nil))
        }
        if path.hasPrefix("/_files/"), method == "GET" || method == "HEAD",
           let (taskID, name) = DownloadRoute.match(path: path) {
            return Route(provider: nil, routeClass: .download, action: .download(taskID: taskID, name: name))
        }
        if path.hasPrefix(TripoRoutes.prefix + "/") {
            if let (routeClass, action) = TripoRoutes.match(method: method, path: path) {
                return Route(provider: .tripo, routeClass: routeClass, action: .tripo(action))
            }
            return Route(provider: .tripo, routeClass: .unmatched, action: .unmatched(.tripo))
        }
        if path.hasPrefix("/openapi/") {
            if let (routeClass, action) = MeshyRoutes.match(method: method, path: path) {
                return Route(provider: .meshy, routeClass: routeClass, action: .meshy(action))
            }
            return Route(provider: .meshy, routeClass: .unmatched, action: .unmatched(.meshy))
        }
        if AIStudioRoutes.ownsPath(path) {
            if let (routeClass, action) = AIStudioRoutes.match(method: method, path: path) {
                return Route(provider: .aistudio, routeClass: routeClass, action: .aistudio(action))
            }
            return Route(provider: .aistudio, routeClass: .unmatched, action: .unmatched(.aistudio))
        }
        return Route(provider: nil, routeClass: .unmatched, action: .unmatched(nil))
    }
}

extension EmulatorState {
    /// Handles one request: everything under the lock, nothing that sleeps or writes.
    func handle(_ request: HTTPRequest) -> HTTPReply {
        let route = RequestRouter.route(request)
        return lock.withLock {
            let realNow = monotonicSeconds()
            let now = clock.now(realNow: realNow)
            counters.requests += 1
            counters.requestsByRoute[route.name, default: 0] += 1

            var provider = route.provider
            if case .download(let taskID, _) = route.action { provider = tasks[taskID]?.provider }
            let fired = faults.fire(provider: provider, route: route.routeClass)
            if let fired { counters.faultsFired[fired.kind.rawValue, default: 0] += 1 }
            let context = RequestContext(request: request, route: route, provider: provider, now: now, realNow: realNow, fault: fired)

            var reply = FaultEffects.replyInstead(context) ?? dispatch(context)
            reply = FaultEffects.transform(reply, context)
            var traceID: String? = nil
            if route.provider == .tripo {
                // Tripo puts a trace id on every reply, success or error.
                let id = Identifiers.uuid()
                traceID = id
                reply = reply.addingHeader("X-Tripo-Trace-ID", id)
            }
            appendLog(EmulatorLogEntry(time: realNow - realStart, method: request.method, path: request.path,
                                       route: route.name, status: reply.loggedStatus, traceID: traceID))
            return reply
        }
    }

    private func dispatch(_ context: RequestContext) -> HTTPReply {
        switch context.route.action {
        case .tripo(let action): return .response(TripoRoutes.handle(action, context, self))
        case .meshy(let action): return MeshyRoutes.handle(action, context, self)
        case .aistudio(let action): return .response(AIStudioRoutes.handle(action, context, self))
        case .download(let taskID, let name): return DownloadRoute.handle(taskID: taskID, name: name, context, self)
        case .admin(let action): return .response(AdminRoutes.handle(action, context, self))
        case .unmatched(let provider): return .response(ProviderErrors.noRoute(provider, path: context.request.path))
        }
    }
}

extension HTTPReply {
    func addingHeader(_ name: String, _ value: String) -> HTTPReply {
        switch self {
        case .response(var response):
            response.setHeader(name, value)
            return .response(response)
        case .streamed(let status, var headers, let body):
            headers.append((name, value))
            return .streamed(status: status, headers: headers, body: body)
        case .delayed(let seconds, let inner):
            return .delayed(seconds: seconds, inner.addingHeader(name, value))
        case .reset, .hangThenClose:
            return self
        }
    }
}
