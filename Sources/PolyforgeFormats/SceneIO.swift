import PolyforgeCore
import PolyforgeMesh

/// What a reader hands back: the scene and facts about the file it came from.
public struct LoadedScene: Sendable {
    public var scene: Scene
    public var format: MeshFormat
    /// Size of the model file itself.
    public var fileSize: Int
    /// Sizes of the side files it pulled in (buffers, .mtl, textures), by reference.
    public var sideFiles: [(reference: String, bytes: Int)] = []
    /// Arrays left in the mapped file when read with `borrowing: true`; nil otherwise (then the scene is complete).
    public var borrowed: BorrowedGeometry? = nil

    /// Copies borrowed arrays into the scene, which is then what a plain read gives.
    public mutating func materializeBorrowed() {
        guard let borrowed else { return }
        borrowed.materialize(into: &scene)
        self.borrowed = nil
    }

    public init(scene: Scene, format: MeshFormat, fileSize: Int, sideFiles: [(reference: String, bytes: Int)] = []) {
        self.scene = scene
        self.format = format
        self.fileSize = fileSize
        self.sideFiles = sideFiles
    }
}

public struct WriteOptions: Sendable {
    /// Compress GLB/glTF geometry with EXT_meshopt_compression.
    public var meshoptCompression = false
    public init() {}
}

/// Reads and writes any supported format, chosen by extension (reading falls back to sniffing the content).
public enum SceneIO {
    /// Reads a model file. Non-finite (NaN/Inf) positions are an error unless `allowNonFinitePositions`
    /// (repair, which removes them, reads with it on).
    /// `borrowing`: leave a glTF's large arrays in the mapped file (see `BorrowedGeometry`; other formats ignore it).
    public static func read(_ path: String, allowNonFinitePositions: Bool = false, borrowing: Bool = false) throws(FormatError) -> LoadedScene {
        let file = try MappedFile(path: path)
        return try file.withBytes { (bytes: UnsafeRawBufferPointer) throws(FormatError) -> LoadedScene in
            var format = MeshFormat(path: path)
            let sniffed = MeshFormat.sniff(UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, 64)]))
            // Content wins where it is unambiguous: a .gltf that is really binary, a .glb that is JSON.
            if let sniffed, sniffed == .glb || sniffed == .ply || (sniffed == .gltf && format == .glb) { format = sniffed }
            guard let format = format ?? sniffed else {
                throw FormatError(file: path, .none, "unknown file format (expected .glb, .gltf, .obj, .stl, .ply or .off)")
            }
            let resources = ResourceLoader(baseDirectory: FileSystem.directory(of: path))
            let loaded: LoadedScene
            if borrowing, format == .glb || format == .gltf {
                loaded = try GLTFReader.parse(bytes, fileName: path, resources: resources, borrowing: true)
                loaded.borrowed?.keepAlive(file)
            } else {
                loaded = try parse(bytes, format: format, fileName: path, resources: resources)
            }
            if !allowNonFinitePositions { try checkFinitePositions(loaded, fileName: path) }
            return loaded
        }
    }

    /// Fails on the first vertex with a NaN or infinite coordinate, naming its mesh, primitive and vertex.
    public static func checkFinitePositions(_ loaded: LoadedScene, fileName: String) throws(FormatError) {
        for (m, mesh) in loaded.scene.meshes.enumerated() {
            for (p, primitive) in mesh.primitives.enumerated() {
                guard primitive.stream(.position) != nil else { continue }
                let check = { (data: UnsafeBufferPointer<Float>) -> (bad: Int, first: Int) in
                    var lo: [Float] = [0, 0, 0], hi: [Float] = [0, 0, 0]
                    let bad = pf_bounds(data.baseAddress, data.count / 3, 3, &lo, &hi)
                    guard bad > 0 else { return (0, 0) }
                    let first = stride(from: 0, to: data.count - 2, by: 3).first {
                        !(data[$0].isFinite && data[$0 + 1].isFinite && data[$0 + 2].isFinite)
                    }.map { $0 / 3 } ?? 0
                    return (bad, first)
                }
                let (bad, first) = loaded.borrowed?.floats(mesh: m, primitive: p, semantic: .position).map(check)
                    ?? primitive.stream(.position)!.data.withUnsafeBufferPointer(check)
                guard bad > 0 else { continue }
                let place: FormatError.Location = loaded.format == .glb || loaded.format == .gltf
                    ? .jsonPath("meshes[\(m)].primitives[\(p)].attributes.POSITION") : .none
                throw FormatError(file: fileName, place, "vertex \(first) has a non-finite position (\(bad) such vertices); positions must be finite numbers")
            }
        }
    }

    /// Parses bytes already in memory. Side files resolve through `resources`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, format: MeshFormat, fileName: String, resources: ResourceLoader) throws(FormatError) -> LoadedScene {
        switch format {
        case .glb, .gltf:
            return try GLTFReader.parse(bytes, fileName: fileName, resources: resources)
        case .obj:
            return try OBJReader.parse(bytes, fileName: fileName, resources: resources)
        case .stl:
            return LoadedScene(scene: try STLReader.parse(bytes, fileName: fileName), format: .stl, fileSize: bytes.count)
        case .ply:
            return try PLYReader.parse(bytes, fileName: fileName, resources: resources)
        case .off:
            return LoadedScene(scene: try OFFReader.parse(bytes, fileName: fileName), format: .off, fileSize: bytes.count)
        }
    }

    public static func write(_ scene: Scene, to path: String, options: WriteOptions = WriteOptions()) throws(FormatError) {
        guard let format = MeshFormat(path: path) else {
            throw FormatError(file: path, .none, "unknown output format (use .glb, .gltf, .obj, .stl or .ply)")
        }
        switch format {
        case .glb: try GLTFWriter.writeGLB(scene, to: path, options: options)
        case .gltf: try GLTFWriter.writeGLTF(scene, to: path, options: options)
        case .obj: try OBJWriter.write(scene, to: path)
        case .stl: try AtomicFile.write(STLWriter.encode(scene), to: path)
        case .ply: try AtomicFile.write(PLYWriter.encode(scene), to: path)
        case .off: throw FormatError(file: path, .none, "writing OFF is not supported (write .ply or .obj instead)")
        }
    }
}
