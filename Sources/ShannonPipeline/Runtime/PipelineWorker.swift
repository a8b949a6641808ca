import Foundation
import Logging
import ShannonKafka
import ShannonStats

/// How a worker is run: where checkpoints live and what to override.
public struct RunOptions: Sendable {
    public var checkpointDirectory: String
    /// Delete a pipeline's state when its stage configuration changed, instead of refusing.
    public var resetState = false
    /// librdkafka properties applied over the pipeline file's (e.g. the embedded broker).
    public var propertyOverrides: [String: String] = [:]
    /// Read these partitions without joining the consumer group (tests, replays, benchmarks).
    public var manualPartitions: [TopicPartition]?
    public var batchSize = 4_096
    public var pollTimeout: Duration = .milliseconds(100)
    /// How often to log progress on long runs.
    public var progressInterval: Duration = .seconds(10)

    public init(checkpointDirectory: String) {
        self.checkpointDirectory = checkpointDirectory
    }
}

/// When `run` returns.
public enum RunLimit: Sendable {
    /// Until the stop signal (the daemon).
    case untilStopped
    /// Until every owned partition has been read to its end (demo, tests, backfills).
    case untilCaughtUp
    /// After this many records (tests: a crash at a chosen point).
    case records(Int)
}

/// How `run` ends.
public enum StopMode: Sendable {
    /// Final checkpoint, flush, commit, leave the group.
    case graceful
    /// As if the process died: no final checkpoint, no commit (crash tests).
    case abandon
}

/// What a run did, for logs, the demo's summary and tests.
public struct RunSummary: Sendable {
    public var pipeline: String
    public var records = 0
    public var decoded = 0
    public var deadLetters: [String: Int] = [:]
    public var windows: [String: Int] = [:]
    public var alertsFiring = 0
    public var alertsResolved = 0
    public var checkpoints = 0
    public var restoredPartitions = 0
    public var seconds = 0.0
    /// The next offset of every partition owned at the end.
    public var nextOffsets: [TopicPartition: Int64] = [:]
}

/// Runs one pipeline: consume in batches, decode, update every stage of the record's partition,
/// publish closed windows' alerts, dead-letter bad records, checkpoint.
///
/// Thread-confined: one worker per thread, like its consumer. The producer is shared (librdkafka
/// producers are thread-safe).
public final class PipelineWorker {
    public let plan: PipelinePlan
    /// The plan's spec, kept once (a computed `plan.spec` copied the whole struct per access).
    private let spec: PipelineSpec
    private let options: RunOptions
    private let producer: KafkaProducer
    private let deliveries: DeliveryTracker?
    /// Delivery failures already known when the last checkpoint was written.
    private var failuresAtCheckpoint = 0
    private let logger: Logger
    private let metrics: PipelineMetrics?
    private let store: CheckpointStore
    private let decoder: RecordDecoder

    private var consumer: KafkaConsumer?
    private var partitions: [TopicPartition: PartitionState] = [:]
    // Unchecked exclusivity on the per-record state below: the worker is thread-confined and
    // never overlaps two accesses (the checks were ~8% of its time in `shannon bench pipeline`).
    @exclusivity(unchecked) private var emissions: [StageEmission] = []
    private var summary: RunSummary
    private var fatal: Error?
    private var abandoning = false
    private var lastCheckpoint = ContinuousClock.now

    // One-entry cache: a batch mostly holds runs of one partition.
    @exclusivity(unchecked) private var cachedTopic: OpaquePointer?
    @exclusivity(unchecked) private var cachedPartition: Int32 = -1
    @exclusivity(unchecked) private var cachedState: PartitionState?

