import ArgumentParser

let kafkaBenchCommands: [ParsableCommand.Type] = [ConsumeBenchCommand.self, PipelineBenchCommand.self]
