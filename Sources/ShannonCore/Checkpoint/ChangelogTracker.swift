import ShannonZstd
import ShannonStats

/// One record to produce to the changelog partition (in order): an entry, a tombstone, a marker.
public struct ChangelogWrite: Equatable, Sendable {
    public var key: [UInt8]
    /// nil: a tombstone (the key was evicted or left the state).
    public var value: [UInt8]?
    /// Set on tombstones only: who wrote it (`ChangelogTag.headerName`).
    public var tag: ChangelogTag?
}

/// What one checkpoint writes to the changelog: the changed entries, then the marker.
public struct ChangelogBatch: Sendable {
    public var writes: [ChangelogWrite]
    public var marker: ChangelogMarker
    /// Entries and tombstones (the marker not counted).
    public var entries: Int
    fileprivate var newHashes: [String: [String: UInt64]]
}

public enum ChangelogError: Error, CustomStringConvertible, Equatable {
    case entryTooLarge(stage: String, key: String, bytes: Int, limit: Int)
    case topicTooSmall(topic: String, partitions: Int, needed: Int32)

    public var description: String {
        switch self {
        case let .entryTooLarge(stage, key, bytes, limit):
            "stage '\(stage)' key '\(key)': its state is \(bytes) bytes compressed, above the changelog's message "
                + "limit of \(limit) bytes; raise `checkpoint.changelog.max_message_bytes` together with the broker's "
                + "message.max.bytes (and the producer's), or bound the stage's state (fewer bins, a smaller window)"
        case let .topicTooSmall(topic, partitions, needed):
            "changelog topic '\(topic)' has \(partitions) partition(s), source partition \(needed) needs at least "
                + "\(needed + 1): create it with as many partitions as the source (cleanup.policy=compact)"
        }
    }
}

/// Finds, per partition, what changed since the last checkpoint the changelog holds, without
/// touching the stage code: a 64-bit hash of each (stage, key)'s last written sealed state
/// (8 bytes plus the key per key), compared at the next checkpoint.
///
/// A fresh tracker (a partition just assigned or restored) knows nothing, so the owner's first
/// checkpoint writes every key: each epoch starts with a full snapshot, which is what lets the
/// restore ignore every entry of an older epoch (`ChangelogRebuilder`).
public struct ChangelogTracker: Sendable {
    public let epoch: UInt64
    public let owner: String
    /// Largest key + value the changelog accepts (Kafka's `message.max.bytes`, less framing).
    public let maxMessageBytes: Int
    /// Keys the restore saw that are no longer part of the state: tombstoned by the first checkpoint.
    public private(set) var obsoleteKeys: [[UInt8]]
    private var hashes: [String: [String: UInt64]] = [:]

    public init(epoch: UInt64, owner: String, maxMessageBytes: Int = 1_000_000 - 512, obsoleteKeys: [[UInt8]] = []) {
        self.epoch = epoch
        self.owner = owner
        self.maxMessageBytes = maxMessageBytes
        self.obsoleteKeys = obsoleteKeys
    }

    /// Keys whose last written state the tracker remembers.
    public var trackedKeys: Int { hashes.values.reduce(0) { $0 + $1.count } }

    /// The records `checkpoint` adds to the changelog. Nothing is remembered until `commit`
    /// (a failed produce leaves the next checkpoint to write the same keys again).
    public func plan(_ c: Checkpoint, createdAtMs: Int64) throws -> ChangelogBatch {
        let tag = ChangelogTag(epoch: epoch, generation: c.generation)
        var writes: [ChangelogWrite] = []
        var newHashes: [String: [String: UInt64]] = [:]
        let compressor = try ZstdCompressor() // one context for every entry (not one per entry)
        for e in c.entries {
            let h = e.state.withUnsafeBytes { TokenHash.fnv1a64($0) }
            newHashes[e.stageId, default: [:]][e.key] = h
            if hashes[e.stageId]?[e.key] == h { continue }
            let key = ChangelogKey.entry(pipeline: c.pipeline, topic: c.topic, partition: c.partition, stage: e.stageId,
                                         key: e.key).bytes
            let value = try ChangelogValue.encode(state: e.state, tag: tag, with: compressor)
            guard key.count + value.count <= maxMessageBytes else {
                throw ChangelogError.entryTooLarge(stage: e.stageId, key: e.key, bytes: key.count + value.count,
                                                   limit: maxMessageBytes)
            }
            writes.append(ChangelogWrite(key: key, value: value, tag: nil))
        }
        for (stage, keys) in hashes {
            for key in keys.keys where newHashes[stage]?[key] == nil {
                writes.append(ChangelogWrite(key: ChangelogKey.entry(pipeline: c.pipeline, topic: c.topic, partition: c.partition,
                                                                     stage: stage, key: key).bytes, value: nil, tag: tag))
            }
        }
        if !obsoleteKeys.isEmpty {
            // A key the new owner created again since the restore must not be deleted after its entry.
            let written = Set(writes.lazy.filter { $0.value != nil }.map(\.key))
            for key in obsoleteKeys where !written.contains(key) { writes.append(ChangelogWrite(key: key, value: nil, tag: tag)) }
        }
        let marker = ChangelogMarker(pipeline: c.pipeline, topic: c.topic, partition: c.partition, nextOffset: c.nextOffset,
                                     tag: tag, owner: owner, createdAtMs: createdAtMs, fingerprints: c.fingerprints,
                                     entriesWritten: writes.count, keys: c.entries.count)
        return ChangelogBatch(writes: writes, marker: marker, entries: writes.count, newHashes: newHashes)
    }

    /// The batch is durable in the changelog: remember what it wrote.
    public mutating func commit(_ batch: ChangelogBatch) {
        hashes = batch.newHashes
        obsoleteKeys = []
    }
}
