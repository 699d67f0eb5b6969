// qc-bench: `polyforge qc` throughput on a generated library of assets, and the auditor's slow checks on one
// 1M-triangle textured mesh.
//
// 1. Library: `--count` (1,000) deterministic assets in Benchmarks/.cache/qc-library/ (git-ignored), made once
//    (`--regenerate` rewrites them): sizes log-uniform in 1k–200k triangles (ScanSurface blobs, tori, UV spheres,
//    a few with holes or duplicate faces), about 40% of the GLB/OBJ ones with a small PNG base-color texture,
//    formats mixed GLB/OBJ/STL/PLY (plus one glTF), and one deliberately broken file in a hundred.
//    `manifest.tsv` lists every file with what it was made to be.
// 2. Throughput: `QCRunner(profile: game-prop, jobs: 2).run(files)` end to end — discovery excluded, reading,
//    measuring and checking included — median of `--runs` (3); assets/s, MB/s (model + side files, 10^6 bytes),
//    M triangles/s. Also one serial pass over the small assets (< 5k triangles) that splits read from checks.
// 3. Slow checks: a 1M-triangle ScanSurface with its UVs cut into an 8×8 atlas of islands (gutters between them)
//    and a 1024² PNG; times the weld + topology analysis (non-manifold edges), the auditor-tolerance weld + edge
//    angles and 3-face edges as the auditor finds them (beveled and manifold edges), the UV overlap estimate and the gutter check (UV islands + collisions at 1024²),
//    the whole AssetMeasurements with all of them on, and QCRunner.check on the mesh written as GLB
//    (read included). Median of `--slow-runs` (5).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh
import PolyforgeQC
import PolyforgeTopology

// The same OpenMP runtime setting as the polyforge CLI: idle workers sleep instead of spinning for 200 ms.
setenv("KMP_BLOCKTIME", "0", 0)

let usage = """
    usage: qc-bench [--library DIR] [--count N] [--regenerate] [--runs N] [--jobs N] [--profile NAME]
                    [--slow-runs N] [--slow-triangles N] [--skip-library] [--skip-slow] [--generate-only] [--json]
    """

let benchmarksDirectory = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")

struct Options {
    var library = FileSystem.join(benchmarksDirectory, ".cache/qc-library")
    var count = 1000
    var regenerate = false
    var runs = 3
    var jobs = 2
    var profile = "game-prop"
    var slowRuns = 5
    var slowTriangles = 1_000_000
    var skipLibrary = false
    var skipSlow = false
    var generateOnly = false
    var json = false
}

var options = Options()
do {
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        func text() -> String {
            guard let t = arguments.popFirst() else { print("qc-bench: \(argument) needs a value\n\(usage)"); exit(64) }
            return t
        }
        func number() -> Int {
            guard let n = Int(text()), n > 0 else { print("qc-bench: \(argument) needs a positive number\n\(usage)"); exit(64) }
            return n
        }
        switch argument {
        case "--library": options.library = text()
        case "--count": options.count = number()
        case "--regenerate": options.regenerate = true
        case "--runs": options.runs = number()
        case "--jobs": options.jobs = number()
        case "--profile": options.profile = text()
        case "--slow-runs": options.slowRuns = number()
        case "--slow-triangles": options.slowTriangles = number()
        case "--skip-library": options.skipLibrary = true
        case "--skip-slow": options.skipSlow = true
        case "--generate-only": options.generateOnly = true
        case "--json": options.json = true
        case "-h", "--help": print(usage); exit(0)
        default: print("qc-bench: unknown argument \(argument)\n\(usage)"); exit(64)
        }
    }
}

func seconds() -> Double { QCRunner.now() }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func log(_ s: String) {
    // Progress goes to stderr so --json stays clean.
    var line = s + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fixed(_ x: Double, _ digits: Int) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        s += "." + String(repeating: "0", count: digits)
    }
    return s
}

/// splitmix64, so the library is the same on every machine.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

