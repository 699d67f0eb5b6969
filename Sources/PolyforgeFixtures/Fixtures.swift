import PolyforgeMesh
/// Placeholder; the procedural fixtures land with the fixtures helper.
public enum Fixtures {}
