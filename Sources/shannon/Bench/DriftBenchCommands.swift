import ArgumentParser

/// `bench psi`.
let driftBenchCommands: [ParsableCommand.Type] = [DriftPSIBenchCommand.self]
