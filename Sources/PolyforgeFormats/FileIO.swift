#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only file mapped into memory: readers parse it in place without copying it first.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    private let base: UnsafeMutableRawPointer?
    private let mapped: Bool

    public init(path: String) throws(FormatError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FormatError(file: path, .none, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FormatError(file: path, .none, "cannot stat: \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FormatError(file: path, .none, "not a regular file") }
        count = Int(st.st_size)
        if count == 0 {
            base = nil
            mapped = false
            return
        }
        // Populate the mapping up front: one call instead of a page fault per 4 KB as the parser walks the file.
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw FormatError(file: path, .none, "cannot map: \(String(cString: strerror(errno)))") }
        madvise(p, count, MADV_SEQUENTIAL)
        base = p
        mapped = true
    }

    deinit {
        if mapped, let base { munmap(base, count) }
    }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(bytes)
    }

    /// Reads a whole file into an array (small side files: .mtl, images, .bin when not mapped).
    public static func readAll(_ path: String) throws(FormatError) -> [UInt8] {
        let f = try MappedFile(path: path)
        return f.withBytes { Array($0) }
    }
}

public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// File name without its last extension.
    public static func stem(of path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    public static func join(_ directory: String, _ name: String) -> String {
        if name.hasPrefix("/") { return name }
        if directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    public static func makeDirectories(_ path: String) throws(FormatError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw FormatError(file: path, .none, "cannot create directory: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Model files among `paths`, in a stable order: files as given, folders walked recursively for the
    /// extensions Polyforge reads.
    public static func modelFiles(in paths: [String]) -> [String] {
        var out: [String] = []
        for path in paths {
            if isDirectory(path) {
                out += walk(path).filter { MeshFormat(path: $0) != nil }
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Lists regular files below a directory, recursively, sorted for a stable order.
    public static func walk(_ directory: String) -> [String] {
        var out: [String] = []
        guard let dir = opendir(directory) else { return out }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        for name in names.sorted() {
            let path = join(directory, name)
            if isDirectory(path) { out += walk(path) } else { out.append(path) }
        }
        return out
    }
}

/// Writes a file atomically: into a temporary file beside the target, fsynced, then renamed over it,
/// so a crash leaves either the old file or the complete new one — never a torn one.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
        let result: Result<Void, FormatError> = bytes.withUnsafeBytes { b in Result { () throws(FormatError) in try write(b, to: path) } }
        try result.get()
    }

    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FormatError) {
        let dir = FileSystem.directory(of: path)
        let temp = FileSystem.join(dir, ".\(FileSystem.fileName(of: path)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FormatError(file: path, .none, "cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw FormatError(file: path, .none, "cannot write: \(reason)")
            }
            written += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw FormatError(file: path, .none, "cannot flush: \(reason)")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw FormatError(file: path, .none, "cannot rename into place: \(reason)")
        }
    }
}
