import Logging
import ShannonCore
import ShannonKafka

/// Decides, per assigned partition, whether its state comes from the changelog or from the
/// local checkpoint files, and writes each checkpoint to the changelog. The worker's only
/// integration points: `restore` in the assignment handler, `write`/`committed` around a
/// checkpoint, `release` on revoke and loss.
///
/// The changelog is the truth: the local files are a cache for a fast restart on the same host,
/// used only when they hold exactly the newest marker's state (same generation, offset and
/// fingerprints). Without a marker in the changelog (a changelog just enabled) the local files
/// are used as before, and the first checkpoint copies their state into the changelog.
public final class ChangelogCoordinator {
    public let store: ChangelogStore
    let logger: Logger
    let fingerprints: [String: UInt64]
    let maxMessageBytes: Int
    private var trackers: [TopicPartition: ChangelogTracker] = [:]
    private var pending: [TopicPartition: ChangelogBatch] = [:]

    public init(store: ChangelogStore, fingerprints: [String: UInt64], maxMessageBytes: Int, logger: Logger) {
        self.store = store
        self.fingerprints = fingerprints
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
    }

    /// Where a partition's state comes from.
    public struct Choice {
        /// nil: start fresh.
        public var checkpoint: Checkpoint?
        public var source: Source
        /// Next generation number (above the local files' and the changelog's).
        public var nextGeneration: UInt64
        public enum Source: String { case changelog, localCache = "local cache", local, none }
    }

    /// Restores `tps` from the changelog and reconciles each with its local load (`local(tp)`;
    /// nil when the local files are unusable, with the reason in `localProblem`).
    /// - Throws: `CheckpointError.configurationChanged` when the changelog's state is from another
    ///   configuration (unless `resetState`), `ChangelogError`, Kafka errors.
    public func restore(_ tps: [TopicPartition], resetState: Bool,
                        local: (TopicPartition) throws -> (result: CheckpointLoadResult?, problem: String?)) throws
        -> [TopicPartition: Choice] {
        let restored = try store.restore(tps)
        var choices: [TopicPartition: Choice] = [:]
        for tp in tps {
            let r = restored[tp]!
            let result = r.result
            for stale in result.staleMarkers {
                logger.warning("changelog: stale owner's late checkpoint ignored", metadata: [
                    "partition": "\(tp)", "owner": "\(stale.owner)", "stale": "\(stale.tag)",
                    "stale_entries": "\(result.staleEntries)", "stale_next_offset": "\(stale.nextOffset)",
                    "newest": "\(result.marker.map { "\($0.tag)" } ?? "-")"])
            }
            var obsolete = result.obsoleteKeys
            var changelog = result.checkpoint
            if let c = changelog {
                do {
                    try CheckpointStore.checkFingerprints(saved: c.fingerprints, current: fingerprints)
                } catch {
                    guard resetState else { throw error }
                    logger.warning("changelog: stage configuration changed, state reset (--reset-state)",
                                   metadata: ["partition": "\(tp)", "reason": "\(error)"])
                    obsolete += c.entries.map {
                        ChangelogKey.entry(pipeline: store.pipeline, topic: tp.topic, partition: tp.partition, stage: $0.stageId,
                                           key: $0.key).bytes
                    }
                    changelog = nil
                }
            }
            let (localResult, problem) = try local(tp)
            let cached = localResult?.checkpoint
            let markerGeneration = result.marker?.tag.generation ?? 0
            let nextGeneration = max(localResult?.nextGeneration ?? 1, markerGeneration + 1)
            var choice: Choice
            if let c = changelog {
                if let l = cached, l.generation == c.generation, l.nextOffset == c.nextOffset, l.fingerprints == c.fingerprints {
                    choice = Choice(checkpoint: l, source: .localCache, nextGeneration: nextGeneration)
                } else {
                    let why = cached.map { "local generation \($0.generation) at offset \($0.nextOffset)" }
                        ?? problem ?? "no local checkpoint"
                    logger.notice("changelog wins over the local checkpoint", metadata: [
                        "partition": "\(tp)", "local": "\(why)",
                        "changelog": "generation \(c.generation) at offset \(c.nextOffset)"])
                    choice = Choice(checkpoint: c, source: .changelog, nextGeneration: nextGeneration)
                }
            } else if let l = cached, result.marker == nil {
                choice = Choice(checkpoint: l, source: .local, nextGeneration: nextGeneration)
            } else {
                choice = Choice(checkpoint: nil, source: .none, nextGeneration: nextGeneration)
            }
            logger.info("changelog restore", metadata: [
                "partition": "\(tp)", "source": "\(choice.source.rawValue)", "entries_read": "\(result.recordsRead)",
                "keys": "\(choice.checkpoint?.entries.count ?? 0)", "ignored_unfinished": "\(result.ignoredTentative)",
                "restore_ms": "\(Int(r.seconds * 1000))", "epoch": "\(result.nextEpoch)"])
            trackers[tp] = ChangelogTracker(epoch: result.nextEpoch, owner: ChangelogStore.ownerIdentity,
                                            maxMessageBytes: maxMessageBytes, obsoleteKeys: obsolete)
            store.fence.own(tp, epoch: result.nextEpoch)
            choices[tp] = choice
        }
        return choices
    }

    /// Produces `checkpoint`'s changes (not yet flushed). The caller flushes the producer and
    /// then calls `committed`, or drops the partition.
    public func write(_ checkpoint: Checkpoint, createdAtMs: Int64) throws {
        let tp = TopicPartition(checkpoint.topic, checkpoint.partition)
        guard let tracker = trackers[tp] else { return }
        let batch = try tracker.plan(checkpoint, createdAtMs: createdAtMs)
        if try store.write(batch, for: tp) { pending[tp] = batch }
    }

    /// Every write since the last call is delivered: remember what the changelog now holds.
    public func committed() {
        for (tp, batch) in pending { trackers[tp]?.commit(batch) }
        pending = [:]
    }

    /// The writes since the last `committed` were not delivered: the next checkpoint writes the
    /// same changes again.
    public func abandonPending() { pending = [:] }

    /// Revoked or lost: never write state for these partitions again (until reassigned).
    public func release(_ tps: [TopicPartition]) {
        store.fence.release(tps)
        for tp in tps { trackers[tp] = nil; pending[tp] = nil }
    }

    public func epoch(of tp: TopicPartition) -> UInt64? { trackers[tp]?.epoch }
}
