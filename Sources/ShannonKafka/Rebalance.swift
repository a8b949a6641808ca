/// A change of the consumer's partition set, delivered *before* the partitions move.
public enum RebalanceEvent: Hashable, Sendable {
    /// These partitions are now ours. Load their state; return where each should start.
    case assigned([TopicPartition])
    /// These partitions are leaving in an orderly rebalance: checkpoint/commit now, then drop them.
    case revoked([TopicPartition])
    /// These partitions were taken away without a handshake (session timeout, fenced member):
    /// another member may already own them, so drop their state *without* committing.
    case lost([TopicPartition])
}

/// The partition-exchange protocol of the consumer group.
public enum RebalanceProtocol: String, Sendable {
    /// Stop-the-world: every rebalance revokes the whole assignment, then assigns the new one
    /// (`partition.assignment.strategy=range,roundrobin`).
    case eager
    /// Incremental: only partitions that move are revoked/assigned (`cooperative-sticky`).
    case cooperative
}

/// Called synchronously on the thread that calls `KafkaConsumer.poll`/`close`, from inside
/// librdkafka's rebalance callback, before librdkafka moves the partitions. That is why it may
/// touch thread-confined, non-`Sendable` state (the pipeline's partition states) and does not
/// need to be `@Sendable`.
///
/// For `.assigned`, return the start offset for any partition that has a checkpoint (usually
/// `.offset(checkpoint.nextOffset)`); partitions missing from the map start at the committed
/// offset (or `auto.offset.reset`). The return value is ignored for `.revoked`/`.lost`.
///
/// The consumer is passed in so that the handler can commit on revocation without capturing
/// it (which would be a reference cycle). The handler may call `commit`, `committed`,
/// `assignment`, `pause`/`resume`; it must not call `poll`, `releaseBatch` or `close`
/// (it is running inside one of them).
public typealias RebalanceHandler = (_ consumer: KafkaConsumer, _ event: RebalanceEvent) -> [TopicPartition: StartOffset]
