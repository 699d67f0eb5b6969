import PolyforgeFormats
import PolyforgeMesh

#if canImport(Glibc)
import Glibc
#endif

/// The parser under test, from POLYFORGE_FUZZ_FORMAT (glb, gltf, obj, stl, ply, off).
let format: MeshFormat = {
    guard let name = getenv("POLYFORGE_FUZZ_FORMAT"), let f = MeshFormat(rawValue: String(cString: name)) else {
        let message = "set POLYFORGE_FUZZ_FORMAT to one of glb, gltf, obj, stl, ply, off\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
    return f
}()

/// Any input must end in a scene or a FormatError: a crash, a sanitizer report, a hang or an out-of-memory is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do {
        let loaded = try SceneIO.parse(bytes, format: format, fileName: "fuzz-input", resources: .none)
        try SceneIO.checkFinitePositions(loaded, fileName: "fuzz-input")
        // Touch what later stages would: counts, bounds, flattening.
        _ = loaded.scene.drawnTriangleCount
        _ = loaded.scene.worldBounds()
        _ = SceneFlattener.flatten(loaded.scene)
    } catch {
        _ = error.description
    }
    if format == .glb || format == .gltf { checkBorrowingAgrees(bytes) }
    return 0
}

/// Reading with borrowing (every tight array left in place, whatever its size) and then copying in must give the
/// plain read's scene, or the same failure.
func checkBorrowingAgrees(_ bytes: UnsafeRawBufferPointer) {
    let plain = try? GLTFReader.parse(bytes, fileName: "fuzz-input", resources: .none)
    var borrowed = try? GLTFReader.parse(bytes, fileName: "fuzz-input", resources: .none, borrowing: true, minimumBorrowedBytes: 4)
    borrowed?.materializeBorrowed()
    guard let plain, let borrowed else {
        if (plain == nil) != (borrowed == nil) { fatalError("borrowing read and plain read disagree on whether the input is valid") }
        return
    }
    for (m, mesh) in plain.scene.meshes.enumerated() {
        for (p, primitive) in mesh.primitives.enumerated() {
            let other = borrowed.scene.meshes[m].primitives[p]
            // Bit for bit (NaN payloads included), not by float equality.
            func same(_ a: VertexStream, _ b: VertexStream) -> Bool {
                a.semantic == b.semantic && a.components == b.components
                    && a.data.withUnsafeBytes { x in b.data.withUnsafeBytes { y in x.elementsEqual(y) } }
            }
            guard primitive.indices == other.indices, primitive.streams.count == other.streams.count,
                  zip(primitive.streams, other.streams).allSatisfy(same) else {
                fatalError("borrowing read differs from the plain read at meshes[\(m)].primitives[\(p)]")
            }
        }
    }
}

/// SwiftPM renames an executable's entry point to `<product>_main`; hand control to libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("fuzz_parsers_main")
public func fuzzParsersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}
