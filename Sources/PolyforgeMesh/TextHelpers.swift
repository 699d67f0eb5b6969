/// Small text helpers without Foundation, shared by every module.
extension StringProtocol {
    /// The text without any of `characters` at either end (compared by Unicode scalar, so "\r" and "\n" trim
    /// even where they form one "\r\n" Character).
    public func trimming(_ characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Every occurrence of `target` replaced by `replacement`.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
