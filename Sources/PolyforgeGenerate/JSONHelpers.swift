import PolyforgeMesh

extension JSONValue {
    /// Numbers that providers sometimes send as strings or floats ("42", 42.0); nil outside ±9e15 (a hostile
    /// 1e300 must not trap the conversion).
    var looseInt: Int? {
        guard let d = doubleValue ?? stringValue.flatMap({ Double($0) }), d.isFinite, abs(d) < 9.0e15 else { return nil }
        return Int(d)
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
