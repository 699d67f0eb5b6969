/// A column-major 4×4 float matrix, as glTF stores node and bind matrices.
public struct Matrix4: Sendable, Equatable {
    public var m: [Float]

    public static let identity = Matrix4(columnMajor: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])

    public init(columnMajor: [Float]) {
        precondition(columnMajor.count == 16)
        m = columnMajor
    }

    /// T * R * S, as glTF composes a node's TRS.
    public init(translation t: [Float], rotation q: [Float], scale s: [Float]) {
        let x = q[0], y = q[1], z = q[2], w = q[3]
        let xx = x * x, yy = y * y, zz = z * z, xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z
        m = [
            (1 - 2 * (yy + zz)) * s[0], (2 * (xy + wz)) * s[0], (2 * (xz - wy)) * s[0], 0,
            (2 * (xy - wz)) * s[1], (1 - 2 * (xx + zz)) * s[1], (2 * (yz + wx)) * s[1], 0,
            (2 * (xz + wy)) * s[2], (2 * (yz - wx)) * s[2], (1 - 2 * (xx + yy)) * s[2], 0,
            t[0], t[1], t[2], 1,
        ]
    }

    public subscript(row: Int, column: Int) -> Float { m[column * 4 + row] }

    public static func * (a: Matrix4, b: Matrix4) -> Matrix4 {
        var r = [Float](repeating: 0, count: 16)
        for c in 0..<4 {
            for row in 0..<4 {
                var s: Float = 0
                for k in 0..<4 { s += a.m[k * 4 + row] * b.m[c * 4 + k] }
                r[c * 4 + row] = s
            }
        }
        return Matrix4(columnMajor: r)
    }

    public func transformPoint(_ x: Float, _ y: Float, _ z: Float) -> (Float, Float, Float) {
        (m[0] * x + m[4] * y + m[8] * z + m[12],
         m[1] * x + m[5] * y + m[9] * z + m[13],
         m[2] * x + m[6] * y + m[10] * z + m[14])
    }

    public var isIdentity: Bool { self == Matrix4.identity }

    /// Determinant of the upper 3×3: negative when the transform mirrors (and so flips winding).
    public var determinant3x3: Float {
        m[0] * (m[5] * m[10] - m[9] * m[6]) - m[4] * (m[1] * m[10] - m[9] * m[2]) + m[8] * (m[1] * m[6] - m[5] * m[2])
    }
}
