import ShannonZstd

/// Rebuilds one partition's checkpoint from its changelog partition, read in offset order from
/// the beginning up to the high watermark seen when the restore began.
///
/// Rules (docs/checkpoints.md, "State changelog"):
/// - an entry is *tentative* until a marker with the same epoch and a generation at or above its
///   own accepts it; entries that no accepted marker covers belong to an unfinished checkpoint
///   (or a stale owner) and are ignored;
/// - a marker is accepted only if its (epoch, generation) is above every marker accepted before
///   it; a marker whose epoch is below one already seen is a stale owner's late write, and is
///   reported in `staleMarkers`;
/// - every owner's first checkpoint is a full snapshot, so the state is exactly the accepted
///   entries of the newest marker's epoch. Older epochs' entries still in the log are returned
///   as `obsoleteKeys`, for the next owner to tombstone.
///
/// Memory: one compressed value per key (what the log holds, after compaction), not per record.
public struct ChangelogRebuilder {
    public let pipeline: String
    public let topic: String
    public let partition: Int32

    private struct Held { var tag: ChangelogTag; var value: [UInt8]? }
    private var committed: [EntryID: Held] = [:]
    private var tentative: [EntryID: Held] = [:]
    private var oldMarkers: [UInt64: [UInt8]] = [:]
    public private(set) var best: ChangelogMarker?
    /// Markers ignored as a stale owner's late writes, in log order.
    public private(set) var staleMarkers: [ChangelogMarker] = []
    /// Entries of those markers' checkpoints (a stale owner's late writes), ignored.
    public private(set) var staleEntries = 0
    private var staleIDs: [EntryID] = []
    /// Records read for this partition (entries, tombstones and markers); records of other
    /// partitions or writers sharing the changelog partition are not counted.
    public private(set) var recordsRead = 0
    /// Records that were not Shannon changelog records or could not be decoded.
    public private(set) var unreadable = 0

    struct EntryID: Hashable { var stage: String; var key: String }

    private let entryPrefix: [UInt8]

    public init(pipeline: String, topic: String, partition: Int32) {
        self.pipeline = pipeline
        self.topic = topic
        self.partition = partition
        entryPrefix = ChangelogKey.entryPrefix(pipeline: pipeline, topic: topic, partition: partition)
    }

    /// Feeds one changelog record. `tombstoneTag` is the `shannon.tag` header of a null value.
    public mutating func add(key keyBytes: [UInt8], value: [UInt8]?, tombstoneTag: ChangelogTag? = nil) {
        // Entries of this partition (all but a handful of records) skip the full key parse.
        if let (stage, k) = ChangelogKey.entry(keyBytes, prefix: entryPrefix).map({ ($0.stage, $0.key) }) {
            recordsRead += 1
            addEntry(EntryID(stage: stage, key: k), value: value, tombstoneTag: tombstoneTag)
            return
        }
        guard let key = ChangelogKey(bytes: keyBytes) else { unreadable += 1; return }
        let id = key.partitionIdentity
        guard id.pipeline == pipeline, id.topic == topic, id.partition == partition else { return }
        recordsRead += 1
        switch key {
        case let .entry(_, _, _, stage, k):
            addEntry(EntryID(stage: stage, key: k), value: value, tombstoneTag: tombstoneTag)
        case let .marker(_, _, _, epoch):
            addMarker(epoch: epoch, keyBytes: keyBytes, value: value)
        }
    }

    private mutating func addEntry(_ entry: EntryID, value: [UInt8]?, tombstoneTag: ChangelogTag?) {
        if let value, !value.isEmpty {
            guard let tag = ChangelogValue.tag(value) else { unreadable += 1; return }
            tentative[entry] = Held(tag: tag, value: value)
        } else if let tag = tombstoneTag {
            tentative[entry] = Held(tag: tag, value: nil)
        } else { // a tombstone of unknown origin (an operator's): the key is gone
            tentative[entry] = nil
            committed[entry] = nil
        }
    }

    private mutating func addMarker(epoch: UInt64, keyBytes: [UInt8], value: [UInt8]?) {
        guard let value, !value.isEmpty else { oldMarkers[epoch] = nil; return }
        guard let marker = try? ChangelogMarker(encoded: value), marker.tag.epoch == epoch else { unreadable += 1; return }
        if let best, marker.tag <= best.tag {
            if marker.tag.epoch < best.tag.epoch { dropStale(marker) }
            oldMarkers[epoch] = keyBytes
            return
        }
        accept(marker)
        if let previous = best, previous.tag.epoch != epoch { oldMarkers[previous.tag.epoch] = previous.key.bytes }
        best = marker
    }

