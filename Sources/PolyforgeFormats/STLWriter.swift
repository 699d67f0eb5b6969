import PolyforgeMesh
public enum STLWriter {
    public static func encode(_ scene: Scene) -> [UInt8] { [] }
}
