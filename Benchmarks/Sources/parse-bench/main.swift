// parse-bench: how fast SceneIO.read turns files into scenes.
//
// Each file is read once to warm the page cache, then `--runs` times under CLOCK_MONOTONIC; the table gives
// the median. MB counts the model file plus the side files the reader pulled in (.bin, .mtl, images).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeMesh

let usage = """
    usage: parse-bench [FILE…] [--runs N] [--json] [--list] [--generator] [--regenerate] [--assets DIR] [--cache DIR]

      FILE…         files to parse (default: every model under the shared assets, plus the generated scans)
      --runs N      timed parses per file (default 5), after one untimed warm-up
      --json        print a JSON array instead of the table
      --list        make the generated scans if missing, print the default file list and exit
      --generator   time ScanSurface.generate at 1M and 4M triangles instead of parsing
      --regenerate  rewrite the generated scans even if they exist
      --assets DIR  shared assets folder (default: ../shared/assets beside the repository)
      --cache DIR   folder for the generated scans (default: Benchmarks/.cache)
    """

let benchmarksDirectory = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
let repositoryDirectory = FileSystem.directory(of: benchmarksDirectory)

struct Options {
    var files: [String] = []
    var runs = 5
    var json = false
    var list = false
    var generator = false
    var regenerate = false
    var assets = FileSystem.join(FileSystem.directory(of: repositoryDirectory), "shared/assets")
    var cache = FileSystem.join(benchmarksDirectory, ".cache")
}

/// One line on stderr, so progress never mixes into the table or the JSON.
func note(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    note("parse-bench: \(message)\n\n\(usage)")
    exit(64)
}

func parseOptions(_ arguments: [String]) -> Options {
    var options = Options()
    var i = 0
    func value(_ flag: String) -> String {
        i += 1
        guard i < arguments.count else { fail("\(flag) needs a value") }
        return arguments[i]
    }
    while i < arguments.count {
        let argument = arguments[i]
        switch argument {
        case "--runs":
            guard let n = Int(value(argument)), n >= 1 else { fail("--runs needs a whole number ≥ 1") }
            options.runs = n
        case "--json": options.json = true
        case "--list": options.list = true
        case "--generator": options.generator = true
        case "--regenerate": options.regenerate = true
        case "--assets": options.assets = value(argument)
        case "--cache": options.cache = value(argument)
        case "-h", "--help": print(usage); exit(0)
        default:
            if argument.hasPrefix("--") { fail("unknown option \(argument)") }
            options.files.append(argument)
        }
        i += 1
    }
    return options
}

/// Seconds on the monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = String(scaled / Int(scale)), fraction = String(scaled % Int(scale))
    let sign = value < 0 && scaled != 0 ? "-" : ""
    if digits == 0 { return sign + whole }
    return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

func grouped(_ n: Int) -> String {
    var out = ""
    for (i, c) in String(n).reversed().enumerated() {
        if i > 0, i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}

func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? s + fill : fill + s
}

// MARK: inputs

let scanSizes = [1_000_000, 4_000_000]
let scanFormats: [MeshFormat] = [.glb, .obj, .stl, .ply]

/// Writes the scan meshes that are missing (or all, with `regenerate`) and returns their paths.
func generatedScans(in cache: String, regenerate: Bool) -> [String] {
    do {
        try FileSystem.makeDirectories(cache)
    } catch {
        fail("\(error)")
    }
    var paths: [String] = []
    for size in scanSizes {
        let wanted = scanFormats.map { FileSystem.join(cache, "scan_\(size).\($0.rawValue)") }
        let missing = wanted.filter { regenerate || !FileSystem.exists($0) }
        if !missing.isEmpty {
            let start = now()
            let scene = ScanSurface.generate(triangles: size, seed: 1)
            note("generated scan_\(size) in \(fixed((now() - start) * 1000, 0)) ms")
            for path in missing {
                let start = now()
                do {
                    try SceneIO.write(scene, to: path)
                    note("wrote \(path) in \(fixed((now() - start) * 1000, 0)) ms")
                } catch {
                    note("cannot write \(path): \(error) — skipped")
                }
            }
        }
        paths += wanted.filter { FileSystem.exists($0) }
    }
    return paths
}

/// Every model file under the assets folder, in a stable order.
func assetFiles(in directory: String) -> [String] {
    FileSystem.walk(directory).filter { MeshFormat(path: $0) != nil && !FileSystem.fileName(of: $0).hasPrefix(".") }
}

// MARK: measuring

struct Measurement {
    var path: String
    var format: String
    var bytes = 0
    var triangles = 0
    var timesMs: [Double] = []
    var error: String?

