import ArgumentParser

let kafkaBenchCommands: [ParsableCommand.Type] = []
