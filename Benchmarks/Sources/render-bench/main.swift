// render-bench: the three-view thumbnail of a 1M-triangle mesh through the C core's rasterizer.
//
// Draws ScanSurface (1M triangles, normals, UVs, a 256×256 base-color texture) from the front, three-quarter
// and side views at 512×512 with 4× supersampling, on 1 and 2 threads; prints the median and minimum of
// `--runs` three-view renders and the triangle rate. Calls pf_raster_draw directly: the PolyforgeRender
// module is not a library product of the root package, and a render is one pf_raster_draw per view anyway.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeCore
import PolyforgeFixtures
import PolyforgeMesh

// The same OpenMP runtime setting as the polyforge CLI: idle workers sleep instead of spinning for 200 ms.
setenv("KMP_BLOCKTIME", "0", 0)

let usage = "usage: render-bench [--triangles N] [--size PX] [--runs N] [--json]"

var triangles = 1_000_000, size = 512, runs = 15, json = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> Int {
        guard let text = arguments.popFirst(), let n = Int(text), n > 0 else {
            print("render-bench: \(argument) needs a positive number\n\(usage)")
            exit(64)
        }
        return n
    }
    switch argument {
    case "--triangles": triangles = value()
    case "--size": size = value()
    case "--runs": runs = value()
    case "--json": json = true
    default:
        print("render-bench: unknown argument \(argument)\n\(usage)")
        exit(64)
    }
}