// MARK: - Library generation

/// RGBA8 checker over a colour ramp; `size` need not be a power of two.
func texturePixels(width: Int, height: Int, seed: Int) -> [UInt8] {
    var px = [UInt8](repeating: 255, count: width * height * 4)
    let cell = max(2, width / 8)
    for y in 0..<height {
        for x in 0..<width {
            let light = ((x / cell) + (y / cell)) % 2 == 0
            let base = light ? 190 : 55
            let i = 4 * (y * width + x)
            px[i] = UInt8(min(255, base + (55 * x / max(1, width - 1) + seed * 37) % 60))
            px[i + 1] = UInt8(min(255, base + 55 * y / max(1, height - 1)))
            px[i + 2] = UInt8(min(255, base + (seed * 53) % 60))
        }
    }
    return px
}

var pngCache: [String: [UInt8]] = [:]
@MainActor func png(width: Int, height: Int, seed: Int) -> [UInt8] {
    let key = "\(width)x\(height)-\(seed)"
    if let p = pngCache[key] { return p }
    let p = try! PNGCodec.encode(rgba: texturePixels(width: width, height: height, seed: seed), width: width, height: height)
    pngCache[key] = p
    return p
}

/// The scene's only primitive, scaled and moved so it rests on y = 0, optionally with defects.
func shaped(_ scene: Scene, scale: Float, dropEvery: Int?, duplicateEvery: Int?) -> Primitive {
    var p = scene.meshes[0].primitives[0]
    if let i = p.streamIndex(.position) {
        var minY = Float.greatestFiniteMagnitude
        for v in stride(from: 1, to: p.streams[i].data.count, by: 3) { minY = min(minY, p.streams[i].data[v]) }
        for v in 0..<p.streams[i].data.count { p.streams[i].data[v] *= scale }
        for v in stride(from: 1, to: p.streams[i].data.count, by: 3) { p.streams[i].data[v] -= minY * scale }
    }
    if dropEvery != nil || duplicateEvery != nil {
        var out: [UInt32] = []
        out.reserveCapacity(p.indices.count)
        for f in 0..<(p.indices.count / 3) {
            if let d = dropEvery, f % d == d / 2 { continue }
            out += p.indices[(3 * f)..<(3 * f + 3)]
            if let d = duplicateEvery, f % d == 0 { out += p.indices[(3 * f)..<(3 * f + 3)] }
        }
        p.indices = out
    }
    return p
}

struct Planned {
    var path: String
    var format: String
    var shape: String
    var triangles: Int
    var texture: String
    var kind: String
}

