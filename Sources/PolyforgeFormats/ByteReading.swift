/// Bounds-checked little/big-endian loads from a raw buffer. Callers check ranges first; these never read outside.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func loadBE<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func loadFloatLE(_ offset: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    @inline(__always)
    func loadFloatBE(_ offset: Int) -> Float {
        Float(bitPattern: UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }
}

/// Appends little-endian values to a byte array (writers).
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func appendFloatLE(_ value: Float) { appendLE(value.bitPattern) }

    mutating func appendFloatsLE(_ values: [Float]) {
        // Little-endian hosts only (x86_64, arm64): the in-memory layout is the file layout.
        values.withUnsafeBytes { append(contentsOf: $0) }
    }

    mutating func pad(toMultipleOf n: Int, with byte: UInt8 = 0) {
        while count % n != 0 { append(byte) }
    }
}
