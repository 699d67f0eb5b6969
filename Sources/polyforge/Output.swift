#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh

/// Terminal output helpers shared by the subcommands.
enum Output {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    static func error(_ message: String) {
        FileHandleStream.stderr.write("error: \(message)\n")
    }

    static func warning(_ message: String) {
        FileHandleStream.stderr.write("warning: \(message)\n")
    }

    /// Reads a model for a command: on failure prints the reader's sentence and exits 1; prints its warnings.
    static func readScene(_ path: String, allowNonFinitePositions: Bool = false, borrowing: Bool = false) throws -> LoadedScene {
        let loaded: LoadedScene
        do {
            loaded = try SceneIO.read(path, allowNonFinitePositions: allowNonFinitePositions, borrowing: borrowing)
        } catch {
            Output.error(error.description)
            throw ExitCode(1)
        }
        for w in loaded.scene.warnings { Output.warning("\(path): \(w)") }
        return loaded
    }

    /// The format a command's output path asks for, or a usage error a user can act on.
    static func writableFormat(_ path: String) throws -> MeshFormat {
        guard let format = MeshFormat(path: path) else {
            throw ValidationError("Cannot tell the output format from '\(path)': use an extension among .glb, .gltf, .obj, .stl, .ply.")
        }
        guard format.canWrite else { throw ValidationError("Writing .\(format.rawValue) is not supported; write .ply or .obj instead.") }
        return format
    }

    static func json(_ value: JSONValue) {
        print(JSONWriter.string(value, indent: 2))
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var v = Double(n)
        var u = 0
        while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) B" : String(format1: v) + " " + units[u]
    }

    static func number(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0, c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

extension String {
    /// One decimal place, no Foundation.
    init(format1 v: Double) {
        let scaled = (v * 10).rounded()
        let whole = Int(scaled / 10)
        let frac = abs(Int(scaled) % 10)
        self = "\(whole).\(frac)"
    }
}

/// Writes straight to a file descriptor (stderr for diagnostics, so stdout stays clean for --json).
enum FileHandleStream {
    case stderr

    func write(_ string: String) {
        var s = string
        s.withUTF8 { p in _ = Glibc.write(STDERR_FILENO, p.baseAddress, p.count) }
    }
}