/// Writes one broken file of the given kind; returns its path (extension chosen by kind) and a description.
func writeBroken(kind: Int, stem: String, rng: inout SplitMix) throws -> (String, String) {
    let small = ScanSurface.generate(triangles: 2000, seed: 99)
    switch kind % 10 {
    case 0:
        let path = stem + ".glb"
        try SceneIO.write(small, to: path)
        let bytes = try MappedFile.readAll(path)
        try AtomicFile.write(Array(bytes[0..<(bytes.count / 2)]), to: path)
        return (path, "broken: GLB truncated to half")
    case 1:
        let path = stem + ".glb"
        try SceneIO.write(small, to: path)
        var bytes = try MappedFile.readAll(path)
        // JSON chunk length far past the end of the file.
        bytes[12] = 0xFF; bytes[13] = 0xFF; bytes[14] = 0xFF; bytes[15] = 0x0F
        try AtomicFile.write(bytes, to: path)
        return (path, "broken: GLB chunk length past end of file")
    case 2:
        let path = stem + ".obj"
        var text = "o broken\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 999999\n"
        text += "f 3 2 1\n"
        try AtomicFile.write(Array(text.utf8), to: path)
        return (path, "broken: OBJ face index past the vertex list")
    case 3:
        let path = stem + ".obj"
        var bytes = [UInt8](repeating: 0, count: 4096)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        try AtomicFile.write(bytes, to: path)
        return (path, "broken: OBJ of random bytes")
    case 4:
        let path = stem + ".stl"
        try SceneIO.write(small, to: path)
        let bytes = try MappedFile.readAll(path)
        try AtomicFile.write(Array(bytes[0..<(84 + 50 * 100 + 17)]), to: path)
        return (path, "broken: binary STL truncated (header says 2000 triangles)")
    case 5:
        let path = stem + ".ply"
        try SceneIO.write(small, to: path)
        let bytes = try MappedFile.readAll(path)
        try AtomicFile.write(Array(bytes[0..<(bytes.count * 2 / 3)]), to: path)
        return (path, "broken: binary PLY truncated")
    case 6:
        let path = stem + ".ply"
        try AtomicFile.write([], to: path)
        return (path, "broken: empty PLY")
    case 7:
        let path = stem + ".gltf"
        try SceneIO.write(small, to: path)
        // Remove the side buffer the glTF names.
        for name in FileSystem.walk(FileSystem.directory(of: path))
        where name.hasPrefix(stem) && name.hasSuffix(".bin") { unlink(name) }
        return (path, "broken: glTF whose .bin is missing")
    case 8:
        let path = stem + ".glb"
        try AtomicFile.write(Array("this is not a binary glTF file at all\n".utf8), to: path)
        return (path, "broken: GLB that is text")
    default:
        let path = stem + ".ply"
        let header = "ply\nformat binary_little_endian 1.0\nelement vertex 1000000\nproperty float x\nproperty float y\nproperty float z\nelement face 10\nproperty list uchar int vertex_indices\nend_header\n"
        try AtomicFile.write(Array(header.utf8) + [UInt8](repeating: 0, count: 120), to: path)
        return (path, "broken: PLY header promises 1M vertices, file has 10")
    }
}

