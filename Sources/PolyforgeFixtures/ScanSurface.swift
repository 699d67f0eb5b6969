#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeImage
import PolyforgeMesh

/// A dense, closed, scan-like blob at any triangle count, for benchmarks and scale tests.
///
/// A UV sphere (the `Fixtures.uvSphere` layout) whose radius is displaced by fractal gradient noise evaluated
/// on the unit direction, then stretched into an ellipsoid. Octaves run from the whole-object scale down to
/// about four grid cells, so every level of the mesh carries real curvature: a simplifier cannot remove
/// triangles for free as it can on subdivided flat faces. The surface is a radial graph, so it never
/// self-intersects; after welding positions it is closed and manifold.
///
/// Same `triangles` and `seed` give bit-identical arrays. Normals come from central differences of the
/// grid positions (the surface itself, not the sphere); UVs are the longitude/latitude parameterisation.
public enum ScanSurface {
    /// The grid for a triangle count: `2 · segments · (rings − 1)` triangles, as close to `triangles` as
    /// the factorisation allows while keeping segments ≈ 2 · (rings − 1), so quads are about square at the
    /// equator: within 0.2% from a few thousand triangles up, exact for 1M and 4M.
    public static func gridSize(forTriangles triangles: Int) -> (segments: Int, rings: Int) {
        let target = max(triangles, 6)
        let ideal = max(1, Int((Double(target) / 4).squareRoot().rounded()))
        let candidates = (max(1, ideal * 2 / 3)...max(1, ideal * 3 / 2)).map { quadRows in
            let segments = max(3, Int((Double(target) / Double(2 * quadRows)).rounded()))
            return (segments: segments, quadRows: quadRows, error: abs(2 * segments * quadRows - target),
                    aspect: abs(Double(segments) / Double(quadRows) - 2))
        }
        // Squarer quads win among grids within 0.2% of the target (or the closest, when none is).
        let tolerance = max(candidates.map(\.error).min()!, target / 500)
        let best = candidates.filter { $0.error <= tolerance }
            .min { ($0.aspect, $0.error) < ($1.aspect, $1.error) }!
        return (best.segments, best.quadRows + 1)
    }

    /// Generates the surface. `triangles` ≥ 6; the result has `2 · segments · (rings − 1)` triangles for
    /// `gridSize(forTriangles:)` and `(segments + 1) · (rings − 1) + 2 · segments` vertices.
    public static func generate(triangles: Int, seed: UInt64 = 1) -> Scene {
        precondition(triangles >= 6, "a scan surface needs at least 6 triangles")
        let (segments, rings) = gridSize(forTriangles: triangles)
        let grid = SphereGrid(segments: segments, rings: rings)
        let shape = Shape(seed: seed, rings: rings)
        let vertexCount = grid.vertexCount

        let positions = [Float](unsafeUninitializedCapacity: vertexCount * 3) { buffer, count in
            writePositions(grid, shape, into: buffer)
            count = vertexCount * 3
        }
        let normals = [Float](unsafeUninitializedCapacity: vertexCount * 3) { buffer, count in
            positions.withUnsafeBufferPointer { writeNormals(grid, positions: $0, into: buffer) }
            count = vertexCount * 3
        }
        let uvs = [Float](unsafeUninitializedCapacity: vertexCount * 2) { buffer, count in
            writeUVs(grid, into: buffer)
            count = vertexCount * 2
        }
        let primitive = Primitive(streams: Fixtures.streams(positions: positions, normals: normals, uvs: uvs),
                                  indices: grid.indices(), material: 0)
        var material = Material(name: "scan")
        material.baseColorFactor = [0.75, 0.72, 0.68, 1]
        material.metallicFactor = 0
        material.roughnessFactor = 0.8
        // A base-colour texture, as scans and generator output carry: benchmarks that sample textures need one.
        // The PNG encoder cannot fail on these fixed, valid pixels; without it the surface is untextured.
        guard let png = try? PNGCodec.encode(rgba: Fixtures.checkerPixels(size: 256, cell: 16), width: 256, height: 256) else {
            return Scene(mesh: Mesh(name: "scan_\(triangles)", primitives: [primitive]), materials: [material])
        }
        material.baseColorTexture = TextureReference(texture: 0)
        return Scene(mesh: Mesh(name: "scan_\(triangles)", primitives: [primitive]), materials: [material],
                     textures: [Texture(name: "scan_checker", source: 0, sampler: 0)],
                     images: [Image(name: "scan_checker", mimeType: "image/png", data: png)],
                     samplers: [Sampler(magFilter: 9729, minFilter: 9987)])
    }

