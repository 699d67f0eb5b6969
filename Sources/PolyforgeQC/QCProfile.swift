/// The rules one QC run holds assets to: numeric limits and required properties by stable key, and per-check
/// severity overrides. A missing key means the check is not tested (the auditor's -1 / false).
public struct QCProfile: Sendable {
    public var name: String
    /// Numeric limits, e.g. `max_triangles`, `max_file_size_kb`, `uv_gutter_resolution`. See `QCProfile.limitKeys`.
    public var limits: [String: Double]
    /// Required properties, e.g. `require_watertight`. See `QCProfile.ruleKeys`.
    public var rules: [String: Bool]
    /// Severity overrides by check id; `nil` value turns the check off.
    public var severities: [String: QCSeverity?]
    /// Encoded texture formats allowed (`png`, `jpeg`, `webp`, `ktx2`), or nil for any.
    public var textureFormats: [String]?
    /// Extensions a consumer of this profile can decode when a file marks them required.
    public var supportedExtensions: [String]

    public init(name: String, limits: [String: Double] = [:], rules: [String: Bool] = [:], severities: [String: QCSeverity?] = [:],
                textureFormats: [String]? = nil, supportedExtensions: [String] = QCProfile.viewerExtensions) {
        self.name = name
        self.limits = limits
        self.rules = rules
        self.severities = severities
        self.textureFormats = textureFormats
        self.supportedExtensions = supportedExtensions
    }

    public func limit(_ key: String) -> Double? { limits[key] }
    public func requires(_ key: String) -> Bool { rules[key] ?? false }

    /// Every limit key a profile may set.
    public static let limitKeys: [String] = [
        "max_triangles", "min_triangles", "max_vertices", "max_draw_calls", "max_materials", "min_materials",
        "max_nodes", "min_nodes", "max_meshes", "min_meshes", "max_primitives", "min_primitives",
        "max_file_size_kb", "min_file_size_kb",
        "max_uv_outside_fraction", "max_uv_flip_fraction", "max_uv_zero_area_fraction", "max_uv_overlap_fraction",
        "uv_overlap_resolution", "uv_gutter_resolution", "min_pixels_per_meter", "max_pixels_per_meter",
        "max_boundary_edges", "max_nonmanifold_edges", "max_degenerate_faces", "max_duplicate_faces", "max_components",
        "max_floaters", "floater_fraction", "hard_edge_angle",
        "max_nonunit_normal_fraction", "max_normal_winding_mismatch_fraction",
        "min_size_m", "max_size_m", "max_pivot_offset", "ground_tolerance",
        "min_height_m", "max_height_m", "min_length_m", "max_length_m", "min_width_m", "max_width_m",
        "percent_tolerance_height", "percent_tolerance_length", "percent_tolerance_width",
        "max_textures", "max_texture_width", "max_texture_height", "min_texture_width", "min_texture_height",
        "max_texture_memory_mb", "pbr_color_min", "pbr_color_max",
    ]

    /// Every rule key a profile may set.
    public static let ruleKeys: [String] = [
        "require_finite", "require_uvs_when_textured", "require_uv_range_0_1", "require_not_inverted_uvs",
        "require_not_overlapping_uvs", "require_watertight", "require_manifold", "require_manifold_edges",
        "require_consistent_winding", "require_beveled_edges", "require_normals", "require_clean_root_transform",
        "require_power_of_two", "require_square_textures", "require_pbr_factors_in_range", "require_supported_extensions",
    ]

    /// Required extensions that common real-time viewers (three.js, Babylon.js, model-viewer) decode.
    public static let viewerExtensions: [String] = [
        "KHR_draco_mesh_compression", "EXT_meshopt_compression", "KHR_mesh_quantization", "KHR_texture_transform",
        "KHR_texture_basisu", "EXT_texture_webp", "KHR_materials_unlit", "KHR_materials_emissive_strength",
    ]

    /// Names of the built-in profiles.
    public static let builtInNames = ["game-prop", "hero", "mobile", "web", "print", "ecommerce"]

