import ArgumentParser

@main
struct Polyforge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polyforge",
        abstract: "Turns raw 3D assets into production-ready ones: inspect, convert, repair, simplify, check.",
        subcommands: [])
}
