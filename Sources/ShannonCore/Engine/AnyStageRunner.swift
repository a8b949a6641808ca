import ShannonStats

/// One stage of a partition, whatever its kind: a switch per record and stage, no existential.
enum AnyStageRunner {
    case psi(StageRunner<PSIEstimator>)
    case iv(StageRunner<IVEstimator>)
    case groupDivergence(StageRunner<GroupDivergenceEstimator>)
    case entropy(StageRunner<EntropyEstimator>)
    case jsDivergence(StageRunner<JSDivergenceEstimator>)
    case boundary(StageRunner<BoundaryEstimator>)

    @inline(__always)
    func process(_ d: RecordDecoder, at p: RecordPosition, now: Int64, emissions: inout [StageEmission]) -> Bool {
        switch self {
        case let .psi(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .iv(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .groupDivergence(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .entropy(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .jsDivergence(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .boundary(r): r.process(d, at: p, now: now, emissions: &emissions)
        }
    }

    func closeAll(topic: String, partition: Int32, now: Int64, emissions: inout [StageEmission]) {
        switch self {
        case let .psi(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .iv(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .groupDivergence(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .entropy(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .jsDivergence(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .boundary(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        }
    }

    func checkpointEntries() -> [CheckpointEntry] {
        switch self {
        case let .psi(r): r.checkpointEntries()
        case let .iv(r): r.checkpointEntries()
        case let .groupDivergence(r): r.checkpointEntries()
        case let .entropy(r): r.checkpointEntries()
        case let .jsDivergence(r): r.checkpointEntries()
        case let .boundary(r): r.checkpointEntries()
        }
    }

    func restore(_ entry: CheckpointEntry) throws {
        switch self {
        case let .psi(r): try r.restore(entry)
        case let .iv(r): try r.restore(entry)
        case let .groupDivergence(r): try r.restore(entry)
        case let .entropy(r): try r.restore(entry)
        case let .jsDivergence(r): try r.restore(entry)
        case let .boundary(r): try r.restore(entry)
        }
    }
}

/// Everything one partition's records changed: every stage's state for every key, and the
/// next offset to read. The unit of checkpoints and of rebalances ("a partition owns its state").
public final class PartitionState {
    public let topic: String
    public let partition: Int32
    let stages: [AnyStageRunner]
    /// The offset of the next record to read: a checkpoint of this state resumes there.
    // Unchecked exclusivity: touched per record, only by the worker's thread.
    @exclusivity(unchecked) public internal(set) var nextOffset: Int64
    /// Records since the last checkpoint; the owner resets it when a checkpoint is durable.
    @exclusivity(unchecked) public var recordsSinceCheckpoint = 0
    /// Generation number the next checkpoint will carry.
    public var nextGeneration: UInt64 = 1

    init(topic: String, partition: Int32, stages: [AnyStageRunner], nextOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.stages = stages
        self.nextOffset = nextOffset
    }

}
