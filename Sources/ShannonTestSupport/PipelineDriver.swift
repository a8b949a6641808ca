import ShannonCore

/// Runs a pipeline in process, with no broker: records in, alerts, window figures and dead
/// letters out — Shannon's counterpart of Kafka Streams' `TopologyTestDriver`.
///
/// It drives the same `PipelineEngine` the daemon's worker drives, so what it reports is what
/// the daemon would produce for the same records in the same order per partition. What it adds
/// is bookkeeping a test wants: offsets numbered per partition when not given, every output
/// collected and decoded, checkpoints taken and restored as the daemon's checkpoint rounds do.
///
/// Every output is collected whatever the file's `sinks:` say: the driver runs the plan with a
/// windows and a dead-letter sink set (sinks change where records go, never what a stage
/// computes, and they are not part of any checkpoint fingerprint).
///
/// Deterministic: alerts and dead letters are stamped with `now` (default 0), not the wall clock,
/// so two runs over the same records give byte-identical outputs and checkpoints.
public final class PipelineDriver {
    public let engine: PipelineEngine
    public var spec: PipelineSpec { engine.spec }
    /// Wall-clock milliseconds stamped on alerts (`emitted_at`), dead letters and checkpoints.
    public var now: Int64 = 0

    /// Alerts (and one-time notices) in the order they were produced.
    public private(set) var alerts: [Alert] = []
    /// Window records (what the windows sink would receive), parsed.
    public private(set) var windows: [JSONValue] = []
    /// Dead letters (schemas/dead-letter.schema.json), parsed.
    public private(set) var deadLetters: [JSONValue] = []
    /// Every outbound record, raw, in order (keys and headers as the daemon would produce them).
    public private(set) var outbound: [OutboundRecord] = []

    private var partitions: [PartitionKey: PartitionState] = [:]
    /// Partitions in the order they were first fed, so `finish()` and summaries are stable.
    private var order: [PartitionKey] = []

    struct PartitionKey: Hashable {
        var topic: String
        var partition: Int32
    }

    /// Why a driver cannot run (the file is invalid, a plan cannot be built, an output is not JSON).
    public struct DriverError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Drives `plan`; checkpoints from an earlier driver (or the daemon) can be restored with `restore(_:)`.
    public init(plan: PipelinePlan) throws {
        engine = try PipelineEngine(plan: try Self.collectingEverything(plan))
    }

    /// Loads and validates the pipeline file at `path` (relative paths in it resolve against its
    /// directory), then builds its plan.
    public convenience init(pipelineFile path: String, environment: [String: String] = [:]) throws {
        let spec: PipelineSpec
        do {
            spec = try PipelineLoader.load(path: path, environment: environment)
        } catch {
            throw DriverError(description: error.description)
        }
        try self.init(plan: try PipelinePlan(spec: spec))
    }

    /// The plan with both optional sinks set, so the engine writes every output.
    private static func collectingEverything(_ plan: PipelinePlan) throws -> PipelinePlan {
        guard plan.spec.sinks.windows == nil || plan.spec.sinks.deadLetter == nil else { return plan }
        var spec = plan.spec
        // `TopicSink` has no public initialiser: copy the alerts sink and rename it.
        var sink = spec.sinks.alerts
        if spec.sinks.windows == nil { sink.topic = "shannon-windows"; spec.sinks.windows = sink }
        if spec.sinks.deadLetter == nil { sink.topic = "shannon-dead-letter"; spec.sinks.deadLetter = sink }
        return try PipelinePlan(spec: spec)
    }

    // MARK: Feeding records

    /// Feeds one record.
    ///
    /// - Parameters:
    ///   - topic: default the pipeline's first source topic.
    ///   - offset: default one past the partition's last offset (0 for a new partition). An
    ///     offset below the partition's next offset is a replay of a record already in the state
    ///     and is skipped, as the daemon skips it after a restore.
    ///   - timestamp: the Kafka timestamp, used when the file declares no `decode.event_time`.
    public func send(value: [UInt8], key: [UInt8]? = nil, topic: String? = nil, partition: Int32 = 0,
                     offset: Int64? = nil, timestamp: Int64? = nil) {
        let state = self.state(topic: topic ?? spec.source.topics.first ?? "input", partition: partition)
        let at = offset ?? max(state.nextOffset, 0)
        engine.process(value: value, key: key, offset: at, timestamp: timestamp, in: state, now: now)
        collect()
    }

    /// Feeds one record given as JSON text (any text: invalid JSON is dead-lettered, as it would be).
    public func send(json: String, key: String? = nil, topic: String? = nil, partition: Int32 = 0,
                     offset: Int64? = nil, timestamp: Int64? = nil) {
        send(value: Array(json.utf8), key: key.map { Array($0.utf8) }, topic: topic, partition: partition,
             offset: offset, timestamp: timestamp)
    }

    /// Feeds records of a generated stream in order, all on one partition.
    public func send(_ records: some Sequence<DemoStreams.Record>, topic: String? = nil, partition: Int32 = 0) {
        for r in records { send(value: r.value, key: r.key, topic: topic, partition: partition) }
    }

