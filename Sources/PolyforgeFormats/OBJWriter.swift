import PolyforgeMesh

/// Writes Wavefront OBJ with an MTL library and the texture images beside it, all in the folder of `path`.
///
/// One `o` per drawn triangle primitive (world transforms baked), `usemtl` per material, `v` (with the vertex
/// colour appended when there is one), `vt` (v flipped back to OBJ's bottom-left origin) and `vn`. Images keep
/// their original file names when those are plain and unique, else become STEM_texN.ext. Each file is written
/// atomically; the .obj goes last so it never refers to a library that is not there yet.
public enum OBJWriter {
    public static func write(_ scene: Scene, to path: String) throws(FormatError) {
        let folder = FileSystem.directory(of: path)
        let stem = FileSystem.stem(of: path)
        let flat = SceneFlattener.flatten(scene)

        var usedMaterials: [Int] = []
        for item in flat {
            if let m = item.primitive.material, m >= 0, m < scene.materials.count, !usedMaterials.contains(m) { usedMaterials.append(m) }
        }
        let materialNames = uniqueMaterialNames(scene, usedMaterials)
        let imageFiles = imageFileNames(scene, usedMaterials, stem: stem, objName: FileSystem.fileName(of: path))
        let mtlName = stem + ".mtl"

        for (image, name) in imageFiles.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(scene.images[image].data, to: FileSystem.join(folder, name))
        }
        if !usedMaterials.isEmpty {
            let mtl = encodeMaterials(scene, usedMaterials, materialNames, imageFiles)
            try AtomicFile.write(mtl, to: FileSystem.join(folder, mtlName))
        }
        try AtomicFile.write(encodeGeometry(flat, usedMaterials.isEmpty ? nil : mtlName, materialNames), to: path)
    }

    /// The OBJ text alone (no side files): `mtllib` names `mtlName` when given.
    static func encodeGeometry(_ flat: [FlatPrimitive], _ mtlName: String?, _ materialNames: [Int: String]) -> [UInt8] {
        var out: [UInt8] = []
        let estimate = flat.reduce(0) { $0 + $1.primitive.vertexCount * 80 + $1.primitive.indices.count * 12 }
        out.reserveCapacity(estimate + 256)
        out.appendText("# written by Polyforge\n")
        if let mtlName { out.appendText("mtllib \(mtlName)\n") }
        var positionBase = 1, texcoordBase = 1, normalBase = 1
        var currentMaterial: String? = nil
        for (p, item) in flat.enumerated() {
            let primitive = item.primitive
            let n = primitive.vertexCount
            let positions = primitive.positions
            let normals = primitive.stream(.normal).flatMap { $0.components == 3 && $0.count == n ? $0.data : nil }
            let texcoords = primitive.stream(.texcoord(0)).flatMap { $0.components == 2 && $0.count == n ? $0.data : nil }
            let colors = primitive.stream(.color(0)).flatMap { $0.components >= 3 && $0.count == n ? $0 : nil }
            out.appendText("o \(singleLine(item.meshName ?? "") .isEmpty ? "mesh\(p)" : singleLine(item.meshName!))\n")
            let material = primitive.material.flatMap { materialNames[$0] }
            if material != currentMaterial {
                // An empty usemtl ends the previous material for the primitives that have none.
                out.appendText("usemtl \(material ?? "")\n")
                currentMaterial = material
            }
            for v in 0..<n {
                out.appendText("v ")
                out.appendNumber(positions[3 * v]); out.append(0x20)
                out.appendNumber(positions[3 * v + 1]); out.append(0x20)
                out.appendNumber(positions[3 * v + 2])
                if let colors {
                    for k in 0..<colors.components { out.append(0x20); out.appendNumber(colors.data[colors.components * v + k]) }
                }
                out.append(0x0A)
            }
            if let texcoords {
                for v in 0..<n {
                    out.appendText("vt ")
                    out.appendNumber(texcoords[2 * v]); out.append(0x20)
                    out.appendNumber(1 - texcoords[2 * v + 1]); out.append(0x0A)
                }
            }
            if let normals {
                for v in 0..<n {
                    out.appendText("vn ")
                    out.appendNumber(normals[3 * v]); out.append(0x20)
                    out.appendNumber(normals[3 * v + 1]); out.append(0x20)
                    out.appendNumber(normals[3 * v + 2]); out.append(0x0A)
                }
            }
            let indices = primitive.indices
            for t in stride(from: 0, to: indices.count - 2, by: 3) {
                guard indices[t] < n, indices[t + 1] < n, indices[t + 2] < n else { continue }
                out.append(0x66)
                for k in 0..<3 {
                    let i = Int(indices[t + k])
                    out.append(0x20)
                    out.appendInteger(positionBase + i)
                    if texcoords != nil || normals != nil {
                        out.append(0x2F)
                        if texcoords != nil { out.appendInteger(texcoordBase + i) }
                        if normals != nil { out.append(0x2F); out.appendInteger(normalBase + i) }
                    }
                }
                out.append(0x0A)
            }
            positionBase += n
            if texcoords != nil { texcoordBase += n }
            if normals != nil { normalBase += n }
        }
        return out
    }

    static func encodeMaterials(_ scene: Scene, _ used: [Int], _ names: [Int: String], _ imageFiles: [Int: String]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendText("# written by Polyforge\n")
        func numbers(_ keyword: String, _ values: [Float]) {
            out.appendText(keyword)
            for v in values { out.append(0x20); out.appendNumber(v) }
            out.append(0x0A)
        }
        func file(_ reference: TextureReference?) -> String? {
            guard let reference, reference.texture >= 0, reference.texture < scene.textures.count,
                  let image = scene.textures[reference.texture].source else { return nil }
            return imageFiles[image]
        }
        for m in used {
            let material = scene.materials[m]
            out.appendText("\nnewmtl \(names[m]!)\n")
            numbers("Kd", Array(material.baseColorFactor.prefix(3)))
            numbers("d", [material.baseColorFactor.count > 3 ? material.baseColorFactor[3] : 1])
            if material.emissiveFactor != [0, 0, 0] { numbers("Ke", material.emissiveFactor) }
            // Ns for readers without PBR keywords (Blender's mapping), Pr/Pm for those with.
            let r = min(max(material.roughnessFactor, 0), 1)
            numbers("Ns", [(1 - r) * (1 - r) * 1000])
            numbers("Pr", [material.roughnessFactor])
            numbers("Pm", [material.metallicFactor])
            if let name = file(material.baseColorTexture) { out.appendText("map_Kd \(name)\n") }
            if let name = file(material.normalTexture) {
                let scale = material.normalTexture!.scale
                if scale != 1 {
                    out.appendText("map_Bump -bm "); out.appendNumber(scale); out.appendText(" \(name)\n")
                } else {
                    out.appendText("map_Bump \(name)\n")
                }
            }
            if let name = file(material.emissiveTexture) { out.appendText("map_Ke \(name)\n") }
            if let name = file(material.metallicRoughnessTexture) {
                // One packed texture: readers that know the convention find it under both keywords.
                out.appendText("map_Pr \(name)\nmap_Pm \(name)\n")
            }
        }
        return out
    }

    /// Non-empty, blank-free, unique material names (usemtl reads one word in many readers).
    static func uniqueMaterialNames(_ scene: Scene, _ used: [Int]) -> [Int: String] {
        var names: [Int: String] = [:]
        var taken: Set<String> = []
        for m in used {
            var base = String(singleLine(scene.materials[m].name ?? "").map { $0 == " " || $0 == "\t" ? "_" : $0 })
            if base.isEmpty { base = "material\(m)" }
            var name = base
            var k = 1
            while taken.contains(name) { name = "\(base)_\(k)"; k += 1 }
            taken.insert(name)
            names[m] = name
        }
        return names
    }

    /// File names for the images the used materials show: the original name when it is a plain, unique file
    /// name, else STEM_texN.ext.
    static func imageFileNames(_ scene: Scene, _ used: [Int], stem: String, objName: String) -> [Int: String] {
        var images: [Int] = []
        for m in used {
            for (_, reference) in scene.materials[m].textureReferences {
                guard reference.texture >= 0, reference.texture < scene.textures.count,
                      let image = scene.textures[reference.texture].source, image >= 0, image < scene.images.count,
                      !images.contains(image) else { continue }
                images.append(image)
            }
        }
        var names: [Int: String] = [:]
        var taken: Set<String> = [objName.lowercased(), (stem + ".mtl").lowercased()]
        for (n, image) in images.enumerated() {
            var name = scene.images[image].originalFileName ?? ""
            let safe = !name.isEmpty && !name.hasPrefix(".") && !name.hasPrefix("-") && !name.contains("/") && !name.contains("\\")
                && !name.contains("\n") && !name.contains("\r") && name.utf8.count < 200 && !taken.contains(name.lowercased())
            if !safe {
                name = "\(stem)_tex\(n).\(scene.images[image].fileExtension)"
                var k = 1
                while taken.contains(name.lowercased()) { name = "\(stem)_tex\(n)_\(k).\(scene.images[image].fileExtension)"; k += 1 }
            }
            taken.insert(name.lowercased())
            names[image] = name
        }
        return names
    }

    private static func singleLine(_ s: String) -> String {
        guard s.contains(where: { $0 == "\n" || $0 == "\r" }) else { return s.trimmingBlanks() }
        return String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 }).trimmingBlanks()
    }
}