@MainActor func generateLibrary(_ dir: String, count: Int) throws -> [Planned] {
    try FileSystem.makeDirectories(dir)
    var planned: [Planned] = []
    let lo = Foundationless.log(1000.0), hi = Foundationless.log(200_000.0)
    var brokenKind = 0
    let start = seconds()
    for i in 0..<count {
        var rng = SplitMix(state: 0x51C0_FFEE &+ UInt64(i) &* 0x1000_0000_01B3)
        let folder = FileSystem.join(dir, padded(i / 100, 2))
        try FileSystem.makeDirectories(folder)
        let stem = FileSystem.join(folder, "asset_\(padded(i, 4))")
        if i % 100 == 37 {
            let (path, what) = try writeBroken(kind: brokenKind, stem: stem, rng: &rng)
            brokenKind += 1
            planned.append(Planned(path: path, format: String(path.split(separator: ".").last!), shape: "-", triangles: 0, texture: "-", kind: what))
            continue
        }
        let target = Int(Foundationless.exp(lo + rng.unit() * (hi - lo)))
        let f = rng.unit()
        let format = f < 0.35 ? "glb" : f < 0.60 ? "obj" : f < 0.80 ? "stl" : "ply"
        let s = rng.unit()
        let scene: Scene, shape: String
        if s < 0.70 {
            scene = ScanSurface.generate(triangles: target, seed: UInt64(i + 1)); shape = "scan"
        } else if s < 0.85 {
            let minor = max(3, Int((Double(target) / 4).squareRoot().rounded()))
            scene = Fixtures.torus(majorSegments: max(3, target / (2 * minor)), minorSegments: minor); shape = "torus"
        } else {
            let rings = max(3, Int((Double(target) / 4).squareRoot().rounded()))
            scene = Fixtures.uvSphere(segments: max(3, target / (2 * rings)), rings: rings + 1); shape = "uv_sphere"
        }
        let d = rng.unit()
        let kind = d < 0.05 ? "holes" : d < 0.08 ? "duplicate_faces" : "clean"
        let scale = Float(0.1 * Foundationless.exp(rng.unit() * Foundationless.log(30.0)))  // 0.1–3 units
        var primitive = shaped(scene, scale: scale, dropEvery: kind == "holes" ? 97 : nil, duplicateEvery: kind == "duplicate_faces" ? 211 : nil)
        var material = Material(name: "mat_\(i)")
        material.baseColorFactor = [Float(0.3 + 0.6 * rng.unit()), Float(0.3 + 0.6 * rng.unit()), Float(0.3 + 0.6 * rng.unit()), 1]
        material.metallicFactor = rng.unit() < 0.2 ? 1 : 0
        material.roughnessFactor = Float(0.3 + 0.6 * rng.unit())
        primitive.material = 0
        var texture = "-"
        var images: [Image] = [], textures: [Texture] = [], samplers: [Sampler] = []
        if (format == "glb" || format == "obj") && rng.unit() < 0.4 {
            let sizes = [(64, 64), (128, 128), (256, 256), (512, 512), (100, 100), (256, 128)]
            let (w, h) = sizes[rng.below(sizes.count)]
            images = [Image(name: "base_\(i)", mimeType: "image/png", data: png(width: w, height: h, seed: i % 7))]
            textures = [Texture(name: "base_\(i)", source: 0, sampler: 0)]
            samplers = [Sampler(magFilter: 9729, minFilter: 9987)]
            material.baseColorTexture = TextureReference(texture: 0)
            texture = "\(w)x\(h)"
        }
        var out = Scene(mesh: Mesh(name: "asset_\(i)", primitives: [primitive]), materials: [material],
                        textures: textures, images: images, samplers: samplers)
        out.nodes[0].name = "asset_\(i)"
        let path = stem + "." + format
        try SceneIO.write(out, to: path)
        planned.append(Planned(path: path, format: format, shape: shape, triangles: primitive.triangleCount, texture: texture, kind: kind))
        if (i + 1) % 100 == 0 { log("  generated \(i + 1)/\(count) (\(fixed(seconds() - start, 1)) s)") }
    }
    var tsv = "path\tformat\tshape\ttriangles\ttexture\tkind\n"
    for p in planned {
        let relative = String(p.path.dropFirst(dir.count + 1))
        tsv += "\(relative)\t\(p.format)\t\(p.shape)\t\(p.triangles)\t\(p.texture)\t\(p.kind)\n"
    }
    try AtomicFile.write(Array(tsv.utf8), to: FileSystem.join(dir, "manifest.tsv"))
    return planned
}

/// libm without Foundation.
enum Foundationless {
    static func log(_ x: Double) -> Double { Glibc.log(x) }
    static func exp(_ x: Double) -> Double { Glibc.exp(x) }
}

func padded(_ n: Int, _ width: Int) -> String {
    let s = "\(n)"
    return String(repeating: "0", count: Swift.max(0, width - s.count)) + s
}

// MARK: - 1M-triangle textured mesh with an atlas of UV islands

