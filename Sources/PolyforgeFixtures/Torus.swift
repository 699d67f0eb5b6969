#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeMesh

extension Fixtures {
    /// A torus around the Y axis (major radius 1, minor radius 0.35), wound counter-clockwise seen from outside.
    ///
    /// Triangles: 2·majorSegments·minorSegments. Vertices: (majorSegments + 1)·(minorSegments + 1) — both seams
    /// are doubled for UVs with bit-identical positions, so welding positions leaves majorSegments·minorSegments
    /// vertices and a closed manifold surface of genus 1. Default 48 × 24: 2,304 triangles, 1,225 vertices.
    public static func torus(majorSegments: Int = 48, minorSegments: Int = 24) -> Scene {
        precondition(majorSegments >= 3 && minorSegments >= 3, "a torus needs at least 3 segments each way")
        let major: Float = 1, minor: Float = 0.35
        var positions = [Float](), normals = [Float](), uvs = [Float]()
        let vertexCount = (majorSegments + 1) * (minorSegments + 1)
        positions.reserveCapacity(vertexCount * 3)
        normals.reserveCapacity(vertexCount * 3)
        uvs.reserveCapacity(vertexCount * 2)
        for i in 0...minorSegments {
            let psi = 2 * Float.pi * Float(i % minorSegments) / Float(minorSegments)
            let cosPsi = cosf(psi), sinPsi = sinf(psi)
            for j in 0...majorSegments {
                let phi = 2 * Float.pi * Float(j % majorSegments) / Float(majorSegments)
                let cosPhi = cosf(phi), sinPhi = sinf(phi)
                let ring = major + minor * cosPsi
                positions += [ring * cosPhi, minor * sinPsi, -ring * sinPhi]
                normals += [cosPsi * cosPhi, sinPsi, -cosPsi * sinPhi]
                uvs += [Float(j) / Float(majorSegments), Float(i) / Float(minorSegments)]
            }
        }
        var indices = [UInt32]()
        indices.reserveCapacity(6 * majorSegments * minorSegments)
        let row = majorSegments + 1
        for i in 0..<minorSegments {
            for j in 0..<majorSegments {
                let a = UInt32(i * row + j), b = UInt32((i + 1) * row + j)
                let c = b + 1, d = a + 1
                indices += [a, c, b, a, d, c]
            }
        }
        return scene(name: "torus", positions: positions, normals: normals, uvs: uvs, indices: indices,
                     material: material("torus", rgb: (0.2, 0.4, 0.85), metallic: 0.3, roughness: 0.4))
    }
}
