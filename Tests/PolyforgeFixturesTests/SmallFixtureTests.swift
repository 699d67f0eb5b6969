import PolyforgeMesh
import Testing
@testable import PolyforgeFixtures

/// The only primitive of a single-primitive fixture, checked for the three streams every fixture carries.
func onlyPrimitive(_ scene: Scene) -> Primitive {
    #expect(scene.meshes.count == 1 && scene.meshes[0].primitives.count == 1)
    let primitive = scene.meshes[0].primitives[0]
    let n = primitive.vertexCount
    #expect(primitive.stream(.normal)?.count == n)
    #expect(primitive.stream(.texcoord(0))?.count == n)
    #expect(primitive.indices.allSatisfy { Int($0) < n })
    return primitive
}

/// Closed, manifold, consistently wound and with normals on the side the winding says is out.
func expectClosedManifold(_ primitive: Primitive, euler: Int, weldedVertices: Int) {
    let topology = MeshTopology(primitive)
    #expect(topology.boundaryEdges == 0)
    #expect(topology.nonManifoldEdges == 0)
    #expect(topology.nonManifoldVertices == 0)
    #expect(topology.misorientedEdges == 0)
    #expect(topology.repeatedIndexFaces + topology.zeroAreaFaces == 0)
    #expect(topology.weldedVertices == weldedVertices)
    #expect(topology.eulerCharacteristic == euler)
    #expect(facesAgreeWithNormals(primitive))
}

/// Every face's winding normal points the same way as the mean of its vertex normals.
func facesAgreeWithNormals(_ primitive: Primitive) -> Bool {
    let p = primitive.positions, n = primitive.stream(.normal)!.data, idx = primitive.indices
    for t in stride(from: 0, to: idx.count, by: 3) {
        let a = 3 * Int(idx[t]), b = 3 * Int(idx[t + 1]), c = 3 * Int(idx[t + 2])
        let e1 = (p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2])
        let e2 = (p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2])
        let f = (e1.1 * e2.2 - e1.2 * e2.1, e1.2 * e2.0 - e1.0 * e2.2, e1.0 * e2.1 - e1.1 * e2.0)
        let m = (n[a] + n[b] + n[c], n[a + 1] + n[b + 1] + n[c + 1], n[a + 2] + n[b + 2] + n[c + 2])
        if f.0 * m.0 + f.1 * m.1 + f.2 * m.2 <= 0 { return false }
    }
    return true
}

func expectDefects(_ primitive: Primitive, _ known: KnownDefects) {
    let t = MeshTopology(primitive)
    let measured = KnownDefects(boundaryEdges: t.boundaryEdges, boundaryLoops: t.boundaryLoops,
                                nonManifoldEdges: t.nonManifoldEdges, nonManifoldVertices: t.nonManifoldVertices,
                                repeatedIndexFaces: t.repeatedIndexFaces, zeroAreaFaces: t.zeroAreaFaces)
    #expect(measured == known)
}

@Suite struct SmallFixtureTests {
    @Test func uvSphereIsClosedAfterWelding() {
        let sphere = onlyPrimitive(Fixtures.uvSphere())
        #expect(sphere.triangleCount == 960)
        #expect(sphere.vertexCount == 559)
        expectClosedManifold(sphere, euler: 2, weldedVertices: 32 * 15 + 2)

        let small = onlyPrimitive(Fixtures.uvSphere(segments: 3, rings: 2))
        #expect(small.triangleCount == 6 && small.vertexCount == 10)
        expectClosedManifold(small, euler: 2, weldedVertices: 5)
    }

    @Test func uvSphereHasAUVSeam() {
        let sphere = onlyPrimitive(Fixtures.uvSphere(segments: 8, rings: 4))
        let uv = sphere.stream(.texcoord(0))!.data
        let us = stride(from: 0, to: uv.count, by: 2).map { uv[$0] }
        #expect(us.contains(0) && us.contains(1))
    }

    @Test func torusIsClosedWithGenusOne() {
        let torus = onlyPrimitive(Fixtures.torus())
        #expect(torus.triangleCount == 2304)
        #expect(torus.vertexCount == 49 * 25)
        expectClosedManifold(torus, euler: 0, weldedVertices: 48 * 24)
    }

