import ArgumentParser

let driftBenchCommands: [ParsableCommand.Type] = []
