#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyforgeMesh

/// The fixed angles thumbnails are taken from, so images of two versions of an asset compare one to one.
/// glTF's front looks down -Z with +Y up; `side` looks from +X, `top` from +Y with -Z up the image.
public enum CameraView: String, CaseIterable, Sendable {
    case front
    case threeQuarter = "three-quarter"
    case side
    case top
    case back

    /// The default sniff test: front, three-quarter, side.
    public static let sniffTest: [CameraView] = [.front, .threeQuarter, .side]

    /// Unit vector from the target towards the eye.
    public var direction: SIMD3<Float> {
        switch self {
        case .front: return [0, 0, 1]
        case .back: return [0, 0, -1]
        case .side: return [1, 0, 0]
        case .top: return [0, 1, 0]
        case .threeQuarter:
            // 45° round towards the right side, 20° above the horizon.
            let azimuth: Float = .pi / 4, elevation: Float = 20 * .pi / 180
            return [sinf(azimuth) * cosf(elevation), sinf(elevation), cosf(azimuth) * cosf(elevation)]
        }
    }

    public var up: SIMD3<Float> { self == .top ? [0, 0, -1] : [0, 1, 0] }
}

/// A look-at camera with a perspective or orthographic lens, producing OpenGL-convention matrices.
public struct Camera: Sendable, Equatable {
    public enum Projection: Sendable, Equatable {
        /// Vertical field of view in radians.
        case perspective(fovY: Float)
        /// Half the visible height in world units.
        case orthographic(halfHeight: Float)
    }

    public var eye: SIMD3<Float>
    public var target: SIMD3<Float>
    public var up: SIMD3<Float>
    public var projection: Projection
    public var near: Float
    public var far: Float

    public init(eye: SIMD3<Float>, target: SIMD3<Float>, up: SIMD3<Float> = [0, 1, 0], projection: Projection, near: Float, far: Float) {
        self.eye = eye
        self.target = target
        self.up = up
        self.projection = projection
        self.near = near
        self.far = far
    }

    /// Right, up and backward (towards the eye) unit vectors of the view.
    public var basis: (right: SIMD3<Float>, up: SIMD3<Float>, back: SIMD3<Float>) {
        let back = normalized(eye - target)
        let right = normalized(cross(up, back))
        return (right, cross(back, right), back)
    }

    /// World to view, column-major.
    public var viewMatrix: [Float] {
        let (r, u, b) = basis
        return [r.x, u.x, b.x, 0,
                r.y, u.y, b.y, 0,
                r.z, u.z, b.z, 0,
                -dot(r, eye), -dot(u, eye), -dot(b, eye), 1]
    }

    /// View to clip for an image of `aspect` = width / height, column-major.
    public func projectionMatrix(aspect: Float) -> [Float] {
        switch projection {
        case .perspective(let fovY):
            let f = 1 / tanf(fovY / 2)
            return [f / aspect, 0, 0, 0,
                    0, f, 0, 0,
                    0, 0, (far + near) / (near - far), -1,
                    0, 0, 2 * far * near / (near - far), 0]
        case .orthographic(let halfHeight):
            return [1 / (halfHeight * aspect), 0, 0, 0,
                    0, 1 / halfHeight, 0, 0,
                    0, 0, -2 / (far - near), 0,
                    0, 0, -(far + near) / (far - near), 1]
        }
    }

    /// projection × view, column-major: what pf_raster_draw takes.
    public func viewProjection(aspect: Float) -> [Float] {
        multiply(projectionMatrix(aspect: aspect), viewMatrix)
    }

    /// A perspective camera on `view` that fits every corner of `bounds` in the image, with `margin` of the
    /// half-width left free on each side. An empty box frames the unit cube at the origin.
    public static func framing(_ bounds: BoundingBox, view: CameraView, aspect: Float = 1,
                               fovY: Float = 30 * .pi / 180, margin: Float = 0.06) -> Camera {
        var lo = SIMD3<Float>(-0.5, -0.5, -0.5), hi = SIMD3<Float>(0.5, 0.5, 0.5)
        if !bounds.isEmpty {
            lo = SIMD3(bounds.min[0], bounds.min[1], bounds.min[2])
            hi = SIMD3(bounds.max[0], bounds.max[1], bounds.max[2])
        }
        // A flat or point-like box still needs a positive extent to frame.
        let extent = max(hi.x - lo.x, hi.y - lo.y, hi.z - lo.z, 1e-6)
        let pad = SIMD3<Float>(repeating: extent * 1e-3)
        lo -= pad
        hi += pad
        let center = (lo + hi) / 2
        let probe = Camera(eye: center + view.direction, target: center, up: view.up, projection: .perspective(fovY: fovY), near: 1, far: 2)
        let (right, up, back) = probe.basis
        let tanY = tanf(fovY / 2) * (1 - 2 * margin), tanX = tanY * aspect
        var distance: Float = 0
        var corners: [SIMD3<Float>] = []
        for i in 0..<8 {
            let corner = SIMD3<Float>(i & 1 == 0 ? lo.x : hi.x, i & 2 == 0 ? lo.y : hi.y, i & 4 == 0 ? lo.z : hi.z) - center
            corners.append(corner)
            let z = dot(corner, back)
            distance = max(distance, z + abs(dot(corner, right)) / tanX, z + abs(dot(corner, up)) / tanY)
        }
        var nearest = Float.greatestFiniteMagnitude, farthest: Float = 0
        for corner in corners {
            let depth = distance - dot(corner, back)
            nearest = min(nearest, depth)
            farthest = max(farthest, depth)
        }
        return Camera(eye: center + back * distance, target: center, up: view.up, projection: .perspective(fovY: fovY),
                      near: max(nearest * 0.5, distance * 1e-4), far: farthest * 1.5)
    }
}

func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }

func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> {
    let length = dot(v, v).squareRoot()
    return length > 0 ? v / length : v
}

/// Column-major a × b.
func multiply(_ a: [Float], _ b: [Float]) -> [Float] {
    var r = [Float](repeating: 0, count: 16)
    for c in 0..<4 {
        for row in 0..<4 {
            var s: Float = 0
            for k in 0..<4 { s += a[k * 4 + row] * b[c * 4 + k] }
            r[c * 4 + row] = s
        }
    }
    return r
}
