import ArgumentParser

/// Commands over pipelines (run, validate, alerts, checkpoint, demo).
let pipelineCommands: [ParsableCommand.Type] = [ValidateCommand.self, CheckpointCommand.self]
