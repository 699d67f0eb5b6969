import Testing
import PolyforgeCore
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeTopology
@testable import PolyforgeQC

/// A one-primitive scene from positions, UVs and indices.
func scene(_ positions: [Float], uvs: [Float]? = nil, indices: [UInt32], normals: [Float]? = nil) -> Scene {
    var p = Primitive(streams: [VertexStream(.position, components: 3, data: positions)], indices: indices)
    if let uvs { p.streams.append(VertexStream(.texcoord(0), components: 2, data: uvs)) }
    if let normals { p.streams.append(VertexStream(.normal, components: 3, data: normals)) }
    return Scene(mesh: Mesh(primitives: [p]))
}

func measure(_ s: Scene, _ profile: QCProfile, bytes: Int = 1000) -> AssetMeasurements {
    AssetMeasurements(LoadedScene(scene: s, format: .glb, fileSize: bytes), profile: profile)
}

func check(_ results: [QCCheckResult], _ id: String) -> QCCheckResult? { results.first { $0.id == id } }

/// A unit cube as 8 shared corners and 12 outward triangles.
let cubePositions: [Float] = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]
let cubeIndices: [UInt32] = [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3]

@Suite struct UVBoundsTests {
    @Test func quadWithHalfItsUVsAtOnePointFiveIsHalfOutOfBounds() {
        let s = UVQuality.bounds(uvs: [0, 0, 1.5, 0, 1.5, 1, 0, 1], indices: [0, 1, 2, 0, 2, 3])
        #expect(s.coordinates == 4 && s.coordinatesOutside == 2)
        #expect(s.triangles == 2 && s.trianglesOutside == 2)
        #expect(s.min == [0, 0] && s.max == [1.5, 1])
        var profile = QCProfile(name: "t")
        profile.limits["max_uv_outside_fraction"] = 0
        let m = measure(scene([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0], uvs: [0, 0, 1.5, 0, 1.5, 1, 0, 1], indices: [0, 1, 2, 0, 2, 3]), profile)
        let r = check(QCRules.evaluate(m, profile: profile), "uv.bounds")
        #expect(r?.status == .fail && r?.value == 0.5)
        #expect(r?.message == "50% of UV coordinates and 100% of UV triangles outside [0,1]")
    }

    @Test func simdAndScalarPathsAgreeOnLargeInputsWithNaN() {
        // 100,001 pairs (odd, so the scalar tail runs), every 7th outside, one NaN.
        var uvs: [Float] = []
        for i in 0..<100_001 { uvs += [i % 7 == 0 ? 1.25 : 0.5, 0.5] }
        uvs[2 * 10] = .nan
        let s = UVQuality.bounds(uvs: uvs, indices: [])
        let expected = (0..<100_001).filter { $0 % 7 == 0 }.count + 1
        #expect(s.coordinatesOutside == expected && s.nonFinite == 1)
        #expect(s.max[0] == 1.25 && s.min[0] == 0.5)
    }

    @Test func flipsAndZeroAreaTriangles() {
        // Two clockwise triangles (glTF's usual UV winding), one counter-clockwise, one zero-area.
        let uvs: [Float] = [0, 1, 1, 1, 1, 0, 0, 0, 0.5, 0.5]
        let s = UVQuality.bounds(uvs: uvs, indices: [0, 1, 2, 0, 2, 3, 0, 3, 2, 0, 4, 2])
        #expect(s.clockwise == 2 && s.counterClockwise == 1 && s.zeroArea == 1 && s.flips == 1)
    }
}

@Suite struct UVOverlapAndGutterTests {
    @Test func twoOverlappingUVTrianglesAreCaught() {
        let uvs: [Float] = [0, 0, 1, 0, 0, 1, 0.2, 0.2, 0.9, 0.2, 0.2, 0.9]
        let o = UVQuality.overlap(uvs: uvs, indices: [0, 1, 2, 3, 4, 5], resolution: 256)
        #expect(o.triangles == 2)
        // The second triangle pokes past the first's hypotenuse: overlap 0.18 of a union of 0.565.
        #expect(abs(o.overlappedFraction - 0.18 / 0.565) < 0.01)
    }

    @Test func aQuadsTwoTrianglesShareAnEdgeWithoutOverlapping() {
        let uvs: [Float] = [0, 0, 1, 0, 1, 1, 0, 1]
        let o = UVQuality.overlap(uvs: uvs, indices: [0, 1, 2, 0, 2, 3], resolution: 256)
        #expect(o.triangles == 0 && o.overlappedFraction == 0)
        // Mirrored (flipped) triangles side by side do not overlap either.
        let mirrored = UVQuality.overlap(uvs: uvs, indices: [0, 1, 2, 0, 3, 2], resolution: 256)
        #expect(mirrored.triangles == 0)
    }

    @Test func gutterBetweenTwoIslandsFailsAtHighResolutionOnly() {
        // Two squares 0.02 apart in u: 5 pixels at 256, 0.6 of a pixel at 32.
        let uvs: [Float] = [0.1, 0.1, 0.49, 0.1, 0.49, 0.9, 0.1, 0.9, 0.51, 0.1, 0.9, 0.1, 0.9, 0.9, 0.51, 0.9]
        let idx: [UInt32] = [0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7]
        #expect(UVQuality.islands(uvs: uvs, indices: idx).count == 2)
        #expect(UVQuality.gutterCollisions(uvs: uvs, indices: idx, resolution: 256) == 0)
        #expect(UVQuality.gutterCollisions(uvs: uvs, indices: idx, resolution: 32) > 0)
    }
}