/// Cuts the UV layout into k×k islands: each triangle goes to the cell of its centroid's UV, vertices are
/// duplicated per cell, and each island is shrunk by `shrink` about its cell's centre so gutters open between them.
func atlasScene(triangles: Int, cells k: Int, shrink: Float, textureSize: Int) throws -> Scene {
    let base = ScanSurface.generate(triangles: triangles, seed: 1)
    let p = base.meshes[0].primitives[0]
    let pos = p.stream(.position)!.data, nor = p.stream(.normal)!.data, uv = p.stream(.texcoord(0))!.data
    var map: [Int: UInt32] = [:]
    map.reserveCapacity(pos.count / 3 * 5 / 4)
    var newPos: [Float] = [], newNor: [Float] = [], newUV: [Float] = [], newIdx: [UInt32] = []
    newIdx.reserveCapacity(p.indices.count)
    for f in 0..<(p.indices.count / 3) {
        let a = Int(p.indices[3 * f]), b = Int(p.indices[3 * f + 1]), c = Int(p.indices[3 * f + 2])
        let cu = (uv[2 * a] + uv[2 * b] + uv[2 * c]) / 3, cv = (uv[2 * a + 1] + uv[2 * b + 1] + uv[2 * c + 1]) / 3
        let cx = min(k - 1, max(0, Int(cu * Float(k)))), cy = min(k - 1, max(0, Int(cv * Float(k))))
        let cell = cy * k + cx
        let centreU = (Float(cx) + 0.5) / Float(k), centreV = (Float(cy) + 0.5) / Float(k)
        for v in [a, b, c] {
            let key = v * k * k + cell
            if let n = map[key] { newIdx.append(n); continue }
            let n = UInt32(newPos.count / 3)
            map[key] = n
            newPos += pos[(3 * v)..<(3 * v + 3)]
            newNor += nor[(3 * v)..<(3 * v + 3)]
            newUV.append(centreU + (uv[2 * v] - centreU) * shrink)
            newUV.append(centreV + (uv[2 * v + 1] - centreV) * shrink)
            newIdx.append(n)
        }
    }
    let prim = Primitive(streams: [VertexStream(.position, components: 3, data: newPos),
                                   VertexStream(.normal, components: 3, data: newNor),
                                   VertexStream(.texcoord(0), components: 2, data: newUV)],
                         indices: newIdx, material: 0)
    var material = Material(name: "scan_atlas")
    material.baseColorFactor = [1, 1, 1, 1]
    material.roughnessFactor = 0.8
    material.baseColorTexture = TextureReference(texture: 0)
    let image = try PNGCodec.encode(rgba: texturePixels(width: textureSize, height: textureSize, seed: 3), width: textureSize, height: textureSize)
    var scene = Scene(mesh: Mesh(name: "scan_atlas_\(triangles)", primitives: [prim]), materials: [material],
                      textures: [Texture(name: "atlas", source: 0, sampler: 0)],
                      images: [Image(name: "atlas", mimeType: "image/png", data: image)],
                      samplers: [Sampler(magFilter: 9729, minFilter: 9987)])
    scene.nodes[0].name = "scan_atlas"
    return scene
}

// MARK: - Run

var results: JSONValue = ["benchmark": .string("qc-bench"), "jobs": .number(Double(options.jobs)), "profile": .string(options.profile)]
func loadAverage() -> String {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) == 3 ? "\(fixed(l[0], 2)) \(fixed(l[1], 2)) \(fixed(l[2], 2))" : "?"
}

