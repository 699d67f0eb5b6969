import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import PolyforgeCore

@main
struct Polyforge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polyforge",
        abstract: "Turns raw 3D assets into production-ready ones, in bulk.",
        discussion: """
            Reads GLB/glTF (including Draco and meshopt compression), OBJ+MTL, STL, PLY and OFF; writes GLB, glTF, \
            OBJ, STL and PLY.

            Exit codes: 0 success, 1 an input could not be read or an output could not be written, 2 the command's check failed \
            (qc, repair --watertight, generate with failed jobs), 64 bad usage.
            """,
        version: PolyforgeVersion.string,
        subcommands: [InfoCommand.self, ConvertCommand.self, FixturesCommand.self, ThumbCommand.self, QCCommand.self, RepairCommand.self,
                      SimplifyCommand.self, LODCommand.self, CompareCommand.self, BenchCommand.self, GenerateCommand.self, EmulatorCommand.self])

    static func main() {
        // Idle OpenMP workers must not spin on a 2-core machine while Swift threads work. kmp_set_blocktime (in
        // pf_set_thread_count) covers only the calling thread; the environment, read when libomp starts, covers the
        // teams every worker thread (qc, thumb, lod jobs) starts too. An explicit setting by the user wins.
        setenv("KMP_BLOCKTIME", "0", 0)
        // No OpenMP tool (libomp would otherwise search the library path for libarcher.so at every start).
        setenv("OMP_TOOL", "disabled", 0)
        pf_set_thread_count(0)
        pf_keep_freed_memory()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

enum PolyforgeVersion {
    static let string = "0.1.0"
}
