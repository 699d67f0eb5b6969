import PolyforgeFormats
import PolyforgeMesh

/// Why a profile or product-info file could not be used, as a sentence with the file and line.
public struct QCProfileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int? = nil, _ reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}

extension QCProfile {
    /// A built-in name, a YAML profile (`.yaml`/`.yml`) or an auditor schema (`.json`).
    public static func load(_ nameOrPath: String) throws(QCProfileError) -> QCProfile {
        if let p = builtIn(nameOrPath) { return p }
        guard FileSystem.exists(nameOrPath) else {
            throw QCProfileError(file: nameOrPath, "no such file, and not a built-in profile (\(builtInNames.joined(separator: ", ")))")
        }
        let bytes: [UInt8]
        do { bytes = try MappedFile.readAll(nameOrPath) } catch { throw QCProfileError(file: nameOrPath, error.description) }
        let text = String(decoding: bytes, as: UTF8.self)
        if nameOrPath.lowercased().hasSuffix(".json") || text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).first == "{" {
            let json: JSONValue
            do { json = try JSONParser.parse(bytes) } catch { throw QCProfileError(file: nameOrPath, "not valid JSON: \(error)") }
            return try auditorSchema(json, file: nameOrPath)
        }
        return try yaml(text, file: nameOrPath)
    }

    /// The Khronos glTF Asset Auditor's schema JSON, as it is. Like the auditor's loader, an omitted value leaves its
    /// check untested, -1 / false turn a check off, and only `version` is required.
    public static func auditorSchema(_ json: JSONValue, file: String = "schema") throws(QCProfileError) -> QCProfile {
        guard json["version"]?.stringValue != nil else { throw QCProfileError(file: file, "an auditor schema needs a \"version\" string") }
        var p = QCProfile(name: FileSystem.fileName(of: file), rules: ["require_finite": false])
        func number(_ path: [String]) -> Double? {
            var v: JSONValue? = json
            for k in path { v = v?[k] }
            guard let d = v?.doubleValue, d != -1 else { return nil }
            return d
        }
        func flag(_ path: [String]) -> Bool {
            var v: JSONValue? = json
            for k in path { v = v?[k] }
            return v?.boolValue ?? false
        }
        // The auditor reads file size and triangle limits only when truthy, so 0 means "not tested" there too.
        let nonZero: (Double?) -> Double? = { $0 == 0 ? nil : $0 }
        p.limits["max_file_size_kb"] = nonZero(number(["fileSizeInKb", "maximum"]))
        p.limits["min_file_size_kb"] = nonZero(number(["fileSizeInKb", "minimum"]))
        p.limits["max_materials"] = number(["materials", "maximum"])
        p.limits["min_materials"] = number(["materials", "minimum"])
        for (key, name) in [("nodes", "nodes"), ("meshes", "meshes"), ("primitives", "primitives")] {
            p.limits["max_\(name)"] = number(["model", "objectCount", key, "maximum"])
            p.limits["min_\(name)"] = number(["model", "objectCount", key, "minimum"])
        }
        p.limits["max_triangles"] = nonZero(number(["model", "triangles", "maximum"]))
        p.limits["min_triangles"] = nonZero(number(["model", "triangles", "minimum"]))
        p.rules["require_beveled_edges"] = flag(["model", "requireBeveledEdges"])
        p.rules["require_clean_root_transform"] = flag(["model", "requireCleanRootNodeTransform"])
        p.rules["require_manifold_edges"] = flag(["model", "requireManifoldEdges"])
        for dim in ["height", "length", "width"] {
            p.limits["max_\(dim)_m"] = number(["product", "dimensions", dim, "maximum"])
            p.limits["min_\(dim)_m"] = number(["product", "dimensions", dim, "minimum"])
            p.limits["percent_tolerance_\(dim)"] = number(["product", "dimensions", dim, "percentTolerance"]) ?? 0
        }
        p.limits["max_texture_height"] = number(["textures", "height", "maximum"])
        p.limits["min_texture_height"] = number(["textures", "height", "minimum"])
        p.limits["max_texture_width"] = number(["textures", "width", "maximum"])
        p.limits["min_texture_width"] = number(["textures", "width", "minimum"])
        p.limits["pbr_color_max"] = number(["textures", "pbrColorRange", "maximum"])
        p.limits["pbr_color_min"] = number(["textures", "pbrColorRange", "minimum"])
        p.rules["require_power_of_two"] = flag(["textures", "requireDimensionsBePowersOfTwo"])
        p.rules["require_square_textures"] = flag(["textures", "requireDimensionsBeQuadratic"])
        // The gutter grid is the smallest of resolution / pixels over the resolutions given.
        var grid: Double? = nil
        for r in [256.0, 512, 1024, 2048, 4096] {
            if let px = number(["uvs", "gutterWidth", "resolution\(Int(r))"]), px > 0 { grid = min(grid ?? .infinity, r / px) }
        }
        p.limits["uv_gutter_resolution"] = grid.map { $0.rounded(.down) }
        p.limits["max_pixels_per_meter"] = number(["uvs", "pixelsPerMeter", "maximum"])
        p.limits["min_pixels_per_meter"] = number(["uvs", "pixelsPerMeter", "minimum"])
        p.rules["require_not_inverted_uvs"] = flag(["uvs", "requireNotInverted"])
        p.rules["require_not_overlapping_uvs"] = flag(["uvs", "requireNotOverlapping"])
        p.rules["require_uv_range_0_1"] = flag(["uvs", "requireRangeZeroToOne"])
        p.limits = p.limits.compactMapValues { $0 }
        return p
    }

    /// A user profile in a small YAML subset: nested `key: value` maps by indentation, `#` comments, scalars and
    /// `[a, b]` lists. `extends:` names a built-in to start from; any limit or rule key may also sit at the top level.
    ///
    ///     extends: game-prop
    ///     limits:
    ///       max_triangles: 50000
    ///     rules:
    ///       require_watertight: true
    ///     severity:
    ///       uv.bounds: error
    ///       placement.pivot: off
    ///     texture_formats: [png, jpeg]
    public static func yaml(_ text: String, file: String = "profile.yaml") throws(QCProfileError) -> QCProfile {
        var entries: [(line: Int, section: String?, key: String, value: String)] = []
        var section: String? = nil
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if let hash = line.firstIndex(of: "#"), !line[..<hash].contains("\"") { line = String(line[..<hash]) }
            if line.trimmingSpaces.isEmpty || line.trimmingSpaces == "---" { continue }
            let indented = line.first == " " || line.first == "\t"
            guard let colon = line.firstIndex(of: ":") else {
                throw QCProfileError(file: file, line: n + 1, "expected \"key: value\"")
            }
            let key = String(line[..<colon]).trimmingSpaces
            let value = String(line[line.index(after: colon)...]).trimmingSpaces.unquoted
            if !indented {
                section = value.isEmpty ? key : nil
                if !value.isEmpty { entries.append((n + 1, nil, key, value)) }
            } else {
                guard let s = section else { throw QCProfileError(file: file, line: n + 1, "indented \"\(key)\" is not inside a section") }
                entries.append((n + 1, s, key, value))
            }
        }
        var p = QCProfile(name: FileSystem.fileName(of: file), rules: baseRules)
        if let base = entries.first(where: { $0.section == nil && $0.key == "extends" }) {
            guard let b = builtIn(base.value) else {
                throw QCProfileError(file: file, line: base.line, "unknown profile \"\(base.value)\" to extend (\(builtInNames.joined(separator: ", ")))")
            }
            p = b
            p.name = FileSystem.fileName(of: file)
        }
        for e in entries where !(e.section == nil && (e.key == "extends" || e.key == "name")) {
            switch (e.section, e.key) {
            case (nil, "texture_formats"), ("textures", "formats"):
                p.textureFormats = e.value.listItems
            case (nil, "supported_extensions"):
                p.supportedExtensions = e.value.listItems
            case ("severity", let id), ("severities", let id):
                if ["off", "none", "false"].contains(e.value.lowercased()) { p.severities.updateValue(nil, forKey: id); continue }
                guard let s = QCSeverity(name: e.value) else {
                    throw QCProfileError(file: file, line: e.line, "severity of \(id) must be info, warn, error or off, not \"\(e.value)\"")
                }
                p.severities[id] = s
            case (let s, let key) where s == nil || s == "limits" || s == "rules":
                if limitKeys.contains(key) {
                    if ["off", "null", "~", "-1"].contains(e.value.lowercased()) { p.limits[key] = nil; continue }
                    guard let d = Double(e.value) else { throw QCProfileError(file: file, line: e.line, "\(key) must be a number, not \"\(e.value)\"") }
                    p.limits[key] = d
                } else if ruleKeys.contains(key) {
                    guard let b = Bool(e.value.lowercased()) else { throw QCProfileError(file: file, line: e.line, "\(key) must be true or false, not \"\(e.value)\"") }
                    p.rules[key] = b
                } else {
                    throw QCProfileError(file: file, line: e.line, "unknown setting \"\(key)\"")
                }
            default:
                throw QCProfileError(file: file, line: e.line, "unknown section \"\(e.section ?? "")\"")
            }
        }
        return p
    }
}

extension QCProductInfo {
    /// Reads the auditor's product-info JSON: `{"dimensions": {"length": 2.02, "width": 2.01, "height": 1.99}}` (metres).
    public static func load(_ path: String) throws(QCProfileError) -> QCProductInfo {
        let json: JSONValue
        do { json = try JSONParser.parse(try MappedFile.readAll(path)) } catch { throw QCProfileError(file: path, "\(error)") }
        guard let d = json["dimensions"] else { throw QCProfileError(file: path, "a product info file needs a \"dimensions\" object") }
        func v(_ k: String) -> Double? { d[k]?.doubleValue.flatMap { $0 < 0 ? nil : $0 } }
        return QCProductInfo(length: v("length"), width: v("width"), height: v("height"))
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    var unquoted: String {
        if count >= 2, (hasPrefix("\"") && hasSuffix("\"")) || (hasPrefix("'") && hasSuffix("'")) { return String(dropFirst().dropLast()) }
        return self
    }

    /// `[a, b]` or `a, b` as items.
    var listItems: [String] {
        var s = self
        if s.hasPrefix("[") && s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        return s.split(separator: ",").map { String($0).trimmingSpaces.unquoted }.filter { !$0.isEmpty }
    }
}
