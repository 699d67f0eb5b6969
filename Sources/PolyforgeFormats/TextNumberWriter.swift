/// Appends numbers as text for the text writers (OBJ, MTL), in the shortest form that reads back to the same Float.
extension Array where Element == UInt8 {
    mutating func appendNumber(_ value: Float) {
        // Small integers (very common: 0, 1, -1) skip String formatting; Float.description is the shortest
        // round-tripping form otherwise ("0.1", "1e-05").
        if value == value.rounded(), abs(value) < 1e7 {
            if value == 0 && value.sign == .minus { append(contentsOf: "-0".utf8); return }
            appendInteger(Int(value))
            return
        }
        append(contentsOf: value.description.utf8)
    }

    mutating func appendInteger(_ value: Int) {
        if value < 0 { append(0x2D) }
        var magnitude = value.magnitude
        let first = count
        repeat {
            append(UInt8(magnitude % 10) + 0x30)
            magnitude /= 10
        } while magnitude > 0
        self[first...].reverse()
    }

    mutating func appendText(_ s: String) { append(contentsOf: s.utf8) }
}
