import Logging
import ShannonCore
import ShannonKafka

// Checkpoints and rebalances: when the worker makes a partition's state durable, and how it
// takes a partition on and hands it back.
extension PipelineWorker {

    func maybeCheckpoint() throws {
        try absorb(writer.collect())
        let due = ContinuousClock.now - lastCheckpoint >= .seconds(spec.checkpoint.everySeconds)
            || partitions.values.contains { $0.recordsSinceCheckpoint >= spec.checkpoint.everyRecords }
        if due { try checkpointAll(force: false) }
    }

    /// Snapshots every changed partition and hands the round to the checkpoint writer, which
    /// makes it durable once the alerts and dead letters it covers are delivered (a checkpoint
    /// never gets ahead of what was published: alerts are at-least-once).
    func checkpointAll(force: Bool) throws {
        lastCheckpoint = ContinuousClock.now
        let changed = partitions.values.filter { $0.recordsSinceCheckpoint > 0 || (force && $0.nextGeneration == 1) }
        guard !changed.isEmpty else { return }
        try submit(changed)
    }

    /// The snapshot is a value: encoding the stage states is the only part done here; the
    /// delivery wait, compression, file writes and fsyncs happen on the writer thread.
    private func submit(_ states: [PartitionState]) throws {
        try publish()
        let now = Self.nowMs()
        var round = CheckpointWriter.Round(checkpoints: [], lastMessageID: deliveries?.lastIssued ?? 0)
        for s in states where s.nextOffset >= 0 {
            let c = engine.checkpoint(of: s, createdAtMs: now)
            if let changelog {
                // Produced now, in order, with tracked ids: the round below waits for their
                // delivery as for the alerts', so offsets follow only a delivered changelog.
                do {
                    try changelog.write(c, createdAtMs: now)
                } catch let error as ChangelogError {
                    metrics?.checkpointFailures.increment()
                    throw RuntimeError.checkpointRefused(s.topicPartition, "\(error)")
                }
            }
            round.checkpoints.append(c)
            s.nextGeneration += 1
            s.recordsSinceCheckpoint = 0
        }
        guard !round.checkpoints.isEmpty else { return }
        round.lastMessageID = deliveries?.lastIssued ?? 0
        // The changelog's hashes move on now: if a write is refused, the writer's outcome stops
        // the worker (as for a refused alert) and the restart restores from what was delivered.
        changelog?.committed()
        writer.submit(round)
    }

    /// Waits for every submitted round, then acts on the outcome; offsets are committed
    /// synchronously (revocation and shutdown: the partitions are about to leave).
    func drainCheckpoints() throws {
        try absorb(writer.drain(), synchronousCommit: true)
    }

    /// Acts on what finished rounds reported: a refused delivery stops the worker; partitions
    /// whose write failed are checkpointed again next round; durable offsets are committed.
    func absorb(_ o: CheckpointWriter.Outcome, synchronousCommit: Bool = false) throws {
        if let fatal = o.fatal {
            metrics?.checkpointFailures.increment()
            throw fatal
        }
        for tp in o.retry {
            metrics?.checkpointFailures.increment()
            if let s = partitions[tp] { s.recordsSinceCheckpoint = max(s.recordsSinceCheckpoint, 1) }
        }
        guard o.written > 0 else { return }
        summary.checkpoints += o.written
        metrics?.checkpoints.increment(by: Int64(o.written))
        metrics?.lastCheckpoint.set(Double(Self.nowMs()) / 1000)
        // The checkpoint is the source of truth; the committed offset follows it, for lag
        // monitoring and for consumers of the group that don't read checkpoints. Only owned
        // partitions: a revoked one was committed synchronously before it left.
        let offsets = o.durable.filter { partitions[$0.key] != nil }
        if options.manualPartitions == nil, let consumer, !offsets.isEmpty {
            do { try consumer.commit(offsets, async: !synchronousCommit) } catch {
                logger.warning("offset commit failed (the checkpoint is durable)", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Rebalances

    func rebalance(_ event: RebalanceEvent) -> [TopicPartition: StartOffset] {
        switch event {
        case let .assigned(tps):
            do { return try assigned(tps) } catch {
                fatal = error
                return [:]
            }
        case let .revoked(tps):
            if !abandoning {
                let states = tps.compactMap { partitions[$0] }.filter { $0.recordsSinceCheckpoint > 0 }
                do {
                    if !states.isEmpty { try submit(states) }
                    try drainCheckpoints()
                } catch {
                    fatal = fatal ?? error
                    logger.error("checkpoint on revocation failed", metadata: ["error": "\(error)"])
                }
            }
            changelog?.release(tps)
            drop(tps)
            hasAssignment = false // the group is rebalancing: an assignment (maybe empty) follows
            logger.info("partitions revoked", metadata: ["partitions": "\(tps.map(\.description).sorted().joined(separator: ","))"])
            return [:]
        case let .lost(tps):
            changelog?.release(tps) // fenced: this daemon never writes their state again
            drop(tps)
            logger.warning("partitions lost (not checkpointed)", metadata: ["partitions": "\(tps.map(\.description).sorted().joined(separator: ","))"])
            return [:]
        }
    }

    private func drop(_ tps: [TopicPartition]) {
        for tp in tps { partitions[tp] = nil }
        invalidateCache()
        reportPartitions()
        partitionsChanged() // health: ready with what is left (PipelineWorker+Health.swift)
    }

    /// Loads each partition's newest valid checkpoint (from the changelog when enabled, else
    /// the local files); returns where each starts reading.
    func assigned(_ tps: [TopicPartition]) throws -> [TopicPartition: StartOffset] {
        assignmentStarted(tps) // health: not ready while restoring (PipelineWorker+Health.swift)
        try drainCheckpoints() // a partition handed back must be loaded from its newest file
        var starts: [TopicPartition: StartOffset] = [:]
        var chosen: [TopicPartition: (Checkpoint?, UInt64)] = [:]
        if let changelog {
            let choices = try changelog.restore(tps, resetState: options.resetState) { tp in
                do {
                    let r = try loadLocal(tp)
                    return (r, r.skipped.isEmpty ? nil : r.skipped.map(\.description).joined(separator: "; "))
                } catch {
                    return (nil, "unusable: \(error)")
                }
            }
            for (tp, c) in choices { chosen[tp] = (c.checkpoint, c.nextGeneration) }
        } else {
            for tp in tps {
                let r = try loadLocal(tp)
                chosen[tp] = (r.checkpoint, r.nextGeneration)
            }
        }
        for tp in tps {
            let (checkpoint, nextGeneration) = chosen[tp] ?? (nil, 1)
            if let c = checkpoint {
                let state = try engine.restorePartition(c)
                state.nextGeneration = max(state.nextGeneration, nextGeneration)
                partitions[tp] = state
                starts[tp] = .offset(c.nextOffset)
                summary.restoredPartitions += 1
                logger.info("partition restored", metadata: ["partition": "\(tp)", "next_offset": "\(c.nextOffset)",
                                                             "generation": "\(c.generation)"])
            } else {
                let state = engine.makePartition(topic: tp.topic, partition: tp.partition)
                state.nextGeneration = nextGeneration
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
        hasAssignment = true
        reportPartitions()
        partitionsChanged() // health: restored, ready (PipelineWorker+Health.swift)
        return starts
    }

    /// The newest valid local checkpoint of `tp` (skips logged); refuses another configuration's
    /// state unless `--reset-state`.
    private func loadLocal(_ tp: TopicPartition) throws -> CheckpointLoadResult {
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
        return result
    }
}
