import PolyforgeMesh

/// The materials of an OBJ's `mtllib` files, mapped to glTF metallic-roughness, with their texture images.
///
/// Kd + d (or 1 - Tr) → baseColorFactor; Ke → emissiveFactor; Pr/Pm → roughness/metallic, else roughness from
/// Ns as Blender does (1 - sqrt(Ns / 1000)) and metallic 0. map_Kd, map_Bump/bump/norm, map_Ke and map_Pr/map_Pm
/// become texture slots; texture options (-s, -o, -bm, …) are skipped except the bump multiplier. Anything
/// missing or unreadable is a warning: the geometry is still worth loading.
struct MTLLibrary {
    let objFileName: String
    let resources: ResourceLoader
    var materials: [Material] = []
    var textures: [Texture] = []
    var images: [Image] = []
    var sideFiles: [(reference: String, bytes: Int)] = []
    var warnings: [String] = []
    private var materialByName: [String: Int] = [:]
    /// Texture index per texture reference; nil once a reference failed, so it warns once.
    private var textureByReference: [String: Int?] = [:]
    private var loadedLibraries: Set<String> = []

    init(objFileName: String, resources: ResourceLoader) {
        self.objFileName = objFileName
        self.resources = resources
    }

    /// Loads the libraries named on one `mtllib` line: the whole line when it names an existing file (names may
    /// contain spaces), else each blank-separated name.
    mutating func load(_ line: String, line lineNumber: Int) {
        var references = [line]
        if resources.resolve(line).map(FileSystem.exists) != true, line.contains(" ") {
            references = line.split(separator: " ").map(String.init)
        }
        for reference in references where !loadedLibraries.contains(reference) {
            loadedLibraries.insert(reference)
            let bytes: [UInt8]
            do {
                bytes = try resources.load(reference, file: objFileName, location: .line(lineNumber))
            } catch {
                warnings.append("\(error.description); materials from it are missing")
                continue
            }
            sideFiles.append((reference, bytes.count))
            bytes.withUnsafeBytes { parse($0, reference: reference) }
        }
    }

    /// Index of the material `usemtl name` refers to; an unknown name gets a plain material of that name.
    mutating func materialIndex(named name: String) -> Int {
        if let i = materialByName[name] { return i }
        if !loadedLibraries.isEmpty || !sideFiles.isEmpty {
            warnings.append("\(objFileName): material '\(name)' is not defined in any material library; using a plain white material")
        }
        var material = Material(name: name)
        material.metallicFactor = 0
        materials.append(material)
        materialByName[name] = materials.count - 1
        return materials.count - 1
    }

    private mutating func parse(_ bytes: UnsafeRawBufferPointer, reference: String) {
        let folder = reference.contains("/") ? FileSystem.directory(of: reference) : ""
        var c = TextCursor(bytes)
        var current: Int? = nil
        var alphaFromDissolve = false
        var roughnessGiven = false
        func warn(_ line: Int, _ reason: String) { warnings.append("\(reference):\(line): \(reason)") }
        while !c.atEnd {
            defer { c.nextLine() }
            let keyword = c.tokenString()
            if keyword.isEmpty { continue }
            let line = c.line
            if keyword == "newmtl" {
                let name = c.restOfLine()
                var material = Material(name: name)
                material.metallicFactor = 0
                if let existing = materialByName[name] {
                    materials[existing] = material
                    current = existing
                } else {
                    materials.append(material)
                    materialByName[name] = materials.count - 1
                    current = materials.count - 1
                }
                alphaFromDissolve = false
                roughnessGiven = false
                continue
            }
            guard let m = current else { continue }
            func numbers(_ count: Int) -> [Float]? {
                var out: [Float] = []
                while out.count < count {
                    c.skipBlanks()
                    if c.atLineEnd { break }
                    guard let v = c.float() else { return nil }
                    out.append(v)
                }
                return out.isEmpty ? nil : out
            }
            switch keyword.lowercased() {
            case "kd":
                guard let v = numbers(3) else { warn(line, "cannot parse Kd; ignored"); continue }
                let rgb = v.count == 3 ? v : [v[0], v[0], v[0]]
                materials[m].baseColorFactor = [rgb[0], rgb[1], rgb[2], materials[m].baseColorFactor[3]]
            case "d":
                guard let v = numbers(1) else { warn(line, "cannot parse d; ignored"); continue }
                setAlpha(m, v[0])
                alphaFromDissolve = true
            case "tr":
                guard let v = numbers(1) else { warn(line, "cannot parse Tr; ignored"); continue }
                if alphaFromDissolve { continue }
                if v[0] >= 1 {
                    // Several exporters write "Tr 1" meaning opaque; a wholly invisible material is never what was meant.
                    warn(line, "'Tr \(v[0])' would make the material invisible; read as opaque")
                    setAlpha(m, 1)
                } else {
                    setAlpha(m, 1 - v[0])
                }
            case "ke":
                guard let v = numbers(3) else { warn(line, "cannot parse Ke; ignored"); continue }
                let rgb = v.count == 3 ? v : [v[0], v[0], v[0]]
                materials[m].emissiveFactor = rgb.map { min(max($0, 0), 1) }
            case "ns":
                guard let v = numbers(1) else { warn(line, "cannot parse Ns; ignored"); continue }
                if !roughnessGiven { materials[m].roughnessFactor = 1 - (min(max(v[0], 0), 1000) / 1000).squareRoot() }
            case "pr":
                guard let v = numbers(1) else { warn(line, "cannot parse Pr; ignored"); continue }
                materials[m].roughnessFactor = min(max(v[0], 0), 1)
                roughnessGiven = true
            case "pm":
                guard let v = numbers(1) else { warn(line, "cannot parse Pm; ignored"); continue }
                materials[m].metallicFactor = min(max(v[0], 0), 1)
            case "map_kd", "map_bump", "bump", "norm", "map_kn", "map_ke", "map_pr", "map_pm":
                let (name, bumpScale) = textureStatement(&c)
                guard !name.isEmpty else { warn(line, "\(keyword) has no file name; ignored"); continue }
                let textureReference = folder.isEmpty ? name : FileSystem.join(folder, name)
                guard let texture = texture(textureReference, mtl: reference, line: line) else { continue }
                switch keyword.lowercased() {
                case "map_kd":
                    materials[m].baseColorTexture = TextureReference(texture: texture)
                case "map_ke":
                    materials[m].emissiveTexture = TextureReference(texture: texture)
                    // glTF multiplies the texture by the factor; a zero factor would hide it.
                    if materials[m].emissiveFactor == [0, 0, 0] { materials[m].emissiveFactor = [1, 1, 1] }
                case "map_pr", "map_pm":
                    // glTF reads roughness from G and metallic from B of one texture: a packed map (map_Pr and map_Pm
                    // naming the same file) maps exactly; a lone map_Pr works because metallic stays a factor.
                    if let existing = materials[m].metallicRoughnessTexture, existing.texture != texture {
                        warn(line, "separate roughness and metallic maps cannot be expressed in glTF; keeping the first")
                    } else {
                        materials[m].metallicRoughnessTexture = TextureReference(texture: texture)
                        if keyword.lowercased() == "map_pr" { materials[m].roughnessFactor = roughnessGiven ? materials[m].roughnessFactor : 1 }
                        else { materials[m].metallicFactor = 1 }
                    }
                default:
                    var normal = TextureReference(texture: texture)
                    normal.scale = bumpScale
                    materials[m].normalTexture = normal
                }
            default:
                continue
            }
        }
    }