func milliseconds(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

let scene = ScanSurface.generate(triangles: triangles)
let primitive = scene.meshes[0].primitives[0]
let positions = primitive.positions, normals = primitive.stream(.normal)?.data, uvs = primitive.stream(.texcoord(0))?.data
let indices = primitive.indices
let bounds = scene.worldBounds()

// A procedural texture, so the benchmark pays for bilinear sampling like a textured asset does.
let textureSize = 256
var texels = [UInt8](repeating: 255, count: textureSize * textureSize * 4)
for y in 0..<textureSize { for x in 0..<textureSize {
    let i = 4 * (y * textureSize + x)
    texels[i] = UInt8((x * 7 + y * 3) & 255); texels[i + 1] = UInt8((x ^ y) & 255); texels[i + 2] = UInt8((y * 5) & 255)
} }

/// Column-major projection × look-at for a 30° perspective camera fitted on the bounding sphere.
func viewProjection(direction d: (Float, Float, Float)) -> (matrix: [Float], eye: (Float, Float, Float)) {
    let c = bounds.center, radius = bounds.diagonal / 2
    let distance = radius / sinf(15 * .pi / 180)
    let eye = (c[0] + d.0 * distance, c[1] + d.1 * distance, c[2] + d.2 * distance)
    let back = d
    var right = (back.2, Float(0), -back.0) // up (0,1,0) × back
    let rl = (right.0 * right.0 + right.2 * right.2).squareRoot()
    right = (right.0 / rl, 0, right.2 / rl)
    let up = (back.1 * right.2 - back.2 * right.1, back.2 * right.0 - back.0 * right.2, back.0 * right.1 - back.1 * right.0)
    func dot(_ a: (Float, Float, Float), _ b: (Float, Float, Float)) -> Float { a.0 * b.0 + a.1 * b.1 + a.2 * b.2 }
    let view: [Float] = [right.0, up.0, back.0, 0, right.1, up.1, back.1, 0, right.2, up.2, back.2, 0,
                         -dot(right, eye), -dot(up, eye), -dot(back, eye), 1]
    let near = distance - radius * 1.01, far = distance + radius * 1.01
    let f = 1 / tanf(15 * .pi / 180)
    let projection: [Float] = [f, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, 2 * far * near / (near - far), 0]
    var m = [Float](repeating: 0, count: 16)
    for col in 0..<4 { for row in 0..<4 { for k in 0..<4 { m[col * 4 + row] += projection[k * 4 + row] * view[col * 4 + k] } } }
    return (m, eye)
}

let elevation: Float = 20 * .pi / 180
let views: [(String, (Float, Float, Float))] = [
    ("front", (0, 0, 1)),
    ("three-quarter", (sinf(.pi / 4) * cosf(elevation), sinf(elevation), cosf(.pi / 4) * cosf(elevation))),
    ("side", (1, 0, 0)),
]
let cameras = views.map { viewProjection(direction: $0.1) }

var material = pf_raster_material()
material.base_color = (0.9, 0.85, 0.8, 1)
material.texture = 0
material.uv_transform = (1, 0, 0, 0, 1, 0)
var image = [UInt8](repeating: 0, count: size * size * 4)

/// Wall and process-CPU milliseconds of one three-view render. CPU time shows the work done when other
/// processes share the cores and wall time is unreliable.
@MainActor func renderThreeViews() -> (wall: Double, cpu: Double) {
    var elapsed = 0.0, cpu = 0.0
    texels.withUnsafeBufferPointer { tex in
        var texture = pf_raster_texture(rgba: tex.baseAddress, width: UInt32(textureSize), height: UInt32(textureSize))
        withUnsafePointer(to: &material) { materialPointer in
            withUnsafePointer(to: &texture) { texturePointer in
                positions.withUnsafeBufferPointer { p in normals!.withUnsafeBufferPointer { n in uvs!.withUnsafeBufferPointer { uv in
                    indices.withUnsafeBufferPointer { idx in image.withUnsafeMutableBufferPointer { out in
                        var mesh = pf_raster_mesh(positions: p.baseAddress, normals: n.baseAddress, uvs: uv.baseAddress, colors: nil,
                                                  vertex_count: p.count / 3, indices: idx.baseAddress, index_count: idx.count, materials: nil)
                        let start = milliseconds(), cpuStart = milliseconds(CLOCK_PROCESS_CPUTIME_ID)
                        for camera in cameras {
                            var options = pf_raster_options()
                            withUnsafeMutableBytes(of: &options.view_projection) { raw in
                                for i in 0..<16 { raw.storeBytes(of: camera.matrix[i], toByteOffset: 4 * i, as: Float.self) }
                            }
                            options.eye = camera.eye
                            options.light_direction = (0, 0.8, 0.6)
                            options.width = UInt32(size)
                            options.height = UInt32(size)
                            options.materials = materialPointer
                            options.material_count = 1
                            options.textures = texturePointer
                            options.texture_count = 1
                            _ = pf_raster_draw(&mesh, &options, out.baseAddress, nil)
                        }
                        elapsed = milliseconds() - start
                        cpu = milliseconds(CLOCK_PROCESS_CPUTIME_ID) - cpuStart
                    } }
                } } }
            }
        }
    }
    return (elapsed, cpu)
}

var rows: [(threads: Int, median: Double, min: Double, cpu: Double)] = []
for threads in [1, 2] {
    pf_set_thread_count(Int32(threads))
    _ = renderThreeViews() // warm-up: page faults, caches
    let samples = (0..<runs).map { _ in renderThreeViews() }
    let times = samples.map(\.wall).sorted(), cpu = samples.map(\.cpu).sorted()
    rows.append((threads, times[times.count / 2], times[0], cpu[cpu.count / 2]))
}
pf_set_thread_count(0)

let triangleCount = indices.count / 3
@MainActor func rate(_ ms: Double) -> Double { Double(3 * triangleCount) / ms / 1000 }
func fixed(_ v: Double, _ places: Int) -> String {
    let scale = pow(10, Double(places))
    let r = (v * scale).rounded() / scale
    var s = "\(r)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < places { s += String(repeating: "0", count: places - decimals) }
    }
    return s
}
if json {
    let entries = rows.map { "{\"threads\": \($0.threads), \"medianMilliseconds\": \(fixed($0.median, 2)), \"minMilliseconds\": \(fixed($0.min, 2)), \"medianCPUMilliseconds\": \(fixed($0.cpu, 2)), \"megaTrianglesPerSecond\": \(fixed(rate($0.median), 1))}" }
    print("{\"triangles\": \(triangleCount), \"views\": 3, \"size\": \(size), \"samplesPerPixel\": 4, \"runs\": \(runs), \"results\": [\(entries.joined(separator: ", "))]}")
} else {
    print("render-bench: \(triangleCount) triangles, 3 views at \(size)×\(size), 4 samples/pixel, textured, median of \(runs)")
    print("threads  median ms  min ms  CPU ms  M tris/s")
    for row in rows {
        print("\(row.threads)".padding(8) + " " + fixed(row.median, 1).padding(10) + " " + fixed(row.min, 1).padding(7) + " "
              + fixed(row.cpu, 1).padding(7) + " " + fixed(rate(row.median), 1))
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
