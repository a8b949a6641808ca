import ArgumentParser
import Foundation
import ShannonKafka

/// `shannon bench consume`: the Swift consumer's consume-only rate on small JSON records.
///
/// kcat's rate on the same topic comes from ops/bench/consume.sh, which runs this with
/// --bootstrap against a `shannon dev-broker --produce-demo` process.
struct ConsumeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Measure consume-only throughput of the Swift consumer (release build).",
        discussion: """
        Without --bootstrap: starts an embedded broker, produces --messages small JSON records \
        (zstd) round-robin over --partitions, then consumes them. With --bootstrap and --topic: \
        consumes an existing topic holding exactly --messages records. ops/bench/consume.sh \
        runs it against `shannon dev-broker --produce-demo` and times kcat on the same topic.

        Example:
          swift build -c release
          .build/release/shannon bench consume --messages 1000000 --group
        """
    )

    @Option(help: "Records to produce and consume.")
    var messages = 1_000_000

    @Option(help: "Partitions of the benchmark topic.")
    var partitions: Int32 = 3

    @Option(help: "Use this cluster instead of an embedded broker; the topic must be pre-filled.")
    var bootstrap: String?

    @Option(help: "Topic to consume (with --bootstrap: an existing topic).")
    var topic = "bench-consume"

    @Flag(help: "Also measure a consumer-group member (adds the group join, ~3 s on the mock).")
    var group = false

    @Option(help: "Largest batch per poll.")
    var batch = 4_096

    @Option(name: .customShort("X"), help: "Extra consumer property KEY=VALUE (repeatable), e.g. -X queued.min.messages=200000.")
    var properties: [String] = []

    func run() throws {
        var extra: [String: String] = [:]
        for p in properties {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("-X \(p): expected KEY=VALUE") }
            extra[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        var broker: EmbeddedBroker?
        let servers: String
        var topicPartitions = partitions
        if let bootstrap {
            servers = bootstrap
        } else {
            let b = try EmbeddedBroker(brokers: 1)
            try b.createTopic(topic, partitions: partitions)
            let start = ContinuousClock.now
            let n = try DemoRecords.produce(count: messages, topic: topic, partitions: partitions, bootstrap: b.bootstrapServers)
            print("produced \(n) records in \(kafkaFormat((ContinuousClock.now - start).kafkaSeconds)) s")
            broker = b
            servers = b.bootstrapServers
        }
        defer { withExtendedLifetime(broker) {} }

        var config = ConsumeBench.consumerProperties
        config["bootstrap.servers"] = servers
        for (k, v) in extra { config[k] = v }

        if bootstrap != nil {
            // Learn the partition count of the pre-filled topic from its watermarks.
            topicPartitions = try ConsumeBench.partitionCount(topic: topic, config: config)
        }
        let assigned = try ConsumeBench.run(.assign, topic: topic, partitions: topicPartitions, expected: messages,
                                            config: config, batch: batch)
        assigned.print(label: "swift assign")
        if group {
            let grouped = try ConsumeBench.run(.group, topic: topic, partitions: topicPartitions, expected: messages,
                                               config: config, batch: batch)
            grouped.print(label: "swift group")
        }
    }
}

enum ConsumeBench {
    /// On top of `KafkaConsumer.defaultProperties` (which already raise `queued.min.messages`):
    /// large fetches and a short broker wait, so that one fetch round trip refills the queue.
    /// Override any of them with -X to explore (docs/kafka.md has the measured effect).
    static let consumerProperties: [String: String] = [
        "fetch.max.bytes": "52428800",
        "fetch.message.max.bytes": "10485760",
        "fetch.wait.max.ms": "10",
    ]

    enum Mode { case assign, group }

    struct Result {
        var records: Int
        var bytes: Int
        /// From consumer creation (connect, metadata, join) to the last record.
        var total: Duration
        /// From the first record to the last: the steady-state rate.
        var streaming: Duration

        func print(label: String) {
            let t = total.kafkaSeconds, s = streaming.kafkaSeconds
            Swift.print("\(label): \(records) records, \(kafkaFormat(Double(bytes) / 1e6)) MB value bytes")
            Swift.print("  end to end   \(kafkaFormat(t, 3)) s  \(kafkaFormat(Double(records) / t / 1e6, 3)) M msg/s  \(kafkaFormat(Double(bytes) / t / 1e6)) MB/s")
            Swift.print("  streaming    \(kafkaFormat(s, 3)) s  \(kafkaFormat(Double(records) / s / 1e6, 3)) M msg/s  \(kafkaFormat(Double(bytes) / s / 1e6)) MB/s")
        }
    }

    static func partitionCount(topic: String, config: [String: String]) throws -> Int32 {
        var cfg = config
        cfg["group.id"] = "shannon-bench-probe"
        let consumer = try KafkaConsumer(configuration: cfg)
        var n: Int32 = 0
        while (try? consumer.watermarks(TopicPartition(topic, n), timeout: .seconds(5))) != nil { n += 1 }
        guard n > 0 else { throw ValidationError("topic \(topic) not found on the cluster") }
        return n
    }

    static func run(_ mode: Mode, topic: String, partitions: Int32, expected: Int,
                    config: [String: String], batch: Int) throws -> Result {
        var cfg = config
        // A fresh group each run, so that no committed offsets skip records.
        cfg["group.id"] = "shannon-bench-\(UUID().uuidString.prefix(8))"
        let start = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: cfg, batchCapacity: batch)
        switch mode {
        case .assign:
            try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic, $0), StartOffset.beginning) }))
        case .group:
            try consumer.subscribe([topic])
        }
        var records = 0
        var bytes = 0
        var checksum: UInt64 = 0
        var first: ContinuousClock.Instant?
        let deadline = start.advanced(by: .seconds(120))
        while records < expected && ContinuousClock.now < deadline {
            let messages = try consumer.poll(maxMessages: batch, timeout: .milliseconds(100))
            if first == nil && !messages.isEmpty { first = .now }
            for m in messages {
                let v = m.value
                bytes &+= v.count
                // Touch the payload so the rate includes reading it, as kcat's write does.
                if let b = v.last { checksum &+= UInt64(b) }
            }
            records += messages.count
        }
        let end = ContinuousClock.now
        try consumer.close()
        guard records == expected else {
            throw ValidationError("consumed \(records) of \(expected) records (the mock drops data past ~5 MiB per partition; checksum \(checksum))")
        }
        return Result(records: records, bytes: bytes, total: end - start, streaming: end - (first ?? start))
    }
}
