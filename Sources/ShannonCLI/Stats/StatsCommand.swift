import ArgumentParser

/// `shannon stats …`: the stages' math on files, for backfills, audits and our own checks.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run Shannon's statistics on files (CSV with a header, or JSON lines).",
        subcommands: driftStatsCommands + tokenAndBoundaryStatsCommands
    )
}