    /// The displacement: octaves of noise with their own frequency, amplitude and lattice offset.
    struct Shape {
        let noise: GradientNoise
        let octaves: [(frequency: Float, amplitude: Float, offset: (Float, Float, Float))]
        /// Ellipsoid stretch applied after displacement, so the blob is not a ball.
        let stretch: (Float, Float, Float) = (1.0, 0.82, 1.18)

        init(seed: UInt64, rings: Int) {
            noise = GradientNoise(seed: seed)
            var rng = SplitMix64(seed: seed ^ 0xA5A5_5A5A_C3C3_3C3C)
            // The finest octave's lattice spans about four grid cells: finer noise would only alias.
            let finest = Float(rings) / (4 * Float.pi)
            var octaves: [(Float, Float, (Float, Float, Float))] = []
            var frequency: Float = 1.1, amplitude: Float = 0.24
            repeat {
                let offset = (16 + 200 * rng.nextUnit(), 16 + 200 * rng.nextUnit(), 16 + 200 * rng.nextUnit())
                octaves.append((frequency, amplitude, offset))
                frequency *= 2.03
                amplitude *= 0.47
            } while frequency <= finest && octaves.count < 14
            self.octaves = octaves
        }

        /// Radius along a unit direction.
        @inline(__always)
        func radius(_ sample: GradientNoise.Sampler, _ x: Float, _ y: Float, _ z: Float) -> Float {
            var r: Float = 1
            for octave in octaves {
                let f = octave.frequency
                r += octave.amplitude * sample(x * f + octave.offset.0, y * f + octave.offset.1, z * f + octave.offset.2)
            }
            return max(r, 0.2)
        }
    }

    static func writePositions(_ grid: SphereGrid, _ shape: Shape, into out: UnsafeMutableBufferPointer<Float>) {
        let segments = grid.segments, rings = grid.rings
        let cosPhi = (0..<segments).map { cosf(2 * Float.pi * Float($0) / Float(segments)) }
        let sinPhi = (0..<segments).map { sinf(2 * Float.pi * Float($0) / Float(segments)) }
        let s = shape.stretch
        shape.noise.withSampler { sample in
            @inline(__always) func put(_ vertex: Int, _ x: Float, _ y: Float, _ z: Float) {
                let r = shape.radius(sample, x, y, z)
                out[3 * vertex] = r * x * s.0
                out[3 * vertex + 1] = r * y * s.1
                out[3 * vertex + 2] = r * z * s.2
            }
            put(grid.northPole(0), 0, 1, 0)
            put(grid.southPole(0), 0, -1, 0)
            for j in 1..<segments {
                for c in 0..<3 {
                    out[3 * grid.northPole(j) + c] = out[3 * grid.northPole(0) + c]
                    out[3 * grid.southPole(j) + c] = out[3 * grid.southPole(0) + c]
                }
            }
            for i in 1..<rings {
                let theta = Float.pi * Float(i) / Float(rings)
                let sinT = sinf(theta), cosT = cosf(theta)
                let first = grid.ringVertex(i, 0)
                for j in 0..<segments {
                    put(first + j, sinT * cosPhi[j], cosT, -sinT * sinPhi[j])
                }
                for c in 0..<3 { out[3 * (first + segments) + c] = out[3 * first + c] }
            }
        }
    }

