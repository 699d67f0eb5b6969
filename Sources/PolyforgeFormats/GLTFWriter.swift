import PolyforgeMesh
public enum GLTFWriter {
    public static func writeGLB(_ scene: Scene, to path: String, options: WriteOptions) throws(FormatError) {}
    public static func writeGLTF(_ scene: Scene, to path: String, options: WriteOptions) throws(FormatError) {}
}
