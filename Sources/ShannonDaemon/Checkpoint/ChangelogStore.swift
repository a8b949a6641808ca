import Foundation
import Logging
import ShannonCore
import ShannonKafka
import Synchronization

/// The pipeline's state changelog on Kafka: writes each checkpoint's changed entries and its
/// marker, and rebuilds a partition's checkpoint from it on assignment (docs/checkpoints.md).
///
/// Partition p of the changelog holds source partition p's state (of every source topic), so
/// the changelog needs at least as many partitions as the source.
public final class ChangelogStore {
    public let topic: String
    public let pipeline: String
    let producer: KafkaProducer
    let deliveries: DeliveryTracker?
    /// librdkafka properties of the restore reader (the source's connection settings).
    let readerConfiguration: [String: String]
    let logger: Logger
    public let fence = ChangelogFence()
    public let stats = ChangelogStats()

    /// - Parameter deliveries: the worker's tracker; the changelog's records take their ids from
    ///   it so that a checkpoint round waits for their delivery too.
    public init(topic: String, pipeline: String, producer: KafkaProducer, deliveries: DeliveryTracker? = nil,
                connection: [String: String], logger: Logger) {
        self.topic = topic
        self.pipeline = pipeline
        self.producer = producer
        self.deliveries = deliveries
        var conf = connection
        for k in ["group.instance.id", "partition.assignment.strategy", "auto.offset.reset", "enable.auto.commit",
                  "enable.auto.offset.store", "queued.min.messages"] { conf[k] = nil }
        conf["group.id"] = (connection["group.id"] ?? "shannon") + ".changelog-restore"
        conf["enable.auto.commit"] = "false"
        conf["auto.offset.reset"] = "earliest"
        conf["fetch.max.bytes"] = conf["fetch.max.bytes"] ?? "52428800"
        self.readerConfiguration = conf
        self.logger = logger
    }

    /// Who writes: host and process, for the markers (and whoever restores them).
    public static let ownerIdentity: String = {
        "\(ProcessInfo.processInfo.hostName)/\(getpid())"
    }()

    // MARK: Restoring

    /// One partition's restore: what the changelog held and what it cost.
    public struct Restored {
        public var result: ChangelogRebuilder.Result
        public var seconds: Double
    }

    /// Reads the changelog partitions of `tps` from the beginning up to the high watermark seen
    /// now, and rebuilds each partition's checkpoint. Entries after the newest marker belong
    /// to an unfinished checkpoint and are ignored.
    public func restore(_ tps: [TopicPartition], timeout: Duration = .seconds(120)) throws -> [TopicPartition: Restored] {
        let started = ContinuousClock.now
        let reader = try KafkaConsumer(configuration: readerConfiguration, batchCapacity: 8192, logger: logger)
        defer { try? reader.close() }
        let available = try reader.partitions(of: topic).count
        var rebuilders: [Int32: [TopicPartition: ChangelogRebuilder]] = [:]
        for tp in tps {
            guard tp.partition < available else {
                throw ChangelogError.topicTooSmall(topic: topic, partitions: available, needed: tp.partition)
            }
            rebuilders[tp.partition, default: [:]][tp] = ChangelogRebuilder(pipeline: pipeline, topic: tp.topic,
                                                                           partition: tp.partition)
        }
        var ends: [Int32: Int64] = [:]
        var starts: [TopicPartition: StartOffset] = [:]
        for p in rebuilders.keys {
            let (low, high) = try reader.watermarks(TopicPartition(topic, p), timeout: .seconds(10))
            if high > low { ends[p] = high; starts[TopicPartition(topic, p)] = .offset(low) }
        }
        if !starts.isEmpty {
            try reader.assign(starts)
            let deadline = ContinuousClock.now + timeout
            while !ends.isEmpty {
                guard ContinuousClock.now < deadline else {
                    throw RuntimeError.checkpointRefused(tps[0], "changelog \(topic) not read to its end within \(timeout)")
                }
                let batch = try reader.poll(maxMessages: 8192, timeout: .milliseconds(200))
                for m in batch {
                    guard let end = ends[m.partition], m.offset < end, let key = m.key else { continue }
                    let keyBytes = Array(key)
                    let value = m.value.count == 0 ? nil : Array(m.value)
                    let tag = value == nil ? m.header(ChangelogTag.headerName).flatMap { ChangelogTag(headerBytes: Array($0)) } : nil
                    for tp in rebuilders[m.partition]!.keys {
                        rebuilders[m.partition]![tp]!.add(key: keyBytes, value: value, tombstoneTag: tag)
                    }
                }
                for (p, end) in ends {
                    let last = batch.last { $0.partition == p }?.offset
                    if let last, last + 1 >= end { ends[p] = nil; continue }
                    if batch.isEmpty, let at = try reader.position([TopicPartition(topic, p)])[TopicPartition(topic, p)],
                       at >= end { ends[p] = nil }
                }
            }
        }
        var out: [TopicPartition: Restored] = [:]
        let seconds = (ContinuousClock.now - started).seconds
        for (_, byTP) in rebuilders {
            for (tp, r) in byTP {
                let result = try r.finish()
                out[tp] = Restored(result: result, seconds: seconds)
                stats.recordRestore(entries: result.recordsRead, keys: result.checkpoint?.entries.count ?? 0, seconds: seconds,
                                    stale: result.staleMarkers.count)
            }
        }
        return out
    }