    /// Ring vertices: cross product of the central differences along latitude and longitude. Poles: the
    /// area-weighted normal of their fan.
    static func writeNormals(_ grid: SphereGrid, positions p: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        let segments = grid.segments, rings = grid.rings
        @inline(__always) func store(_ vertex: Int, _ x: Float, _ y: Float, _ z: Float) {
            let length = (x * x + y * y + z * z).squareRoot()
            let inverse: Float = length > 0 ? 1 / length : 0
            out[3 * vertex] = x * inverse
            out[3 * vertex + 1] = y * inverse
            out[3 * vertex + 2] = length > 0 ? z * inverse : 1
        }
        for i in 1..<rings {
            let row = grid.ringVertex(i, 0)
            for j in 0..<segments {
                let above = i == 1 ? grid.northPole(0) : grid.ringVertex(i - 1, j)
                let below = i == rings - 1 ? grid.southPole(0) : grid.ringVertex(i + 1, j)
                let left = row + (j == 0 ? segments - 1 : j - 1), right = row + j + 1
                let tx = p[3 * below] - p[3 * above], ty = p[3 * below + 1] - p[3 * above + 1], tz = p[3 * below + 2] - p[3 * above + 2]
                let ux = p[3 * right] - p[3 * left], uy = p[3 * right + 1] - p[3 * left + 1], uz = p[3 * right + 2] - p[3 * left + 2]
                store(row + j, ty * uz - tz * uy, tz * ux - tx * uz, tx * uy - ty * ux)
            }
            for c in 0..<3 { out[3 * (row + segments) + c] = out[3 * row + c] }
        }
        for (pole, ring, north) in [(grid.northPole(0), 1, true), (grid.southPole(0), rings - 1, false)] {
            var n: (Float, Float, Float) = (0, 0, 0)
            for j in 0..<segments {
                // Fan triangle (pole, ring j, ring j+1) in the north, (ring j, pole, ring j+1) in the south.
                let a = grid.ringVertex(ring, j), b = grid.ringVertex(ring, j + 1)
                let (v0, v1, v2) = north ? (pole, a, b) : (a, pole, b)
                let e1 = (p[3 * v1] - p[3 * v0], p[3 * v1 + 1] - p[3 * v0 + 1], p[3 * v1 + 2] - p[3 * v0 + 2])
                let e2 = (p[3 * v2] - p[3 * v0], p[3 * v2 + 1] - p[3 * v0 + 1], p[3 * v2 + 2] - p[3 * v0 + 2])
                n.0 += e1.1 * e2.2 - e1.2 * e2.1
                n.1 += e1.2 * e2.0 - e1.0 * e2.2
                n.2 += e1.0 * e2.1 - e1.1 * e2.0
            }
            let first = north ? grid.northPole(0) : grid.southPole(0)
            store(first, n.0, n.1, n.2)
            for j in 1..<segments {
                for c in 0..<3 { out[3 * (first + j) + c] = out[3 * first + c] }
            }
        }
    }

    static func writeUVs(_ grid: SphereGrid, into out: UnsafeMutableBufferPointer<Float>) {
        let s = Float(grid.segments), r = Float(grid.rings)
        for j in 0..<grid.segments {
            let u = (Float(j) + 0.5) / s
            out[2 * grid.northPole(j)] = u; out[2 * grid.northPole(j) + 1] = 0
            out[2 * grid.southPole(j)] = u; out[2 * grid.southPole(j) + 1] = 1
        }
        for i in 1..<grid.rings {
            let v = Float(i) / r, row = grid.ringVertex(i, 0)
            for j in 0...grid.segments {
                out[2 * (row + j)] = Float(j) / s
                out[2 * (row + j) + 1] = v
            }
        }
    }
}
