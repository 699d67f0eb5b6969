import PolyforgeMesh
public enum OFFReader {
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileName: String) throws(FormatError) -> Scene {
        throw FormatError(file: fileName, .none, "OFF reader not built yet")
    }
}
