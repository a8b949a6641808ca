import ArgumentParser

/// `shannon bench …`: kernel and end-to-end benchmarks (run with a release build).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel and end-to-end throughput (use a release build).",
        subcommands: driftBenchCommands + tokenAndBoundaryBenchCommands + kafkaBenchCommands
    )
}
