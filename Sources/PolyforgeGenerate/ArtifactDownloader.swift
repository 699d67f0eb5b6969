import Glibc
import PolyforgeFormats
import PolyforgeMesh

public struct DownloadedArtifact: Sendable {
    public var artifact: GenArtifact
    public var path: String
    public var bytes: Int64
    public var sha256: String
    public var attempts: Int
    public var refreshedURL: Bool
}

/// Streams an artifact into a `.part` file beside its destination, resuming with Range after a broken transfer,
/// checks it (announced length, magic bytes, and for models a full parse), then renames it into place.
/// An expired signed URL (storage 403/404) triggers one refresh of the task's URLs; a second expiry is an error.
public struct ArtifactDownloader: Sendable {
    public let http: HTTPClient
    public let backoff: Backoff
    public let log: GenerationLog
    public var maxAttempts = 5

    public init(http: HTTPClient, backoff: Backoff, log: GenerationLog) { self.http = http; self.backoff = backoff; self.log = log }

    public func download(_ artifact: GenArtifact, to finalPath: String,
                         refresh: @Sendable () async throws(GenError) -> [GenArtifact]) async throws(GenError) -> DownloadedArtifact {
        let partPath = FileSystem.join(FileSystem.directory(of: finalPath), "." + FileSystem.fileName(of: finalPath) + ".part")
        var current = artifact
        var refreshed = false
        var attempt = 0
        var corruptRestarts = 0
        while true {
            attempt += 1
            let url = current.url
            let http = self.http
            let result = await http.offPool { http.downloadBlocking(url: url, to: partPath) }
            var problem: GenError
            switch result {
            case .failure(let transport):
                if transport.isTLS { throw GenError(.tls, "TLS verification failed downloading \(artifact.role): \(transport.message)") }
                problem = GenError(.transient, "download of \(artifact.role) failed: \(transport.description)")
            case .success(let reply) where reply.status == 416:
                // Range past the end: the .part is already whole (a run killed between the last byte and the rename).
                let format = current.resolvedFormat
                if case .success(let digest) = await http.offPool({ ArtifactDownloader.validateAndHash(path: partPath, format: format) }) {
                    syncFile(partPath)
                    guard rename(partPath, finalPath) == 0 else {
                        throw GenError(.local, "cannot move \(partPath) to \(finalPath): \(String(cString: strerror(errno)))")
                    }
                    let size = Int64(FileSystem.fileSize(finalPath) ?? 0)
                    return DownloadedArtifact(artifact: current, path: finalPath, bytes: size, sha256: digest, attempts: attempt, refreshedURL: refreshed)
                }
                unlink(partPath)   // not a whole file after all: fetch it again from the start
                problem = GenError(.transient, "download of \(artifact.role): the kept partial file did not match; starting over")
            case .success(let reply):
                if reply.status == 403 || reply.status == 404 || reply.status == 410 {
                    unlink(partPath)
                    guard !refreshed else {
                        throw GenError(.urlExpired, "\(artifact.role) URL refused with HTTP \(reply.status) even after refreshing it (\(HTTPClient.displayURL(url)))", httpStatus: reply.status)
                    }
                    refreshed = true
                    log.info("\(artifact.role): storage answered \(reply.status) (URL expired?); asking the provider for fresh URLs")
                    let fresh = try await refresh()
                    guard let match = fresh.first(where: { $0.role == artifact.role }) else {
                        throw GenError(.urlExpired, "\(artifact.role): the provider no longer lists this artifact after a refresh")
                    }
                    current = match
                    continue
                }
                if !(200..<300).contains(reply.status) {
                    problem = GenError(reply.status == 429 || reply.status >= 500 ? .transient : .invalidArtifact,
                                       "download of \(artifact.role) answered HTTP \(reply.status)", httpStatus: reply.status,
                                       retryAfter: parseRetryAfter(reply.header("retry-after")))
                    if problem.kind == .invalidArtifact { unlink(partPath); throw problem }
                } else if let transport = reply.transportError {
                    problem = GenError(.transient, "download of \(artifact.role) broke off at byte \(reply.fileSize)\(reply.expectedSize.map { " of \($0)" } ?? ""): \(transport.message)")
                } else if let expected = reply.expectedSize, reply.fileSize != expected {
                    problem = GenError(.transient, "download of \(artifact.role) ended at byte \(reply.fileSize) of \(expected)")
                } else {
                    // Complete by the server's account: now check the bytes themselves.
                    // A full parse and a hash: on the I/O queue, off the cooperative pool.
                    let format = current.resolvedFormat
                    let checked = await http.offPool { ArtifactDownloader.validateAndHash(path: partPath, format: format) }
                    if case .failure(let failure) = checked {
                        let reason = failure.reason
                        unlink(partPath)
                        corruptRestarts += 1
                        let error = GenError(.invalidArtifact, "\(artifact.role) (\(reply.fileSize) bytes) is not a valid \(current.resolvedFormat): \(reason)")
                        if corruptRestarts > 1 { throw error }   // the same bad bytes twice: final
                        problem = error
                        problem.kind = .transient
                    } else {
                        guard case .success(let digest) = checked else { throw GenError(.local, "cannot read back \(partPath)") }
                        syncFile(partPath)   // data on disk before the name points at it
                        guard rename(partPath, finalPath) == 0 else {
                            throw GenError(.local, "cannot move \(partPath) to \(finalPath): \(String(cString: strerror(errno)))")
                        }
                        // The directory entry is made durable once per job, after the metadata (GenerationRunner.finish).
                        return DownloadedArtifact(artifact: current, path: finalPath, bytes: reply.fileSize, sha256: digest,
                                                  attempts: attempt, refreshedURL: refreshed)
                    }
                }
            }
            guard attempt < maxAttempts else {
                // Still transient: the job pauses and `--resume` continues from the partial file.
                throw GenError(problem.kind, problem.message + " (gave up after \(attempt) attempts; the partial file is kept for --resume)")
            }
            let wait = backoff.delay(attempt: attempt - 1, retryAfter: problem.retryAfter)
            log.debug("\(problem.message); attempt \(attempt + 1) in \(formatSeconds(wait))")
            try await sleepSeconds(wait)
        }
    }