    private mutating func setAlpha(_ m: Int, _ alpha: Float) {
        let a = min(max(alpha, 0), 1)
        materials[m].baseColorFactor[3] = a
        materials[m].alphaMode = a < 1 ? .blend : .opaque
    }

    /// Reads `[options] filename` after a map keyword: options and their arguments are skipped, the rest of the
    /// line is the file name (it may contain spaces). Returns the name and the -bm multiplier.
    private func textureStatement(_ c: inout TextCursor) -> (String, Float) {
        var bumpScale: Float = 1
        while true {
            c.skipBlanks()
            guard !c.atLineEnd, c.p.pointee == 0x2D else { break }
            let saved = c
            let option = c.tokenString()
            switch option {
            case "-s", "-o", "-t":
                // Up to three numbers.
                for _ in 0..<3 {
                    let before = c
                    c.skipBlanks()
                    if c.atLineEnd || c.float() == nil { c = before; break }
                }
            case "-mm":
                _ = c.token(); _ = c.token()
            case "-bm":
                let before = c
                if let v = c.float() { bumpScale = v } else { c = before }
            case "-blendu", "-blendv", "-boost", "-texres", "-clamp", "-cc", "-imfchan", "-type":
                _ = c.token()
            default:
                // Not an option: a file name starting with '-'.
                c = saved
                return (c.restOfLine().replacingBackslashes(), bumpScale)
            }
        }
        return (c.restOfLine().replacingBackslashes(), bumpScale)
    }

    /// Loads a texture file once; nil (with a warning) when it is missing or not an image glTF can hold.
    private mutating func texture(_ reference: String, mtl: String, line: Int) -> Int? {
        if let known = textureByReference[reference] { return known }
        let bytes: [UInt8]
        do {
            bytes = try resources.load(reference, file: mtl, location: .line(line))
        } catch {
            warnings.append("\(error.description); the texture slot is left empty")
            textureByReference[reference] = .some(nil)
            return nil
        }
        guard let mimeType = Image.sniffMimeType(bytes) else {
            warnings.append("\(mtl):\(line): texture '\(reference)' is not PNG, JPEG, WebP or KTX2; the texture slot is left empty")
            textureByReference[reference] = .some(nil)
            return nil
        }
        sideFiles.append((reference, bytes.count))
        let fileName = FileSystem.fileName(of: reference)
        images.append(Image(name: FileSystem.stem(of: fileName), mimeType: mimeType, data: bytes, originalFileName: fileName))
        textures.append(Texture(name: FileSystem.stem(of: fileName), source: images.count - 1))
        textureByReference[reference] = textures.count - 1
        return textures.count - 1
    }
}

extension String {
    /// Windows exporters write `textures\wood.png`.
    func replacingBackslashes() -> String {
        guard contains("\\") else { return self }
        return String(map { $0 == "\\" ? "/" : $0 })
    }
}
