import PolyforgeMesh
public enum OBJReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String, resources: ResourceLoader) throws(FormatError) -> LoadedScene {
        throw FormatError(file: fileName, .none, "OBJ reader not built yet")
    }
}
