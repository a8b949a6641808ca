import CRdKafka

/// One partition of one topic: the unit that Kafka assigns, and that owns pipeline state.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// Where a newly assigned partition starts reading.
///
/// Kafka offsets name the *next* record to read: a checkpoint taken after processing the record
/// at offset `n` stores `n + 1`, and `.offset(n + 1)` resumes exactly after it.
public enum StartOffset: Hashable, Sendable {
    /// The group's committed offset, or `auto.offset.reset` when there is none.
    case committed
    case beginning
    case end
    case offset(Int64)

    var raw: Int64 {
        switch self {
        case .committed: return Int64(RD_KAFKA_OFFSET_INVALID)
        case .beginning: return Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: return Int64(RD_KAFKA_OFFSET_END)
        case .offset(let o): return o
        }
    }
}

/// Owns an `rd_kafka_topic_partition_list_t` for the length of one call.
///
/// Conversions live here so that no other file walks C lists by hand.
struct PartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(capacity, 1)))
    }

    init(_ partitions: [TopicPartition], offset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)) {
        self.init(capacity: partitions.count)
        for tp in partitions { add(tp, offset: offset) }
    }

    init(_ offsets: [TopicPartition: Int64]) {
        self.init(capacity: offsets.count)
        for (tp, o) in offsets { add(tp, offset: o) }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func add(_ tp: TopicPartition, offset: Int64) {
        let element = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)!
        element.pointee.offset = offset
    }

    /// Reads a list that librdkafka owns (e.g. in the rebalance callback).
    static func elements(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?)
        -> [(TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)]
    {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { i in
            let e = elems[i]
            return (TopicPartition(String(cString: e.topic), e.partition), e.offset, e.err)
        }
    }

    var elements: [(TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        Self.elements(of: UnsafePointer(pointer))
    }

    /// Offsets by partition; throws the first per-partition error.
    func offsets() throws(KafkaError) -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, err) in elements {
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "\(tp)") }
            result[tp] = offset
        }
        return result
    }
}
