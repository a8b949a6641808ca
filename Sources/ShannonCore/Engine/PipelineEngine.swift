import ShannonStats

/// Runs a pipeline plan over records in memory: decode, update every stage of the record's
/// partition, and turn closed windows and bad records into `OutboundRecord`s.
///
/// This is everything a worker does except talk to Kafka and write files, so the daemon's
/// worker, the in-process driver of `ShannonTestSupport` and `shannon test` share one code
/// path. Thread-confined: one engine per thread; a `PartitionState` belongs to one engine.
public final class PipelineEngine {
    public let plan: PipelinePlan
    /// The plan's spec, kept once (a computed `plan.spec` copied the whole struct per access).
    public let spec: PipelineSpec
    let decoder: RecordDecoder
    private let alertKeys: [String]
    // Unchecked exclusivity on the per-record state below: the engine is thread-confined and
    // never overlaps two accesses (the checks were ~8% of the worker's time).
    @exclusivity(unchecked) private var emissions: [StageEmission] = []
    @exclusivity(unchecked) public private(set) var outbound: [OutboundRecord] = []
    @exclusivity(unchecked) private var tally: EngineCounts
    /// The key gauges every partition's stage runners update (kept apart from `tally`: runners
    /// of many partitions share it, and a dropped partition takes its keys off when it goes).
    private let keyCounts: KeyCounts
    private let stageIndex: [String: Int]

    public init(plan: PipelinePlan) throws {
        self.plan = plan
        self.spec = plan.spec
        guard let decoder = RecordDecoder(spec: plan.spec.decode) else {
            throw PlanError(stage: "-", message: "cannot allocate the JSON decoder")
        }
        self.decoder = decoder
        self.tally = EngineCounts(stages: plan.spec.stages.count)
        self.keyCounts = KeyCounts(stages: plan.spec.stages.count)
        self.stageIndex = Dictionary(uniqueKeysWithValues: plan.spec.stages.enumerated().map { ($1.id, $0) })
        self.alertKeys = plan.spec.stages.map { "\(plan.spec.name)/\($0.id)/" }
    }

    /// What the engine has done so far, with the keys its stages hold now.
    public var counts: EngineCounts {
        var c = tally
        c.keysHeld = keyCounts.held
        c.keysEvicted = keyCounts.evicted
        return c
    }

    // MARK: Partitions

    /// Fresh (empty) state for a partition that starts at `nextOffset` (-1: wherever the
    /// source starts).
    public func makePartition(topic: String, partition: Int32, nextOffset: Int64 = -1) -> PartitionState {
        attach(plan.makePartition(topic: topic, partition: partition, nextOffset: nextOffset))
    }

    /// A partition's state restored from a checkpoint (fingerprints already checked).
    public func restorePartition(_ checkpoint: Checkpoint) throws -> PartitionState {
        attach(try plan.restorePartition(checkpoint))
    }

    private func attach(_ state: PartitionState) -> PartitionState {
        for (i, stage) in state.stages.enumerated() { stage.attach(keyCounts, stage: i) }
        return state
    }

    /// The checkpoint of `state` as it is now: every stage's state and the next offset.
    public func checkpoint(of state: PartitionState, createdAtMs: Int64) -> Checkpoint {
        Checkpoint(pipeline: spec.name, topic: state.topic, partition: state.partition, nextOffset: state.nextOffset,
                   generation: state.nextGeneration, createdAtMs: createdAtMs, fingerprints: plan.fingerprints,
                   entries: state.stages.flatMap { $0.checkpointEntries() })
    }

    // MARK: The hot path