    @Test func cubeHasSeamsEverywhere() {
        let cube = onlyPrimitive(Fixtures.cubeWithSeams())
        #expect(cube.triangleCount == 12)
        #expect(cube.vertexCount == 24)
        expectClosedManifold(cube, euler: 2, weldedVertices: 8)
        let normals = cube.stream(.normal)!.data
        var distinct = Set<[Float]>()
        for v in stride(from: 0, to: normals.count, by: 3) { distinct.insert(Array(normals[v..<(v + 3)])) }
        #expect(distinct.count == 6)
        let uv = cube.stream(.texcoord(0))!.data
        #expect(uv.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test func meshWithHolesHasThreeLoops() {
        let holes = onlyPrimitive(Fixtures.meshWithHoles())
        #expect(holes.triangleCount == 212)
        #expect(holes.vertexCount == 151)
        expectDefects(holes, Fixtures.meshWithHolesDefects)
        #expect(Set(holes.indices).count == holes.vertexCount)
        #expect(MeshTopology(holes).misorientedEdges == 0)
    }

    @Test func nonManifoldHasAFinAndABowTie() {
        let mesh = onlyPrimitive(Fixtures.nonManifold())
        #expect(mesh.triangleCount == 7)
        #expect(mesh.vertexCount == 12)
        expectDefects(mesh, Fixtures.nonManifoldDefects)
    }

    @Test func degenerateFacesAreCounted() {
        let mesh = onlyPrimitive(Fixtures.degenerateFaces())
        #expect(mesh.triangleCount == 38)
        #expect(mesh.vertexCount == 30)
        expectDefects(mesh, Fixtures.degenerateFacesDefects)
        #expect(Fixtures.degenerateFacesDefects.degenerateFaces == 6)
        let literalRepeats = stride(from: 0, to: mesh.indices.count, by: 3).filter {
            let i = mesh.indices
            return i[$0] == i[$0 + 1] || i[$0 + 1] == i[$0 + 2] || i[$0] == i[$0 + 2]
        }
        #expect(literalRepeats.count == 3)
    }

    @Test func fixturesAreDeterministic() {
        for make in [{ Fixtures.uvSphere() }, { Fixtures.torus() }, { Fixtures.cubeWithSeams() }, { Fixtures.meshWithHoles() },
                     { Fixtures.nonManifold() }, { Fixtures.degenerateFaces() }] {
            let a = onlyPrimitive(make()), b = onlyPrimitive(make())
            #expect(a.indices == b.indices)
            for (x, y) in zip(a.streams, b.streams) { #expect(x.data.map(\.bitPattern) == y.data.map(\.bitPattern)) }
        }
    }

    @Test func everyFixtureHasAMaterialAndFiniteData() {
        for scene in [Fixtures.uvSphere(), Fixtures.torus(), Fixtures.cubeWithSeams(), Fixtures.meshWithHoles(),
                      Fixtures.nonManifold(), Fixtures.degenerateFaces()] {
            #expect(scene.materials.count == 1)
            #expect(scene.meshes[0].primitives[0].material == 0)
            #expect(scene.meshes[0].primitives[0].streams.allSatisfy { $0.data.allSatisfy(\.isFinite) })
            #expect(scene.drawnTriangleCount == scene.storedTriangleCount)
        }
    }
}

@Suite struct MultiMaterialTests {
    @Test func fourPrimitivesThreeMaterialsOneTexture() throws {
        let scene = try Fixtures.multiMaterial()
        #expect(scene.meshes.count == 1)
        let primitives = scene.meshes[0].primitives
        #expect(primitives.map(\.triangleCount) == [32, 224, 576, 12])
        #expect(primitives.map(\.vertexCount) == [25, 151, 325, 24])
        #expect(primitives.map(\.material) == [0, 1, 2, 0])
        #expect(scene.drawnTriangleCount == 844 && scene.drawnVertexCount == 525)
        #expect(scene.materials.count == 3)
        #expect(scene.materials[0].baseColorTexture?.texture == 0)
        #expect(scene.textures.count == 1 && scene.textures[0].source == 0)
        #expect(scene.images.count == 1 && scene.images[0].mimeType == "image/png")
        #expect(Image.sniffMimeType(scene.images[0].data) == "image/png")
        for primitive in primitives {
            #expect(primitive.stream(.normal)?.count == primitive.vertexCount)
            #expect(primitive.stream(.texcoord(0))?.count == primitive.vertexCount)
            #expect(facesAgreeWithNormals(primitive))
        }
        let again = try Fixtures.multiMaterial()
        #expect(again.images[0].data == scene.images[0].data)
    }
}
