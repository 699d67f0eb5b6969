import ArgumentParser
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe 3D files: geometry counts, materials, textures, bounds, extensions, skins and animations.",
        discussion: """
            Triangles and vertices are counted as drawn: a mesh used by several nodes counts once per node. \
            A file that cannot be read is reported with the reason and the exit code is 1; the other files are still shown.
            """)

    @Argument(help: "Files to describe (.glb, .gltf, .obj, .stl, .ply, .off).")
    var files: [String]

    @Flag(name: .long, help: "Print one JSON object per file, inside a JSON array, instead of the readable summary.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one file to describe.") }
    }

    func run() throws {
        var records: [JSONValue] = []
        var failed = 0
        for path in files {
            do {
                let loaded = try SceneIO.read(path)
                let record = AssetSummary(path: path, loaded: loaded).json
                if json { records.append(record) } else { printReadable(record) }
            } catch {
                failed += 1
                if json {
                    records.append(["file": .string(path), "error": .string(error.description)])
                } else {
                    Output.error(error.description)
                }
            }
        }
        if json { Output.json(.array(records)) }
        if failed > 0 { throw ExitCode(1) }
    }

    func printReadable(_ r: JSONValue) {
        func n(_ key: String) -> String { Output.number(r[key]?.intValue ?? 0) }
        print("\(r["file"]?.stringValue ?? "")")
        print("  format       \(r["format"]?.stringValue ?? "")   \(Output.bytes(r["fileSize"]?.intValue ?? 0)) (\(Output.bytes(r["totalBytes"]?.intValue ?? 0)) with side files)")
        print("  triangles    \(n("triangles"))   vertices \(n("vertices"))   primitives \(n("primitives"))   meshes \(n("meshes"))   nodes \(n("nodes"))")
        if let points = r["points"]?.intValue, points > 0 { print("  points       \(Output.number(points))") }
        if let lines = r["lines"]?.intValue, lines > 0 { print("  lines        \(Output.number(lines))") }
        let attrs = r["attributes"]?.arrayValue?.compactMap { $0.stringValue }.joined(separator: ", ") ?? ""
        print("  attributes   \(attrs)")
        if let b = r["bounds"], let lo = b["min"]?.arrayValue, let hi = b["max"]?.arrayValue, let size = b["size"]?.arrayValue {
            func v(_ a: [JSONValue]) -> String { "(" + a.map { JSONWriter.formatNumber(($0.doubleValue ?? 0 * 1e4).rounded4) }.joined(separator: ", ") + ")" }
            print("  bounds       min \(v(lo))  max \(v(hi))  size \(v(size))")
        }
        print("  materials    \(n("materials"))")
        for m in r["materialList"]?.arrayValue ?? [] {
            let slots = m["textures"]?.keys.joined(separator: ", ") ?? ""
            print("    - \(m["name"]?.stringValue ?? "(unnamed)")\(slots.isEmpty ? "" : "  [\(slots)]")")
        }
        print("  textures     \(n("textures"))   \(Output.bytes(r["textureBytes"]?.intValue ?? 0)) encoded")
        for t in r["textureList"]?.arrayValue ?? [] {
            let w = t["width"]?.intValue, h = t["height"]?.intValue
            let dims = w != nil && h != nil ? "\(w!)×\(h!)" : "?"
            print("    - \(t["name"]?.stringValue ?? "(unnamed)")  \(t["mimeType"]?.stringValue ?? "")  \(dims)  \(Output.bytes(t["bytes"]?.intValue ?? 0))")
        }
        let used = r["extensionsUsed"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        let required = r["extensionsRequired"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        if !used.isEmpty { print("  extensions   \(used.joined(separator: ", "))\(required.isEmpty ? "" : "  (required: \(required.joined(separator: ", ")))")") }
        if (r["skins"]?.intValue ?? 0) > 0 || (r["animations"]?.intValue ?? 0) > 0 {
            print("  skins        \(n("skins"))   animations \(n("animations"))")
            for a in r["animationList"]?.arrayValue ?? [] {
                print("    - \(a["name"]?.stringValue ?? "(unnamed)")  \(a["channels"]?.intValue ?? 0) channels  \(JSONWriter.formatNumber((a["duration"]?.doubleValue ?? 0).rounded4)) s")
            }
        }
        for w in r["warnings"]?.arrayValue ?? [] { print("  warning      \(w.stringValue ?? "")") }
    }
}

extension Double {
    var rounded4: Double { (self * 10000).rounded() / 10000 }
}

/// Everything `info` reports about one loaded file, as JSON (the readable view prints from it too).
struct AssetSummary {
    let json: JSONValue

    init(path: String, loaded: LoadedScene) {
        let scene = loaded.scene
        let instances = scene.meshInstances()
        var triangles = 0, vertices = 0, primitives = 0, points = 0, lines = 0
        var attributes: [String] = []
        for instance in instances {
            for p in scene.meshes[instance.mesh].primitives {
                primitives += 1
                vertices += p.vertexCount
                switch p.mode {
                case .triangles: triangles += p.triangleCount
                case .points: points += p.indices.count
                case .lines: lines += p.indices.count / 2
                }
                for s in p.streams where !attributes.contains(s.semantic.gltfName) { attributes.append(s.semantic.gltfName) }
            }
        }
        let bounds = scene.worldBounds()
        func arr(_ a: [Float]) -> JSONValue { .array(a.map { .number(Double($0)) }) }

        var textureList: [JSONValue] = []
        var textureBytes = 0
        for (i, image) in scene.images.enumerated() {
            var t: JSONValue = ["index": .number(Double(i)), "mimeType": .string(image.mimeType), "bytes": .number(Double(image.data.count))]
            if let name = image.name ?? image.originalFileName { t = t.setting("name", .string(name)) }
            if let header = ImageProbe.probe(image.data) {
                t = t.setting("width", .number(Double(header.width))).setting("height", .number(Double(header.height)))
            }
            textureBytes += image.data.count
            textureList.append(t)
        }
        var materialList: [JSONValue] = []
        for m in scene.materials {
            var j: JSONValue = ["baseColorFactor": arr(m.baseColorFactor), "metallicFactor": .number(Double(m.metallicFactor)),
                                "roughnessFactor": .number(Double(m.roughnessFactor)), "alphaMode": .string(m.alphaMode.rawValue),
                                "doubleSided": .bool(m.doubleSided)]
            if let name = m.name { j = .object([("name", .string(name))] + (j.objectValue ?? [])) }
            var slots: [(String, JSONValue)] = []
            for (slot, ref) in m.textureReferences {
                let image = ref.texture < scene.textures.count ? scene.textures[ref.texture].source : nil
                var s: JSONValue = ["texture": .number(Double(ref.texture)), "texCoord": .number(Double(ref.texCoord))]
                if let image { s = s.setting("image", .number(Double(image))) }
                if ref.textureTransform != nil { s = s.setting("textureTransform", true) }
                slots.append((slot, s))
            }
            if !slots.isEmpty { j = j.setting("textures", .object(slots)) }
            if let e = m.extensions { j = j.setting("extensions", .array(e.keys.map { .string($0) })) }
            materialList.append(j)
        }
        var meshList: [JSONValue] = []
        for (i, mesh) in scene.meshes.enumerated() {
            let count = instances.filter { $0.mesh == i }.count
            var j: JSONValue = ["primitives": .number(Double(mesh.primitives.count)),
                                "triangles": .number(Double(mesh.primitives.reduce(0) { $0 + $1.triangleCount })),
                                "vertices": .number(Double(mesh.primitives.reduce(0) { $0 + $1.vertexCount })),
                                "instances": .number(Double(count)),
                                "morphTargets": .number(Double(mesh.primitives.first?.targets.count ?? 0))]
            if let name = mesh.name { j = .object([("name", .string(name))] + (j.objectValue ?? [])) }
            meshList.append(j)
        }
        var animationList: [JSONValue] = []
        for a in scene.animations {
            var j: JSONValue = ["channels": .number(Double(a.channels.count)), "samplers": .number(Double(a.samplers.count)),
                                "duration": .number(Double(a.duration))]
            if let name = a.name { j = .object([("name", .string(name))] + (j.objectValue ?? [])) }
            animationList.append(j)
        }
        let sideBytes = loaded.sideFiles.reduce(0) { $0 + $1.bytes }
        var record: [(String, JSONValue)] = [
            ("file", .string(path)),
            ("format", .string(loaded.format.rawValue)),
            ("fileSize", .number(Double(loaded.fileSize))),
            ("totalBytes", .number(Double(loaded.fileSize + sideBytes))),
            ("triangles", .number(Double(triangles))),
            ("vertices", .number(Double(vertices))),
            ("points", .number(Double(points))),
            ("lines", .number(Double(lines))),
            ("primitives", .number(Double(primitives))),
            ("meshes", .number(Double(scene.meshes.count))),
            ("nodes", .number(Double(scene.nodes.count))),
            ("instances", .number(Double(instances.count))),
            ("attributes", .array(attributes.map { .string($0) })),
            ("materials", .number(Double(scene.materials.count))),
            ("textures", .number(Double(scene.images.count))),
            ("textureBytes", .number(Double(textureBytes))),
            ("skins", .number(Double(scene.skins.count))),
            ("animations", .number(Double(scene.animations.count))),
            ("extensionsUsed", .array(scene.extensionsUsed.map { .string($0) })),
            ("extensionsRequired", .array(scene.extensionsRequired.map { .string($0) })),
        ]
        if !bounds.isEmpty {
            record.append(("bounds", ["min": arr(bounds.min), "max": arr(bounds.max), "size": arr(bounds.size), "diagonal": .number(Double(bounds.diagonal))]))
        }
        record.append(("meshList", .array(meshList)))
        record.append(("materialList", .array(materialList)))
        record.append(("textureList", .array(textureList)))
        record.append(("animationList", .array(animationList)))
        record.append(("sideFiles", .array(loaded.sideFiles.map { ["uri": .string($0.reference), "bytes": .number(Double($0.bytes))] })))
        if let g = scene.generator { record.append(("generator", .string(g))) }
        record.append(("warnings", .array(scene.warnings.map { .string($0) })))
        json = .object(record)
    }
}
