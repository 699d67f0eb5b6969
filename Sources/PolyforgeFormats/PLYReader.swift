import PolyforgeMesh
public enum PLYReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Scene {
        throw FormatError(file: fileName, .none, "PLY reader not built yet")
    }
}
