import ArgumentParser

/// The `shannon` command and its subcommands. A library so that tests can call commands
/// in-process; `Sources/shannon/main.swift` only calls `Shannon.main()`.

public struct Shannon: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "shannon",
        abstract: "Streaming statistics over Kafka: drift (PSI), event boundaries, token entropy.",
        discussion: """
        Shannon consumes a Kafka topic, keeps windowed online statistics per key and produces \
        alerts that say how sure they are.

        Start here:
          shannon demo              run everything on an embedded broker
          shannon dev-broker        an embedded Kafka-protocol broker for local work
          shannon stats psi --help  the statistics on files, for backfills and audits
        """,
        subcommands: pipelineCommands + kafkaCommands + [StatsCommand.self]
    )
}
