import Foundation
import Logging
import ShannonKafka
import ShannonStats
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// One mock cluster for every end-to-end test of the process: tests isolate themselves with
/// fresh topic names and checkpoint directories (the first group join costs ~3 s, so the cluster
/// is shared rather than started per test).
let e2eBroker: EmbeddedBroker = {
    do { return try EmbeddedBroker(brokers: 1, logger: E2E.quietLogger("e2e.broker")) } catch {
        fatalError("embedded broker: \(error)")
    }
}()

enum E2E {
    /// The repository root, found from this file so the tests run from any directory.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func pipelineFile(_ name: String) -> String { root.appendingPathComponent("pipelines/\(name)").path }

    static func fixture(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/e2e/\(name)").path
    }

    static func quietLogger(_ label: String) -> Logger {
        var l = Logger(label: label)
        l.logLevel = .error
        return l
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A fresh checkpoint directory, removed by the caller's `defer`.
    static func tempDirectory(_ prefix: String) -> String {
        let dir = NSTemporaryDirectory() + unique("shannon-e2e-\(prefix)")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Loads a pipeline file with the embedded broker as bootstrap, and moves its source and sinks
    /// to fresh topics (created here) so tests never see each other's records.
    static func load(_ path: String, partitions: Int32) throws -> PipelineSpec {
        var spec = try PipelineLoader.load(path: path, environment: ["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers])
        spec.source.topics = [unique("src")]
        try e2eBroker.createTopic(spec.source.topics[0], partitions: partitions)
        retargetSinks(&spec)
        return spec
    }

    /// Points the alerts, dead-letter (and windows) sinks at fresh single-partition topics.
    static func retargetSinks(_ spec: inout PipelineSpec) {
        spec.sinks.alerts.topic = unique("alerts")
        try? e2eBroker.createTopic(spec.sinks.alerts.topic, partitions: 1)
        if spec.sinks.deadLetter != nil {
            spec.sinks.deadLetter!.topic = unique("dead")
            try? e2eBroker.createTopic(spec.sinks.deadLetter!.topic, partitions: 1)
        }
        if spec.sinks.windows != nil {
            spec.sinks.windows!.topic = unique("windows")
            try? e2eBroker.createTopic(spec.sinks.windows!.topic, partitions: 1)
        }
    }

    static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: ["bootstrap.servers": e2eBroker.bootstrapServers,
                                          "compression.codec": "zstd", "linger.ms": "10"],
                          logger: quietLogger("e2e.producer"))
    }

    /// Produces `records` (the default partitioner places them by key, or `partition(i)` when given)
    /// and waits until every one is acknowledged.
    static func produce(_ records: [DemoStreams.Record], to topic: String,
                        partition: ((Int) -> Int32)? = nil) throws {
        let p = try producer()
        for (i, r) in records.enumerated() {
            try p.produce(topic: topic, key: r.key, value: r.value, partition: partition?(i))
            if i % 2000 == 0 { p.poll() }
        }
        try p.flush(timeout: .seconds(60))
        let failed = p.drainDeliveryReports().filter { $0.error != nil }
        #expect(failed.isEmpty, "delivery failures: \(failed.prefix(3))")
    }

    /// A consumed record, copied out of librdkafka's buffers.
    struct Consumed {
        var partition: Int32
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]
        var headers: [String: String]
        var text: String { String(decoding: value, as: UTF8.self) }
    }

    /// Reads every record of every partition of `topic` (up to the high watermarks at the time of
    /// the call), in partition then offset order.
    static func readAll(_ topic: String, partitions: Int32, headers: [String] = []) throws -> [Consumed] {
        let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": e2eBroker.bootstrapServers,
                                                         "group.id": unique("reader"), "fetch.wait.max.ms": "10"],
                                         logger: quietLogger("e2e.reader"))
        defer { try? consumer.close() }
        var ends: [Int32: Int64] = [:]
        var starts: [TopicPartition: StartOffset] = [:]
        for p in 0..<partitions {
            let tp = TopicPartition(topic, p)
            ends[p] = try consumer.watermarks(tp, timeout: .seconds(10)).high
            starts[tp] = .beginning
        }
        try consumer.assign(starts)
        var out: [Int32: [Consumed]] = [:]
        var next: [Int32: Int64] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        func done() -> Bool { ends.allSatisfy { p, end in end == 0 || (next[p] ?? 0) >= end } }
        while !done() && ContinuousClock.now < deadline {
            let batch = try consumer.poll(maxMessages: 4096, timeout: .milliseconds(100))
            for m in batch {
                var h: [String: String] = [:]
                for name in headers {
                    if let v = m.header(name) { h[name] = String(decoding: v, as: UTF8.self) }
                }
                out[m.partition, default: []].append(Consumed(partition: m.partition, offset: m.offset,
                                                              key: m.key.map { Array($0) }, value: Array(m.value),
                                                              headers: h))
                next[m.partition] = m.offset + 1
            }
        }
        #expect(done(), "could not read \(topic) to its end in 30 s")
        return out.keys.sorted().flatMap { out[$0]! }
    }

    /// Every alert published on the pipeline's alerts topic, in publication order.
    static func alerts(of spec: PipelineSpec) throws -> [Alert] {
        try readAll(spec.sinks.alerts.topic, partitions: 1).map { try Alert.decode($0.value) }
    }

    /// Runs a fresh worker (wired as the daemon wires it) on `plan` over all partitions of its source, without a group join.
    static func run(_ plan: PipelinePlan, checkpoints: String, partitions: Int32, limit: RunLimit = .untilCaughtUp,
                    stopMode: StopMode = .graceful, batchSize: Int = 4096, resetState: Bool = false,
                    logger: Logger? = nil) throws -> RunSummary {
        var options = RunOptions(checkpointDirectory: checkpoints)
        // Short fetch waits: the mock holds an empty fetch for fetch.wait.max.ms (500 ms by
        // default), which otherwise dominates the run time of these small streams.
        options.propertyOverrides = ["bootstrap.servers": e2eBroker.bootstrapServers, "fetch.wait.max.ms": "10",
                                     "fetch.error.backoff.ms": "10"]
        options.manualPartitions = (0..<partitions).map { TopicPartition(plan.spec.source.topics[0], $0) }
        options.batchSize = batchSize
        options.resetState = resetState
        options.progressInterval = .seconds(3600)
        options.pollTimeout = .milliseconds(20) // ends "caught up" runs sooner; no effect on results
        let worker = try PipelineWorker.wired(plan: plan, options: options, logger: logger ?? quietLogger("e2e.worker"))
        let summary = try worker.run(limit: limit, stop: StopSignal(), stopMode: stopMode)
        try worker.producer.flush(timeout: .seconds(30)) // what it published is readable now
        return summary
    }

    /// The newest checkpoint of each partition (nil where there is none).
    static func latestCheckpoints(_ spec: PipelineSpec, directory: String, partitions: Int32) throws -> [Checkpoint?] {
        let store = CheckpointStore(directory: directory, keep: spec.checkpoint.keep)
        return try (0..<partitions).map { p in
            try store.loadLatest(pipeline: spec.name, topic: spec.source.topics[0], partition: p,
                                 expectedFingerprints: nil).checkpoint
        }
    }

    /// The state part of the final checkpoints: next offset and every entry's bytes, per partition.
    static func finalState(_ spec: PipelineSpec, directory: String, partitions: Int32) throws -> [FinalState] {
        try latestCheckpoints(spec, directory: directory, partitions: partitions).map { c in
            FinalState(nextOffset: c?.nextOffset ?? -1, entries: c?.entries ?? [])
        }
    }

    struct FinalState: Equatable {
        var nextOffset: Int64
        var entries: [CheckpointEntry]
    }
}

/// Collects log messages (the corrupt-checkpoint test checks what the worker said).
final class CapturedLog: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    func append(_ level: Logger.Level, _ text: String) {
        lock.lock()
        lines.append((level, text))
        lock.unlock()
    }

    var all: [(Logger.Level, String)] { lock.lock(); defer { lock.unlock() }; return lines }

    func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in CapturingHandler(log: self) }
    }
}

struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        log.append(event.level, "\(event.message) \(meta)")
    }
}

/// Independent decoding of the demo streams' JSON with Foundation, for the reference computations.
enum Plain {
    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any]
    }

    static func number(_ any: Any?) -> Double? {
        if any is String { return nil }
        if let d = any as? Double { return d }
        if let i = any as? Int { return Double(i) }
        return (any as? NSNumber)?.doubleValue
    }
}
