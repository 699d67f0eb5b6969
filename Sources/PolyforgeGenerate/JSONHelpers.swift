import PolyforgeMesh

extension JSONValue {
    /// Numbers that providers sometimes send as strings or floats ("42", 42.0).
    var looseInt: Int? {
        if let d = doubleValue, d.isFinite { return Int(d) }
        if let s = stringValue { return Int(s) ?? Double(s).flatMap { $0.isFinite ? Int($0) : nil } }
        return nil
    }
    var looseDouble: Double? {
        if let d = doubleValue { return d }
        if let s = stringValue { return Double(s) }
        return nil
    }
    /// A non-empty string, or nil.
    var nonEmptyString: String? { stringValue.flatMap { $0.isEmpty ? nil : $0 } }
}

/// Builds a JSON object leaving out nil values, in the order given.
public func jsonObject(_ fields: [(String, JSONValue?)]) -> JSONValue {
    .object(fields.compactMap { key, value in value.map { (key, $0) } })
}

extension Optional where Wrapped == Bool { var json: JSONValue? { map { .bool($0) } } }
extension Optional where Wrapped == Int { var json: JSONValue? { map { .number(Double($0)) } } }
extension Optional where Wrapped == String { var json: JSONValue? { map { .string($0) } } }