    /// Closes every open window of every partition: the end of a bounded input. Count windows
    /// that have not filled stay open (they close only on their last record); event-time
    /// windows close and report.
    public func finish() {
        for k in order { engine.closeAll(partitions[k]!, now: now) }
        collect()
    }

    // MARK: Reading back

    /// What the engine has counted so far (records, decoded, dead letters, windows, alerts).
    public var counts: EngineCounts { engine.counts }

    /// Dead letters by reason name, e.g. `["bad_json": 3]`.
    public var deadLetterCounts: [String: Int] { PipelineEngine.named(engine.counts.deadLetters) }

    /// Alerts of stage `stage`.
    public func alerts(stage: String) -> [Alert] { alerts.filter { $0.stage == stage } }

    /// Window records of stage `stage`.
    public func windows(stage: String) -> [JSONValue] { windows.filter { $0["stage"]?.stringValue == stage } }

    /// The partitions fed so far, in first-fed order.
    public var partitionsFed: [(topic: String, partition: Int32)] { order.map { ($0.topic, $0.partition) } }

    // MARK: Checkpoints

    /// Takes a checkpoint of a partition, as a checkpoint round of the daemon does: the state
    /// as it is now, after which the partition's generation advances (the checkpoint is treated
    /// as durable). Nil for a partition never fed.
    public func checkpoint(topic: String? = nil, partition: Int32 = 0) -> Checkpoint? {
        let k = PartitionKey(topic: topic ?? spec.source.topics.first ?? "input", partition: partition)
        guard let s = partitions[k] else { return nil }
        let c = engine.checkpoint(of: s, createdAtMs: now)
        s.nextGeneration += 1
        s.recordsSinceCheckpoint = 0
        return c
    }

    /// A checkpoint's file bytes (the format the daemon writes; see `CheckpointFile`).
    public func checkpointBytes(topic: String? = nil, partition: Int32 = 0) throws -> [UInt8]? {
        guard let c = checkpoint(topic: topic, partition: partition) else { return nil }
        return try CheckpointFile.encode(c)
    }

    /// Replaces a partition's state with the one `checkpoint` holds, as a restarted daemon
    /// does; records below its next offset are skipped when fed again. The checkpoint must come
    /// from the same pipeline configuration (stage fingerprints are checked).
    public func restore(_ checkpoint: Checkpoint) throws {
        for (stage, fp) in checkpoint.fingerprints where engine.plan.fingerprints[stage] != fp {
            throw DriverError(description: "checkpoint of stage '\(stage)' was written under another configuration")
        }
        let s = try engine.restorePartition(checkpoint)
        let k = PartitionKey(topic: s.topic, partition: s.partition)
        if partitions[k] == nil { order.append(k) }
        partitions[k] = s
    }

    /// Lets a partition go, as a daemon does when the group revokes it: its state (keys,
    /// partial windows) leaves the engine without a final window, and the key counts drop by
    /// what it held. Feeding the partition again starts it fresh.
    public func revoke(topic: String? = nil, partition: Int32 = 0) {
        let k = PartitionKey(topic: topic ?? spec.source.topics.first ?? "input", partition: partition)
        partitions[k] = nil
        order.removeAll { $0 == k }
    }

    /// A new driver over the same plan, restarted from `checkpoints` (one per partition): what
    /// a daemon that crashed after those checkpoints would start from. Outputs and counts
    /// start empty.
    public func restarted(from checkpoints: [Checkpoint]) throws -> PipelineDriver {
        let d = try PipelineDriver(plan: engine.plan)
        d.now = now
        for c in checkpoints { try d.restore(c) }
        return d
    }

    /// A new driver restarted from checkpoint file bytes (as `checkpointBytes` returns them).
    public func restarted(fromFiles files: [[UInt8]]) throws -> PipelineDriver {
        try restarted(from: files.map { try CheckpointFile.decode($0) })
    }

    // MARK: Internals

    private func state(topic: String, partition: Int32) -> PartitionState {
        let k = PartitionKey(topic: topic, partition: partition)
        if let s = partitions[k] { return s }
        let s = engine.makePartition(topic: topic, partition: partition)
        partitions[k] = s
        order.append(k)
        return s
    }

    /// Moves the engine's pending outputs into the collections. The engine writes only valid
    /// JSON, so a parse failure here is a bug worth stopping a test for.
    private func collect() {
        engine.drainOutbound { record in
            outbound.append(record)
            switch record.kind {
            case .alert:
                do { alerts.append(try Alert.decode(record.value)) } catch {
                    preconditionFailure("the engine wrote an alert that does not decode: \(error)")
                }
            case .window:
                do { windows.append(try JSONParser.parse(record.value)) } catch {
                    preconditionFailure("the engine wrote a window record that does not parse: \(error)")
                }
            case .deadLetter:
                do { deadLetters.append(try JSONParser.parse(record.value)) } catch {
                    preconditionFailure("the engine wrote a dead letter that does not parse: \(error)")
                }
            }
        }
    }
}
