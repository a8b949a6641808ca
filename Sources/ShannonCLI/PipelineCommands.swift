import ArgumentParser

/// Commands over pipelines (run, validate, alerts, checkpoint, demo).
let pipelineCommands: [ParsableCommand.Type] = [RunCommand.self, AlertsCommand.self, DemoCommand.self, ValidateCommand.self, CheckpointCommand.self, ReportCommand.self]
