/// Vertex normals that point against their faces' winding, to be turned: after `Orient` flips a patch of faces,
/// normals that were computed from the old winding (flat-shaded or per-face vertices, common in generator output)
/// would light the patch from behind. A vertex's normal is turned when it points against the area-weighted sum of
/// the normals of the faces that use it. Only vertices of flipped faces are considered: elsewhere a normal against
/// its faces is the author's (sharp or thin features), not the repair's doing. Normals that already agree (the
/// usual case when only the winding was wrong) are left untouched, bit for bit.
///
/// Decided after orienting and before filling holes: fill faces reuse the rim's vertices, and where a fill is the
/// back of a thin open sheet its faces would cancel the sheet's and leave the sign to chance.
extension MeshVertices {
    /// Per source vertex marked in `candidates`, whether its normal points against its faces. Face normals are
    /// taken in each vertex's own (local) space, where the normal stream lives.
    func normalsAgainstWinding(_ mesh: RepairMesh, among candidates: [Bool]) -> [Bool] {
        var turn = [Bool](repeating: false, count: vertexCount)
        guard candidates.contains(true), primitives.contains(where: { $0.stream(.normal)?.components == 3 }) else { return turn }
        var sum = [Double](repeating: 0, count: 3 * vertexCount)
        mesh.cornerVertices.withUnsafeBufferPointer { c in
            localPositions.withUnsafeBufferPointer { p in
                for f in 0..<(c.count / 3) {
                    let a = Int(c[3 * f]), b = Int(c[3 * f + 1]), d = Int(c[3 * f + 2])
                    let e1 = (Double(p[3 * b] - p[3 * a]), Double(p[3 * b + 1] - p[3 * a + 1]), Double(p[3 * b + 2] - p[3 * a + 2]))
                    let e2 = (Double(p[3 * d] - p[3 * a]), Double(p[3 * d + 1] - p[3 * a + 1]), Double(p[3 * d + 2] - p[3 * a + 2]))
                    let n = (e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0)
                    for v in [a, b, d] { sum[3 * v] += n.0; sum[3 * v + 1] += n.1; sum[3 * v + 2] += n.2 }
                }
            }
        }
        for (pi, primitive) in primitives.enumerated() {
            guard let normals = primitive.stream(.normal), normals.components == 3 else { continue }
            normals.data.withUnsafeBufferPointer { n in
                for local in 0..<min(normals.count, offsets[pi + 1] - offsets[pi]) where candidates[offsets[pi] + local] {
                    let v = offsets[pi] + local
                    let dot = Double(n[3 * local]) * sum[3 * v] + Double(n[3 * local + 1]) * sum[3 * v + 1] + Double(n[3 * local + 2]) * sum[3 * v + 2]
                    turn[v] = dot < 0
                }
            }
        }
        return turn
    }
}