    /// Checks every profile runs: the file must be sound whatever it is for.
    static let baseRules: [String: Bool] = [
        "require_finite": true, "require_uvs_when_textured": true, "require_pbr_factors_in_range": true,
        "require_supported_extensions": true, "require_normals": false,
    ]

    public static func builtIn(_ name: String) -> QCProfile? {
        var p = QCProfile(name: name, rules: baseRules)
        let common: [String: Double] = [
            "max_uv_flip_fraction": 0.01, "max_uv_zero_area_fraction": 0.01, "max_nonunit_normal_fraction": 0.001,
            "max_normal_winding_mismatch_fraction": 0.05, "max_degenerate_faces": 0, "max_duplicate_faces": 0,
            "max_pivot_offset": 0.5, "ground_tolerance": 0.02, "floater_fraction": 0.001, "hard_edge_angle": 90,
        ]
        p.limits = common
        func set(_ l: [String: Double], _ r: [String: Bool] = [:]) {
            p.limits.merge(l) { $1 }
            p.rules.merge(r) { $1 }
        }
        switch name {
        case "game-prop":
            set(["max_triangles": 20_000, "max_vertices": 30_000, "max_draw_calls": 4, "max_materials": 4,
                 "max_textures": 8, "max_texture_width": 2048, "max_texture_height": 2048, "max_texture_memory_mb": 64,
                 "min_size_m": 0.05, "max_size_m": 20, "max_floaters": 0],
                ["require_power_of_two": true, "require_consistent_winding": true, "require_manifold": true])
        case "hero":
            set(["max_triangles": 150_000, "max_vertices": 200_000, "max_draw_calls": 16, "max_materials": 8,
                 "max_textures": 24, "max_texture_width": 4096, "max_texture_height": 4096, "max_texture_memory_mb": 512,
                 "min_size_m": 0.05, "max_size_m": 50],
                ["require_power_of_two": true, "require_consistent_winding": true, "require_normals": true])
        case "mobile":
            set(["max_triangles": 10_000, "max_vertices": 15_000, "max_draw_calls": 2, "max_materials": 2,
                 "max_textures": 4, "max_texture_width": 1024, "max_texture_height": 1024, "max_texture_memory_mb": 16,
                 "max_file_size_kb": 4096, "min_size_m": 0.05, "max_size_m": 20, "max_floaters": 0],
                ["require_power_of_two": true, "require_consistent_winding": true])
        case "web":
            set(["max_triangles": 100_000, "max_draw_calls": 10, "max_materials": 5, "max_textures": 12,
                 "max_texture_width": 2048, "max_texture_height": 2048, "max_texture_memory_mb": 128,
                 "max_file_size_kb": 10_240, "min_size_m": 0.01, "max_size_m": 100])
            p.textureFormats = ["png", "jpeg", "webp", "ktx2"]
        case "print":
            set(["max_triangles": 2_000_000, "max_boundary_edges": 0, "max_nonmanifold_edges": 0, "max_components": 1,
                 "min_size_m": 0.002, "max_size_m": 2],
                ["require_watertight": true, "require_manifold": true, "require_consistent_winding": true])
            p.limits["ground_tolerance"] = nil
        case "ecommerce":
            // The 3D Commerce Asset Creation Guidelines defaults (the Khronos glTF Asset Auditor's recommended schema).
            p = QCProfile(name: name, rules: baseRules)
            p.limits = ["max_file_size_kb": 5120, "min_file_size_kb": 1, "max_materials": 5, "max_triangles": 100_000,
                        "max_texture_width": 2048, "min_texture_width": 512, "max_texture_height": 2048, "min_texture_height": 512,
                        "pbr_color_max": 243, "pbr_color_min": 30,
                        "percent_tolerance_height": 3, "percent_tolerance_length": 3, "percent_tolerance_width": 3]
            p.rules.merge(["require_power_of_two": true, "require_not_inverted_uvs": true]) { $1 }
        default:
            return nil
        }
        return p
    }
}
