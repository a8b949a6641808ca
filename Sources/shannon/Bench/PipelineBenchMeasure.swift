import ArgumentParser
import Foundation
import Logging
import ShannonKafka
import ShannonPipeline

/// The figures `shannon bench pipeline` measures in a child process, so that each process's
/// peak RSS is its own: the parent hosts the broker and the generated records, which would
/// otherwise count against the worker's memory.
enum PipelineBenchMeasure {
    /// One measurement, printed by the child as a `result …` line and parsed by the parent.
    struct Result {
        var kind: String
        var records = 0
        var seconds = 0.0
        /// First record to last (consume only; the worker does not expose it).
        var streamingSeconds = 0.0
        var peakKiB = 0
        var extra: [String: String] = [:]

        var line: String {
            var fields = ["kind=\(kind)", "records=\(records)", "seconds=\(String(format: "%.6f", seconds))",
                          "streaming_seconds=\(String(format: "%.6f", streamingSeconds))", "peak_kib=\(peakKiB)"]
            fields += extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "result " + fields.joined(separator: " ")
        }

        init(kind: String) { self.kind = kind }

        /// Parses a `result k=v …` line (ours or the Python baseline's).
        init?(line: String) {
            guard line.hasPrefix("result ") else { return nil }
            var values: [String: String] = [:]
            for field in line.dropFirst(7).split(separator: " ") {
                guard let eq = field.firstIndex(of: "=") else { continue }
                values[String(field[..<eq])] = String(field[field.index(after: eq)...])
            }
            guard let kind = values.removeValue(forKey: "kind") else { return nil }
            self.kind = kind
            records = Int(values.removeValue(forKey: "records") ?? "") ?? 0
            seconds = Double(values.removeValue(forKey: "seconds") ?? "") ?? 0
            streamingSeconds = Double(values.removeValue(forKey: "streaming_seconds") ?? "") ?? 0
            peakKiB = Int(values.removeValue(forKey: "peak_kib") ?? "") ?? 0
            extra = values
        }

        var rate: Double { seconds > 0 ? Double(records) / seconds : 0 }
        var peakMiB: Double { Double(peakKiB) / 1024 }
    }

    /// Consumer properties used by both measurements (and the Python baseline): large fetches
    /// and a short broker wait, as in `shannon bench consume` (docs/kafka.md).
    static var consumerProperties: [String: String] { ConsumeBench.consumerProperties }

    /// Peak resident set of this process (VmHWM), in KiB.
    static func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    static func partitions(of topic: String, config: [String: String]) throws -> [TopicPartition] {
        var cfg = config
        cfg["group.id"] = "shannon-bench-probe"
        let probe = try KafkaConsumer(configuration: cfg)
        defer { try? probe.close() }
        let tps = try probe.partitions(of: topic)
        guard !tps.isEmpty else { throw ValidationError("topic \(topic) has no partitions on the cluster") }
        return tps
    }

