// swift-tools-version:6.0
// libFuzzer harness for every Polyforge parser. Build and run with Fuzz/run.sh (it passes the sanitizer flags to
// every module, so coverage reaches the parsers themselves).
import PackageDescription

let package = Package(
    name: "PolyforgeFuzz",
    dependencies: [.package(name: "Polyforge", path: "..")],
    targets: [
        .executableTarget(
            name: "fuzz-parsers",
            dependencies: [.product(name: "PolyforgeFormats", package: "Polyforge"), .product(name: "PolyforgeMesh", package: "Polyforge")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
)
