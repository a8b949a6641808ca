import ShannonStats
import ShannonZstd

/// The records of a pipeline's state changelog: a compacted Kafka topic whose partition p holds
/// the state of source partition p, so a partition's state moves with the partition.
///
/// Record key (stable, so compaction keeps exactly the newest value of each):
///
///     "SHC1"  kind u8  pipeline  topic  partition u32  (entry: stage, key | marker: epoch u64)
///
/// (strings as `StateWriter` writes them: `u32` length, UTF-8.) An *entry* is one (stage, key)
/// state; its value is `ChangelogValue`: version u8, writer epoch u64, generation u64, then one
/// zstd frame of the key's sealed `KeyState` record. A key's eviction is a tombstone (null
/// value) whose epoch and generation travel in the `shannon.tag` header, because a null value
/// has no room for them. A *marker* closes one checkpoint of one partition (`ChangelogMarker`).
/// Markers are keyed per epoch so that a stale owner's late marker can never replace, under
/// compaction, the marker of the owner that followed it.
public enum ChangelogKey: Equatable, Hashable, Sendable {
    case entry(pipeline: String, topic: String, partition: Int32, stage: String, key: String)
    case marker(pipeline: String, topic: String, partition: Int32, epoch: UInt64)

    static let magic: UInt32 = 0x3143_4853 // "SHC1" little-endian

    public var bytes: [UInt8] {
        var w = StateWriter(capacity: 64)
        w.write(Self.magic)
        switch self {
        case let .entry(pipeline, topic, partition, stage, key):
            w.write(UInt8(1)); w.write(pipeline); w.write(topic); w.write(UInt32(bitPattern: partition))
            w.write(stage); w.write(key)
        case let .marker(pipeline, topic, partition, epoch):
            w.write(UInt8(2)); w.write(pipeline); w.write(topic); w.write(UInt32(bitPattern: partition))
            w.write(epoch)
        }
        return w.bytes
    }

    /// nil for bytes that are not a Shannon changelog key (another writer's record: skipped).
    public init?(bytes: [UInt8]) {
        var r = StateReader(bytes)
        do {
            guard try r.read(UInt32.self) == Self.magic else { return nil }
            let kind = try r.read(UInt8.self)
            let pipeline = try r.readString(), topic = try r.readString()
            let partition = Int32(bitPattern: try r.read(UInt32.self))
            switch kind {
            case 1: self = .entry(pipeline: pipeline, topic: topic, partition: partition, stage: try r.readString(),
                                  key: try r.readString())
            case 2: self = .marker(pipeline: pipeline, topic: topic, partition: partition, epoch: try r.read(UInt64.self))
            default: return nil
            }
            try r.expectEnd()
        } catch { return nil }
    }

    /// The bytes every entry key of one partition starts with: comparing them is how a restore
    /// skips parsing (and allocating) the pipeline and topic names of each of a million keys.
    public static func entryPrefix(pipeline: String, topic: String, partition: Int32) -> [UInt8] {
        var w = StateWriter(capacity: 64)
        w.write(magic); w.write(UInt8(1)); w.write(pipeline); w.write(topic); w.write(UInt32(bitPattern: partition))
        return w.bytes
    }

    /// (stage, key) of an entry key that starts with `prefix` (from `entryPrefix`); nil when it
    /// does not, or when the rest is not exactly two strings.
    public static func entry(_ bytes: [UInt8], prefix: [UInt8]) -> (stage: String, key: String)? {
        guard bytes.count >= prefix.count + 8, bytes.starts(with: prefix) else { return nil }
        var r = StateReader(bytes, from: prefix.count)
        guard let stage = try? r.readString(), let key = try? r.readString(), (try? r.expectEnd()) != nil else { return nil }
        return (stage, key)
    }

    public var partitionIdentity: (pipeline: String, topic: String, partition: Int32) {
        switch self {
        case let .entry(p, t, n, _, _), let .marker(p, t, n, _): (p, t, n)
        }
    }
}

/// Who wrote a changelog record: the owner's epoch, then the checkpoint generation. Ordered.
public struct ChangelogTag: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var epoch: UInt64
    public var generation: UInt64
    public init(epoch: UInt64, generation: UInt64) { self.epoch = epoch; self.generation = generation }
    public static func < (a: Self, b: Self) -> Bool { (a.epoch, a.generation) < (b.epoch, b.generation) }
    public var description: String { "epoch \(epoch) generation \(generation)" }

    /// The 16 bytes of the `shannon.tag` header of a tombstone.
    public var headerBytes: [UInt8] {
        var w = StateWriter(capacity: 16)
        w.write(epoch); w.write(generation)
        return w.bytes
    }

    public init?(headerBytes: [UInt8]) {
        guard headerBytes.count == 16 else { return nil }
        var r = StateReader(headerBytes)
        guard let e = try? r.read(UInt64.self), let g = try? r.read(UInt64.self) else { return nil }
        self.init(epoch: e, generation: g)
    }

    public static let headerName = "shannon.tag"
}

