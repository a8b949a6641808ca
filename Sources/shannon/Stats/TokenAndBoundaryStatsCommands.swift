import ArgumentParser

/// `stats entropy`, `stats boundaries`.
let tokenAndBoundaryStatsCommands: [ParsableCommand.Type] = []
