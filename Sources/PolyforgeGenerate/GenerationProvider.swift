import PolyforgeFormats
import PolyforgeMesh

/// One generation service. Implementations: TripoProvider, MeshyProvider, AIStudioProvider.
public protocol GenerationProvider: Sendable {
    var name: String { get }
    var limits: ProviderLimits { get }
    var session: ProviderSession { get }
    /// The concurrency group a request counts against (documented per provider).
    func concurrencyGroup(for request: GenRequest) -> String
    /// The exact JSON body (and path) a submit will send: journaled before sending so a resume can reconcile or replay it.
    func wireRequest(for request: GenRequest) async throws(GenError) -> (path: String, body: JSONValue)
    func submit(path: String, body: JSONValue, hooks: SubmitHooks) async throws(GenError) -> GenTaskHandle
    func status(_ handle: GenTaskHandle) async throws(GenError) -> GenTaskSnapshot
    /// Server-sent status events where the provider has them (Meshy); nil elsewhere.
    func stream(_ handle: GenTaskHandle, onSnapshot: @escaping @Sendable (GenTaskSnapshot) -> Void) async throws(GenError) -> GenTaskSnapshot?
    /// Fresh artifact URLs for a finished task (its signed URLs expire).
    func refreshArtifacts(_ handle: GenTaskHandle) async throws(GenError) -> [GenArtifact]
    func cancel(_ handle: GenTaskHandle) async throws(GenError)
    func balance() async throws(GenError) -> Double
    /// After a lost submit reply: find the task the submit may have created. `jobPrompt` is the job's own prompt
    /// (a chained step's body may not carry it, but its task does).
    func reconcile(path: String, body: JSONValue, jobPrompt: String?, submittedAfter: Double, excluding: Set<String>) async throws(GenError) -> Reconciliation
    /// The artifact whose absence makes a success a failure.
    func primaryArtifact(in artifacts: [GenArtifact]) -> GenArtifact?
    /// The next task a job needs after `snapshot` succeeded as step `step`, or nil when the job is complete.
    func followUp(after snapshot: GenTaskSnapshot, original: GenRequest, step: Int) -> GenRequest?
}

extension GenerationProvider {
    public func stream(_ handle: GenTaskHandle, onSnapshot: @escaping @Sendable (GenTaskSnapshot) -> Void) async throws(GenError) -> GenTaskSnapshot? { nil }
    public func refreshArtifacts(_ handle: GenTaskHandle) async throws(GenError) -> [GenArtifact] { try await status(handle).artifacts }
    public func cancel(_ handle: GenTaskHandle) async throws(GenError) {
        throw GenError(.invalidRequest, "\(name) has no cancel endpoint")
    }
    public func reconcile(path: String, body: JSONValue, jobPrompt: String?, submittedAfter: Double, excluding: Set<String>) async throws(GenError) -> Reconciliation {
        .cannotTell("\(name) has no task list to check")
    }
    public func followUp(after snapshot: GenTaskSnapshot, original: GenRequest, step: Int) -> GenRequest? { nil }
    public func primaryArtifact(in artifacts: [GenArtifact]) -> GenArtifact? {
        for role in ["pbr_model", "model", "base_model"] { if let a = artifacts.first(where: { $0.role == role }) { return a } }
        return nil
    }
}

/// What a provider's task list says about a submit whose reply was lost.
public enum Reconciliation: Sendable {
    /// Exactly one task fits: the submit created it.
    case found(GenTaskHandle)
    /// Every task created since the intent was listed and none fits: the request never created a task.
    case absent
    /// No list, or more than one task fits: a person must decide.
    case cannotTell(String)
}

/// Reads an image file for providers that take it inline, as a data URI.
func dataURI(forImageAt path: String) throws(GenError) -> (uri: String, mime: String, bytes: [UInt8]) {
    guard let bytes = readWholeFile(path) else { throw GenError(.local, "cannot read image \(path)") }
    let mime: String
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { mime = "image/png" }
    else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { mime = "image/jpeg" }
    else if bytes.count > 12 && bytes[8..<12].elementsEqual(Array("WEBP".utf8)) { mime = "image/webp" }
    else { throw GenError(.local, "\(path): not a PNG, JPEG or WebP image (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")))") }
    return ("data:\(mime);base64," + Base64.encode(bytes), mime, bytes)
}
