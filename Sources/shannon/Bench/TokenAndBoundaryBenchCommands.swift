import ArgumentParser

let tokenAndBoundaryBenchCommands: [ParsableCommand.Type] = []
