import PolyforgeMesh
public enum GLTFReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader) throws(FormatError) -> LoadedScene {
        throw FormatError(file: fileName, .none, "glTF reader not built yet")
    }
}
