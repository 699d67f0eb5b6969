import PolyforgeMesh
public enum OBJWriter {
    public static func write(_ scene: Scene, to path: String) throws(FormatError) {
        throw FormatError(file: path, .none, "OBJ writer not built yet")
    }
}