    // MARK: Writing

    /// Produces a checkpoint's entries, then its marker, to the partition's changelog partition.
    /// Nothing is produced unless the fence says this owner (epoch) still holds the partition:
    /// a lost or revoked partition is never written again by this daemon.
    /// - Returns: false when the fence dropped the batch.
    @discardableResult
    public func write(_ batch: ChangelogBatch, for tp: TopicPartition) throws -> Bool {
        guard fence.owns(tp, epoch: batch.marker.tag.epoch) else { return false }
        for w in batch.writes {
            guard fence.owns(tp, epoch: batch.marker.tag.epoch) else { return false }
            if let value = w.value {
                try producer.produce(topic: topic, key: w.key, value: value, partition: tp.partition, id: deliveries?.nextID() ?? 0)
            } else {
                let headers = w.tag.map { [KafkaHeader(ChangelogTag.headerName, $0.headerBytes)] } ?? []
                // A null value (not an empty one) is Kafka's tombstone: only the raw-buffer API can say so.
                let sent: Result<Void, KafkaError> = w.key.withUnsafeBytes { k in
                    do throws(KafkaError) {
                        try producer.produce(topic: topic, key: k, value: UnsafeRawBufferPointer(start: nil, count: 0),
                                             headers: headers, partition: tp.partition, id: deliveries?.nextID() ?? 0)
                        return .success(())
                    } catch { return .failure(error) }
                }
                try sent.get()
            }
        }
        guard fence.owns(tp, epoch: batch.marker.tag.epoch) else { return false }
        try producer.produce(topic: topic, key: batch.marker.key.bytes, value: batch.marker.encoded(), partition: tp.partition,
                             id: deliveries?.nextID() ?? 0)
        stats.recordWrite(entries: batch.entries)
        return true
    }
}

/// Which partitions this daemon may write state for, and under which epoch.
///
/// The rebalance handler `own`s a partition when it restores it and `release`s it on revoke or
/// loss; the writer (any thread) checks before each record. So a checkpoint still queued when
/// the partition was lost is dropped, not written over the next owner's state.
public final class ChangelogFence: Sendable {
    private let owned = Mutex<[TopicPartition: UInt64]>([:])

    public init() {}
    public func own(_ tp: TopicPartition, epoch: UInt64) { owned.withLock { $0[tp] = epoch } }
    public func release(_ tps: [TopicPartition]) { owned.withLock { for tp in tps { $0[tp] = nil } } }
    public func owns(_ tp: TopicPartition, epoch: UInt64) -> Bool { owned.withLock { $0[tp] == epoch } }
    public func epoch(of tp: TopicPartition) -> UInt64? { owned.withLock { $0[tp] } }
}

/// What the changelog did, for logs and metrics (readable from any thread).
public final class ChangelogStats: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var restores = 0
        /// Changelog records read by restores (entries, tombstones, markers).
        public var entriesRead = 0
        public var keysRestored = 0
        public var lastRestoreSeconds = 0.0
        public var lastRestoreEntries = 0
        public var staleMarkersIgnored = 0
        public var entriesWritten = 0
        public var markersWritten = 0
        /// Restores since the last `takeUnreportedRestores` (for the metrics).
        var unreportedEntries = 0
        var unreportedSeconds: Double?
    }

    private let state = Mutex(Snapshot())
    public init() {}
    public var snapshot: Snapshot { state.withLock { $0 } }

    func recordRestore(entries: Int, keys: Int, seconds: Double, stale: Int) {
        state.withLock {
            $0.restores += 1; $0.entriesRead += entries; $0.keysRestored += keys
            $0.lastRestoreSeconds = seconds; $0.lastRestoreEntries = entries; $0.staleMarkersIgnored += stale
            $0.unreportedEntries += entries; $0.unreportedSeconds = seconds
        }
    }

    /// Entries read and the last restore's time since the previous call: what the metrics have
    /// not been told yet.
    func takeUnreportedRestores() -> (entries: Int, seconds: Double?) {
        state.withLock { s in
            defer { s.unreportedEntries = 0; s.unreportedSeconds = nil }
            return (s.unreportedEntries, s.unreportedSeconds)
        }
    }

    func recordWrite(entries: Int) {
        state.withLock { $0.entriesWritten += entries; $0.markersWritten += 1 }
    }
}