if !options.skipLibrary {
    let manifest = FileSystem.join(options.library, "manifest.tsv")
    let existing = FileSystem.exists(manifest) ? ((try? MappedFile.readAll(manifest)).map { String(decoding: $0, as: UTF8.self) } ?? "") : ""
    let existingCount = existing.split(separator: "\n").count - 1
    if options.regenerate || existingCount != options.count {
        log("qc-bench: writing \(options.count) assets into \(options.library)")
        let t = seconds()
        do { _ = try generateLibrary(options.library, count: options.count) } catch {
            log("qc-bench: cannot write the library: \(error)"); exit(1)
        }
        log("qc-bench: library written in \(fixed(seconds() - t, 1)) s")
    } else {
        log("qc-bench: using the existing library in \(options.library) (--regenerate rewrites it)")
    }
    if options.generateOnly { exit(0) }

    guard let profile = try? QCProfile.load(options.profile) else {
        log("qc-bench: unknown profile \(options.profile)"); exit(64)
    }
    let files = QCRunner.discover([options.library])
    let runner = QCRunner(profile: profile, jobs: options.jobs)
    var times: [Double] = []
    var last: [QCAssetReport] = []
    var loads: [String] = []
    for r in 0..<options.runs {
        let t = seconds()
        last = runner.run(files)
        times.append(seconds() - t)
        loads.append(loadAverage())
        log("  run \(r + 1)/\(options.runs): \(fixed(times.last!, 3)) s (load \(loads.last!))")
    }
    let summary = QCSummary(last, failOn: .error, seconds: median(times))
    let tris = last.reduce(0) { $0 + $1.triangles }
    let mb = Double(summary.bytes) / 1e6
    let med = median(times)
    var byFormat: [String: (n: Int, bytes: Int, seconds: Double, tris: Int)] = [:]
    for r in last where r.error == nil {
        let f = r.format ?? "?"
        var e = byFormat[f] ?? (0, 0, 0, 0)
        e.n += 1; e.bytes += r.bytes; e.seconds += r.seconds; e.tris += r.triangles
        byFormat[f] = e
    }
    let unreadable = last.filter { $0.error != nil }

    // Small assets: is it the reading or the checking? One serial pass, read alone then read + check.
    let small = last.filter { $0.error == nil && $0.triangles < 5000 }.map(\.path)
    var readOnly = 0.0, full = 0.0, smallBytes = 0
    for path in small {
        let t0 = seconds()
        let loaded = try? SceneIO.read(path, allowNonFinitePositions: true)
        readOnly += seconds() - t0
        smallBytes += loaded.map { $0.fileSize + $0.sideFiles.reduce(0) { $0 + $1.bytes } } ?? 0
        let t1 = seconds()
        _ = runner.check(path)
        full += seconds() - t1
    }

    // The same two passes from disk: the page cache dropped before each (needs root; skipped otherwise). A library
    // checked for the first time is read from disk, and only then is "I/O-bound" about I/O at all.
    func dropCaches() -> Bool {
        sync()
        let fd = open("/proc/sys/vm/drop_caches", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "3\n", 2) == 2
    }
    var cold: (read: Double, full: Double)? = nil
    if dropCaches() {
        var r = 0.0, f = 0.0
        for path in small { let t0 = seconds(); _ = try? SceneIO.read(path, allowNonFinitePositions: true); r += seconds() - t0 }
        if dropCaches() {
            for path in small { let t1 = seconds(); _ = runner.check(path); f += seconds() - t1 }
            cold = (r, f)
        }
    }

    if !options.json {
        print("QC library: \(files.count) files, \(fixed(mb, 1)) MB, \(tris) triangles (readable assets), profile \(profile.name), jobs \(options.jobs)")
        print("  runs (s): \(times.map { fixed($0, 3) }.joined(separator: ", "))  — load average after each: \(loads.joined(separator: " | "))")
        print("  median \(fixed(med, 3)) s: \(fixed(Double(files.count) / med, 1)) assets/s, \(fixed(mb / med, 1)) MB/s, \(fixed(Double(tris) / 1e6 / med, 2)) M triangles/s")
        print("  verdicts: \(summary.failed) failed at error, \(summary.warned) warnings only, \(summary.unreadable) unreadable")
        for f in byFormat.keys.sorted() {
            let e = byFormat[f]!
            print("    \(f): \(e.n) assets, \(fixed(Double(e.bytes) / 1e6, 1)) MB, \(e.tris) triangles, \(fixed(e.seconds, 2)) s worker time, \(fixed(Double(e.bytes) / 1e6 / max(e.seconds, 1e-9), 1)) MB/s per worker")
        }
        for r in unreadable { print("    unreadable: \(String(r.path.dropFirst(options.library.count + 1))): \(r.error!)") }
        print("  small assets (< 5k triangles, \(small.count), \(fixed(Double(smallBytes) / 1e6, 1)) MB), serial: read \(fixed(readOnly * 1000, 1)) ms, read + checks \(fixed(full * 1000, 1)) ms (reading \(fixed(100 * readOnly / max(full, 1e-9), 0))%) from the page cache")
        if let cold {
            print("    from disk (page cache dropped before each pass): read \(fixed(cold.read * 1000, 1)) ms, read + checks \(fixed(cold.full * 1000, 1)) ms (reading \(fixed(100 * cold.read / max(cold.full, 1e-9), 0))%)")
        } else {
            print("    from disk: not measured (dropping the page cache needs root)")
        }
    }
    var fmts: [String: JSONValue] = [:]
    for (f, e) in byFormat {
        fmts[f] = ["assets": .number(Double(e.n)), "bytes": .number(Double(e.bytes)), "triangles": .number(Double(e.tris)), "workerSeconds": .number(e.seconds)]
    }
    results = results.setting("library", [
        "files": .number(Double(files.count)), "bytes": .number(Double(summary.bytes)), "triangles": .number(Double(tris)),
        "runs": .array(times.map { .number($0) }), "median": .number(med),
        "assetsPerSecond": .number(Double(files.count) / med), "megabytesPerSecond": .number(mb / med),
        "failed": .number(Double(summary.failed)), "warned": .number(Double(summary.warned)), "unreadable": .number(Double(summary.unreadable)),
        "unreadableFiles": .array(unreadable.map { ["path": .string($0.path), "error": .string($0.error!)] }),
        "loadAverages": .array(loads.map { .string($0) }), "formats": .object(fmts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }),
        "smallAssets": ["count": .number(Double(small.count)), "bytes": .number(Double(smallBytes)), "readSeconds": .number(readOnly), "checkSeconds": .number(full),
                        "coldReadSeconds": cold.map { .number($0.read) } ?? .null, "coldCheckSeconds": cold.map { .number($0.full) } ?? .null],
    ])
}

