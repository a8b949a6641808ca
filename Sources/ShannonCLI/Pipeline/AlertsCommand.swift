import ArgumentParser
import Foundation
import Logging
import ShannonKafka
import ShannonCore
import ShannonDaemon
import UnixSignals

/// `shannon alerts`: tail the alerts topic.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Show the alerts topic: a readable table, or JSON lines.",
        discussion: """
        Reads the alerts topic as a throwaway reader (no consumer group, nothing committed), so \
        it never disturbs the daemon or other consumers. Alerts carry a stable id: the same \
        record stream always gives the same ids, so repeats after a restart can be dropped.

        Examples:
          shannon alerts --from-beginning               # everything so far, then exit
          shannon alerts --follow --severity critical   # watch for critical alerts
          shannon alerts --json --pipeline credit-psi | jq .value
          KAFKA_BOOTSTRAP=kafka-1:9092 shannon alerts --follow --state firing
        """
    )

    @Option(help: "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP or localhost:9092).")
    var bootstrap: String?

    @Option(help: "The alerts topic.")
    var topic = "shannon-alerts"

    @Flag(help: "Start at the oldest alert kept by the topic (default: only new alerts).")
    var fromBeginning = false

    @Flag(help: "Keep waiting for new alerts (default: stop at the end of the topic).")
    var follow = false

    @Flag(help: "Print each alert as one JSON line (as produced).")
    var json = false

    @Option(help: "Only alerts of this pipeline.")
    var pipeline: String?

    @Option(help: "Only alerts of this severity.")
    var severity: String?

    @Option(help: "Only alerts in this state: firing or resolved.")
    var state: String?

    @Option(name: .customShort("X"), help: "Extra librdkafka property KEY=VALUE (repeatable), e.g. TLS/SASL settings.")
    var property: [String] = []

    func run() throws {
        var conf = try RunCommand.parseProperties(property)
        conf["bootstrap.servers"] = bootstrap ?? ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP"] ?? "localhost:9092"
        conf["group.id"] = "shannon-alerts-reader" // required by assign(); nothing is committed
        let stop = StopSignal()
        let signals = Self.stopOnSignals(stop)
        defer { signals.cancel() }
        let printed = try Self.tail(configuration: conf, topic: topic, fromBeginning: fromBeginning || !follow,
                                    follow: follow, stop: stop) { alert, raw in
            guard matches(alert) else { return false }
            if json {
                print(String(decoding: raw, as: UTF8.self))
            } else {
                print(AlertFormatting.line(alert))
            }
            fflush(nil)
            return true
        }
        if !json && !follow { FileHandle.standardError.write(Data("\(printed) alert(s)\n".utf8)) }
    }

    func matches(_ a: Alert) -> Bool {
        (pipeline == nil || a.pipeline == pipeline) && (severity == nil || a.severity == severity)
            && (state == nil || a.state.rawValue == state)
    }

    /// SIGTERM/SIGINT → `stop`, which `tail` polls between batches, through swift-service-lifecycle's
    /// signal sequence (the daemon's `ServiceGroup` traps them the same way). A second signal while
    /// stopping exits at once: a reader has nothing to save.
    static func stopOnSignals(_ stop: StopSignal) -> Task<Void, Never> {
        Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                if stop.isStopped { Foundation.exit(130) }
                stop.stop()
            }
        }
    }

    /// Reads every partition of the alerts topic; calls `body` per alert (returns whether it was
    /// shown). Returns the number shown.
    static func tail(configuration: [String: String], topic: String, fromBeginning: Bool, follow: Bool,
                     stop: StopSignal, idleExit: Duration = .seconds(2),
                     body: (Alert, [UInt8]) -> Bool) throws -> Int {
        var logger = Logger(label: "shannon.alerts")
        logger.logLevel = .error
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        defer { try? consumer.close() }
        let partitions = try Self.partitions(of: topic, consumer: consumer)
        var starts: [TopicPartition: StartOffset] = [:]
        for p in partitions { starts[p] = fromBeginning ? .beginning : .end }
        try consumer.assign(starts)
        var shown = 0
        var idleSince = ContinuousClock.now
        while !stop.isStopped {
            let batch = try consumer.poll(maxMessages: 1000, timeout: .milliseconds(200))
            if batch.count > 0 { idleSince = ContinuousClock.now }
            for m in batch {
                let raw = Array(m.value)
                guard let alert = try? Alert.decode(raw) else { continue }
                if body(alert, raw) { shown += 1 }
            }
            if !follow && batch.count == 0 && ContinuousClock.now - idleSince >= idleExit {
                if try consumer.lag().values.allSatisfy({ $0 == 0 }) { break }
            }
        }
        return shown
    }

    static func partitions(of topic: String, consumer: KafkaConsumer) throws -> [TopicPartition] {
        let found = try consumer.partitions(of: topic)
        guard !found.isEmpty else { throw ValidationError("topic '\(topic)' has no partitions (does it exist?)") }
        return found
    }
}