    /// Processes one record of `state`'s partition. A record below the state's next offset is
    /// already in the state (a replay overlap after a restore) and is skipped.
    ///
    /// - Parameters:
    ///   - timestamp: the record's own time (Kafka's), used when the file declares no event time.
    ///   - now: wall-clock milliseconds, stamped on dead letters and alerts.
    @inline(__always)
    public func process(value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, offset: Int64, timestamp: Int64?,
                        in state: PartitionState, now: Int64) {
        tally.records += 1
        if offset < state.nextOffset { return }
        switch decoder.decode(value) {
        case let .bad(reason, detail):
            deadLetter(value: value, key: key, offset: offset, state, reason, detail, now)
        case .ok:
            tally.decoded += 1
            let position = RecordPosition(topic: state.topic, partition: state.partition, offset: offset,
                                          eventTime: decoder.eventTimeMs ?? timestamp, kafkaKey: key)
            var late = false
            for stage in state.stages where !stage.process(decoder, at: position, now: now, emissions: &emissions) {
                late = true
            }
            if late {
                decoder.count(.late)
                deadLetter(value: value, key: key, offset: offset, state, .late,
                           "the record's event-time window had already closed", now)
            }
        }
        state.nextOffset = offset + 1
        state.recordsSinceCheckpoint += 1
    }

    /// `process` over bytes held in arrays (tests, files, `shannon test`).
    public func process(value: [UInt8], key: [UInt8]? = nil, offset: Int64, timestamp: Int64?, in state: PartitionState,
                        now: Int64) {
        value.withUnsafeBytes { v in
            if let key {
                key.withUnsafeBytes { k in process(value: v, key: k, offset: offset, timestamp: timestamp, in: state, now: now) }
            } else {
                process(value: v, key: nil, offset: offset, timestamp: timestamp, in: state, now: now)
            }
        }
    }

    /// Closes every open window of `state` (event-time windows at the end of a bounded input).
    public func closeAll(_ state: PartitionState, now: Int64) {
        for stage in state.stages { stage.closeAll(topic: state.topic, partition: state.partition, now: now, emissions: &emissions) }
    }

    private func deadLetter(value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, offset: Int64,
                            _ s: PartitionState, _ reason: DeadLetterReason, _ detail: String, _ now: Int64) {
        tally.deadLetters[reason.index] += 1
        guard spec.sinks.deadLetter != nil else { return }
        let body = DeadLetter.json(pipeline: spec.name, topic: s.topic, partition: s.partition, offset: offset,
                                   reason: reason, detail: detail, key: key, value: value, now: now)
        outbound.append(OutboundRecord(kind: .deadLetter(reason), key: key.map { Array($0) }, value: body,
                                       headers: [("shannon.reason", reason.rawValue), ("shannon.pipeline", spec.name)]))
    }

    // MARK: Output

    /// Turns the windows closed since the last call into alerts and window records, appended to
    /// `outbound` in the order they closed.
    public func flushEmissions() {
        guard !emissions.isEmpty else { return }
        var w = JSONWriter()
        let windowsSink = spec.sinks.windows != nil
        for e in emissions {
            let stage = stageIndex[e.stage]!
            let key = Array((alertKeys[stage] + e.key).utf8)
            if e.evicted == nil { tally.windows[stage] += 1 }
            for alert in [e.alert].compactMap({ $0 }) + e.notices {
                w.reset()
                alert.write(to: &w)
                outbound.append(OutboundRecord(kind: .alert(stage: stage, state: alert.state), key: key, value: w.bytes,
                                               headers: [("shannon.alert.id", alert.id)]))
                if alert.state == .firing { tally.alertsFiring[stage] += 1 } else { tally.alertsResolved[stage] += 1 }
            }
            if windowsSink, e.evicted == nil || e.window.records > 0 {
                w.reset()
                WindowRecord.write(e, pipeline: spec.name, to: &w)
                outbound.append(OutboundRecord(kind: .window(stage: stage), key: key, value: w.bytes, headers: []))
            }
        }
        emissions.removeAll(keepingCapacity: true)
    }

    /// Hands every pending outbound record to `send`, in order, and forgets them. If `send`
    /// throws, the records not yet sent stay pending.
    public func drainOutbound(_ send: (OutboundRecord) throws -> Void) rethrows {
        flushEmissions()
        var sent = 0
        defer { outbound.removeFirst(sent) }
        for record in outbound {
            try send(record)
            sent += 1
        }
    }

    /// Dead letters by reason, as names (for summaries).
    public static func named(_ deadLetters: [Int]) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in DeadLetterReason.allCases where deadLetters[r.index] > 0 { out[r.rawValue] = deadLetters[r.index] }
        return out
    }
}
