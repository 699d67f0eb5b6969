import PolyforgeMesh

/// Everything the emulator remembers, behind one lock. Route handlers run with the lock held and only compute;
/// the server writes to sockets (and sleeps) after the lock is released. Streams take it briefly per tick.
final class EmulatorState: @unchecked Sendable {
    let lock = Lock()

    // Guarded by `lock`:
    private(set) var scenario: EmulatorScenario
    var clock: VirtualClock
    var faults: FaultInjector
    var tasks: [String: EmulatedTask] = [:]
    /// Task ids of each account in creation order.
    var taskIDsByAccount: [String: [String]] = [:]
    /// Per account: the tasks not yet seen finished, and the credits of those seen succeed. Virtual time only moves
    /// forward, so a finished task never needs looking at again: limits and balances cost O(unfinished tasks).
    private var ledgers: [String: Ledger] = [:]
    var uploadTokens: Set<String> = []
    /// Real times of admitted 3D AI Studio requests per account (sliding 60 s window).
    var requestWindows: [String: [Double]] = [:]
    var counters = EmulatorCounters()
    /// Creations per (account, duplicate key), for `duplicate_submits`.
    var creationsPerRequest: [String: Int] = [:]
    private(set) var log: [EmulatorLogEntry] = []
    var baseURL = "http://127.0.0.1"

    let signer = URLSigner()
    let realStart = monotonicSeconds()
    let store = ArtifactStore.shared

    /// The log keeps the most recent entries only, so a long-running emulator does not grow without bound.
    static let logCapacity = 200_000

    init(scenario: EmulatorScenario) {
        self.scenario = scenario
        clock = VirtualClock(scale: scenario.timeScale)
        faults = FaultInjector(faults: scenario.faults, seed: scenario.seed)
    }

    /// Tasks already created keep the queue and run times they were created with.
    func replaceScenario(_ new: EmulatorScenario) {
        scenario = new
        clock.setScale(new.timeScale)
        faults = FaultInjector(faults: new.faults, seed: new.seed)
    }

    /// Forgets tasks, uploads, counters, log and fault progress; keeps the scenario and the clock.
    func reset() {
        tasks = [:]
        taskIDsByAccount = [:]
        ledgers = [:]
        uploadTokens = []
        requestWindows = [:]
        counters = EmulatorCounters()
        creationsPerRequest = [:]
        log = []
        faults = FaultInjector(faults: scenario.faults, seed: scenario.seed)
    }

    /// Keys the scenario groups share the account of the group's first key; any other key is its own account.
    func account(forKey key: String) -> String {
        if let group = scenario.accounts.first(where: { $0.keys.contains(key) }) { return "account:" + group.keys[0] }
        return "key:" + key
    }

    func credits(ofAccount account: String) -> Int {
        guard account.hasPrefix("account:") else { return EmulatorScenario.defaultCredits }
        let first = String(account.dropFirst("account:".count))
        return scenario.accounts.first(where: { $0.keys.first == first })?.credits ?? EmulatorScenario.defaultCredits
    }

    private struct Ledger {
        var unfinished: [String] = []
        var spent = 0
    }

    /// Moves the account's tasks that have finished by `now` out of its unfinished list, booking their credits.
    private func settle(_ account: String, now: Double) -> Ledger {
        guard var ledger = ledgers[account] else { return Ledger() }
        ledger.unfinished.removeAll { id in
            guard let task = tasks[id] else { return true }
            let snapshot = task.snapshot(at: now)
            guard snapshot.isTerminal else { return false }
            if snapshot.succeeded { ledger.spent += task.cost }
            return true
        }
        ledgers[account] = ledger
        return ledger
    }

    /// Credits held by unfinished tasks and spent by successful ones; failed tasks are refunded.
    func ledger(ofAccount account: String, now: Double) -> (held: Int, spent: Int) {
        let ledger = settle(account, now: now)
        return (ledger.unfinished.reduce(0) { $0 + (tasks[$1]?.cost ?? 0) }, ledger.spent)
    }

    func available(ofAccount account: String, now: Double) -> Int {
        let (held, spent) = ledger(ofAccount: account, now: now)
        return credits(ofAccount: account) - held - spent
    }

    /// Unfinished tasks of an account that satisfy `filter`.
    func activeTaskCount(ofAccount account: String, now: Double, where filter: (EmulatedTask) -> Bool) -> Int {
        settle(account, now: now).unfinished.reduce(0) { count, id in
            guard let task = tasks[id], filter(task) else { return count }
            return count + 1
        }
    }

    /// The task `id` when it exists, belongs to `account`, comes from `provider` and was not deleted.
    func task(_ id: String, ofAccount account: String, provider: Provider) -> EmulatedTask? {
        guard let task = tasks[id], task.account == account, task.provider == provider, !task.deleted else { return nil }
        return task
    }

    /// Admits one request into the account's sliding real-time minute, or refuses it (refusals do not count).
    func admitRequest(account: String, realNow: Double, perMinute limit: Int) -> Bool {
        guard limit > 0 else { return true }
        var window = requestWindows[account, default: []]
        window.removeAll(where: { realNow - $0 >= 60 })
        let admitted = window.count < limit
        if admitted { window.append(realNow) }
        requestWindows[account] = window
        return admitted
    }

    /// The outcome of a task being created: a `task_outcome` fault wins over a magic tag in the prompt.
    func outcomeForNewTask(provider: Provider, request: SubmittedRequest) -> TaskOutcome {
        if let forced = faults.fireOutcome(provider: provider) {
            counters.faultsFired[FaultKind.taskOutcome.rawValue, default: 0] += 1
            return forced
        }
        return request.taggedOutcome ?? .success
    }

    /// Stores a new task and counts it (the Meshy sample is never counted).
    func register(_ task: EmulatedTask, duplicateKey: String) {
        tasks[task.id] = task
        taskIDsByAccount[task.account, default: []].append(task.id)
        guard !task.isSample else { return }
        ledgers[task.account, default: Ledger()].unfinished.append(task.id)
        counters.tasksCreated += 1
        counters.tasksCreatedByKey[task.key, default: 0] += 1
        counters.tasksCreatedByPrompt[duplicateKey, default: 0] += 1
        let perAccount = task.account + "\u{0}" + duplicateKey
        creationsPerRequest[perAccount, default: 0] += 1
        if creationsPerRequest[perAccount] == 2 && !counters.duplicateSubmits.contains(duplicateKey) {
            counters.duplicateSubmits.append(duplicateKey)
        }
    }

    /// The task's files as signed URLs, keyed by file name. Every read re-signs with a fresh expiry unless the
    /// scenario turned `refresh_urls` off; then the first read's expiry is repeated.
    func signedURLs(forTask id: String, now: Double) -> [String: String] {
        guard let task = tasks[id] else { return [:] }
        let expires: Int
        if !scenario.refreshURLs, let pinned = task.pinnedExpiry {
            expires = pinned
        } else {
            expires = Int((now + scenario.urlTTLSeconds).rounded(.down))
            if task.pinnedExpiry == nil { tasks[id]?.pinnedExpiry = expires }
        }
        var urls: [String: String] = [:]
        for file in task.files {
            urls[file.name] = signer.url(base: baseURL, taskID: id, name: file.name, expires: expires)
        }
        return urls
    }

    func appendLog(_ entry: EmulatorLogEntry) {
        if log.count >= Self.logCapacity { log.removeFirst(Self.logCapacity / 2) }
        log.append(entry)
    }
}
