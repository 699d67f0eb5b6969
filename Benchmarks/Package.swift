// swift-tools-version:6.0
import PackageDescription

// A path dependency is identified by its folder's name, which is the checkout's name, not "Polyforge".
let root = String(#filePath.split(separator: "/").dropLast(2).last ?? "main")

let package = Package(
    name: "PolyforgeBenchmarks",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // Parse throughput of SceneIO.read on the shared assets and generated 1M/4M-triangle scans.
        .executableTarget(name: "parse-bench", dependencies: [
            .product(name: "PolyforgeFormats", package: root),
            .product(name: "PolyforgeMesh", package: root),
            .product(name: "PolyforgeFixtures", package: root),
        ]),
    ]
)
