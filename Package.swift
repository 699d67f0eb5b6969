// swift-tools-version:6.0
import PackageDescription

// The C core is compiled with OpenMP; libomp ships as libomp5.so on Debian (see ../shared/docs/toolchain-notes.md).
let coreC: [CSetting] = [
    .unsafeFlags(["-fopenmp", "-std=c11"]),
    .unsafeFlags(["-O3"], .when(configuration: .release)),
    // debug builds (what the tests run) check fast paths against the plain code they mirror
    .define("PF_SELF_CHECKS", .when(configuration: .debug)),
]

let package = Package(
    name: "Polyforge",
    products: [
        .executable(name: "polyforge", targets: ["polyforge"]),
        .library(name: "PolyforgeMesh", targets: ["PolyforgeMesh"]),
        .library(name: "PolyforgeFormats", targets: ["PolyforgeFormats"]),
        .library(name: "PolyforgeFixtures", targets: ["PolyforgeFixtures"]),
        .library(name: "PolyforgeImage", targets: ["PolyforgeImage"]),
        .library(name: "PolyforgeCore", targets: ["PolyforgeCore"]),
        .library(name: "PolyforgeTopology", targets: ["PolyforgeTopology"]),
        .library(name: "PolyforgeRender", targets: ["PolyforgeRender"]),
        .library(name: "PolyforgeRepair", targets: ["PolyforgeRepair"]),
        .library(name: "PolyforgeQC", targets: ["PolyforgeQC"]),
        .library(name: "PolyforgeSimplify", targets: ["PolyforgeSimplify"]),
        .library(name: "PolyforgeGenerate", targets: ["PolyforgeGenerate"]),
        .library(name: "PolyforgeEmulator", targets: ["PolyforgeEmulator"]),
        .library(name: "PolyforgeBench", targets: ["PolyforgeBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C11 + SIMD + OpenMP kernels; the whole API is include/polyforge_core.h.
        .target(name: "PolyforgeCore", path: "CSources/PolyforgeCore",
                cSettings: coreC,
                linkerSettings: [.linkedLibrary("omp5"), .linkedLibrary("m")]),
        // Decodes KHR_draco_mesh_compression through Debian's libdraco; C API in include/polyforge_draco.h.
        .target(name: "PolyforgeDraco", path: "CSources/PolyforgeDraco",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("draco")]),

        // libcurl's headers (libcurl4-openssl-dev) at build time; the library itself is opened on first use (see ccurl.h).
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CMeshopt", path: "Sources/CMeshopt", providers: [.apt(["libmeshoptimizer-dev"])]),

        .target(name: "PolyforgeMesh", dependencies: ["PolyforgeCore"]),
        .target(name: "PolyforgeImage", dependencies: ["CPNG", "CTurboJPEG"]),
        .target(name: "PolyforgeTopology", dependencies: ["PolyforgeCore", "PolyforgeMesh"]),
        .target(name: "PolyforgeRepair", dependencies: ["PolyforgeCore", "PolyforgeMesh", "PolyforgeTopology"]),
        .target(name: "PolyforgeFormats", dependencies: ["PolyforgeMesh", "PolyforgeCore", "PolyforgeDraco", "CMeshopt"]),
        .target(name: "PolyforgeFixtures", dependencies: ["PolyforgeMesh", "PolyforgeImage"]),
        .target(name: "PolyforgeRender", dependencies: ["PolyforgeCore", "PolyforgeMesh", "PolyforgeImage", "PolyforgeFormats"]),
        .target(name: "PolyforgeQC", dependencies: ["PolyforgeCore", "PolyforgeMesh", "PolyforgeTopology", "PolyforgeFormats", "PolyforgeImage"]),
        .target(name: "PolyforgeSimplify", dependencies: ["PolyforgeCore", "PolyforgeMesh", "PolyforgeTopology"]),
        // Generation providers (Tripo, Meshy, 3D AI Studio) over libcurl, with journal, retries and downloads.
        .target(name: "PolyforgeGenerate", dependencies: ["CCurl", "PolyforgeMesh", "PolyforgeFormats"]),
        // Loopback emulator of the providers' HTTP APIs with a virtual clock and fault injection (POSIX sockets).
        .target(name: "PolyforgeEmulator", dependencies: ["PolyforgeMesh", "PolyforgeFormats", "PolyforgeFixtures", "PolyforgeImage", "PolyforgeRender"]),
        // pf_simplify against the system's meshoptimizer, in one process: `polyforge bench simplify` and Benchmarks' simplify-bench.
        .target(name: "PolyforgeBench", dependencies: ["PolyforgeCore", "CMeshopt", "PolyforgeFixtures", "PolyforgeFormats", "PolyforgeMesh", "PolyforgeSimplify", "PolyforgeTopology"]),
        .executableTarget(name: "polyforge", dependencies: [
            "PolyforgeSimplify", "PolyforgeBench", "PolyforgeGenerate", "PolyforgeEmulator",
            "PolyforgeMesh", "PolyforgeFormats", "PolyforgeFixtures", "PolyforgeImage", "PolyforgeRender", "PolyforgeQC", "PolyforgeRepair",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // The Swift runtime linked in: resolving its symbols at every start cost ~10 ms of a 20 ms start-up,
            // which dominates a thumbnail or a QC of a small file.
            .unsafeFlags(["-static-stdlib", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims"],
                         .when(platforms: [.linux], configuration: .release)),
        ]),

        .testTarget(name: "PolyforgeCoreTests", dependencies: ["PolyforgeCore", "PolyforgeMesh"]),
        .testTarget(name: "PolyforgeMeshTests", dependencies: ["PolyforgeMesh"]),
        .testTarget(name: "PolyforgeTopologyTests", dependencies: ["PolyforgeTopology", "PolyforgeMesh", "PolyforgeFormats"]),
        .testTarget(name: "PolyforgeRepairTests", dependencies: ["PolyforgeRepair", "PolyforgeMesh", "PolyforgeTopology", "PolyforgeFormats"]),
        .testTarget(name: "PolyforgeFormatsTests", dependencies: ["PolyforgeFormats", "PolyforgeMesh", "PolyforgeFixtures", "CMeshopt"]),
        .testTarget(name: "PolyforgeImageTests", dependencies: ["PolyforgeImage", "PolyforgeFixtures", "CCurl"]),
        .testTarget(name: "PolyforgeRenderTests", dependencies: ["PolyforgeRender", "PolyforgeCore", "PolyforgeMesh", "PolyforgeImage", "PolyforgeFormats"]),
        .testTarget(name: "PolyforgeFixturesTests", dependencies: ["PolyforgeFixtures", "PolyforgeMesh"]),
        .testTarget(name: "PolyforgeQCTests", dependencies: ["PolyforgeQC", "PolyforgeCore", "PolyforgeMesh", "PolyforgeTopology", "PolyforgeFormats", "PolyforgeImage"]),
        .testTarget(name: "PolyforgeSimplifyTests", dependencies: ["PolyforgeSimplify", "PolyforgeCore", "CMeshopt", "PolyforgeMesh", "PolyforgeTopology", "PolyforgeFormats", "PolyforgeFixtures"]),
        .testTarget(name: "PolyforgeEmulatorTests", dependencies: ["PolyforgeEmulator", "PolyforgeFormats", "PolyforgeMesh"]),
        .testTarget(name: "PolyforgeGenerateTests", dependencies: ["PolyforgeGenerate", "PolyforgeEmulator", "PolyforgeFormats", "PolyforgeMesh", "PolyforgeImage"]),
        .testTarget(name: "PolyforgeBenchTests", dependencies: ["PolyforgeBench"]),
        .testTarget(name: "polyforgeCLITests", dependencies: ["polyforge", "PolyforgeFormats", "PolyforgeMesh", "PolyforgeEmulator"]),
    ]
)