if !options.skipSlow {
    log("qc-bench: building the \(options.slowTriangles)-triangle textured atlas mesh")
    let scene: Scene
    do { scene = try atlasScene(triangles: options.slowTriangles, cells: 8, shrink: 0.9, textureSize: 1024) } catch {
        log("qc-bench: \(error)"); exit(1)
    }
    let prim = scene.meshes[0].primitives[0]
    let uvs = prim.stream(.texcoord(0))!.data
    let triangles = prim.triangleCount
    // The auditor-like profile: ecommerce (3D Commerce) plus every slow check on.
    var profile = QCProfile.builtIn("ecommerce")!
    profile.rules["require_beveled_edges"] = true
    profile.rules["require_manifold_edges"] = true
    profile.rules["require_not_overlapping_uvs"] = true
    profile.limits["uv_gutter_resolution"] = 1024
    let overlapResolution = min(2048, max(256, Int((Double(triangles).squareRoot() * 8).rounded(.up))))

    var t: [String: [Double]] = [:]
    var facts: [String: String] = [:]
    let order = ["non-manifold (weld 1e-8 + topology)", "auditor edges (match at 1e-5 + angles + 3-face edges)",
                 "UV overlaps (\(overlapResolution)² grid)", "UV gutters (islands + collisions at 1024²)",
                 "slow checks, total", "AssetMeasurements (all checks on)", "QCRunner.check on the GLB (read + all)"]
    let glb = FileSystem.join(benchmarksDirectory, ".cache/qc-atlas-\(options.slowTriangles).glb")
    do { try FileSystem.makeDirectories(FileSystem.directory(of: glb)); try SceneIO.write(scene, to: glb) } catch {
        log("qc-bench: cannot write \(glb): \(error)"); exit(1)
    }
    let runner = QCRunner(profile: profile, jobs: 1)
    for r in 0..<options.slowRuns {
        let soup = TriangleSoup(scene: scene)
        var t0 = seconds()
        let welded = MeshTopology.weldPositions(soup, tolerance: 1e-8).soup
        var components = [UInt32](repeating: 0, count: welded.triangleCount)
        let topo = components.withUnsafeMutableBufferPointer { MeshTopology.analyze(welded, faceComponents: $0.baseAddress) }
        let a = seconds() - t0
        t0 = seconds()
        // As AssetMeasurements does for the auditor: vertices matched after rounding to 1e-5, then angles and 3-face edges.
        let local = prim.positions
        var matched = [UInt32](repeating: 0, count: local.count / 3)
        _ = local.withUnsafeBufferPointer { p in matched.withUnsafeMutableBufferPointer { pf_weld_rounded(p.baseAddress, p.count / 3, 3, 1e5, $0.baseAddress) } }
        let auditorSoup = TriangleSoup(positions: local, indices: prim.indices.map { matched[Int($0)] })
        let edges = UVQuality.edgeAngles(auditorSoup, thresholdDegrees: 90)
        _ = MeshTopology.analyze(auditorSoup).nonManifoldEdges
        let b = seconds() - t0
        t0 = seconds()
        let overlap = UVQuality.overlap(uvs: uvs, indices: prim.indices, resolution: overlapResolution)
        let c = seconds() - t0
        t0 = seconds()
        let islands = UVQuality.islands(uvs: uvs, indices: prim.indices)
        let gutter = UVQuality.gutterCollisions(uvs: uvs, indices: prim.indices, resolution: 1024)
        let d = seconds() - t0
        t0 = seconds()
        let m = AssetMeasurements(LoadedScene(scene: scene, format: .glb, fileSize: 0), profile: profile)
        let e = seconds() - t0
        t0 = seconds()
        let report = runner.check(glb)
        let f = seconds() - t0
        for (k, v) in zip(order, [a, b, c, d, a + b + c + d, e, f]) { t[k, default: []].append(v) }
        if r == 0 {
            facts["triangles"] = "\(triangles)"
            facts["topology"] = "\(topo.nonManifoldEdges) non-manifold edges, \(topo.boundaryEdges) boundary edges, \(topo.components) components, watertight \(topo.isWatertight)"
            facts["edges"] = "\(edges.edges) edges, \(edges.hard) hard (>= 90°), largest \(fixed(Double(edges.maxAngle), 1))°"
            facts["overlap"] = "\(overlap.triangles) overlapping UV triangles, \(fixed(overlap.overlappedFraction * 100, 3))% of covered samples"
            facts["gutter"] = "\(islands.count) UV islands, \(gutter) shared pixels at 1024²"
            facts["measurements"] = "hardEdges \(m.hardEdges ?? -1), uvOverlappingTriangles \(m.uvOverlappingTriangles ?? -1), uvGutterCollisions \(m.uvGutterCollisions ?? -1)"
            facts["check"] = report.error.map { "error: \($0)" } ?? "\(report.triangles) triangles, \(fixed(Double(report.bytes) / 1e6, 1)) MB, failing: \(report.failures(atLeast: .warning).map(\.id).joined(separator: ", "))"
        }
        log("  slow checks run \(r + 1)/\(options.slowRuns): total \(fixed(a + b + c + d, 3)) s, measurements \(fixed(e, 3)) s, check \(fixed(f, 3)) s (load \(loadAverage()))")
    }
    if !options.json {
        print("Slow checks on a \(triangles)-triangle textured mesh (8×8 UV atlas, 1024² PNG), median of \(options.slowRuns), \(pf_thread_count()) OpenMP threads:")
        for k in order { print("  \(k): \(fixed(median(t[k]!) * 1000, 1)) ms  (runs: \(t[k]!.map { fixed($0 * 1000, 0) }.joined(separator: ", ")))") }
        for k in facts.keys.sorted() { print("    \(k): \(facts[k]!)") }
        print("  load average: \(loadAverage())")
    }
    var slow: [String: JSONValue] = [:]
    for k in order { slow[k] = ["median": .number(median(t[k]!)), "runs": .array(t[k]!.map { .number($0) })] }
    results = results.setting("slowChecks", ["triangles": .number(Double(triangles)), "threads": .number(Double(pf_thread_count())),
                                             "timings": .object(order.map { ($0, slow[$0]!) }),
                                             "facts": .object(facts.keys.sorted().map { ($0, .string(facts[$0]!)) })])
}

if options.json { print(JSONWriter.string(results, indent: 2)) }
