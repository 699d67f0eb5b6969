// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "PolyforgeBenchmarks",
    dependencies: [
        .package(name: "Polyforge", path: ".."),
    ],
    targets: [
        // Parse throughput of SceneIO.read on the shared assets and generated 1M/4M-triangle scans.
        .executableTarget(name: "parse-bench", dependencies: [
            .product(name: "PolyforgeFormats", package: "Polyforge"),
            .product(name: "PolyforgeMesh", package: "Polyforge"),
            .product(name: "PolyforgeFixtures", package: "Polyforge"),
        ]),
        // Three-view 512×512 thumbnail of a 1M-triangle textured mesh through the core rasterizer, 1 and 2 threads.
        .executableTarget(name: "render-bench", dependencies: [
            .product(name: "PolyforgeCore", package: "Polyforge"),
            .product(name: "PolyforgeFixtures", package: "Polyforge"),
            .product(name: "PolyforgeMesh", package: "Polyforge"),
        ]),
        // Weld + cleanup + make manifold + orient on a 1M-triangle scan with injected defects, 1 and 2 threads.
        .executableTarget(name: "repair-bench", dependencies: [
            .product(name: "PolyforgeCore", package: "Polyforge"),
            .product(name: "PolyforgeFixtures", package: "Polyforge"),
            .product(name: "PolyforgeFormats", package: "Polyforge"),
            .product(name: "PolyforgeMesh", package: "Polyforge"),
            .product(name: "PolyforgeRepair", package: "Polyforge"),
        ]),
        // pf_simplify against meshoptimizer's meshopt_simplify (system 0.18) on a 1M-triangle scan: time, triangles, Hausdorff.
        .executableTarget(name: "simplify-bench", dependencies: [
            .product(name: "PolyforgeBench", package: "Polyforge"),
            .product(name: "PolyforgeCore", package: "Polyforge"),
            .product(name: "PolyforgeFormats", package: "Polyforge"),
            .product(name: "PolyforgeMesh", package: "Polyforge"),
        ]),
        // polyforge qc on a generated 1,000-asset library (assets/s, MB/s on 2 jobs), and the auditor's slow checks
        // (non-manifold, beveled edges, UV overlaps, gutters) on a 1M-triangle textured mesh. qc-reference.py: trimesh.
        .executableTarget(name: "qc-bench", dependencies: [
            .product(name: "PolyforgeCore", package: "Polyforge"),
            .product(name: "PolyforgeFixtures", package: "Polyforge"),
            .product(name: "PolyforgeFormats", package: "Polyforge"),
            .product(name: "PolyforgeImage", package: "Polyforge"),
            .product(name: "PolyforgeMesh", package: "Polyforge"),
            .product(name: "PolyforgeQC", package: "Polyforge"),
            .product(name: "PolyforgeTopology", package: "Polyforge"),
        ]),
    ]
)