    var medianMs: Double { timesMs.isEmpty ? .nan : median(timesMs) }
    var megabytesPerSecond: Double { Double(bytes) / 1e6 / (medianMs / 1000) }
    var megatrianglesPerSecond: Double { Double(triangles) / 1e6 / (medianMs / 1000) }
}

func measure(_ path: String, runs: Int) -> Measurement {
    var m = Measurement(path: path, format: MeshFormat(path: path)?.rawValue ?? "?")
    do {
        let warm = try SceneIO.read(path)
        m.format = warm.format.rawValue
        m.bytes = warm.fileSize + warm.sideFiles.reduce(0) { $0 + $1.bytes }
        m.triangles = warm.scene.drawnTriangleCount
        for _ in 0..<runs {
            let start = now()
            let loaded = try SceneIO.read(path)
            let elapsed = now() - start
            // Use the result so the read cannot be dropped, and free it outside the timed span.
            if loaded.scene.meshes.count < 0 { print("") }
            m.timesMs.append(elapsed * 1000)
        }
    } catch {
        m.error = error.description
    }
    return m
}

func displayName(_ path: String, assets: String) -> String {
    for base in [assets, benchmarksDirectory] where path.hasPrefix(base + "/") {
        return String(path.dropFirst(base.count + 1))
    }
    return path
}

func printTable(_ rows: [Measurement], assets: String) {
    let names = rows.map { displayName($0.path, assets: assets) }
    let width = max(4, names.map(\.count).max() ?? 0)
    print(pad("file", width, left: true) + "  format        MB    triangles   median ms      MB/s  M tris/s")
    for (row, name) in zip(rows, names) {
        var line = pad(name, width, left: true) + "  " + pad(row.format, 6, left: true)
        if let error = row.error {
            print(line + "  error: \(error)")
            continue
        }
        line += pad(fixed(Double(row.bytes) / 1e6, 2), 10) + pad(grouped(row.triangles), 13)
        line += pad(fixed(row.medianMs, 2), 12) + pad(fixed(row.megabytesPerSecond, 1), 10)
        line += pad(fixed(row.megatrianglesPerSecond, 2), 10)
        print(line)
    }
}

func json(_ rows: [Measurement]) -> JSONValue {
    .array(rows.map { row in
        var members: [(String, JSONValue)] = [("file", .string(row.path)), ("format", .string(row.format))]
        if let error = row.error {
            members.append(("error", .string(error)))
        } else {
            members += [("bytes", .number(Double(row.bytes))), ("triangles", .number(Double(row.triangles))),
                        ("runs", .number(Double(row.timesMs.count))), ("median_ms", .number(row.medianMs)),
                        ("min_ms", .number(row.timesMs.min() ?? .nan)),
                        ("mb_per_s", .number(row.megabytesPerSecond)), ("mtris_per_s", .number(row.megatrianglesPerSecond))]
        }
        return .object(members)
    })
}

func timeGenerator(runs: Int, json asJSON: Bool) {
    var results: [JSONValue] = []
    for size in scanSizes {
        var times: [Double] = []
        var vertices = 0
        for _ in 0..<runs {
            let start = now()
            let scene = ScanSurface.generate(triangles: size, seed: 1)
            times.append((now() - start) * 1000)
            vertices = scene.storedTriangleCount > 0 ? scene.meshes[0].primitives[0].vertexCount : 0
        }
        if asJSON {
            results.append(["triangles": .number(Double(size)), "vertices": .number(Double(vertices)),
                            "median_ms": .number(median(times)), "min_ms": .number(times.min()!)])
        } else {
            print("ScanSurface.generate \(grouped(size)) triangles (\(grouped(vertices)) vertices): median \(fixed(median(times), 1)) ms, min \(fixed(times.min()!, 1)) ms over \(runs) runs")
        }
    }
    if asJSON { print(JSONWriter.string(.array(results), indent: 2)) }
}

// MARK: main

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
if options.generator {
    timeGenerator(runs: options.runs, json: options.json)
    exit(0)
}
var files = options.files
if files.isEmpty || options.list {
    if !FileSystem.isDirectory(options.assets) {
        note("parse-bench: no shared assets at \(options.assets) (use --assets DIR); timing the generated scans only")
    }
    files = assetFiles(in: options.assets) + generatedScans(in: options.cache, regenerate: options.regenerate)
}
if options.list {
    for file in files { print(file) }
    exit(0)
}
let rows = files.map { measure($0, runs: options.runs) }
if options.json {
    print(JSONWriter.string(json(rows), indent: 2))
} else {
    printTable(rows, assets: options.assets)
}