    /// - Parameter deliveries: the tracker whose `handler` the producer reports deliveries to;
    ///   with it, a failed delivery stops the worker before a checkpoint could skip the record.
    public init(plan: PipelinePlan, options: RunOptions, producer: KafkaProducer, deliveries: DeliveryTracker? = nil,
                metrics: ShannonMetrics? = nil, logger: Logger? = nil) throws {
        self.plan = plan
        self.spec = plan.spec
        self.options = options
        self.producer = producer
        self.deliveries = deliveries
        self.failuresAtCheckpoint = deliveries?.failureCount ?? 0
        var log = logger ?? Logger(label: "shannon.pipeline")
        log[metadataKey: "pipeline"] = "\(plan.spec.name)"
        self.logger = log
        self.metrics = metrics?.pipeline(plan.spec.name, stages: plan.spec.stages)
        self.store = CheckpointStore(directory: options.checkpointDirectory, keep: plan.spec.checkpoint.keep)
        guard let decoder = RecordDecoder(spec: plan.spec.decode) else {
            throw PlanError(stage: "-", message: "cannot allocate the JSON decoder")
        }
        self.decoder = decoder
        self.summary = RunSummary(pipeline: plan.spec.name)
    }

    /// The librdkafka consumer configuration of this pipeline.
    func consumerConfiguration() -> [String: String] {
        // Prefetch: librdkafka keeps `queued.min.messages` records *per partition*; the worker,
        // not the fetcher, is the bottleneck, so a second of its work across all partitions is
        // plenty. 50 000 per partition halved the peak RSS of the 1 M-record bench (150 → 71 MiB)
        // for 12% of its rate (docs/benchmarks.md). A pipeline file may set its own.
        var conf: [String: String] = ["queued.min.messages": "50000"]
        for (k, v) in spec.source.properties { conf[k] = v }
        conf["group.id"] = conf["group.id"] ?? spec.source.groupID
        switch spec.source.start {
        case .earliest, .timestamp: conf["auto.offset.reset"] = conf["auto.offset.reset"] ?? "earliest"
        case .latest: conf["auto.offset.reset"] = conf["auto.offset.reset"] ?? "latest"
        case .committed: break
        }
        for (k, v) in options.propertyOverrides { conf[k] = v }
        return conf
    }

    // MARK: Running

