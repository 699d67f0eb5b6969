import PolyforgeMesh

/// Meshy's `GET …/{id}/stream`: Server-Sent Events with the whole task object as `data:` on every change of
/// status or progress, `: keep-alive` comments while nothing changes, and a close after the terminal event.
enum MeshyEventStream {
    /// How often the task is looked at (real seconds): changes reach the client within this.
    static let tick = 0.025
    /// A comment goes out after this long without an event (real seconds); it also notices a vanished client.
    static let keepAliveInterval = 1.0

    static func reply(taskID: String, state: EmulatorState, disconnectAfterFirstEvent: Bool) -> HTTPReply {
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("Connection", "close"),
        ]
        return .streamed(status: 200, headers: headers) { stream in
            var lastState = ""
            var lastWrite = monotonicSeconds()
            while true {
                // Under the lock only long enough to read the task; never while writing or sleeping.
                let event: (json: [UInt8]?, terminal: Bool)? = state.lock.withLock {
                    guard let task = state.tasks[taskID], !task.deleted else { return nil }
                    let now = state.clock.now()
                    let snapshot = task.snapshot(at: now)
                    let current = "\(MeshyRoutes.status(snapshot)) \(snapshot.progress)"
                    if current == lastState { return (nil, false) }
                    lastState = current
                    return (JSONWriter.bytes(MeshyRoutes.taskObject(task, now: now, oddStatus: false, state)), snapshot.isTerminal)
                }
                guard let event else { return }
                if let json = event.json {
                    guard stream.write(Array("data: ".utf8) + json + Array("\n\n".utf8)) else { return }
                    lastWrite = monotonicSeconds()
                    if event.terminal || disconnectAfterFirstEvent { return }
                } else if monotonicSeconds() - lastWrite >= keepAliveInterval {
                    guard stream.write(": keep-alive\n\n") else { return }
                    lastWrite = monotonicSeconds()
                }
                guard stream.pause(seconds: tick) else { return }
            }
        }
    }
}
