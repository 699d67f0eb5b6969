import ArgumentParser
import Dispatch
import PolyforgeCore
import PolyforgeFormats
import PolyforgeImage
import PolyforgeMesh
import PolyforgeRender
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct ThumbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumb",
        abstract: "Render PNG thumbnails of 3D files on the CPU, from fixed camera angles.",
        discussion: """
            The default views (front, three-quarter, side) are the same every time, so thumbnails of two versions \
            of an asset compare one to one. With one view the output is that image; with several, --sheet tiles them \
            into one contact sheet, otherwise each view goes to OUT-<view>.png.

            Given a directory and --out, every readable mesh file below it (recursively) gets one PNG in --out, at \
            the same relative path: a sheet of the views, or the image when one view is asked for. Files are \
            rendered in parallel; with --sheet, --out also gets contact-sheet.png showing the first view of every \
            asset with its file name.
            """)

    @Argument(help: "A 3D file (.glb, .gltf, .obj, .stl, .ply, .off), or a directory of them (with --out).")
    var input: String

    @Argument(help: "Output PNG file (for a single input file).")
    var output: String?

    @Option(name: .long, help: "Output directory, when the input is a directory.")
    var out: String?

    @Option(name: .long, help: "Width and height of each view in pixels (16 to 4096).")
    var size = 512

    @Option(name: .long, help: "Comma-separated views among front, three-quarter, side, top, back.")
    var views = "front,three-quarter,side"

    @Flag(name: .long, help: "Tile the views into one contact sheet with captions.")
    var sheet = false

    @Option(name: .long, help: "Background: 'transparent' or an sRGB color as #RRGGBB.")
    var background = "transparent"

    @Flag(name: .long, help: "Draw triangle edges over the surface.")
    var wireframe = false

    @Flag(name: .customLong("uv-checker"), help: "Replace base colors by a checker of TEXCOORD_0, to show UV stretching.")
    var uvChecker = false

    @Flag(name: .long, help: "Base color only, no lighting.")
    var unlit = false

    @Flag(name: .long, help: "Print a JSON summary of what was written.")
    var json = false

    var parsedViews: [CameraView] {
        views.split(separator: ",").compactMap { CameraView(rawValue: $0.trimming(" ")) }
    }

    func validate() throws {
        for name in views.split(separator: ",") where CameraView(rawValue: name.trimming(" ")) == nil {
            throw ValidationError("Unknown view '\(name)': use front, three-quarter, side, top or back, separated by commas.")
        }
        if parsedViews.isEmpty { throw ValidationError("Give at least one view with --views.") }
        guard (16...4096).contains(size) else { throw ValidationError("--size must be between 16 and 4096 pixels, not \(size).") }
        guard Background(parsing: background) != nil else {
            throw ValidationError("--background must be 'transparent' or a color like #RRGGBB, not '\(background)'.")
        }
        if FileSystem.isDirectory(input) {
            guard out != nil else { throw ValidationError("'\(input)' is a directory: give an output directory with --out DIR.") }
            if output != nil { throw ValidationError("With a directory input, give the output directory with --out, not as a second argument.") }
        } else {
            guard let output else { throw ValidationError("Give the output PNG file after the input, e.g. polyforge thumb model.glb model.png.") }
            guard output.lowercased().hasSuffix(".png") else { throw ValidationError("The output '\(output)' must be a .png file.") }
            if out != nil { throw ValidationError("--out is for directory inputs; give the output PNG as the second argument.") }
        }
    }

    var options: RenderOptions {
        var o = RenderOptions(width: size, height: size, background: Background(parsing: background)!)
        o.wireframe = wireframe
        o.uvChecker = uvChecker
        o.unlit = unlit
        return o
    }

    func run() throws {
        if let out, FileSystem.isDirectory(input) {
            try runDirectory(out: out)
        } else if let output {
            try runFile(output: output)
        }
    }

    // MARK: one file

    func runFile(output: String) throws {
        let start = Stopwatch.now()
        // Borrowing: a glTF's large arrays stay in the mapped file and are drawn from there (no 28 MB copy for a
        // 1M-triangle scan, which on first touch costs more than drawing it).
        let loaded = try Output.readScene(input, borrowing: true)
        let readMilliseconds = Stopwatch.milliseconds(since: start)
        let renderer = ThumbnailRenderer(geometry: RenderGeometry(loaded: loaded))
        for w in renderer.geometry.warnings { Output.warning("\(input): \(w)") }
        let prepareMilliseconds = Stopwatch.milliseconds(since: start) - readMilliseconds
        let renderStart = Stopwatch.now()
        let images = renderer.render(parsedViews, options: options)
        let renderMilliseconds = Stopwatch.milliseconds(since: renderStart)
        var written: [String] = []
        do {
            if images.count == 1 {
                try AtomicFile.write(try images[0].pngData(), to: output)
                written = [output]
            } else if sheet {
                let name = FileSystem.fileName(of: input)
                let cells = zip(parsedViews, images).map { ContactSheet.Cell(image: $1, label: "\(name) \($0.rawValue)") }
                try AtomicFile.write(try ContactSheet.compose(cells, columns: cells.count, background: sheetBackground).pngData(), to: output)
                written = [output]
            } else {
                let stem = String(output.dropLast(4))
                for (view, image) in zip(parsedViews, images) {
                    let path = "\(stem)-\(view.rawValue).png"
                    try AtomicFile.write(try image.pngData(), to: path)
                    written.append(path)
                }
            }
        } catch let error as FormatError {
            Output.error(error.description)
            throw ExitCode(1)
        } catch {
            Output.error("\(output): \(error)")
            throw ExitCode(1)
        }
        let total = Stopwatch.milliseconds(since: start)
        if json {
            Output.json(["input": .string(input), "outputs": .array(written.map { .string($0) }),
                         "views": .array(parsedViews.map { .string($0.rawValue) }),
                         "size": .number(Double(size)), "triangles": .number(Double(renderer.geometry.triangleCount)),
                         "readMilliseconds": .number(readMilliseconds.rounded2), "prepareMilliseconds": .number(prepareMilliseconds.rounded2),
                         "renderMilliseconds": .number(renderMilliseconds.rounded2), "totalMilliseconds": .number(total.rounded2)])
        } else {
            print("\(input) → \(written.joined(separator: ", ")) (\(Output.number(renderer.geometry.triangleCount)) triangles, \(parsedViews.count) views in \(String(format1: renderMilliseconds)) ms)")
        }
    }

    /// Sheets keep captions readable: a transparent background becomes white there.
    var sheetBackground: Background {
        let b = Background(parsing: background)!
        return b == .transparent ? .color(red: 255, green: 255, blue: 255) : b
    }

    // MARK: a directory

    struct Outcome: Sendable {
        var input: String
        var output: String?
        var error: String?
        var triangles = 0
        var milliseconds = 0.0
        var firstView: RenderedImage?
    }

    func runDirectory(out: String) throws {
        let files = FileSystem.modelFiles(in: [input])
        guard !files.isEmpty else {
            Output.error("\(input): no mesh files (.glb, .gltf, .obj, .stl, .ply, .off) found")
            throw ExitCode(1)
        }
        // Relative output paths, made unique when two inputs share a stem (model.glb and model.gltf).
        var outputs: [String] = []
        var taken = Set<String>()
        let prefix = input.hasSuffix("/") ? input : input + "/"
        for file in files {
            let relative = file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : FileSystem.fileName(of: file)
            let directory = relative.contains("/") ? FileSystem.directory(of: relative) : ""
            var candidate = FileSystem.join(FileSystem.join(out, directory), FileSystem.stem(of: relative) + ".png")
            if taken.contains(candidate) { candidate = FileSystem.join(FileSystem.join(out, directory), FileSystem.fileName(of: relative) + ".png") }
            taken.insert(candidate)
            outputs.append(candidate)
        }
        let outputPaths = outputs, options = self.options, views = parsedViews, wantSheet = sheet, sheetBackground = self.sheetBackground
        let showProgress = Output.stderrIsTerminal && !json
        let state = Mutex<(done: Int, outcomes: [Outcome?])>((0, Array(repeating: nil, count: files.count)))
        let start = Stopwatch.now()
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            // One file per core, one core per file: OpenMP teams inside each render would only fight the other
            // workers. The OpenMP thread count is per calling thread, so each worker sets its own.
            pf_set_thread_count(1)
            let outcome = Self.thumbnail(files[i], to: outputPaths[i], views: views, options: options, keepFirstView: wantSheet, background: sheetBackground)
            let done = state.withLock { s -> Int in
                s.outcomes[i] = outcome
                s.done += 1
                return s.done
            }
            if showProgress {
                let width = 30, filled = done * width / files.count
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                FileHandleStream.stderr.write("\r[\(bar)] \(done)/\(files.count) \(FileSystem.fileName(of: files[i]).prefix(40))\u{1B}[K")
            }
        }
        if showProgress { FileHandleStream.stderr.write("\r\u{1B}[K") }
        let outcomes = state.withLock { $0.outcomes.map { $0! } }
        let failed = outcomes.filter { $0.error != nil }
        var sheetPath: String?
        if wantSheet {
            let cells = outcomes.compactMap { o in o.firstView.map { ContactSheet.Cell(image: $0, label: FileSystem.fileName(of: o.input)) } }
            if !cells.isEmpty {
                let path = FileSystem.join(out, "contact-sheet.png")
                do {
                    try FileSystem.makeDirectories(out)
                    try AtomicFile.write(try ContactSheet.compose(cells, background: sheetBackground).pngData(), to: path)
                    sheetPath = path
                } catch {
                    Output.error("\(path): \(error)")
                }
            }
        }
        let total = Stopwatch.milliseconds(since: start)
        if json {
            var records: [JSONValue] = outcomes.map { o in
                var r: JSONValue = ["input": .string(o.input)]
                if let output = o.output { r = r.setting("output", .string(output)).setting("triangles", .number(Double(o.triangles))).setting("milliseconds", .number(o.milliseconds.rounded2)) }
                if let error = o.error { r = r.setting("error", .string(error)) }
                return r
            }
            if let sheetPath { records.append(["contactSheet": .string(sheetPath)]) }
            Output.json(.array(records))
        } else {
            for o in failed { Output.error(o.error!) }
            print("\(outcomes.count - failed.count) of \(outcomes.count) files rendered into \(out) in \(String(format1: total / 1000)) s\(sheetPath.map { ", contact sheet \($0)" } ?? "")")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    static func thumbnail(_ input: String, to output: String, views: [CameraView], options: RenderOptions,
                          keepFirstView: Bool, background: Background) -> Outcome {
        var outcome = Outcome(input: input)
        let start = Stopwatch.now()
        do {
            let loaded = try SceneIO.read(input, borrowing: true)
            let renderer = ThumbnailRenderer(geometry: RenderGeometry(loaded: loaded))
            let images = renderer.render(views, options: options)
            let name = FileSystem.fileName(of: input)
            let image = images.count == 1 ? images[0]
                : ContactSheet.compose(zip(views, images).map { ContactSheet.Cell(image: $1, label: "\(name) \($0.rawValue)") },
                                       columns: images.count, background: background)
            try FileSystem.makeDirectories(FileSystem.directory(of: output))
            try AtomicFile.write(try image.pngData(), to: output)
            outcome.output = output
            outcome.triangles = renderer.geometry.triangleCount
            if keepFirstView { outcome.firstView = images[0] }
        } catch let error as FormatError {
            outcome.error = error.description
        } catch {
            outcome.error = "\(input): \(error)"
        }
        outcome.milliseconds = Stopwatch.milliseconds(since: start)
        return outcome
    }
}

/// Monotonic wall-clock time in milliseconds.
enum Stopwatch {
    static func now() -> Double { monotonicSeconds() * 1000 }

    static func milliseconds(since start: Double) -> Double { now() - start }
}

extension Double {
    var rounded2: Double { (self * 100).rounded() / 100 }
}