    public struct Invalid: Error { public let reason: String }

    /// The file's SHA-256 when it looks like what it claims to be (one mapping for both); otherwise why not.
    public static func validateAndHash(path: String, format: String) -> Result<String, Invalid> {
        guard let file = try? MappedFile(path: path) else { return .failure(Invalid(reason: "cannot read it back")) }
        if let reason = validate(file, path: path, format: format) { return .failure(Invalid(reason: reason)) }
        return .success(file.withBytes { SHA256.hex($0) })
    }

    /// nil when the file looks like what it claims to be; otherwise why not.
    public static func validate(path: String, format: String) -> String? {
        guard let file = try? MappedFile(path: path) else { return "cannot read it back" }
        return validate(file, path: path, format: format)
    }

    static func validate(_ file: MappedFile, path: String, format: String) -> String? {
        let header = file.withBytes { Array($0.prefix(32)) }
        if header.isEmpty { return "the file is empty" }
        func starts(_ magic: [UInt8]) -> Bool { header.starts(with: magic) }
        switch format {
        case "glb":
            guard starts(Array("glTF".utf8)) else { return "no glTF magic (starts \(hexPreview(header)))" }
        case "png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? nil : "no PNG signature (starts \(hexPreview(header)))"
        case "jpg", "jpeg": return starts([0xFF, 0xD8, 0xFF]) ? nil : "no JPEG marker (starts \(hexPreview(header)))"
        case "webp": return header.count >= 12 && header[8..<12].elementsEqual(Array("WEBP".utf8)) ? nil : "no WebP header"
        case "fbx": return starts(Array("Kaydara FBX Binary".utf8)) || starts(Array("; FBX".utf8)) ? nil : "no FBX header"
        case "usdz", "3mf", "zip": return starts([0x50, 0x4B, 0x03, 0x04]) ? nil : "no ZIP header (starts \(hexPreview(header)))"
        default: break
        }
        // Models we can read are parsed in full: a corrupt body is caught here, not in the next pipeline step.
        if ["glb", "gltf", "obj", "stl", "ply", "off"].contains(format), let kind = MeshFormat(fileExtension: format) {
            do {
                _ = try file.withBytes { (bytes: UnsafeRawBufferPointer) throws(FormatError) -> LoadedScene in
                    try SceneIO.parse(bytes, format: kind, fileName: path, resources: .none)
                }
            } catch {
                return "does not parse: \(error)"
            }
        }
        return nil
    }
}

func hexPreview(_ bytes: [UInt8]) -> String { bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ") }

func syncFile(_ path: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 { fsync(fd); close(fd) }
}

/// Makes a rename durable: fsync on the directory holding the file.
func syncDirectory(of path: String) {
    let fd = open(FileSystem.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { fsync(fd); close(fd) }
}
