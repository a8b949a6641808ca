import ArgumentParser

/// `stats psi`, `stats iv`.
let driftStatsCommands: [ParsableCommand.Type] = [DriftPSICommand.self, DriftIVCommand.self]
