import Foundation
import Logging
import ShannonCore
import ShannonKafka

/// Runs one pipeline against Kafka: consume in batches, hand each record to the pipeline's
/// `PipelineEngine`, produce what it emits (alerts, windows, dead letters), checkpoint.
///
/// Thread-confined: one worker per thread, like its consumer; a pipeline runs N of them
/// (PipelineWorkers.swift). The producer is shared (librdkafka producers are thread-safe).
/// Checkpoints and rebalances: PipelineWorker+Checkpoints.swift.
public final class PipelineWorker {
    public let plan: PipelinePlan
    let spec: PipelineSpec
    let options: RunOptions
    let producer: KafkaProducer
    let deliveries: DeliveryTracker?
    let logger: Logger
    let metrics: PipelineMetrics?
    let store: CheckpointStore
    /// The state changelog on Kafka, when the pipeline enables it (Checkpoint/ChangelogCoordinator.swift).
    var changelog: ChangelogCoordinator?
    let writer: CheckpointWriter
    let engine: PipelineEngine
    /// The engine's counts when metrics were last updated.
    private var countsAtMetrics: EngineCounts
    // Health and observation (issue #11; PipelineWorker+Health.swift): the probes' view of this
    // worker, and what lag/latency/keys metrics need between iterations.
    let health: WorkerHealth
    var observation: WorkerObservation

    var consumer: KafkaConsumer?
    var partitions: [TopicPartition: PartitionState] = [:]
    var summary: RunSummary
    var fatal: Error?
    var abandoning = false
    /// False from a revocation until the next assignment (also before the first): the worker
    /// cannot yet say it is caught up, even owning nothing.
    var hasAssignment = false
    var lastCheckpoint = ContinuousClock.now

    // One-entry cache: a batch mostly holds runs of one partition.
    @exclusivity(unchecked) private var cachedTopic: OpaquePointer?
    @exclusivity(unchecked) private var cachedPartition: Int32 = -1
    @exclusivity(unchecked) private var cachedState: PartitionState?

    /// - Parameter deliveries: the tracker whose `handler` the producer reports deliveries to;
    ///   with it, a failed delivery stops the worker before a checkpoint could skip the record.
    init(plan: PipelinePlan, options: RunOptions, producer: KafkaProducer, deliveries: DeliveryTracker? = nil,
                metrics: ShannonMetrics? = nil, health: WorkerHealth? = nil, logger: Logger? = nil) throws {
        self.plan = plan
        self.spec = plan.spec
        self.options = options
        self.producer = producer
        self.deliveries = deliveries
        var log = logger ?? Logger(label: "shannon.pipeline")
        log[metadataKey: "pipeline"] = "\(plan.spec.name)"
        self.logger = log
        self.metrics = metrics?.pipeline(plan.spec.name, stages: plan.spec.stages)
        self.store = CheckpointStore(directory: options.checkpointDirectory, keep: plan.spec.checkpoint.keep)
        self.engine = try PipelineEngine(plan: plan)
        self.writer = CheckpointWriter(store: store, producer: producer, deliveries: deliveries, logger: log,
                                       metrics: self.metrics)
        self.countsAtMetrics = engine.counts
        let health = health ?? WorkerHealth(pipeline: plan.spec.name, stallBound: WorkerHealth.stallBound(pollTimeout: options.pollTimeout))
        self.health = health
        self.observation = WorkerObservation(stages: plan.spec.stages.count, lastPollGauge: self.metrics?.lastPoll(worker: health.index))
        self.summary = RunSummary(pipeline: plan.spec.name)
        let cl = plan.spec.checkpoint.changelog
        if cl.enabled {
            let store = ChangelogStore(topic: cl.topic(pipeline: plan.spec.name), pipeline: plan.spec.name, producer: producer,
                                       deliveries: deliveries,
                                       connection: consumerConfiguration(), logger: log)
            changelog = ChangelogCoordinator(store: store, fingerprints: plan.fingerprints,
                                             maxMessageBytes: cl.maxMessageBytes - 512, logger: log)
        }
    }

    deinit { writer.stop() }

