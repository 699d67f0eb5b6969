import PolyforgeMesh

/// Large vertex and index arrays of a glTF left where they are, in the mapped file, instead of copied into the
/// scene (`SceneIO.read(path, borrowing: true)`).
///
/// Copying a 1M-triangle mesh out of its file means touching ~28 MB of fresh memory, which costs more than
/// rendering it: a thumbnail can draw straight from the mapping. The scene's borrowed streams are left empty
/// (their `data` is `[]`) and the indices of a primitive with borrowed indices too; `floats` and `indices` give the
/// bytes in place, and `materialize(into:)` copies them in, giving exactly the scene a plain read returns.
/// Only tightly packed FLOAT attributes and UNSIGNED_INT triangle indices of at least 256 KB are borrowed.
public final class BorrowedGeometry: @unchecked Sendable {
    public struct Entry: @unchecked Sendable {
        public var mesh: Int
        public var primitive: Int
        /// nil for the primitive's indices.
        public var semantic: Semantic?
        public var pointer: UnsafeRawPointer
        /// Elements (vertices, or indices).
        public var count: Int
        public var components: Int
    }

    public let entries: [Entry]
    /// The mapped files and buffers the pointers lie in, kept alive with this object.
    private var owners: [AnyObject]

    init(entries: [Entry], owners: [AnyObject]) {
        self.entries = entries
        self.owners = owners
    }

    func keepAlive(_ owner: AnyObject) { owners.append(owner) }

    /// The borrowed floats of one stream, or nil when that stream was copied as usual.
    public func floats(mesh: Int, primitive: Int, semantic: Semantic) -> UnsafeBufferPointer<Float>? {
        guard let e = entries.first(where: { $0.mesh == mesh && $0.primitive == primitive && $0.semantic == semantic }) else { return nil }
        return UnsafeBufferPointer(start: e.pointer.assumingMemoryBound(to: Float.self), count: e.count * e.components)
    }

    /// The borrowed indices of one primitive, or nil when they were copied as usual.
    public func indices(mesh: Int, primitive: Int) -> UnsafeBufferPointer<UInt32>? {
        guard let e = entries.first(where: { $0.mesh == mesh && $0.primitive == primitive && $0.semantic == nil }) else { return nil }
        return UnsafeBufferPointer(start: e.pointer.assumingMemoryBound(to: UInt32.self), count: e.count)
    }

    /// Copies every borrowed array into the scene it was read with.
    public func materialize(into scene: inout Scene) {
        for e in entries {
            guard e.mesh < scene.meshes.count, e.primitive < scene.meshes[e.mesh].primitives.count else { continue }
            if let semantic = e.semantic {
                let values = Array(UnsafeBufferPointer(start: e.pointer.assumingMemoryBound(to: Float.self), count: e.count * e.components))
                scene.meshes[e.mesh].primitives[e.primitive].setStream(VertexStream(semantic, components: e.components, data: values))
            } else {
                scene.meshes[e.mesh].primitives[e.primitive].indices = Array(UnsafeBufferPointer(start: e.pointer.assumingMemoryBound(to: UInt32.self), count: e.count))
            }
        }
    }
}
