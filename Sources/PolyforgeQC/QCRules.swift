/// Product dimensions in metres from a product-info JSON (the auditor's format: `{"dimensions": {"length", "width", "height"}}`).
public struct QCProductInfo: Sendable, Equatable {
    public var length: Double?
    public var width: Double?
    public var height: Double?

    public init(length: Double? = nil, width: Double? = nil, height: Double? = nil) {
        self.length = length
        self.width = width
        self.height = height
    }
}

/// Holds measurements to a profile. Every check is reported, `skipped` when the profile does not ask for it,
/// so the measured value is always visible (as the auditor's "not tested" rows are).
public enum QCRules {
    /// Checks whose failure is a warning unless the profile says otherwise; all others are errors.
    static let warningByDefault: Set<String> = [
        "uv.bounds", "uv.flips", "uv.zero-area", "uv.overlap", "topology.floaters", "topology.components",
        "topology.boundary-edges", "normals.present", "normals.unit", "normals.winding", "placement.pivot", "placement.ground",
        "scale.size", "texture.memory", "texture.count", "topology.degenerate-faces", "topology.duplicate-faces", "budget.vertices",
    ]

    public static func evaluate(_ m: AssetMeasurements, profile: QCProfile, product: QCProductInfo? = nil) -> [QCCheckResult] {
        var out: [QCCheckResult] = []
        func severity(_ id: String) -> QCSeverity? {
            if let s = profile.severities[id] { return s }
            return warningByDefault.contains(id) ? .warning : .error
        }
        func add(_ id: String, tested: Bool, pass: Bool, value: Double?, limit: String?, _ message: String) {
            guard let sev = severity(id) else { return }
            out.append(QCCheckResult(id: id, status: tested ? (pass ? .pass : .fail) : .skipped, severity: sev,
                                     value: value, limit: tested ? limit : nil, message: message))
        }
        func fmt(_ d: Double) -> String {
            if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
            return String((d * 10000).rounded() / 10000)
        }
        /// A value held to an optional minimum and maximum (inclusive), like every auditor range check.
        func range(_ id: String, _ value: Double, min minKey: String?, max maxKey: String?, unit: String = "", _ what: String) {
            let lo = minKey.flatMap { profile.limit($0) }, hi = maxKey.flatMap { profile.limit($0) }
            let tested = lo != nil || hi != nil
            let pass = (lo.map { value >= $0 } ?? true) && (hi.map { value <= $0 } ?? true)
            var limit: [String] = []
            if let lo { limit.append(">= \(fmt(lo))\(unit)") }
            if let hi { limit.append("<= \(fmt(hi))\(unit)") }
            add(id, tested: tested, pass: pass, value: value, limit: limit.joined(separator: " and "),
                "\(what) \(fmt(value))\(unit)" + (tested && !pass ? " (limit \(limit.joined(separator: " and ")))" : ""))
        }
        func rule(_ id: String, _ key: String, pass: Bool, value: Double? = nil, _ message: String) {
            add(id, tested: profile.requires(key), pass: pass, value: value, limit: "required", message)
        }

        // Budgets and counts.
        range("file.size", (Double(m.fileBytes) / 1024).rounded(), min: "min_file_size_kb", max: "max_file_size_kb", unit: " KB", "file size with side files")
        range("budget.triangles", Double(m.triangles), min: "min_triangles", max: "max_triangles", "triangles")
        range("budget.vertices", Double(m.vertices), min: nil, max: "max_vertices", "vertices")
        range("budget.draw-calls", Double(m.drawCalls), min: nil, max: "max_draw_calls", "draw calls (primitives drawn)")
        range("budget.materials", Double(m.materials), min: "min_materials", max: "max_materials", "materials")
        range("budget.nodes", Double(m.nodes), min: "min_nodes", max: "max_nodes", "nodes")
        range("budget.meshes", Double(m.meshes), min: "min_meshes", max: "max_meshes", "meshes")
        range("budget.primitives", Double(m.primitives), min: "min_primitives", max: "max_primitives", "primitives")

        // Always tested: a file that parses to nothing (random bytes named .obj read as an empty model) is not an asset.
        add("geometry.present", tested: true, pass: m.vertices > 0, value: Double(m.vertices), limit: "> 0 vertices",
            m.vertices > 0 ? "\(m.vertices) vertices" : "no geometry: the file holds no vertices or faces")
        rule("geometry.finite", "require_finite", pass: m.nonFiniteValues == 0, value: Double(m.nonFiniteValues),
             "\(m.nonFiniteValues) NaN or infinite values in vertex attributes")

        // UVs.
        rule("uv.present", "require_uvs_when_textured", pass: m.texturedPrimitivesWithoutUVs == 0, value: Double(m.texturedPrimitivesWithoutUVs),
             "\(m.texturedPrimitivesWithoutUVs) of \(m.texturedPrimitives) textured primitives lack the UV set their textures use")
        let hasUV = m.uv.coordinates > 0
        let outside = hasUV ? Double(m.uv.coordinatesOutside) / Double(m.uv.coordinates) : 0
        let trisOutside = m.uv.triangles > 0 ? Double(m.uv.trianglesOutside) / Double(m.uv.triangles) : 0
        let pct: (Double) -> String = { fmt(($0 * 1000).rounded() / 10) + "%" }
        if let hi = profile.limit("max_uv_outside_fraction"), hasUV {
            add("uv.bounds", tested: true, pass: outside <= hi, value: outside, limit: "<= \(fmt(hi))",
                "\(pct(outside)) of UV coordinates and \(pct(trisOutside)) of UV triangles outside [0,1]")
        } else {
            add("uv.bounds", tested: false, pass: true, value: outside, limit: nil,
                hasUV ? "\(pct(outside)) of UV coordinates and \(pct(trisOutside)) of UV triangles outside [0,1]" : "no UVs")
        }
        let uvRange = hasUV ? "u \(fmt(Double(m.uv.min[0]))) to \(fmt(Double(m.uv.max[0]))), v \(fmt(Double(m.uv.min[1]))) to \(fmt(Double(m.uv.max[1])))" : "no UVs"
        add("uv.range-0-1", tested: profile.requires("require_uv_range_0_1") && hasUV, pass: m.uv.coordinatesOutside == 0,
            value: Double(m.uv.coordinatesOutside), limit: "required", uvRange)
        add("uv.inverted", tested: profile.requires("require_not_inverted_uvs") && hasUV, pass: m.uv.counterClockwise == 0,
            value: Double(m.uv.counterClockwise), limit: "required", "\(m.uv.counterClockwise) inverted UV triangles (counter-clockwise in UV space)")
        let tris = Double(Swift.max(m.uv.triangles, 1))
        if let hi = profile.limit("max_uv_flip_fraction"), hasUV {
            let f = Double(m.uv.flips) / tris
            add("uv.flips", tested: true, pass: f <= hi, value: Double(m.uv.flips), limit: "<= \(pct(hi)) of triangles",
                "\(m.uv.flips) UV triangles wound against the majority (\(pct(f)))")
        } else {
            add("uv.flips", tested: false, pass: true, value: Double(m.uv.flips), limit: nil, "\(m.uv.flips) UV triangles wound against the majority")
        }
        if let hi = profile.limit("max_uv_zero_area_fraction"), hasUV {
            let f = Double(m.uv.zeroArea) / tris
            add("uv.zero-area", tested: true, pass: f <= hi, value: Double(m.uv.zeroArea), limit: "<= \(pct(hi)) of triangles",
                "\(m.uv.zeroArea) zero-area UV triangles (\(pct(f)))")
        } else {
            add("uv.zero-area", tested: false, pass: true, value: Double(m.uv.zeroArea), limit: nil, "\(m.uv.zeroArea) zero-area UV triangles")
        }
        if let count = m.uvOverlappingTriangles {
            let strict = profile.requires("require_not_overlapping_uvs")
            let hi = profile.limit("max_uv_overlap_fraction")
            let f = Double(count) / tris
            add("uv.overlap", tested: hasUV, pass: strict ? count == 0 : f <= (hi ?? 1), value: Double(count),
                limit: strict ? "none" : "<= \(pct(hi ?? 1)) of triangles",
                "\(count) UV triangles overlap another (\(pct(m.uvOverlapFraction ?? 0)) of covered UV area)")
        }
        if let c = m.uvGutterCollisions, let r = profile.limit("uv_gutter_resolution") {
            add("uv.gutter", tested: hasUV, pass: c == 0, value: Double(c), limit: "no shared pixel at \(fmt(r))x\(fmt(r))",
                "\(c) pixels touched by two UV islands at \(fmt(r))x\(fmt(r))")
        }
        if profile.limit("min_pixels_per_meter") != nil || profile.limit("max_pixels_per_meter") != nil {
            let sized = m.textures.filter { $0.width > 0 }
            if let d = m.texelDensity, let big = sized.max(by: { $0.width * $0.height < $1.width * $1.height }),
               let small = sized.min(by: { $0.width * $0.height < $1.width * $1.height }) {
                // Like the auditor: the densest triangle with the largest texture, the sparsest with the smallest.
                let maxPPM = Double(d.max) * Double(big.width * big.height).squareRoot()
                let minPPM = Double(d.min) * Double(small.width * small.height).squareRoot()
                range("uv.texel-density-max", maxPPM.rounded(), min: nil, max: "max_pixels_per_meter", unit: " px/m", "highest texel density")
                range("uv.texel-density-min", minPPM.rounded(), min: "min_pixels_per_meter", max: nil, unit: " px/m", "lowest texel density")
            } else {
                add("uv.texel-density-max", tested: false, pass: true, value: nil, limit: nil, "no textured triangles with UVs")
                add("uv.texel-density-min", tested: false, pass: true, value: nil, limit: nil, "no textured triangles with UVs")
            }
        }

        // Topology (welded positions, the shared analysis).
        let t = m.topology
        rule("topology.watertight", "require_watertight", pass: t.isWatertight, value: Double(t.boundaryEdges),
             t.isWatertight ? "watertight" : "not watertight: \(t.boundaryEdges) boundary edges in \(t.boundaryLoops) loops, \(t.nonManifoldEdges) non-manifold edges")
        rule("topology.manifold", "require_manifold", pass: t.isManifold, value: Double(t.nonManifoldEdges + t.nonManifoldVertices),
             "\(t.nonManifoldEdges) non-manifold edges, \(t.nonManifoldVertices) non-manifold vertices")
        // The auditor's own count (per primitive, vertices matched at 1e-5) when measured, else the welded surface's.
        let auditorNonManifold = m.auditorNonManifoldEdges ?? t.nonManifoldEdges
        rule("topology.manifold-edges", "require_manifold_edges", pass: auditorNonManifold == 0, value: Double(auditorNonManifold),
             "\(auditorNonManifold) non-manifold edges (three or more faces)")
        range("topology.boundary-edges", Double(t.boundaryEdges), min: nil, max: "max_boundary_edges", "boundary edges (\(t.boundaryLoops) holes or open borders)")
        rule("topology.winding", "require_consistent_winding", pass: t.isWindingConsistent, value: Double(t.inconsistentEdges),
             "\(t.inconsistentEdges) edges between faces of opposite winding")
        range("topology.degenerate-faces", Double(t.degenerateFaces), min: nil, max: "max_degenerate_faces", "degenerate faces")
        range("topology.duplicate-faces", Double(t.duplicateFaces), min: nil, max: "max_duplicate_faces", "duplicate faces")
        range("topology.components", Double(t.components), min: nil, max: "max_components", "connected components")
        range("topology.floaters", Double(m.floaters), min: nil, max: "max_floaters", "floating components")
        if let hard = m.hardEdges {
            let angle = profile.limit("hard_edge_angle") ?? 90
            let maxHard = profile.limit("max_hard_edges") ?? 0
            add("geometry.beveled-edges", tested: true, pass: Double(hard) <= maxHard, value: Double(hard), limit: "<= \(fmt(maxHard)) edges >= \(fmt(angle)) degrees",
                "\(hard) hard edges (>= \(fmt(angle)) degrees between faces; largest \(fmt(Double(m.maxEdgeAngle ?? 0).rounded())) degrees)")
        } else {
            add("geometry.beveled-edges", tested: false, pass: true, value: nil, limit: nil, "not computed")
        }

        // Normals.
        rule("normals.present", "require_normals", pass: m.primitivesWithoutNormals == 0, value: Double(m.primitivesWithoutNormals),
             "\(m.primitivesWithoutNormals) triangle primitives without normals")
        let nonUnit = m.normals > 0 ? Double(m.nonUnitNormals) / Double(m.normals) : 0
        if let hi = profile.limit("max_nonunit_normal_fraction"), m.normals > 0 {
            add("normals.unit", tested: true, pass: nonUnit <= hi, value: Double(m.nonUnitNormals), limit: "<= \(pct(hi))",
                "\(m.nonUnitNormals) of \(m.normals) normals are not unit length")
        }
        if let hi = profile.limit("max_normal_winding_mismatch_fraction"), m.facesWithNormals > 0 {
            let f = Double(m.windingMismatchFaces) / Double(m.facesWithNormals)
            add("normals.winding", tested: true, pass: f <= hi, value: Double(m.windingMismatchFaces), limit: "<= \(pct(hi))",
                "\(m.windingMismatchFaces) faces whose vertex normals point against their winding (\(pct(f)))")
        }

        // Scale and placement (glTF: metres, +Y up). Length is X, height Y, width Z, as the auditor measures them.
        let size = m.bounds.size.map(Double.init)
        let dims = "L \(fmt(size[0])) x W \(fmt(size[2])) x H \(fmt(size[1])) m"
        range("scale.size", size.max() ?? 0, min: "min_size_m", max: "max_size_m", unit: " m", "largest dimension")
        do {
            var failing: [String] = []
            let pairs = [("height", size[1]), ("length", size[0]), ("width", size[2])]
            var tested = false
            for (name, v) in pairs {
                if let hi = profile.limit("max_\(name)_m") { tested = true; if v > hi { failing.append("\(name) too big") } }
                if let lo = profile.limit("min_\(name)_m") { tested = true; if v < lo { failing.append("\(name) too small") } }
            }
            add("scale.dimensions", tested: tested, pass: failing.isEmpty, value: nil, limit: tested ? "schema range" : nil,
                dims + (failing.isEmpty ? "" : ": " + failing.joined(separator: "; ")))
        }
        if let product {
            var failing: [String] = []
            let pairs: [(String, Double?, Double)] = [("height", product.height, size[1]), ("length", product.length, size[0]), ("width", product.width, size[2])]
            for (name, target, v) in pairs {
                guard let target else { continue }
                let margin = (profile.limit("percent_tolerance_\(name)") ?? 0) / 100 * target
                if v < target - margin { failing.append("\(name) too small (\(fmt(v)) < \(fmt(target - margin)))") }
                if v > target + margin { failing.append("\(name) too large (\(fmt(v)) > \(fmt(target + margin)))") }
            }
            add("scale.product-dimensions", tested: true, pass: failing.isEmpty, value: nil, limit: "product ± tolerance",
                failing.isEmpty ? "\(dims) matches the product" : failing.joined(separator: "; "))
        } else {
            add("scale.product-dimensions", tested: false, pass: true, value: nil, limit: nil, "no product info")
        }
        if !m.bounds.isEmpty {
            let c = m.bounds.center.map(Double.init), lo = m.bounds.min.map(Double.init)
            let diag = Swift.max(Double(m.bounds.diagonal), 1e-9)
            let offset = ((c[0] * c[0]) + (lo[1] * lo[1]) + (c[2] * c[2])).squareRoot() / diag
            if let hi = profile.limit("max_pivot_offset") {
                add("placement.pivot", tested: true, pass: offset <= hi, value: offset, limit: "<= \(fmt(hi)) of the diagonal",
                    "origin is \(pct(offset)) of the diagonal from the bottom centre")
            }
            if let tol = profile.limit("ground_tolerance") {
                let h = Swift.max(size[1], 1e-9)
                let where_ = lo[1] > tol * h ? "floats \(fmt(lo[1])) m above" : lo[1] < -tol * h ? "sinks \(fmt(-lo[1])) m below" : "rests on"
                add("placement.ground", tested: true, pass: abs(lo[1]) <= tol * h, value: lo[1], limit: "|min y| <= \(pct(tol)) of height",
                    "\(where_) the ground plane y = 0")
            }
        }
        rule("placement.root-transform", "require_clean_root_transform", pass: m.rootTransformClean, value: nil,
             m.rootTransformClean ? "root transform is identity" : m.rootTransform)

        // Textures.
        let tex = m.textures
        range("texture.count", Double(tex.count), min: nil, max: "max_textures", "textures")
        let none = tex.isEmpty
        func texRange(_ id: String, _ key: String, _ value: (TextureFacts) -> Int, isMax: Bool, _ what: String) {
            guard let bound = profile.limit(key), !none else {
                add(id, tested: false, pass: true, value: none ? nil : Double(isMax ? tex.map(value).max()! : tex.map(value).min()!), limit: nil,
                    none ? "no images" : "\(what) \(isMax ? tex.map(value).max()! : tex.map(value).min()!)")
                return
            }
            let bad = tex.filter { isMax ? Double(value($0)) > bound : Double(value($0)) < bound }
            let v = isMax ? tex.map(value).max()! : tex.map(value).min()!
            add(id, tested: true, pass: bad.isEmpty, value: Double(v), limit: "\(isMax ? "<=" : ">=") \(fmt(bound))",
                "\(what) \(v)" + (bad.isEmpty ? "" : "; failing images: " + bad.map(\.name).joined(separator: "; ")))
        }
        texRange("texture.max-width", "max_texture_width", { $0.width }, isMax: true, "widest texture")
        texRange("texture.min-width", "min_texture_width", { $0.width }, isMax: false, "narrowest texture")
        texRange("texture.max-height", "max_texture_height", { $0.height }, isMax: true, "tallest texture")
        texRange("texture.min-height", "min_texture_height", { $0.height }, isMax: false, "shortest texture")
        let npot = tex.filter { !TextureFacts.isPowerOfTwo($0.width) || !TextureFacts.isPowerOfTwo($0.height) }
        add("texture.power-of-two", tested: profile.requires("require_power_of_two") && !none, pass: npot.isEmpty, value: Double(npot.count), limit: "required",
            none ? "no images" : npot.isEmpty ? "all \(tex.count) textures are powers of two" : npot.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: "; "))
        let nonSquare = tex.filter { $0.width != $0.height }
        add("texture.square", tested: profile.requires("require_square_textures") && !none, pass: nonSquare.isEmpty, value: Double(nonSquare.count), limit: "required",
            none ? "no images" : nonSquare.isEmpty ? "all textures are square" : nonSquare.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: "; "))
        if let formats = profile.textureFormats {
            let bad = tex.filter { !formats.contains($0.format) }
            add("texture.format", tested: !none, pass: bad.isEmpty, value: Double(bad.count), limit: formats.joined(separator: ", "),
                bad.isEmpty ? "formats: \(Set(tex.map(\.format)).sorted().joined(separator: ", "))" : bad.map { "\($0.name) is \($0.format)" }.joined(separator: "; "))
        }
        let gpu = Double(tex.reduce(0) { $0 + $1.gpuBytes }) / 1_048_576
        range("texture.memory", (gpu * 10).rounded() / 10, min: nil, max: "max_texture_memory_mb", unit: " MB", "estimated GPU texture memory")
        if profile.limit("pbr_color_min") != nil || profile.limit("pbr_color_max") != nil {
            if let r = m.baseColorValueRange {
                range("texture.pbr-color-max", Double(r.max), min: nil, max: "pbr_color_max", "brightest base-color value (HSV V, 0-255)")
                range("texture.pbr-color-min", Double(r.min), min: "pbr_color_min", max: nil, "darkest base-color value (HSV V, 0-255)")
            } else {
                let why = m.baseColorDecodeErrors.isEmpty ? "no base-color images" : "could not decode: " + m.baseColorDecodeErrors.joined(separator: "; ")
                add("texture.pbr-color-max", tested: false, pass: true, value: nil, limit: nil, why)
                add("texture.pbr-color-min", tested: false, pass: true, value: nil, limit: nil, why)
            }
        }
        rule("material.pbr-factors", "require_pbr_factors_in_range", pass: m.pbrFactorProblems.isEmpty, value: Double(m.pbrFactorProblems.count),
             m.pbrFactorProblems.isEmpty ? "PBR factors within [0,1]" : m.pbrFactorProblems.joined(separator: "; "))
        let unsupported = m.requiredExtensions.filter { !profile.supportedExtensions.contains($0) }
        rule("gltf.required-extensions", "require_supported_extensions", pass: unsupported.isEmpty, value: Double(unsupported.count),
             unsupported.isEmpty ? (m.requiredExtensions.isEmpty ? "no required extensions" : "required: " + m.requiredExtensions.joined(separator: ", "))
                                 : "unsupported required extensions: " + unsupported.joined(separator: ", "))
        return out
    }
}