    /// The librdkafka consumer configuration of this pipeline.
    func consumerConfiguration() -> [String: String] {
        // Prefetch, bounded per worker in messages and in bytes (librdkafka 2.0.2 applies both to
        // the consumer's one queue, whatever the partition count; each may be overshot by one
        // fetch response). The worker, not the fetcher, is the bottleneck, and since the consumer
        // wakes the fetcher when the queue drains (ShannonKafka/FetchRefill.swift) the size no
        // longer sets the rate. 1 M-record bench (ops/bench/workers.sh, docs/benchmarks.md):
        // 50 000 messages 68–70 MiB peak RSS, 30 000 + 8 MiB 59–61, 25 000 + 8 MiB 56–58, 20 000
        // 54–55, all at the same rate. The
        // byte bound only binds for large records (8 MiB is ~100 000 of the bench's). A pipeline
        // file may set its own.
        var conf: [String: String] = ["queued.min.messages": "25000", "queued.max.messages.kbytes": "8192"]
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

    /// - Parameters:
    ///   - team: the pipeline's workers (PipelineWorkers.swift); this one sits at `seat`. A
    ///     sibling's failure stops this worker; `.untilCaughtUp` ends when the whole team is.
    public func run(limit: RunLimit = .untilStopped, stop: StopSignal = StopSignal(),
                    stopMode: StopMode = .graceful) throws -> RunSummary {
        try run(limit: limit, stop: stop, stopMode: stopMode, team: WorkerTeam(workers: 1), seat: 0)
    }

    func run(limit: RunLimit, stop: StopSignal, stopMode: StopMode, team: WorkerTeam, seat: Int) throws -> RunSummary {
        let started = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(), batchCapacity: options.batchSize,
                                         logger: logger) { [unowned self] _, event in self.rebalance(event) }
        self.consumer = consumer
        team.gather() // every worker subscribes at once: one group join, not one per worker
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
        loop: while !stop.isStopped && !team.failed {
            do {
                let batch = try consumer.poll(maxMessages: options.batchSize, timeout: options.pollTimeout)
                observe(batch) // health + once-a-second gauges (PipelineWorker+Health.swift)
                if let fatal { throw fatal }
                if batch.count > 0 {
                    process(batch)
                    try publish()
                }
                producer.poll()
                try maybeCheckpoint()
                if case let .records(n) = limit, engine.counts.records >= n { break loop }
                if case .untilCaughtUp = limit,
                   team.report(seat: seat, caughtUp: try caughtUp(consumer), owned: partitions.count) { break loop }
                if ContinuousClock.now - lastProgress >= options.progressInterval {
                    let secs = (ContinuousClock.now - lastProgress).seconds
                    let c = engine.counts
                    logger.info("progress", metadata: [
                        "records": "\(c.records)",
                        "rate": "\(Int(Double(c.records - recordsAtProgress) / max(secs, 1e-9)))/s",
                        "dead_letters": "\(c.deadLetters.reduce(0, +))",
                        "alerts": "\(c.alertsFiring.reduce(0, +) + c.alertsResolved.reduce(0, +))",
                        "partitions": "\(partitions.count)",
                    ])
                    lastProgress = ContinuousClock.now
                    recordsAtProgress = c.records
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
            writer.abandon()
            partitions.removeAll()
            invalidateCache()
            reportPartitions()
            try? consumer.close()
        }
        writer.stop()
        self.consumer = nil
        summary.absorb(engine.counts, stages: spec.stages.map(\.id))
        summary.seconds = (ContinuousClock.now - started).seconds
        if let failure { throw failure }
        return summary
    }

    /// Final checkpoint, flush, commit, leave the group.
    private func shutdown(_ consumer: KafkaConsumer) throws {
        let t0 = ContinuousClock.now
        try checkpointAll(force: true)
        try drainCheckpoints()
        try consumer.close() // revocation: nothing new to checkpoint
        logger.info("stopped", metadata: ["records": "\(engine.counts.records)", "checkpoints": "\(summary.checkpoints)",
                                          "shutdown_ms": "\((ContinuousClock.now - t0).milliseconds)"])
    }

    /// Whether every owned partition has been read to its end: the high watermark of the last
    /// fetch response, which librdkafka keeps per partition, so the check costs no request.
    /// Asking the broker instead (ListOffsets) queued behind the fetch it was holding on the
    /// same connection, up to `fetch.wait.max.ms` (500 ms) per partition: 1.5 s at the end of
    /// every 3-partition bench run. Before a partition's first fetch response the answer is no.
    /// Owning nothing after an assignment is caught up (the team decides whether that ends it).
    private func caughtUp(_ consumer: KafkaConsumer) throws -> Bool {
        guard hasAssignment else { return false }
        for (tp, state) in partitions {
            guard let end = consumer.lastFetchedWatermarks(tp) else { return false }
            if end.high > end.low && state.nextOffset < end.high { return false }
        }
        return true
    }

    // MARK: The hot path

    private func process(_ batch: KafkaMessageBatch) {
        let now = Self.nowMs()
        for message in batch {
            guard let state = state(of: message) else { continue }
            engine.process(value: message.value, key: message.key, offset: message.offset, timestamp: message.timestamp,
                           in: state, now: now)
        }
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

    func invalidateCache() {
        cachedTopic = nil
        cachedPartition = -1
        cachedState = nil
    }

    /// Produces what the engine emitted (closed windows' alerts and figures, dead letters).
    func publish() throws {
        try engine.drainOutbound { record in
            let topic: String
            switch record.kind {
            case .alert: topic = spec.sinks.alerts.topic
            case .window: topic = spec.sinks.windows!.topic
            case .deadLetter: topic = spec.sinks.deadLetter!.topic
            }
            try producer.produce(topic: topic, key: record.key, value: record.value,
                                 headers: record.headers.map { KafkaHeader($0.name, $0.value) },
                                 id: messageID(for: record)) // alerts' delivery is timed (PipelineWorker+Health.swift)
        }
        updateMetrics()
        observeClosedWindows() // window-close latency (PipelineWorker+Health.swift)
    }

    /// Adds what the engine counted since the last call to the Prometheus counters.
    private func updateMetrics() {
        guard let metrics else { return }
        let now = engine.counts
        let before = countsAtMetrics
        guard now != before else { return }
        if now.decoded > before.decoded { metrics.records.increment(by: Int64(now.decoded - before.decoded)) }
        for i in now.deadLetters.indices where now.deadLetters[i] > before.deadLetters[i] {
            metrics.deadLetters[i].increment(by: Int64(now.deadLetters[i] - before.deadLetters[i]))
        }
        for (i, stage) in spec.stages.enumerated() {
            if now.keysEvicted[i] > before.keysEvicted[i] { metrics.keysEvicted[i].increment(by: Int64(now.keysEvicted[i] - before.keysEvicted[i])) }
            if now.windows[i] > before.windows[i] { metrics.windows[stage.id]?.increment(by: Int64(now.windows[i] - before.windows[i])) }
            if now.alertsFiring[i] > before.alertsFiring[i] {
                metrics.alertsFiring[stage.id]?.increment(by: Int64(now.alertsFiring[i] - before.alertsFiring[i]))
            }
            if now.alertsResolved[i] > before.alertsResolved[i] {
                metrics.alertsResolved[stage.id]?.increment(by: Int64(now.alertsResolved[i] - before.alertsResolved[i]))
            }
        }
        countsAtMetrics = now
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension RunSummary {
    /// Copies the engine's counts in, by name.
    mutating func absorb(_ c: EngineCounts, stages: [String]) {
        records = c.records
        decoded = c.decoded
        deadLetters = PipelineEngine.named(c.deadLetters)
        alertsFiring = c.alertsFiring.reduce(0, +)
        alertsResolved = c.alertsResolved.reduce(0, +)
        windows = [:]
        for (i, id) in stages.enumerated() where c.windows[i] > 0 { windows[id] = c.windows[i] }
    }
}

/// Errors that stop a pipeline.
public enum RuntimeError: Error, CustomStringConvertible {
    case checkpointRefused(TopicPartition, String)
    case deliveryFailed(Int, KafkaError?)
    /// The run was abandoned (crash tests): nothing more is checkpointed.
    case abandoned

    public var description: String {
        switch self {
        case let .checkpointRefused(tp, why):
            "\(tp): \(why). Start with --reset-state to discard the old state, or restore the previous pipeline file."
        case let .deliveryFailed(n, error):
            "\(n) alert(s) or dead letter(s) could not be delivered (\(error.map { "\($0)" } ?? "unknown error")); "
                + "stopping without a checkpoint so that a restart produces them again"
        case .abandoned:
            "abandoned: no further checkpoint"
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