    public func run(limit: RunLimit = .untilStopped, stop: StopSignal = StopSignal(),
                    stopMode: StopMode = .graceful) throws -> RunSummary {
        let started = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(), batchCapacity: options.batchSize,
                                         logger: logger) { [unowned self] _, event in self.rebalance(event) }
        self.consumer = consumer
        if let manual = options.manualPartitions {
            try consumer.assign(assigned(manual))
        } else {
            try consumer.subscribe(spec.source.topics)
        }
        logger.info("started", metadata: ["topics": "\(spec.source.topics.joined(separator: ","))",
                                          "group": "\(spec.source.groupID)", "stages": "\(spec.stages.count)",
                                          "checkpoints": "\(options.checkpointDirectory)"])
        var lastProgress = ContinuousClock.now
        var recordsAtProgress = 0
        var failure: Error?
        loop: while !stop.isStopped {
            do {
                let batch = try consumer.poll(maxMessages: options.batchSize, timeout: options.pollTimeout)
                if let fatal { throw fatal }
                if batch.count > 0 {
                    try process(batch)
                    try publish()
                }
                producer.poll()
                try maybeCheckpoint()
                if case let .records(n) = limit, summary.records >= n { break loop }
                if case .untilCaughtUp = limit, batch.count == 0, try caughtUp(consumer) { break loop }
                if ContinuousClock.now - lastProgress >= options.progressInterval {
                    let secs = (ContinuousClock.now - lastProgress).seconds
                    logger.info("progress", metadata: [
                        "records": "\(summary.records)",
                        "rate": "\(Int(Double(summary.records - recordsAtProgress) / max(secs, 1e-9)))/s",
                        "dead_letters": "\(summary.deadLetters.values.reduce(0, +))",
                        "alerts": "\(summary.alertsFiring + summary.alertsResolved)",
                        "partitions": "\(partitions.count)",
                    ])
                    lastProgress = ContinuousClock.now
                    recordsAtProgress = summary.records
                }
            } catch {
                failure = error
                break loop
            }
        }
        summary.nextOffsets = partitions.mapValues(\.nextOffset)
        switch stopMode {
        case .graceful where failure == nil:
            try shutdown(consumer)
        case .graceful, .abandon:
            abandoning = true
            partitions.removeAll()
            invalidateCache()
            try? consumer.close()
        }
        self.consumer = nil
        summary.seconds = (ContinuousClock.now - started).seconds
        if let failure { throw failure }
        return summary
    }

    /// Final checkpoint, flush, commit, leave the group.
    private func shutdown(_ consumer: KafkaConsumer) throws {
        let t0 = ContinuousClock.now
        try checkpointAll(force: true)
        try consumer.close() // revocation: nothing new to checkpoint
        logger.info("stopped", metadata: ["records": "\(summary.records)", "checkpoints": "\(summary.checkpoints)",
                                          "shutdown_ms": "\((ContinuousClock.now - t0).milliseconds)"])
    }

    private func caughtUp(_ consumer: KafkaConsumer) throws -> Bool {
        guard !partitions.isEmpty else { return false }
        for (tp, state) in partitions {
            let (low, high) = try consumer.watermarks(tp, timeout: .seconds(5))
            if high > low && state.nextOffset < high { return false }
        }
        return true
    }

    // MARK: The hot path

    private func process(_ batch: KafkaMessageBatch) throws {
        let now = Self.nowMs()
        var decoded = 0
        for message in batch {
            guard let state = state(of: message) else { continue }
            let offset = message.offset
            if offset < state.nextOffset { continue } // already in the state (a replay overlap)
            let value = message.value
            switch decoder.decode(value) {
            case let .bad(reason, detail):
                try deadLetter(message, state, reason, detail, now)
            case .ok:
                decoded += 1
                let position = RecordPosition(topic: state.topic, partition: state.partition, offset: offset,
                                              eventTime: decoder.eventTimeMs ?? message.timestamp,
                                              kafkaKey: message.key)
                var late = false
                for stage in state.stages where !stage.process(decoder, at: position, now: now, emissions: &emissions) {
                    late = true
                }
                if late {
                    decoder.count(.late)
                    try deadLetter(message, state, .late, "the record's event-time window had already closed", now)
                }
            }
            state.nextOffset = offset + 1
            state.recordsSinceCheckpoint += 1
        }
        summary.records += batch.count
        summary.decoded += decoded
        metrics?.records.increment(by: Int64(decoded))
    }

    @inline(__always)
    private func state(of message: KafkaMessage) -> PartitionState? {
        let topic = message.topicHandle
        let partition = message.partition
        if topic == cachedTopic && partition == cachedPartition { return cachedState }
        let state = partitions[TopicPartition(String(cString: message.topicName), partition)]
        cachedTopic = topic
        cachedPartition = partition
        cachedState = state
        return state
    }

    private func invalidateCache() {
        cachedTopic = nil
        cachedPartition = -1
        cachedState = nil
    }

    private func deadLetter(_ m: KafkaMessage, _ s: PartitionState, _ reason: DeadLetterReason, _ detail: String,
                            _ now: Int64) throws {
        summary.deadLetters[reason.rawValue, default: 0] += 1
        metrics?.deadLetters[reason.index].increment()
        guard let sink = spec.sinks.deadLetter else { return }
        let body = DeadLetter.json(pipeline: spec.name, topic: s.topic, partition: s.partition, offset: m.offset,
                                   reason: reason, detail: detail, key: m.key, value: m.value, now: now)
        try body.withUnsafeBytes { v in
            try producer.produce(topic: sink.topic, key: m.key, value: v,
                                 headers: [KafkaHeader("shannon.reason", reason.rawValue),
                                           KafkaHeader("shannon.pipeline", spec.name)])
        }
    }

    /// Produces what the batch's closed windows emitted.
    private func publish() throws {
        guard !emissions.isEmpty else { return }
        var w = JSONWriter()
        for e in emissions {
            let key = Array("\(spec.name)/\(e.stage)/\(e.key)".utf8)
            summary.windows[e.stage, default: 0] += 1
            metrics?.windows[e.stage]?.increment()
            for alert in [e.alert].compactMap({ $0 }) + e.notices {
                w.reset()
                alert.write(to: &w)
                try producer.produce(topic: spec.sinks.alerts.topic, key: key, value: w.bytes,
                                     headers: [KafkaHeader("shannon.alert.id", alert.id)])
                if alert.state == .firing {
                    summary.alertsFiring += 1
                    metrics?.alertsFiring[e.stage]?.increment()
                } else {
                    summary.alertsResolved += 1
                    metrics?.alertsResolved[e.stage]?.increment()
                }
            }
            if let sink = spec.sinks.windows {
                w.reset()
                writeWindow(e, to: &w)
                try producer.produce(topic: sink.topic, key: key, value: w.bytes)
            }
        }
        emissions.removeAll(keepingCapacity: true)
    }

    private func writeWindow(_ e: StageEmission, to w: inout JSONWriter) {
        w.beginObject()
        w.field("pipeline", spec.name)
        w.field("stage", e.stage)
        w.field("stage_type", e.stageType.rawValue)
        w.field("key", e.key)
        w.key("window")
        w.beginObject()
        w.field("topic", e.window.topic)
        w.field("partition", Int64(e.window.partition))
        w.field("start_offset", e.window.startOffset)
        w.field("end_offset", e.window.endOffset)
        w.field("start_time", e.window.startTime)
        w.field("end_time", e.window.endTime)
        w.field("records", e.window.records)
        w.endObject()
        w.key("figures")
        w.beginObject()
        for f in e.report.figures { w.field(f.name, f.value) }
        w.endObject()
        w.field("detail", e.report.detail)
        w.endObject()
    }

    // MARK: Checkpoints

    private func maybeCheckpoint() throws {
        let due = ContinuousClock.now - lastCheckpoint >= .seconds(spec.checkpoint.everySeconds)
            || partitions.values.contains { $0.recordsSinceCheckpoint >= spec.checkpoint.everyRecords }
        if due { try checkpointAll(force: false) }
    }

    /// Makes the state of every changed partition durable, then commits its offset. Alerts and
    /// dead letters of the records it covers are flushed first: a checkpoint never gets ahead of
    /// what was published (alerts are at-least-once).
    private func checkpointAll(force: Bool) throws {
        lastCheckpoint = ContinuousClock.now
        let changed = partitions.values.filter { $0.recordsSinceCheckpoint > 0 || (force && $0.nextGeneration == 1) }
        guard !changed.isEmpty else { return }
        try checkpoint(changed)
    }

    private func checkpoint(_ states: [PartitionState]) throws {
        try publish()
        do {
            try producer.flush(timeout: .seconds(30))
        } catch {
            metrics?.checkpointFailures.increment()
            logger.warning("checkpoint postponed: alerts not yet delivered", metadata: ["error": "\(error)"])
            return
        }
        if let deliveries, deliveries.failureCount > failuresAtCheckpoint {
            // An alert or dead letter since the last checkpoint was not delivered: checkpointing
            // now would skip it forever. Stop instead; a restart replays from the last checkpoint.
            metrics?.checkpointFailures.increment()
            throw RuntimeError.deliveryFailed(deliveries.failureCount - failuresAtCheckpoint, deliveries.lastError)
        }
        var offsets: [TopicPartition: Int64] = [:]
        for s in states where s.nextOffset >= 0 {
            let c = Checkpoint(pipeline: spec.name, topic: s.topic, partition: s.partition, nextOffset: s.nextOffset,
                               generation: s.nextGeneration, createdAtMs: Self.nowMs(),
                               fingerprints: plan.fingerprints, entries: s.stages.flatMap { $0.checkpointEntries() })
            do {
                try store.write(c)
            } catch {
                metrics?.checkpointFailures.increment()
                logger.error("checkpoint failed; state kept in memory, retried next time",
                             metadata: ["partition": "\(s.topicPartition)", "error": "\(error)"])
                continue
            }
            s.nextGeneration += 1
            s.recordsSinceCheckpoint = 0
            summary.checkpoints += 1
            metrics?.checkpoints.increment()
            offsets[s.topicPartition] = s.nextOffset
        }
        metrics?.lastCheckpoint.set(Double(Self.nowMs()) / 1000)
        // The checkpoint is the source of truth; the committed offset follows it, for lag
        // monitoring and for consumers of the group that don't read checkpoints.
        if options.manualPartitions == nil, let consumer, !offsets.isEmpty {
            do { try consumer.commit(offsets) } catch {
                logger.warning("offset commit failed (the checkpoint is durable)", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Rebalances

    private func rebalance(_ event: RebalanceEvent) -> [TopicPartition: StartOffset] {
        switch event {
        case let .assigned(tps):
            do { return try assigned(tps) } catch {
                fatal = error
                return [:]
            }
        case let .revoked(tps):
            if !abandoning {
                let states = tps.compactMap { partitions[$0] }.filter { $0.recordsSinceCheckpoint > 0 }
                do { try checkpoint(states) } catch { logger.error("checkpoint on revocation failed", metadata: ["error": "\(error)"]) }
            }
            drop(tps)
            logger.info("partitions revoked", metadata: ["partitions": "\(tps.map(\.description).sorted().joined(separator: ","))"])
            return [:]
        case let .lost(tps):
            drop(tps)
            logger.warning("partitions lost (not checkpointed)", metadata: ["partitions": "\(tps.map(\.description).sorted().joined(separator: ","))"])
            return [:]
        }
    }

    private func drop(_ tps: [TopicPartition]) {
        for tp in tps { partitions[tp] = nil }
        invalidateCache()
        metrics?.partitions.set(Double(partitions.count))
    }

    /// Loads each partition's newest valid checkpoint; returns where each starts reading.
    private func assigned(_ tps: [TopicPartition]) throws -> [TopicPartition: StartOffset] {
        var starts: [TopicPartition: StartOffset] = [:]
        for tp in tps {
            var result: CheckpointLoadResult
            do {
                result = try store.loadLatest(pipeline: spec.name, topic: tp.topic, partition: tp.partition,
                                              expectedFingerprints: plan.fingerprints)
            } catch let error as CheckpointError {
                guard options.resetState, case .configurationChanged = error else {
                    throw RuntimeError.checkpointRefused(tp, "\(error)")
                }
                logger.warning("stage configuration changed: state reset (--reset-state)",
                               metadata: ["partition": "\(tp)", "reason": "\(error)"])
                try store.reset(pipeline: spec.name, topic: tp.topic, partition: tp.partition)
                result = CheckpointLoadResult()
            }
            for skipped in result.skipped {
                logger.error("corrupt checkpoint skipped, using the previous generation",
                             metadata: ["partition": "\(tp)", "detail": "\(skipped)"])
            }
            if let c = result.checkpoint {
                let state = try plan.restorePartition(c)
                state.nextGeneration = max(state.nextGeneration, result.nextGeneration)
                partitions[tp] = state
                starts[tp] = .offset(c.nextOffset)
                summary.restoredPartitions += 1
                logger.info("partition restored", metadata: ["partition": "\(tp)", "next_offset": "\(c.nextOffset)",
                                                             "generation": "\(c.generation)"])
            } else {
                let state = plan.makePartition(topic: tp.topic, partition: tp.partition, nextOffset: -1)
                state.nextGeneration = result.nextGeneration
                partitions[tp] = state
                switch spec.source.start {
                case .committed: starts[tp] = .committed
                case .earliest: starts[tp] = .beginning
                case .latest: starts[tp] = .end
                case let .timestamp(ms):
                    let found = try consumer?.offsets(forTimestamp: ms, partitions: [tp])[tp] ?? -1
                    starts[tp] = found >= 0 ? .offset(found) : .end
                }
                logger.info("partition assigned (no checkpoint)", metadata: ["partition": "\(tp)"])
            }
        }
        invalidateCache()
        metrics?.partitions.set(Double(partitions.count))
        return starts
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Errors that stop a pipeline.
public enum RuntimeError: Error, CustomStringConvertible {
    case checkpointRefused(TopicPartition, String)
    case deliveryFailed(Int, KafkaError?)

    public var description: String {
        switch self {
        case let .checkpointRefused(tp, why):
            "\(tp): \(why). Start with --reset-state to discard the old state, or restore the previous pipeline file."
        case let .deliveryFailed(n, error):
            "\(n) alert(s) or dead letter(s) could not be delivered (\(error.map { "\($0)" } ?? "unknown error")); "
                + "stopping without a checkpoint so that a restart produces them again"
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) * 1e-18
    }

    var milliseconds: Int64 {
        let (s, a) = components
        return s * 1000 + a / 1_000_000_000_000_000
    }
}
