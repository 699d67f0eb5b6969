/// Splits one polygon face (OBJ, PLY, OFF) into n - 2 triangles.
///
/// Convex polygons are fanned from the first corner. Non-convex ones are ear-clipped in the plane of their
/// Newell normal, so a concave outline is not covered by triangles outside it. Degenerate outlines (repeated
/// or collinear corners) fall back to the fan for whatever ear clipping cannot cut, so the count is always n - 2.
struct PolygonTriangulator {
    private var xs: [Float] = []
    private var ys: [Float] = []
    private var remaining: [Int] = []

    /// Ear clipping is quadratic; outlines longer than this are fanned.
    static let maxEarClippingCorners = 1024

    /// Appends corner numbers (0..<count) of the triangles to `out`. `position(i)` gives corner i's xyz, or nil
    /// when it is not known yet (forward reference), which makes the polygon fan.
    mutating func triangulate(count: Int, out: inout [Int], position: (Int) -> (Float, Float, Float)?) {
        guard count >= 3 else { return }
        if count == 3 || count > Self.maxEarClippingCorners {
            fan(count, &out)
            return
        }
        // Newell normal, then project onto the plane of its largest axis.
        var pts: [(Float, Float, Float)] = []
        pts.reserveCapacity(count)
        for i in 0..<count {
            guard let p = position(i) else { fan(count, &out); return }
            pts.append(p)
        }
        var nx: Float = 0, ny: Float = 0, nz: Float = 0
        for i in 0..<count {
            let a = pts[i], b = pts[(i + 1) % count]
            nx += (a.1 - b.1) * (a.2 + b.2)
            ny += (a.2 - b.2) * (a.0 + b.0)
            nz += (a.0 - b.0) * (a.1 + b.1)
        }
        let ax = abs(nx), ay = abs(ny), az = abs(nz)
        guard ax + ay + az > 0, (ax + ay + az).isFinite else { fan(count, &out); return }
        xs.removeAll(keepingCapacity: true)
        ys.removeAll(keepingCapacity: true)
        // Project so that the polygon winds counter-clockwise in (x, y).
        for p in pts {
            if az >= ax && az >= ay { xs.append(p.0); ys.append(nz > 0 ? p.1 : -p.1) }
            else if ax >= ay { xs.append(p.1); ys.append(nx > 0 ? p.2 : -p.2) }
            else { xs.append(p.2); ys.append(ny > 0 ? p.0 : -p.0) }
        }
        if isConvex(count) {
            fan(count, &out)
            return
        }
        earClip(count, &out)
    }

    private func fan(_ count: Int, _ out: inout [Int]) {
        for i in 1..<(count - 1) { out.append(0); out.append(i); out.append(i + 1) }
    }

    private func cross(_ a: Int, _ b: Int, _ c: Int) -> Float {
        (xs[b] - xs[a]) * (ys[c] - ys[a]) - (ys[b] - ys[a]) * (xs[c] - xs[a])
    }

    private func isConvex(_ count: Int) -> Bool {
        for i in 0..<count where cross((i + count - 1) % count, i, (i + 1) % count) < 0 { return false }
        return true
    }

    private mutating func earClip(_ count: Int, _ out: inout [Int]) {
        remaining = Array(0..<count)
        var guardCounter = 0
        var i = 0
        while remaining.count > 3 {
            let n = remaining.count
            let a = remaining[(i + n - 1) % n], b = remaining[i % n], c = remaining[(i + 1) % n]
            if isEar(a, b, c) {
                out.append(a); out.append(b); out.append(c)
                remaining.remove(at: i % n)
                guardCounter = 0
                i = i % (n - 1)
                continue
            }
            i = (i + 1) % n
            guardCounter += 1
            if guardCounter > n {
                // No ear left (self-intersecting or degenerate outline): fan the rest.
                for k in 1..<(n - 1) { out.append(remaining[0]); out.append(remaining[k]); out.append(remaining[k + 1]) }
                return
            }
        }
        out.append(remaining[0]); out.append(remaining[1]); out.append(remaining[2])
    }

    private func isEar(_ a: Int, _ b: Int, _ c: Int) -> Bool {
        guard cross(a, b, c) > 0 else { return false }
        for r in remaining where r != a && r != b && r != c {
            if xs[r] == xs[a] && ys[r] == ys[a] || xs[r] == xs[b] && ys[r] == ys[b] || xs[r] == xs[c] && ys[r] == ys[c] { continue }
            if cross(a, b, r) >= 0 && cross(b, c, r) >= 0 && cross(c, a, r) >= 0 { return false }
        }
        return true
    }
}
