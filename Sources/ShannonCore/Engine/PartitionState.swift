import ShannonStats

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