    /// (a) Consume only: assign every partition from the beginning, touch each value, and stop
    /// the way the worker's `.untilCaughtUp` does (an empty poll, then every partition at its
    /// high watermark), so that both figures carry the same start-up and end-of-topic costs.
    static func consumeOnly(bootstrap: String, topic: String, expected: Int, batch: Int,
                            extra: [String: String]) throws -> Result {
        var config = consumerProperties.merging(extra) { $1 }
        config["bootstrap.servers"] = bootstrap
        let tps = try partitions(of: topic, config: config)
        config["group.id"] = "shannon-bench-\(UUID().uuidString.prefix(8))"
        let start = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: config, batchCapacity: batch)
        try consumer.assign(Dictionary(uniqueKeysWithValues: tps.map { ($0, StartOffset.beginning) }))
        var next = [Int64](repeating: 0, count: Int(tps.map(\.partition).max() ?? 0) + 1)
        var records = 0, bytes = 0
        var checksum: UInt64 = 0
        var first: ContinuousClock.Instant?
        var last = start
        let deadline = start.advanced(by: .seconds(300))
        while ContinuousClock.now < deadline {
            let messages = try consumer.poll(maxMessages: batch, timeout: .milliseconds(100))
            if messages.isEmpty {
                if records >= expected, try tps.allSatisfy({ try consumer.watermarks($0, timeout: .seconds(5)).high <= next[Int($0.partition)] }) {
                    break
                }
                continue
            }
            if first == nil { first = .now }
            for m in messages {
                let v = m.value
                bytes &+= v.count
                if let b = v.last { checksum &+= UInt64(b) } // read the payload, as kcat's write does
                next[Int(m.partition)] = m.offset + 1
            }
            records += messages.count
            last = .now
        }
        try consumer.close()
        let end = ContinuousClock.now
        guard records == expected else {
            throw ValidationError("consume only read \(records) of \(expected) records (checksum \(checksum))")
        }
        var r = Result(kind: "consume")
        r.records = records
        r.seconds = (end - start).kafkaSeconds
        r.streamingSeconds = (last - (first ?? start)).kafkaSeconds
        r.peakKiB = peakRSSKiB()
        r.extra["value_bytes"] = "\(bytes)"
        return r
    }

    /// (b) The whole pipeline: `PipelineWorker` over the same topic with a manual assignment
    /// (no group join), `.untilCaughtUp`, checkpoints to a fresh temporary directory, alerts and
    /// dead letters produced to the broker and flushed before the clock stops.
    static func pipeline(path: String, bootstrap: String, expected: Int, batch: Int,
                         extra: [String: String]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["KAFKA_BOOTSTRAP"] = bootstrap
        let spec = try PipelineLoader.load(path: path, environment: environment)
        let plan = try PipelinePlan(spec: spec)
        var overrides = consumerProperties.merging(extra) { $1 }
        overrides["bootstrap.servers"] = bootstrap
        var tps: [TopicPartition] = []
        for topic in spec.source.topics { tps += try partitions(of: topic, config: overrides) }

        let stateDir = NSTemporaryDirectory() + "shannon-bench-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        var options = RunOptions(checkpointDirectory: stateDir)
        options.propertyOverrides = overrides
        options.manualPartitions = tps
        options.batchSize = batch
        options.progressInterval = .seconds(3600)
        var logger = Logger(label: "shannon.bench")
        logger.logLevel = .warning
        if ProcessInfo.processInfo.environment["SHANNON_BENCH_TRACE"] != nil {
            // The worker's own info lines (started, stopped with shutdown_ms), stamped with
            // seconds since the clock started: where its fixed start/stop costs go.
            let t0 = ContinuousClock.now
            logger = Logger(label: "shannon.bench") { _ in ElapsedLogHandler(start: t0) }
            logger.logLevel = .info
        }

        let start = ContinuousClock.now
        // As `Daemon.run` builds them: the delivery tracker stops a worker whose alerts fail.
        let deliveries = DeliveryTracker()
        let producer = try KafkaProducer(configuration: Daemon.producerConfiguration(spec, overrides: overrides), logger: logger,
                                         onDelivery: deliveries.handler)
        let worker = try PipelineWorker(plan: plan, options: options, producer: producer, deliveries: deliveries, logger: logger)
        let summary = try worker.run(limit: .untilCaughtUp)
        try producer.flush(timeout: .seconds(30))
        let end = ContinuousClock.now
        guard summary.records == expected else {
            throw ValidationError("the pipeline read \(summary.records) of \(expected) records")
        }
        var r = Result(kind: "pipeline")
        r.records = summary.records
        r.seconds = (end - start).kafkaSeconds
        r.peakKiB = peakRSSKiB()
        r.extra["decoded"] = "\(summary.decoded)"
        r.extra["dead_letters"] = "\(summary.deadLetters.values.reduce(0, +))"
        r.extra["windows"] = "\(summary.windows.values.reduce(0, +))"
        r.extra["alerts"] = "\(summary.alertsFiring + summary.alertsResolved)"
        r.extra["checkpoints"] = "\(summary.checkpoints)"
        r.extra["delivered"] = "\(producer.deliveredCount)"
        return r
    }

    /// Decode only: `RecordDecoder` with the pipeline's decode block over the generated bytes
    /// (in memory, no Kafka): the parse-and-extract share of a record's time.
    static func decodeOnly(spec: DecodeSpec, records: CreditBenchRecords) throws -> Result {
        guard let decoder = RecordDecoder(spec: spec) else { throw ValidationError("cannot allocate the decoder") }
        var ok = 0
        let start = ContinuousClock.now
        records.bytes.withUnsafeBytes { all in
            var begin = 0
            for i in 0..<records.count {
                let end = records.ends[i]
                if case .ok = decoder.decode(UnsafeRawBufferPointer(rebasing: all[begin..<end])) { ok += 1 }
                begin = end
            }
        }
        var r = Result(kind: "decode")
        r.seconds = (ContinuousClock.now - start).kafkaSeconds
        r.records = records.count
        r.extra["ok"] = "\(ok)"
        r.extra["bad"] = "\(records.count - ok)"
        return r
    }
}

/// Prints each log line with the seconds elapsed since `start` (SHANNON_BENCH_TRACE=1).
struct ElapsedLogHandler: LogHandler {
    let start: ContinuousClock.Instant
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let t = (ContinuousClock.now - start).kafkaSeconds
        let all = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        FileHandle.standardError.write(Data("trace \(String(format: "%.3f", t)) s \(event.level) \(event.message) \(all.joined(separator: " "))\n".utf8))
    }
}
