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
    ]
)
