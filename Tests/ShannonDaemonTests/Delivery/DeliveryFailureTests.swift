import Foundation
import Logging
import Testing
import ShannonKafka
import ShannonStats
@testable import ShannonCore
@testable import ShannonDaemon

/// Alerts are at-least-once: when the broker refuses an alert, the worker must stop *without*
/// a checkpoint covering it, so that the restart produces it again (same id).
@Suite(.serialized) struct DeliveryFailureTests {
    static let yaml = """
    version: 1
    name: delivery
    source: { topics: [TOPIC], start: earliest }
    decode:
      fields:
        x: { path: x, type: number }
    stages:
      - id: psi
        type: psi
        input: x
        window: { type: count, size: 100 }
        params: { reference: { histogram: { edges: [0.5], counts: [50, 50] } } }
        alert: { when: threshold, threshold: 0.05 }
    sinks:
      alerts: { topic: ALERTS }
      dead_letter: { topic: DEAD }
    checkpoint: { every_records: 100, every_seconds: 1 }
    """

    @Test func aRefusedAlertStopsTheWorkerBeforeItsCheckpoint() throws {
        let broker = try EmbeddedBroker(brokers: 1, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let id = UUID().uuidString.prefix(8).lowercased()
        let topic = "in-\(id)", alerts = "alerts-\(id)"
        try broker.createTopic(topic, partitions: 1)
        try broker.createTopic(alerts, partitions: 1)
        // 300 records, all above 0.5: every window of 100 drifts and alerts.
        let input = try KafkaProducer(configuration: ["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"])
        for i in 0..<300 { try input.produce(topic: topic, key: nil, value: Array(#"{"x":\#(0.6 + Double(i % 7) / 100)}"#.utf8)) }
        try input.flush(timeout: .seconds(30))

        let yaml = Self.yaml.replacingOccurrences(of: "TOPIC", with: topic).replacingOccurrences(of: "ALERTS", with: alerts)
            .replacingOccurrences(of: "DEAD", with: "dead-\(id)")
        let plan = try PipelinePlan(spec: PipelineLoader.parse(yaml: yaml))
        let dir = NSTemporaryDirectory() + "shannon-delivery-\(id)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RunOptions(checkpointDirectory: dir)
        options.propertyOverrides = ["bootstrap.servers": broker.bootstrapServers]
        options.manualPartitions = [TopicPartition(topic, 0)]
        options.pollTimeout = .milliseconds(20)

        // The broker refuses the next produce requests with a non-retriable error.
        broker.pushRequestErrors(apiKey: KafkaAPIKey.produce, Array(repeating: 29, count: 50)) // TOPIC_AUTHORIZATION_FAILED
        var refusing = options
        refusing.propertyOverrides["enable.idempotence"] = "false" // no retries: the refusal is final
        refusing.propertyOverrides["retries"] = "0"
        let worker = try PipelineWorker.wired(plan: plan, options: refusing)
        #expect(throws: RuntimeError.self) { _ = try worker.run(limit: .untilCaughtUp) }
        #expect((worker.deliveries?.failureCount ?? 0) > 0)
        let store = CheckpointStore(directory: dir)
        let saved = try store.loadLatest(pipeline: "delivery", topic: topic, partition: 0, expectedFingerprints: nil)
        #expect(saved.checkpoint == nil, "no checkpoint may cover an undelivered alert")

        // The broker accepts again: a restart replays and delivers the alerts.
        broker.clearRequestErrors(apiKey: KafkaAPIKey.produce)
        let deliveries2 = DeliveryTracker()
        let producer2 = try KafkaProducer(configuration: ["bootstrap.servers": broker.bootstrapServers],
                                          onDelivery: deliveries2.handler)
        let again = try PipelineWorker(plan: plan, options: options, producer: producer2, deliveries: deliveries2)
        let summary = try again.run(limit: .untilCaughtUp)
        #expect(summary.alertsFiring == 1, "one firing for the drifting stream (it stays firing)")
        #expect(deliveries2.failureCount == 0)
        #expect(summary.nextOffsets[TopicPartition(topic, 0)] == 300)
    }
}
