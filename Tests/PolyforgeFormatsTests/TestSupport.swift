import Foundation

/// Paths the tests share: the repository root, the shared third-party assets beside the checkout, temp folders.
enum TestPaths {
    /// Root of the checkout (this file is Tests/PolyforgeFormatsTests/TestSupport.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared/assets` beside the checkout (also present in CI).
    static let sharedAssets: String = {
        if let env = ProcessInfo.processInfo.environment["POLYFORGE_SHARED_ASSETS"] { return env }
        return URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/assets").path
    }()

    static func asset(_ relative: String) -> String { sharedAssets + "/" + relative }

    static let fixtures: String = repositoryRoot + "/fixtures"

    /// A fresh empty folder under the system temp dir.
    static func temporaryDirectory(_ label: String = "test") -> String {
        let path = NSTemporaryDirectory() + "polyforge-\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) {
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func write(_ bytes: [UInt8], to path: String) {
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