@Suite struct EdgeAndTopologyTests {
    @Test func cubeEdgesAreHardAndFailTheBevelCheck() {
        let e = UVQuality.edgeAngles(TriangleSoup(positions: cubePositions, indices: cubeIndices), thresholdDegrees: 90)
        #expect(e.edges == 18 && e.hard == 12)
        #expect(abs(e.maxAngle - 90) < 1e-3)
        var profile = QCProfile(name: "t")
        profile.rules["require_beveled_edges"] = true
        let r = check(QCRules.evaluate(measure(scene(cubePositions, indices: cubeIndices), profile), profile: profile), "geometry.beveled-edges")
        #expect(r?.status == .fail && r?.value == 12)
    }

    /// The auditor's manifold-edge check matches vertices after rounding coordinates to 1e-5, per primitive in its
    /// own coordinates: a third face whose edge ends sit 3e-6 off the shared edge makes it non-manifold; 4e-5 off
    /// it does not (that face is then merely open).
    @Test func auditorManifoldEdgesMatchVerticesAtTheFifthDecimal() {
        var profile = QCProfile(name: "t")
        profile.rules["require_manifold_edges"] = true
        for (offset, expected) in [(Float(3e-6), QCStatus.fail), (4e-5, .pass)] {
            // Two triangles sharing edge 0-1, and a fin on a near copy of that edge (vertices 4, 5) to vertex 6.
            let positions: [Float] = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, -1, 0,
                                      offset, 0, 0, 1 + offset, 0, 0, 0.5, 0, 1]
            let r = check(QCRules.evaluate(measure(scene(positions, indices: [0, 1, 2, 1, 0, 3, 4, 5, 6]), profile), profile: profile),
                          "topology.manifold-edges")
            #expect(r?.status == expected, "offset \(offset)")
            #expect(r?.value == (expected == .fail ? 1 : 0))
        }
    }

    @Test func aFortyFiveDegreeBevelIsNotHard() {
        // Two faces folded by 45 degrees along the x axis.
        let soup = TriangleSoup(positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, -0.7071, 0.7071], indices: [0, 1, 2, 1, 0, 3])
        #expect(UVQuality.edgeAngles(soup, thresholdDegrees: 90).hard == 0)
    }

    @Test func topologyComesFromTheSharedAnalysis() {
        var profile = QCProfile(name: "t")
        profile.rules["require_watertight"] = true
        profile.rules["require_manifold"] = true
        let closed = QCRules.evaluate(measure(scene(cubePositions, indices: cubeIndices), profile), profile: profile)
        #expect(check(closed, "topology.watertight")?.status == .pass)
        #expect(check(closed, "topology.manifold")?.status == .pass)
        let open = QCRules.evaluate(measure(scene(cubePositions, indices: Array(cubeIndices[6...])), profile), profile: profile)
        #expect(check(open, "topology.watertight")?.status == .fail && check(open, "topology.watertight")?.value == 4)
    }
}

@Suite struct BudgetAndTextureTests {
    @Test func budgetsCountTrianglesVerticesAndDrawCalls() {
        var profile = QCProfile(name: "t")
        profile.limits = ["max_triangles": 10, "max_vertices": 8, "max_draw_calls": 1]
        let r = QCRules.evaluate(measure(scene(cubePositions, indices: cubeIndices), profile), profile: profile)
        #expect(check(r, "budget.triangles")?.status == .fail && check(r, "budget.triangles")?.value == 12)
        #expect(check(r, "budget.vertices")?.status == .pass && check(r, "budget.vertices")?.value == 8)
        #expect(check(r, "budget.draw-calls")?.status == .pass && check(r, "budget.draw-calls")?.value == 1)
        #expect(check(r, "budget.materials")?.status == .skipped)
    }

    @Test func powerOfTwoAndGPUMemory() {
        #expect(TextureFacts.isPowerOfTwo(1024) && TextureFacts.isPowerOfTwo(1) && !TextureFacts.isPowerOfTwo(1000) && !TextureFacts.isPowerOfTwo(0))
        let png = TextureFacts(image: 0, name: "a", width: 1024, height: 1024, format: "png", bytes: 10, usedForBaseColor: true)
        #expect(png.gpuBytes == 5_592_405)  // 4 MiB RGBA8 plus a third for mips
        let ktx = TextureFacts(image: 0, name: "b", width: 2048, height: 1024, format: "ktx2", bytes: 10, usedForBaseColor: false)
        #expect(ktx.gpuBytes == 2_796_202)
    }

    @Test func yamlProfileOverridesABuiltIn() throws {
        let p = try QCProfile.yaml("""
            # tighter props
            extends: mobile
            max_triangles: 5000
            rules:
              require_watertight: true
            severity:
              uv.bounds: error
              placement.pivot: off
            texture_formats: [png, "jpeg"]
            """)
        #expect(p.limit("max_triangles") == 5000 && p.limit("max_draw_calls") == 2)
        #expect(p.requires("require_watertight"))
        #expect(p.severities["uv.bounds"] == .some(.error))
        #expect(p.severities["placement.pivot"] == .some(nil))
        #expect(p.textureFormats == ["png", "jpeg"])
        #expect(throws: QCProfileError.self) { try QCProfile.yaml("limits:\n  max_trianglez: 3") }
    }
}
