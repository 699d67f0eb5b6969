import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import PolyforgeEmulator
import PolyforgeFormats

struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Serve a local emulator of the Tripo, Meshy and 3D AI Studio APIs (dry runs without credits).",
        discussion: """
            Listens on 127.0.0.1 and answers the providers' routes with their documented shapes: queued → running → \
            terminal on a virtual clock, real textured GLB results chosen from the prompt, signed URLs that expire, and \
            every fault a scenario file selects (429 with Retry-After, 5xx, resets, lost submit replies, truncated or \
            slow downloads, malformed JSON, failed/banned/expired tasks, SSE disconnects…). See docs/emulator.md.

            Point `polyforge generate --base-url http://127.0.0.1:PORT` at it. Counters (tasks created per key, \
            duplicate submits) are at GET /_emu/counters.
            """)

    @Option(help: "Port on 127.0.0.1 (0: any free port, printed on start).")
    var port: Int = 8790

    @Option(help: "Scenario JSON file (timings, limits, faults). See docs/emulator.md and docs/scenarios/.")
    var scenario: String?

    @Option(name: .customLong("time-scale"), help: "Virtual seconds per real second (overrides the scenario).")
    var timeScale: Double?

    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening (for scripts).")
    var portFile: String?

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535.") }
        if let t = timeScale, !(t > 0) { throw ValidationError("--time-scale must be > 0.") }
    }

    func run() throws {
        // Block SIGINT/SIGTERM before any server thread starts (threads inherit the mask); the main thread waits for them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals); sigaddset(&stopSignals, SIGINT); sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        var config = EmulatorScenario()
        if let scenario {
            do { config = try EmulatorScenario.load(path: scenario) } catch { Output.error("\(error)"); throw ExitCode(1) }
        }
        if let timeScale { config.timeScale = timeScale }
        let emulator: Emulator
        do { emulator = try Emulator(scenario: config, port: UInt16(port)) } catch {
            Output.error("cannot listen on 127.0.0.1:\(port): \(error)"); throw ExitCode(1)
        }
        if let portFile {
            do { try AtomicFile.write(Array("\(emulator.port)\n".utf8), to: portFile) } catch { Output.error("\(error)"); throw ExitCode(1) }
        }
        print("polyforge emulator listening on \(emulator.baseURL) (Ctrl-C to stop)")
        fflush(nil)
        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        emulator.stop()
        let c = emulator.counters()
        FileHandleStream.stderr.write("emulator: \(c.requests) requests, \(c.tasksCreated) tasks created, \(c.downloads) downloads\n")
    }
}