    /// A marker of an epoch below the newest one seen: a stale owner's late checkpoint. Its
    /// entries (written before it, same epoch) leave the tentative set, counted, so the log can
    /// tell a zombie's write from an unfinished checkpoint.
    private mutating func dropStale(_ marker: ChangelogMarker) {
        staleMarkers.append(marker)
        var dropped: [EntryID] = []
        tentative = tentative.filter { id, held in
            let late = held.tag.epoch == marker.tag.epoch && held.tag.generation <= marker.tag.generation
            if late { dropped.append(id) }
            return !late
        }
        staleEntries += dropped.count
        staleIDs.append(contentsOf: dropped)
    }

    private mutating func accept(_ m: ChangelogMarker) {
        var keep: [EntryID: Held] = [:]
        committed.reserveCapacity(committed.count + tentative.count)
        for (id, held) in tentative {
            if held.tag.epoch == m.tag.epoch && held.tag.generation <= m.tag.generation {
                committed[id] = held.value == nil ? nil : held
            } else if held.tag > m.tag {
                keep[id] = held // a later checkpoint (or a newer owner) still in progress
            }
            // else: an older epoch's write no marker accepted: unfinished, or a stale owner's
        }
        tentative = keep
    }

    /// What the changelog holds for the partition.
    public struct Result {
        /// nil when no marker was accepted (the partition has no state in the changelog).
        public var checkpoint: Checkpoint?
        public var marker: ChangelogMarker?
        public var staleMarkers: [ChangelogMarker]
        /// Entries of the stale markers' checkpoints, ignored.
        public var staleEntries: Int
        /// Changelog keys that are not part of the state (older epochs): tombstoned by the next owner.
        public var obsoleteKeys: [[UInt8]]
        /// Entries written after the newest marker (an unfinished checkpoint): ignored.
        public var ignoredTentative: Int
        public var recordsRead: Int
        public var unreadable: Int
        /// Epoch the next owner writes with: one above anything seen.
        public var nextEpoch: UInt64
    }

    /// Decompresses the newest marker's entries into a checkpoint.
    /// - Throws: `CheckpointDefect` when an accepted entry does not decompress.
    public func finish() throws -> Result {
        let maxEpoch = max(best?.tag.epoch ?? 0, staleMarkers.map(\.tag.epoch).max() ?? 0,
                           tentative.values.map(\.tag.epoch).max() ?? 0, committed.values.map(\.tag.epoch).max() ?? 0)
        var obsolete: [[UInt8]] = Array(oldMarkers.values)
        var entries: [CheckpointEntry] = []
        entries.reserveCapacity(committed.count)
        let decompressor = try ZstdDecompressor(maxOutput: CheckpointFile.maxUncompressedBytes) // one for every entry
        for (id, held) in committed {
            if let best, held.tag.epoch == best.tag.epoch, let v = held.value {
                entries.append(CheckpointEntry(stageId: id.stage, key: id.key, state: try ChangelogValue.state(v, with: decompressor)))
            } else {
                obsolete.append(ChangelogKey.entry(pipeline: pipeline, topic: topic, partition: partition, stage: id.stage,
                                                   key: id.key).bytes)
            }
        }
        for (id, _) in tentative where committed[id] == nil {
            obsolete.append(ChangelogKey.entry(pipeline: pipeline, topic: topic, partition: partition, stage: id.stage,
                                               key: id.key).bytes)
        }
        for id in Set(staleIDs) where committed[id] == nil && tentative[id] == nil {
            obsolete.append(ChangelogKey.entry(pipeline: pipeline, topic: topic, partition: partition, stage: id.stage,
                                               key: id.key).bytes)
        }
        entries.sort { ($0.stageId, $0.key) < ($1.stageId, $1.key) }
        let checkpoint = best.map { m in
            Checkpoint(pipeline: pipeline, topic: topic, partition: partition, nextOffset: m.nextOffset,
                       generation: m.tag.generation, createdAtMs: m.createdAtMs, fingerprints: m.fingerprints,
                       entries: entries)
        }
        return Result(checkpoint: checkpoint, marker: best, staleMarkers: staleMarkers, staleEntries: staleEntries, obsoleteKeys: obsolete,
                      ignoredTentative: tentative.count, recordsRead: recordsRead, unreadable: unreadable,
                      nextEpoch: maxEpoch + 1)
    }
}