/// The value of a changelog entry: who wrote it, and the compressed sealed state.
public enum ChangelogValue {
    static let version: UInt8 = 1
    static let prefix = 17

    public static func encode(state: [UInt8], tag: ChangelogTag) throws -> [UInt8] {
        try encode(state: state, tag: tag, with: try ZstdCompressor())
    }

    /// `encode` with a compressor the caller keeps for many entries.
    public static func encode(state: [UInt8], tag: ChangelogTag, with compressor: ZstdCompressor) throws -> [UInt8] {
        var w = StateWriter(capacity: prefix + state.count / 2 + 32)
        w.write(version); w.write(tag.epoch); w.write(tag.generation)
        var out = w.bytes
        try state.withUnsafeBytes { try compressor.appendFrame($0, to: &out) }
        return out
    }

    /// The writer's tag, without decompressing. nil when the value is not ours.
    public static func tag(_ value: [UInt8]) -> ChangelogTag? {
        guard value.count > prefix, value[0] == version else { return nil }
        return value.withUnsafeBytes { b in
            ChangelogTag(epoch: UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 1, as: UInt64.self)),
                         generation: UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 9, as: UInt64.self)))
        }
    }

    /// The sealed state bytes (decompressed; their own CRC is checked when they are restored).
    public static func state(_ value: [UInt8]) throws -> [UInt8] {
        try state(value, with: try ZstdDecompressor(maxOutput: CheckpointFile.maxUncompressedBytes))
    }

    /// `state` with a decompressor the caller keeps for many entries (its `maxOutput` applies).
    public static func state(_ value: [UInt8], with decompressor: ZstdDecompressor) throws -> [UInt8] {
        guard value.count > prefix, value[0] == version else {
            throw CheckpointDefect.corrupt("changelog entry value of \(value.count) bytes is not a version-1 entry")
        }
        do {
            return try value.withUnsafeBytes { try decompressor.decompressFrame(UnsafeRawBufferPointer(rebasing: $0[prefix...])) }
        } catch {
            throw CheckpointDefect.corrupt("changelog entry does not decompress: \(error)")
        }
    }
}

/// Closes one checkpoint of one partition in the changelog: every entry of that checkpoint was
/// produced before it (same partition, idempotent producer: in order), so everything up to the
/// newest acceptable marker is a complete state at `nextOffset`.
public struct ChangelogMarker: Equatable, Sendable {
    static let recordTag = StateTag("CKPM")
    public var pipeline: String
    public var topic: String
    public var partition: Int32
    public var nextOffset: Int64
    /// Owner epoch and checkpoint generation.
    public var tag: ChangelogTag
    /// Who wrote it (host, process, group member): for the logs of whoever restores it.
    public var owner: String
    public var createdAtMs: Int64
    public var fingerprints: [String: UInt64]
    /// Entries (and tombstones) this checkpoint wrote; keys its state held.
    public var entriesWritten: Int
    public var keys: Int

    public init(pipeline: String, topic: String, partition: Int32, nextOffset: Int64, tag: ChangelogTag, owner: String,
                createdAtMs: Int64, fingerprints: [String: UInt64], entriesWritten: Int, keys: Int) {
        self.pipeline = pipeline; self.topic = topic; self.partition = partition; self.nextOffset = nextOffset
        self.tag = tag; self.owner = owner; self.createdAtMs = createdAtMs; self.fingerprints = fingerprints
        self.entriesWritten = entriesWritten; self.keys = keys
    }

    public var key: ChangelogKey { .marker(pipeline: pipeline, topic: topic, partition: partition, epoch: tag.epoch) }

    public func encoded() -> [UInt8] {
        var w = StateWriter(capacity: 256)
        w.beginRecord(Self.recordTag, version: 1)
        w.write(pipeline); w.write(topic); w.write(UInt32(bitPattern: partition)); w.write(nextOffset)
        w.write(tag.epoch); w.write(tag.generation); w.write(owner); w.write(createdAtMs)
        let stages = fingerprints.keys.sorted()
        w.write(stages.count)
        for s in stages { w.write(s); w.write(fingerprints[s]!) }
        w.write(entriesWritten); w.write(keys)
        w.endRecord()
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws {
        var r = StateReader(bytes)
        do {
            try r.beginRecord(Self.recordTag, supported: 1...1)
            pipeline = try r.readString(); topic = try r.readString()
            partition = Int32(bitPattern: try r.read(UInt32.self)); nextOffset = try r.read(Int64.self)
            tag = ChangelogTag(epoch: try r.read(UInt64.self), generation: try r.read(UInt64.self))
            owner = try r.readString(); createdAtMs = try r.read(Int64.self)
            let n = try r.readCount(limit: r.remaining / 12)
            fingerprints = [:]
            for _ in 0..<n { let s = try r.readString(); fingerprints[s] = try r.read(UInt64.self) }
            entriesWritten = try r.readInt(); keys = try r.readInt()
            try r.endRecord()
            try r.expectEnd()
        } catch let e as StateDecodingError {
            throw CheckpointDefect.corrupt("changelog marker: \(e)")
        }
    }
}
