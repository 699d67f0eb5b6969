import PolyforgeMesh
public enum STLReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Scene {
        throw FormatError(file: fileName, .none, "STL reader not built yet")
    }
}
