import ArgumentParser
import PolyforgeFormats
import PolyforgeMesh
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

    @Option(name: .long, help: "Write report.json, report.csv and index.html into this folder.")
    var report: String?

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
        let runner = QCRunner(profile: rules, product: product, jobs: jobs)
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
