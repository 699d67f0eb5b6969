import PolyforgeMesh
public enum PLYWriter {
    public static func encode(_ scene: Scene) -> [UInt8] { [] }
}
