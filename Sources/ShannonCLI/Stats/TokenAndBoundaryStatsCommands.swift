import ArgumentParser

/// `stats entropy`, `stats boundaries`.
let tokenAndBoundaryStatsCommands: [ParsableCommand.Type] = [EntropyStatsCommand.self, BoundariesStatsCommand.self]
