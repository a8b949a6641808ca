import ArgumentParser

let tokenAndBoundaryBenchCommands: [ParsableCommand.Type] = [
    EntropyBenchCommand.self, BoundaryQualityBenchCommand.self, BoundaryKernelBenchCommand.self,
]
