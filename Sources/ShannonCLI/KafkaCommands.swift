import ArgumentParser

/// Commands over the Kafka layer alone (dev-broker, …).
let kafkaCommands: [ParsableCommand.Type] = [DevBrokerCommand.self]
