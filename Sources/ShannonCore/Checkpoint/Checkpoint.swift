import ShannonStats

/// Everything one Kafka partition's records changed, plus the offset to resume from.
///
/// A partition owns its state: every stage's estimators for every key, window positions, the
/// alert lifecycle. Saving them *together with the next offset* in one file is what makes a
/// restart exact: the state and the position can never disagree, whatever Kafka's committed
/// offsets say.
public struct Checkpoint: Equatable, Sendable {
    public var pipeline: String
    public var topic: String
    public var partition: Int32
    /// The offset of the first record *not* reflected in this state.
    public var nextOffset: Int64
    /// Monotonic per (pipeline, topic, partition); names the file and orders generations.
    public var generation: UInt64
    /// Wall-clock creation time, epoch milliseconds (informational only).
    public var createdAtMs: Int64
    /// Stage id → fingerprint of that stage's configuration (see `StageFingerprint`).
    public var fingerprints: [String: UInt64]
    /// One sealed `StateCodable` record per (stage, key).
    public var entries: [CheckpointEntry]
    /// Free-form runtime section (window positions, alert lifecycle, counters…), owned by the run loop.
    public var runtime: [UInt8]

    public init(pipeline: String, topic: String, partition: Int32, nextOffset: Int64, generation: UInt64,
                createdAtMs: Int64, fingerprints: [String: UInt64], entries: [CheckpointEntry], runtime: [UInt8] = []) {
        self.pipeline = pipeline
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.generation = generation
        self.createdAtMs = createdAtMs
        self.fingerprints = fingerprints
        self.entries = entries
        self.runtime = runtime
    }
}

/// The state of one stage for one key: an estimator's (or window's, or rule's) sealed record.
public struct CheckpointEntry: Equatable, Sendable {
    public var stageId: String
    public var key: String
    public var state: [UInt8]

    public init(stageId: String, key: String, state: [UInt8]) {
        self.stageId = stageId
        self.key = key
        self.state = state
    }

    /// The four-character tag of the sealed record in `state` ("SHST" magic + tag), or nil when
    /// the bytes do not start like a sealed record. Used by `checkpoint inspect`.
    public var stateTag: String? {
        guard state.count >= 8, state[0] == 0x53, state[1] == 0x48, state[2] == 0x53, state[3] == 0x54 else { return nil }
        return String(decoding: state[4..<8], as: UTF8.self)
    }
}

/// Why a checkpoint file was not used. Every one of these means "fall back to the previous generation".
public enum CheckpointDefect: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than its header says (a crash mid-write that escaped the rename, a cut copy).
    case truncated(String)
    /// Not a Shannon checkpoint at all.
    case badMagic
    /// Written by a format this build cannot read.
    case unsupportedVersion(UInt16)
    /// The header's own CRC does not match: header bytes are damaged.
    case headerChecksum
    /// The compressed body's CRC-32C does not match the header.
    case bodyChecksum
    /// Something else is inconsistent (decompression failed, lengths disagree, bad record).
    case corrupt(String)
    /// A valid file, but for another pipeline/topic/partition than its location says.
    case misplaced(String)
    /// The file could not be read.
    case unreadable(String)

    public var description: String {
        switch self {
        case let .truncated(why): "truncated (\(why))"
        case .badMagic: "not a Shannon checkpoint (bad magic)"
        case let .unsupportedVersion(v): "unsupported checkpoint format version \(v) (this build reads \(CheckpointFile.formatVersion))"
        case .headerChecksum: "header checksum mismatch (corrupted header)"
        case .bodyChecksum: "body CRC-32C mismatch (corrupted body)"
        case let .corrupt(why): "corrupt (\(why))"
        case let .misplaced(why): "misplaced (\(why))"
        case let .unreadable(why): "unreadable (\(why))"
        }
    }
}
