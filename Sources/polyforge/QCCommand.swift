import ArgumentParser
import PolyforgeCore
import PolyforgeFormats
import PolyforgeMesh
import PolyforgeRender
import PolyforgeQC

struct QCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc",
        abstract: "Check asset libraries against a profile: budgets, UVs, topology, normals, scale, textures, materials.",
        discussion: """
            Folders are walked recursively. A file that cannot be read is reported as failed with the reason, and the \
            run goes on. Exit code 2 when any asset fails at the --fail-on level (default error), 0 otherwise.

            Profiles: \(QCProfile.builtInNames.joined(separator: ", ")) (ecommerce = the 3D Commerce defaults), a YAML \
            file overriding any threshold, or a Khronos glTF Asset Auditor schema JSON as it is.
            """)

    @Argument(help: "Files or folders to check.")
    var paths: [String]

    @Option(name: .long, help: "A built-in profile name, a YAML profile or an auditor schema JSON.")
    var profile = "game-prop"

    @Flag(name: .long, help: "Print one JSON record per asset and a summary on stdout.")
    var json = false

    @Option(name: .long, help: "Write report.json, report.csv and index.html (with a thumbnail per asset) into this folder.")
    var report: String?

    @Flag(name: .long, help: "With --report, skip rendering the per-asset thumbnails.")
    var noThumbnails = false

    @Option(name: .long, help: "Assets checked at the same time (default: 2).")
    var jobs = 2

    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails an asset: warn or error.")
    var failOn = "error"

    @Option(name: .customLong("product-info"), help: "Auditor product-info JSON with the product's dimensions in metres.")
    var productInfo: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or folder to check.") }
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more.") }
        if QCSeverity(name: failOn) == nil || failOn == "info" { throw ValidationError("--fail-on must be warn or error, not \"\(failOn)\".") }
    }

    func run() throws {
        let level = QCSeverity(name: failOn) ?? .error
        let rules: QCProfile
        let product: QCProductInfo?
        do {
            rules = try QCProfile.load(profile)
            product = try productInfo.map { path throws(QCProfileError) in try QCProductInfo.load(path) }
        } catch {
            Output.error(error.description)
            throw ExitCode(64)
        }
        let files = QCRunner.discover(paths)
        if files.isEmpty {
            Output.error("no model files (.glb, .gltf, .obj, .stl, .ply, .off) under \(paths.joined(separator: ", "))")
            throw ExitCode(1)
        }
        var thumbnailer: (@Sendable (String, Scene) -> String?)? = nil
        if let report, !noThumbnails {
            do { try FileSystem.makeDirectories(report + "/thumbs") } catch {
                Output.error(error.description)
                throw ExitCode(1)
            }
            thumbnailer = { path, scene in QCThumbnails.render(scene, for: path, into: report) }
        }
        let runner = QCRunner(profile: rules, product: product, jobs: jobs, thumbnailer: thumbnailer)
        let showProgress = Output.stderrIsTerminal
        let total = files.count
        let start = QCRunner.now()
        let reports = runner.run(files) { done, report in
            guard showProgress else { return }
            let width = 30, filled = done * width / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let name = FileSystem.fileName(of: report.path)
            FileHandleStream.stderr.write("\r[\(bar)] \(done)/\(total) \(String(name.prefix(40)))\u{1B}[K")
            if done == total { FileHandleStream.stderr.write("\n") }
        }
        let summary = QCSummary(reports, failOn: level, seconds: QCRunner.now() - start)
        if json {
            Output.json(QCReportWriter.json(reports, summary: summary, profile: rules.name))
        } else {
            for r in reports where r.fails(at: .warning) {
                let verdict = r.fails(at: level) ? "FAIL" : "warn"
                print("\(verdict)  \(r.path)")
                if let e = r.error { print("      file.readable: \(e)") }
                for c in r.failures(atLeast: .warning) { print("      \(c.id) [\(c.severity.rawValue)]: \(c.message)") }
            }
            print("\(summary.assets) assets checked with profile \(rules.name): \(summary.failed) failed at \(level.rawValue), " +
                  "\(summary.warned) with warnings, \(summary.unreadable) unreadable (\(String(format1: summary.seconds)) s)")
        }
        if let report {
            do {
                try QCReportWriter.write(reports, summary: summary, profile: rules.name, failOn: level, to: report)
            } catch {
                Output.error(error.description)
                throw ExitCode(1)
            }
        }
        if summary.failed > 0 { throw ExitCode(2) }
    }
}

/// Thumbnails for the QC report: one three-quarter view per asset, under DIR/thumbs/.
enum QCThumbnails {
    static func render(_ scene: Scene, for path: String, into reportDirectory: String) -> String? {
        // One OpenMP thread per worker: QC already runs one asset per core.
        pf_set_thread_count(1)
        let options = RenderOptions(width: 192, height: 192)
        let image = ThumbnailRenderer(scene: scene).render(.threeQuarter, options: options)
        guard let png = try? image.pngData() else { return nil }
        // The file's name made safe, plus a hash of its whole path so two "model.glb" in different folders differ.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let name = String(FileSystem.fileName(of: path).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(80))
        let relative = "thumbs/\(name)-\(String(hash & 0xFFFF_FFFF, radix: 16)).png"
        do { try AtomicFile.write(png, to: reportDirectory + "/" + relative) } catch { return nil }
        return relative
    }
}
