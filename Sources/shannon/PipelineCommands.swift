import ArgumentParser

/// Commands over pipelines (run, validate, alerts, checkpoint, demo).
let pipelineCommands: [ParsableCommand.Type] = [RunCommand.self, ValidateCommand.self, CheckpointCommand.self]
